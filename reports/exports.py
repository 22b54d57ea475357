"""List exports: a data set (reports.datasets) as CSV or XLSX with a person's filters, built in
the background, kept in the storage for a while, then deleted (issue 14).

An export is a row with a status (waiting, being built, ready, failed, expired) and a progress
count, queued, claimed and recovered like the cohort ZIP of roadmaps (portal.jobs: the task is
sent after commit, a build claims its row with `select_for_update(skip_locked=True)`, the
sweeper sends lost tasks again, builds again after a dead worker and fails what no worker
started). The CSV is written as the rows come (portal.spreadsheets.csv_lines) and the XLSX with
openpyxl's write-only workbook (portal.spreadsheets.xlsx_write), both into a temporary file, so
memory stays flat however many rows; the file is then saved through the storage API (the local
disk, or S3 when configured) and the person gets an email with the link to their exports.

Decisions (README, "Exports"):
- The filters are kept as the form's query data and read again, with the person's rights of
  that moment, when the file is built: a facilitator who no longer facilitates a cohort they
  chose, or who may no longer export at all, gets a failed export saying so, never that
  cohort's rows; personal columns (emails) follow `reports.view_personal_data` at build time.
- Only the person who asked downloads the file (and programme admins, who may export
  everything anyway); they must still hold `reports.export_data` when they do.
- Files are deleted REPORT_EXPORTS_KEEP_DAYS days (7 by default) after they are ready, by the
  periodic task `reports.expire_exports`; the row stays, "expired", so the list still says
  what was asked.
- A person has at most IN_PROGRESS_MAX exports waiting or being built at once.
"""

from __future__ import annotations

import datetime
import logging
import secrets
import tempfile
import zoneinfo
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import connection, transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.rules import is_programme_admin
from portal.errors import ApplicationError
from portal.jobs import BackgroundBuilds, Superseded
from portal.links import site_url
from portal.permissions import permission_check
from portal.spreadsheets import csv_lines, xlsx_write
from reports.datasets import DATASETS, Dataset
from reports.enums import ExportFailure, ExportFileStatus, ExportFormat
from reports.filters import ReportFilterForm
from reports.models import ExportFile

logger = logging.getLogger(__name__)

EXPORT = "reports.export_data"
# Rows between two progress records: each is one UPDATE, committed at once.
PROGRESS_EVERY = 2000
IN_PROGRESS_MAX = 3
CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _send_build(export_id: int):
    from reports.tasks import build_export_file

    return build_export_file.delay(export_id)


BUILDS = BackgroundBuilds(
    model=ExportFile,
    waiting=ExportFileStatus.WAITING,
    building=ExportFileStatus.BUILDING,
    failed=ExportFileStatus.FAILED,
    progress_field="rows_written",
    send_task=_send_build,
    label="Report exports",
    failed_worker_stopped={
        "failure": ExportFailure.WORKER_STOPPED,
        "error": "The worker stopped during each of 3 builds.",
    },
    failed_not_started={
        "failure": ExportFailure.NOT_STARTED,
        "error": "Not started within 30 minutes.",
    },
)


def keep_for() -> datetime.timedelta:
    return datetime.timedelta(days=settings.REPORT_EXPORTS_KEEP_DAYS)


# --- Asking for an export ------------------------------------------------------------------------


def export_query(data) -> dict[str, list[str]]:
    """The filter fields of `data` (a QueryDict, or a dict of strings or lists) as the row
    keeps them: each ReportFilterForm field with its non-empty values, as strings."""
    names = ReportFilterForm.base_fields
    query = {}
    for name in names:
        if hasattr(data, "getlist"):
            values = data.getlist(name)
        else:
            value = data.get(name, [])
            values = value if isinstance(value, list | tuple) else [value]
        values = [str(value) for value in values if value not in (None, "")]
        if values:
            query[name] = values
    return query


def _filter_form(*, user, query: dict) -> ReportFilterForm:
    data = QueryDict(mutable=True)
    for name, values in query.items():
        data.setlist(name, values)
    return ReportFilterForm(data, user=user)


def _form_errors(form: ReportFilterForm) -> str:
    return "; ".join(
        f"{form.fields[name].label if name in form.fields else name}: {' '.join(errors)}"
        for name, errors in form.errors.items()
    )


def dataset_offered(key: str) -> Dataset | None:
    return DATASETS.get(key)


def export_start(*, acting_user, dataset_key: str, fmt: str, query) -> ExportFile:
    """Ask for `dataset_key` as `fmt` (csv or xlsx) with the filters of `query` (the form's
    query data); the file is built once this transaction commits.

    Raise PermissionRefused unless `acting_user` may export, and ApplicationError for a data set
    or a format the portal does not offer, a filter value the person may not use (a cohort they
    do not report on, a date that is not one), or too many exports already under way.
    """
    permission_check(acting_user, EXPORT)
    dataset = dataset_offered(dataset_key)
    if dataset is None:
        raise ApplicationError(_("Choose one of the data sets offered."), field="dataset")
    if fmt not in ExportFormat.values:
        raise ApplicationError(_("Choose CSV or XLSX."), field="format")
    query = export_query(query)
    form = _filter_form(user=acting_user, query=query)
    if not form.is_valid():
        raise ApplicationError(
            _("These filters cannot be used: %(errors)s") % {"errors": _form_errors(form)}
        )
    now = timezone.now()
    with transaction.atomic():
        # One person's requests one at a time, so two clicks cannot pass the limit together.
        get_user_model().objects.select_for_update().filter(pk=acting_user.pk).first()
        mine = ExportFile.objects.filter(requested_by=acting_user, status__in=BUILDS.in_progress)
        BUILDS.sweep(mine, now)
        if mine.exclude(BUILDS.stuck(now)).count() >= IN_PROGRESS_MAX:
            raise ApplicationError(
                _("You already have %(count)s exports under way: wait for one of them to finish.")
                % {"count": IN_PROGRESS_MAX},
                code="conflict",
            )
        export = ExportFile.objects.create(
            requested_by=acting_user,
            dataset_key=dataset.key,
            format=fmt,
            query=query,
            status=ExportFileStatus.WAITING,
            created_at=now,
            queued_at=now,
        )
        BUILDS.queue(export.pk)
    return export


# --- Reading them --------------------------------------------------------------------------------


def exports_of(*, user):
    """The person's exports, newest first (the exports page lists only one's own)."""
    return ExportFile.objects.filter(requested_by=user).order_by("-created_at", "-pk")


def exports_visible_to(*, user):
    """The exports a person may open: their own; every one for a programme admin."""
    if is_programme_admin(user):
        return ExportFile.objects.all()
    return ExportFile.objects.filter(requested_by_id=user.pk)


def export_filename(export: ExportFile) -> str:
    """The name the file is saved as: the data set and the day it was asked for (ASCII)."""
    day = timezone.localdate(export.created_at).isoformat()
    return f"{slugify(export.dataset_key) or 'export'}-{day}.{export.format}"


def export_is_stuck(export: ExportFile) -> bool:
    """Whether the page should stop polling an export that shows no sign of life."""
    return BUILDS.is_stuck(export)


# --- Building ------------------------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, failure: str, detail: str = ""):
        super().__init__(detail or failure)
        self.failure = failure
        self.detail = detail


class _Progress:
    """Count the rows as they pass and record the count every PROGRESS_EVERY rows.

    A data set may read its rows inside a transaction (portal.spreadsheets.rows_read, the
    fastest way on PostgreSQL). An update written inside it would be seen by nobody until the
    last row, and would hold the row's lock against the sweeper all along; on PostgreSQL such
    a record is written from a thread of its own (its own connection, committed at once)
    instead. Not on SQLite, where every transaction holds the one write lock (IMMEDIATE,
    config/settings.py): the thread would wait for the build that waits for it.
    """

    def __init__(self, mine):
        self.mine = mine
        self.written = 0
        self.outside_transaction = (
            not connection.in_atomic_block and connection.vendor == "postgresql"
        )
        self._thread: ThreadPoolExecutor | None = None

    def rows(self, rows):
        every = PROGRESS_EVERY
        for row in rows:
            yield row
            self.written += 1
            if self.written % every == 0:
                self.record()

    def _update(self) -> int:
        return self.mine.update(rows_written=self.written, progressed_at=timezone.now())

    def record(self) -> None:
        if self.outside_transaction and connection.in_atomic_block:
            if self._thread is None:
                self._thread = ThreadPoolExecutor(max_workers=1)
            updated = self._thread.submit(self._update).result()
        else:
            updated = self._update()
        if not updated:
            raise Superseded

    def close(self) -> None:
        if self._thread is not None:
            # Looked up in the thread: `connection` is each thread's own.
            self._thread.submit(lambda: connection.close()).result()
            self._thread.shutdown()


def _prepare(export: ExportFile):
    """The data set, the header and the rows of the export, read with the rights its person
    has now; raise _Refused when they no longer may have them."""
    dataset = DATASETS.get(export.dataset_key)
    if dataset is None:
        raise _Refused(ExportFailure.DATASET_GONE, f"No data set {export.dataset_key!r}.")
    user = export.requested_by
    if not user.is_active or not user.has_perm(EXPORT):
        raise _Refused(ExportFailure.NOT_ALLOWED)
    form = _filter_form(user=user, query=export.query or {})
    if not form.is_valid():
        raise _Refused(ExportFailure.FILTERS_REFUSED, _form_errors(form))
    filters = form.report_filters()
    expected = dataset.count(filters) if dataset.count is not None else None
    return dataset, filters, expected


def _local_moments(rows, *, dataset: Dataset, user):
    """The rows with their moments (columns of kind "datetime") as the person's local time.

    A spreadsheet cell has no time zone (openpyxl refuses an aware datetime): a data set
    that yields datetimes has them shown in the time zone of the person who asked. The
    analysts' data sets write every moment as ISO 8601 text in UTC (reports.dataset_rows),
    the same in the CSV and the XLSX, so these pass through unchanged.
    """
    kinds = [dataset.columns[index].kind for index in dataset.visible_columns(user=user)]
    positions = [position for position, kind in enumerate(kinds) if kind == "datetime"]
    if not positions:
        yield from rows
        return
    zone = zoneinfo.ZoneInfo(getattr(user, "time_zone", "") or settings.TIME_ZONE)
    for row in rows:
        for position in positions:
            value = row[position]
            if isinstance(value, datetime.datetime) and value.tzinfo is not None:
                row[position] = value.astimezone(zone).replace(tzinfo=None)
        yield row


def export_file_build(*, export_id: int) -> str:
    """Build the file of an export and return its status; "skipped" when claimed or gone.

    Runs outside any transaction: each progress record is committed at once so that the page
    polling the export sees it move (and the sweeper sees that the worker is alive).
    """
    claim = BUILDS.claim(export_id)
    if claim is None:
        return "skipped"
    mine = ExportFile.objects.filter(claim)
    export = ExportFile.objects.select_related("requested_by").get(pk=export_id)
    user = export.requested_by
    progress = _Progress(mine)
    try:
        # The sheet's name and the data set's title in the person's language.
        with translation.override(user.language or settings.LANGUAGE_CODE):
            try:
                dataset, filters, expected = _prepare(export)
            except _Refused as refusal:
                mine.update(
                    status=ExportFileStatus.FAILED,
                    failure=refusal.failure,
                    error=refusal.detail[:2000],
                    finished_at=timezone.now(),
                )
                return ExportFileStatus.FAILED
            if expected is not None:
                mine.update(rows_expected=expected)
            header = dataset.header(user=user)
            rows = progress.rows(dataset.rows_for(user=user, filters=filters))
            with tempfile.TemporaryFile() as scratch:
                if export.format == ExportFormat.XLSX:
                    rows = _local_moments(rows, dataset=dataset, user=user)
                    xlsx_write(header, rows, scratch, title=str(dataset.title))
                else:
                    for chunk in csv_lines(header, rows):
                        scratch.write(chunk.encode())
                size = scratch.tell()
                scratch.seek(0)
                # A random part in the stored name: nobody guesses another person's file.
                stored_name = f"{secrets.token_hex(8)}-{export_filename(export)}"
                export.file.save(stored_name, File(scratch), save=False)
    except Superseded:
        logger.warning("Report export %s: this build gave way to a newer one", export_id)
        return "skipped"
    except Exception as error:
        logger.exception("Report export %s failed", export_id)
        mine.update(
            status=ExportFileStatus.FAILED,
            failure=ExportFailure.BUILD_ERROR,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        return ExportFileStatus.FAILED
    finally:
        progress.close()
    now = timezone.now()
    with transaction.atomic():
        ready = mine.update(
            file=export.file.name,
            size=size,
            rows_written=progress.written,
            rows_expected=progress.written,
            status=ExportFileStatus.READY,
            progressed_at=now,
            finished_at=now,
            expires_at=now + keep_for(),
        )
        if ready:
            export.refresh_from_db()
            _notify_ready(export=export, dataset=dataset)
    if not ready:
        export.file.delete(save=False)  # a newer build owns the export: keep no orphan file
        return "skipped"
    return ExportFileStatus.READY


def _notify_ready(*, export: ExportFile, dataset: Dataset) -> None:
    """Email the person that their file is ready (once: the key), in their language."""
    from notifications.services import notify

    notify(
        recipient=export.requested_by,
        template="report_export_ready",
        context={
            "export": export,
            "dataset_title": dataset.title,
            "rows": export.rows_written,
            "expires_at": export.expires_at,
            "link": site_url(reverse("report_exports")),
        },
        key=f"report-export:{export.pk}:ready",
    )


# --- Periodic work -------------------------------------------------------------------------------


def report_exports_sweep(*, now: datetime.datetime | None = None) -> int:
    """Recover the exports whose task or worker was lost; return how many were queued again."""
    return BUILDS.sweep(ExportFile.objects.all(), now or timezone.now())


def export_files_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of the exports whose time is up and mark them expired; return how many.

    The row is marked first, so nobody is offered a file being deleted; a process that stops
    between the two leaves a file nobody can download (the name is random), never a link to
    a missing one.
    """
    now = now or timezone.now()
    due = ExportFile.objects.filter(status=ExportFileStatus.READY, expires_at__lte=now)
    expired = 0
    for pk, name in due.order_by("pk").values_list("pk", "file").iterator(chunk_size=500):
        if not ExportFile.objects.filter(pk=pk, status=ExportFileStatus.READY).update(
            status=ExportFileStatus.EXPIRED, file=""
        ):
            continue
        expired += 1
        if name:
            field_file = ExportFile(file=name).file
            try:
                field_file.storage.delete(name)
            except Exception:
                logger.exception("Report export %s: its file %s was not deleted", pk, name)
    return expired
