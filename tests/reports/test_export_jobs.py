"""Export files (reports/exports.py): asking for one, building it in the background, the
email, the sweeper and the expiry."""

import datetime
import io
from concurrent.futures import ThreadPoolExecutor

import openpyxl
import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from notifications.models import OutboundEmail
from portal.errors import ApplicationError
from portal.permissions import PermissionRefused
from reports import exports
from reports.datasets import DATASETS, Column, Dataset, dataset_register
from reports.enums import ExportFailure, ExportFileStatus, ExportFormat
from reports.exports import (
    export_file_build,
    export_files_expire,
    export_start,
    report_exports_sweep,
)
from reports.models import ExportFile
from reports.tasks import build_export_file
from tests import factories
from tests.reports.conftest import KEY

NOW = datetime.datetime(2025, 3, 3, 10, 0, tzinfo=datetime.UTC)
BOM = "\ufeff"


def _start(user, *, fmt="csv", query=None) -> ExportFile:
    return export_start(acting_user=user, dataset_key=KEY, fmt=fmt, query=query or {})


def _read(export: ExportFile) -> bytes:
    with default_storage.open(export.file.name, "rb") as stored:
        return stored.read()


# --- Asking ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer", "reviewer"])
def test_export_start_refuses_who_may_not_export(request, test_dataset, role):
    person = request.getfixturevalue(role)

    with pytest.raises(PermissionRefused):
        _start(person)

    assert ExportFile.objects.count() == 0


@pytest.mark.parametrize(
    ("dataset_key", "fmt", "query", "message"),
    [
        ("no-such-thing", "csv", {}, "Choose one of the data sets offered."),
        (KEY, "pdf", {}, "Choose CSV or XLSX."),
        (KEY, "", {}, "Choose CSV or XLSX."),
        (
            KEY,
            "csv",
            {"date_from": "the 3rd of May"},
            "These filters cannot be used: From: Enter a valid date.",
        ),
        (
            KEY,
            "csv",
            {"date_from": "2025-03-01", "date_to": "2025-01-01"},
            "These filters cannot be used: To: The end of the range is before its start.",
        ),
    ],
)
def test_export_start_refuses_bad_input_with_a_message(
    test_dataset, cohorts, dataset_key, fmt, query, message
):
    with pytest.raises(ApplicationError) as refused:
        export_start(acting_user=cohorts["lead"], dataset_key=dataset_key, fmt=fmt, query=query)

    assert refused.value.message == message
    assert ExportFile.objects.count() == 0


def test_export_start_refuses_a_cohort_the_facilitator_does_not_report_on(test_dataset, cohorts):
    other = cohorts["other"].pk

    with pytest.raises(ApplicationError) as refused:
        _start(cohorts["lead"], query={"cohort": [str(other)]})

    assert refused.value.message == (
        "These filters cannot be used: Cohort: "
        f"Select a valid choice. {other} is not one of the available choices."
    )


def test_export_start_keeps_the_filters_and_queues_the_build(
    test_dataset, cohorts, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(build_export_file, "delay", sent.append)
    led = cohorts["led"].pk

    with django_capture_on_commit_callbacks(execute=True):
        export = _start(
            cohorts["lead"],
            fmt="xlsx",
            query={"cohort": [str(led)], "city_type": "", "unknown": "dropped"},
        )

    export.refresh_from_db()
    assert (export.dataset_key, export.format, export.query, export.status) == (
        KEY,
        ExportFormat.XLSX,
        {"cohort": [str(led)]},
        ExportFileStatus.WAITING,
    )
    assert sent == [export.pk]


def test_export_start_allows_three_under_way_at_once(
    test_dataset, cohorts, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(build_export_file, "delay", lambda pk: None)
    for _ in range(3):
        _start(cohorts["lead"])

    with pytest.raises(ApplicationError) as refused:
        _start(cohorts["lead"])

    assert refused.value.message == (
        "You already have 3 exports under way: wait for one of them to finish."
    )


# --- Building ----------------------------------------------------------------------------------


def test_export_builds_the_csv_with_the_person_s_columns_and_emails_once(
    test_dataset, cohorts, media, django_capture_on_commit_callbacks, monkeypatch
):
    """A facilitator: the cohort they lead only, without the personal column; progress
    recorded every PROGRESS_EVERY rows; one email with the link to the exports page."""
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)
    recorded = []
    real_update = exports._Progress._update

    def spy(progress):
        recorded.append(progress.written)
        return real_update(progress)

    monkeypatch.setattr(exports._Progress, "_update", spy)

    with (
        time_machine.travel(NOW, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        export = _start(cohorts["lead"])

    export.refresh_from_db()
    content = _read(export).decode()
    assert content == (
        f"{BOM}city,cohort_number,population\r\n'=Evil,1,1\r\nBraga,1,190000\r\nAarhus,1,360000\r\n"
    )
    assert recorded == [2]
    assert (
        export.status,
        export.rows_written,
        export.rows_expected,
        export.size,
        export.finished_at,
        export.expires_at,
        export.attempts,
    ) == (
        ExportFileStatus.READY,
        3,
        3,
        len(content.encode()),
        NOW,
        NOW + datetime.timedelta(days=7),
        1,
    )
    assert export.file.name.startswith("report-exports/")
    assert export.file.name.endswith(f"-{KEY}-2025-03-03.csv")
    email = OutboundEmail.objects.get()
    assert (email.to, email.subject, email.key) == (
        cohorts["lead"].email,
        "Your export is ready: Enrolled cities (test)",
        f"report-export:{export.pk}:ready",
    )
    assert email.body == (
        'The file of "Enrolled cities (test)" you asked for is ready, with 3 rows. It can be '
        "downloaded until 10 March 2025, 11:00:\n"
        "http://127.0.0.1:8000/reports/exports/\n"
    )

    # A duplicated task finds the export built: nothing again, no second email.
    assert build_export_file.delay(export.pk).get() == "skipped"
    assert OutboundEmail.objects.count() == 1


def test_export_builds_the_xlsx_with_personal_columns_for_an_admin(
    test_dataset, cohorts, programme_admin, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        export = _start(programme_admin, fmt="xlsx", query={"cohort": [str(cohorts["led"].pk)]})

    export.refresh_from_db()
    workbook = openpyxl.load_workbook(io.BytesIO(_read(export)), read_only=True)
    assert workbook.sheetnames == ["Enrolled cities (test)"]
    assert list(workbook.active.values) == [
        ("city", "cohort_number", "population", "contact_email"),
        ("=Evil", 1, 1, "mayor@evil.example.org"),
        ("Braga", 1, 190000, "mayor@braga.example.org"),
        ("Aarhus", 1, 360000, "mayor@aarhus.example.org"),
    ]
    assert (export.status, export.rows_written, export.size) == (
        ExportFileStatus.READY,
        3,
        export.file.size,
    )


def test_export_email_is_in_the_recipient_s_language(
    test_dataset, cohorts, media, django_capture_on_commit_callbacks
):
    lead = cohorts["lead"]
    lead.language = "fr"
    lead.save(update_fields=["language"])

    with (
        time_machine.travel(NOW, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _start(lead)

    email = OutboundEmail.objects.get()
    # The date in French (the month's name and the portal's French format), the page in French.
    assert "10 mars 2025" in email.body
    assert '<html lang="fr">' in email.html_body


def test_export_is_built_with_the_rights_of_the_moment(
    test_dataset, cohorts, media, django_capture_on_commit_callbacks, monkeypatch
):
    """A facilitator who no longer facilitates the cohort they chose gets a failed export
    saying so, not that cohort's rows; without a cohort chosen, their export holds only the
    cohorts they still report on."""
    lead, led = cohorts["lead"], cohorts["led"]
    queued = []
    monkeypatch.setattr(build_export_file, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        chosen = _start(lead, query={"cohort": [str(led.pk)]})
        every = _start(lead)
    led.facilitators.remove(lead)

    assert export_file_build(export_id=chosen.pk) == ExportFileStatus.FAILED
    assert export_file_build(export_id=every.pk) == ExportFileStatus.READY

    chosen.refresh_from_db()
    every.refresh_from_db()
    assert (chosen.status, chosen.failure, chosen.file.name) == (
        ExportFileStatus.FAILED,
        ExportFailure.FILTERS_REFUSED,
        "",
    )
    assert chosen.error == (
        f"Cohort: Select a valid choice. {led.pk} is not one of the available choices."
    )
    assert _read(every).decode() == f"{BOM}city,cohort_number,population\r\n"


def test_export_of_a_person_who_may_no_longer_export_fails(
    test_dataset, cohorts, media, django_capture_on_commit_callbacks, monkeypatch
):
    lead = cohorts["lead"]
    monkeypatch.setattr(build_export_file, "delay", lambda pk: None)
    with django_capture_on_commit_callbacks(execute=True):
        export = _start(lead)
    lead.is_facilitator = False
    lead.save(update_fields=["is_facilitator"])

    assert export_file_build(export_id=export.pk) == ExportFileStatus.FAILED
    export.refresh_from_db()
    assert (export.failure, OutboundEmail.objects.count()) == (ExportFailure.NOT_ALLOWED, 0)


def test_export_of_a_data_set_no_longer_offered_fails(cohorts, media):
    export = factories.ExportFileFactory(requested_by=cohorts["lead"], dataset_key="gone")

    assert export_file_build(export_id=export.pk) == ExportFileStatus.FAILED
    export.refresh_from_db()
    assert (export.status, export.failure) == (ExportFileStatus.FAILED, ExportFailure.DATASET_GONE)


def test_export_build_error_is_recorded(test_dataset, cohorts, media, monkeypatch):
    export = factories.ExportFileFactory(requested_by=cohorts["lead"], dataset_key=KEY)

    def broken(header, rows, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(exports, "csv_lines", broken)

    assert export_file_build(export_id=export.pk) == ExportFileStatus.FAILED
    export.refresh_from_db()
    assert (export.status, export.failure, export.error, export.file.name) == (
        ExportFileStatus.FAILED,
        ExportFailure.BUILD_ERROR,
        "OSError: disk full",
        "",
    )


def test_export_build_that_lost_its_claim_writes_nothing(test_dataset, cohorts, media, monkeypatch):
    """The sweeper gave the export to a new build while this one was slow: at its next
    progress record it stops, and it neither saves a file nor sends an email."""
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 1)
    export = factories.ExportFileFactory(requested_by=cohorts["lead"], dataset_key=KEY)
    real_update = exports._Progress._update

    def superseded(progress):
        ExportFile.objects.filter(pk=export.pk).update(
            status=ExportFileStatus.WAITING, attempts=1, claimed_at=None
        )
        return real_update(progress)

    monkeypatch.setattr(exports._Progress, "_update", superseded)

    assert export_file_build(export_id=export.pk) == "skipped"
    export.refresh_from_db()
    assert (export.status, export.file.name, OutboundEmail.objects.count()) == (
        ExportFileStatus.WAITING,
        "",
        0,
    )
    assert list(media.rglob("*.csv")) == []


# --- The sweeper and the expiry ---------------------------------------------------------------


def test_sweeper_sends_a_lost_task_again_and_fails_what_no_worker_started(
    cohorts, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(build_export_file, "delay", sent.append)
    lead = cohorts["lead"]
    lost = factories.ExportFileFactory(
        requested_by=lead, queued_at=NOW - datetime.timedelta(minutes=6)
    )
    fresh = factories.ExportFileFactory(
        requested_by=lead, queued_at=NOW - datetime.timedelta(minutes=4)
    )
    never = factories.ExportFileFactory(
        requested_by=lead, queued_at=NOW - datetime.timedelta(minutes=31)
    )
    died = factories.ExportFileFactory(
        requested_by=lead,
        status=ExportFileStatus.BUILDING,
        attempts=1,
        rows_written=4000,
        claimed_at=NOW - datetime.timedelta(minutes=20),
        progressed_at=NOW - datetime.timedelta(minutes=11),
    )
    died_thrice = factories.ExportFileFactory(
        requested_by=lead,
        status=ExportFileStatus.BUILDING,
        attempts=3,
        progressed_at=NOW - datetime.timedelta(minutes=11),
    )

    with (
        time_machine.travel(NOW, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert report_exports_sweep() == 2

    assert sent == [lost.pk, died.pk]
    states = {
        export.pk: (export.status, export.failure, export.rows_written)
        for export in ExportFile.objects.all()
    }
    assert states == {
        lost.pk: (ExportFileStatus.WAITING, "", 0),
        fresh.pk: (ExportFileStatus.WAITING, "", 0),
        never.pk: (ExportFileStatus.FAILED, ExportFailure.NOT_STARTED, 0),
        died.pk: (ExportFileStatus.WAITING, "", 0),
        died_thrice.pk: (ExportFileStatus.FAILED, ExportFailure.WORKER_STOPPED, 0),
    }


def test_files_expire_after_seven_days(
    test_dataset, cohorts, media, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(NOW, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        export = _start(cohorts["lead"])
    export.refresh_from_db()
    name = export.file.name
    assert default_storage.exists(name)

    with time_machine.travel(NOW + datetime.timedelta(days=7, seconds=-1), tick=False):
        assert export_files_expire() == 0
    assert default_storage.exists(name)

    with time_machine.travel(NOW + datetime.timedelta(days=7), tick=False):
        assert export_files_expire() == 1
        assert export_files_expire() == 0

    export.refresh_from_db()
    assert (export.status, export.file.name, default_storage.exists(name)) == (
        ExportFileStatus.EXPIRED,
        "",
        False,
    )


def test_files_are_kept_as_long_as_the_setting_says(
    test_dataset, cohorts, media, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_EXPORTS_KEEP_DAYS = 2
    with (
        time_machine.travel(NOW, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        export = _start(cohorts["lead"])

    export.refresh_from_db()
    assert export.expires_at == NOW + datetime.timedelta(days=2)
    assert timezone.now() > export.expires_at  # the test runs after 2025


def test_run_periodic_tasks_deletes_the_expired_files(
    test_dataset, cohorts, media, django_capture_on_commit_callbacks
):
    """The cron command (and beat) runs the expiry with the sweepers."""
    with (
        time_machine.travel(NOW, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        export = _start(cohorts["lead"])
    export.refresh_from_db()
    out = io.StringIO()

    with time_machine.travel(NOW + datetime.timedelta(days=8), tick=False):
        call_command("run_periodic_tasks", stdout=out)

    assert "expire-report-exports: reports.expire_exports -> 1" in out.getvalue().splitlines()
    assert not default_storage.exists(export.file.name)


def test_xlsx_moments_are_in_the_person_s_time_zone(cohorts, media):
    """A spreadsheet cell has no zone: the XLSX shows a moment in the requester's time."""
    lead = cohorts["lead"]
    lead.time_zone = "Europe/Helsinki"
    lead.save(update_fields=["time_zone"])
    moments = Dataset(
        key="test-moments",
        title="Moments",
        description="One moment.",
        columns=(Column("at", "When.", kind="datetime"), Column("label", "What.")),
        rows=lambda filters: iter([[NOW, "summer time? no: March"]]),
    )
    dataset_register(moments)
    try:
        export = factories.ExportFileFactory(
            requested_by=lead, dataset_key="test-moments", format=ExportFormat.XLSX
        )
        assert export_file_build(export_id=export.pk) == ExportFileStatus.READY
    finally:
        DATASETS.pop("test-moments")

    export.refresh_from_db()
    sheet = openpyxl.load_workbook(io.BytesIO(_read(export)), read_only=True).active
    assert list(sheet.values) == [
        ("at", "label"),
        (datetime.datetime(2025, 3, 3, 12, 0), "summer time? no: March"),
    ]


def _rows_in_a_transaction(filters):
    """The rows read as portal.spreadsheets.rows_read reads them: inside a transaction."""
    with transaction.atomic():
        for number in range(5):
            yield [number]
            if number == 3:
                # What another process (the page, the sweeper) sees in the middle of the build.
                with ThreadPoolExecutor(1) as other:
                    SEEN.append(
                        other.submit(
                            lambda: (
                                ExportFile.objects.values_list("rows_written", flat=True).get(),
                                connection.close(),
                            )[0]
                        ).result()
                    )


SEEN: list = []


@pytest.mark.django_db(transaction=True)
def test_progress_is_seen_while_the_data_set_reads_in_a_transaction(
    monkeypatch, tmp_path, settings
):
    """On PostgreSQL a progress record made inside the data set's transaction is written from
    a connection of its own: the page sees it at once, not at the last row."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: on SQLite the progress waits for the data set's transaction")
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)
    SEEN.clear()
    dataset_register(
        Dataset(
            key="test-in-transaction",
            title="In a transaction",
            description="Numbers.",
            columns=(Column("number", "A number.", kind="integer"),),
            rows=_rows_in_a_transaction,
        )
    )
    try:
        admin = factories.UserFactory(is_programme_admin=True)
        export = factories.ExportFileFactory(requested_by=admin, dataset_key="test-in-transaction")
        assert export_file_build(export_id=export.pk) == ExportFileStatus.READY
    finally:
        DATASETS.pop("test-in-transaction")

    # After rows 0-3 the progress said 4 (recorded at 2 and 4), though the transaction was open.
    assert SEEN == [4]


@pytest.mark.parametrize("fmt", [ExportFormat.CSV, ExportFormat.XLSX])
@pytest.mark.parametrize("key", sorted(DATASETS))
def test_every_registered_data_set_builds_as_an_export(programme_admin, media, key, fmt):
    """Each data set of reports/dataset_*.py goes through the export's build: its header for
    a programme admin (every column), and no row on an empty database."""
    export = factories.ExportFileFactory(requested_by=programme_admin, dataset_key=key, format=fmt)

    assert export_file_build(export_id=export.pk) == ExportFileStatus.READY
    export.refresh_from_db()
    header = [column.name for column in DATASETS[key].columns]
    if fmt == ExportFormat.CSV:
        assert _read(export).decode() == BOM + ",".join(header) + "\r\n"
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(_read(export)), read_only=True).active
        assert list(sheet.values) == [tuple(header)]
    assert (export.rows_written, OutboundEmail.objects.count()) == (0, 1)
