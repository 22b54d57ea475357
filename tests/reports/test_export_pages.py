"""The exports page (reports/views_exports.py): the list, asking for an export, the row the
page polls, the download, who may open each, and what the list costs in queries."""

import datetime
import re

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.enums import ExportFailure, ExportFileStatus, ExportFormat
from reports.models import ExportFile
from reports.tasks import build_export_file
from tests import factories
from tests.queries import session_queries
from tests.reports.conftest import KEY

LIST = "/reports/exports/"
START = "/reports/exports/start/"
NOW = datetime.datetime(2025, 3, 3, 10, 0, tzinfo=datetime.UTC)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _ready(user, *, content=b"city\r\nBraga\r\n", fmt=ExportFormat.CSV, **fields) -> ExportFile:
    export = factories.ExportFileFactory(
        requested_by=user,
        dataset_key=KEY,
        format=fmt,
        status=ExportFileStatus.READY,
        rows_written=1,
        rows_expected=1,
        size=len(content),
        created_at=NOW,
        finished_at=NOW,
        expires_at=NOW + datetime.timedelta(days=7),
        **fields,
    )
    export.file.save("abc-test.csv", ContentFile(content), save=True)
    return export


def _rows(response) -> list[tuple[str, str]]:
    """Each listed export's status (data-export-status) and whether it polls."""
    html = response.content.decode()
    return [
        (status, "polls" if "hx-get" in attributes else "still")
        for status, attributes in re.findall(
            r'<tr id="export-\d+" data-export-status="(\w+)"([^>]*)>', html
        )
    ]


# --- Who may open the pages ---------------------------------------------------------------------


@pytest.fixture
def people(db, cohorts):
    return {
        "officer": factories.city_officer(),
        "reviewer": factories.UserFactory(is_reviewer=True),
        "facilitator": cohorts["lead"],
        "admin": factories.UserFactory(is_programme_admin=True),
    }


@pytest.mark.parametrize(
    ("role", "expected"),
    [("officer", 403), ("reviewer", 403), ("facilitator", 200), ("admin", 200)],
)
def test_exports_page_status_by_role(people, test_dataset, role, expected):
    assert _client(people[role]).get(LIST).status_code == expected


def test_exports_page_needs_sign_in(client, db):
    response = client.get(LIST)

    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=" + LIST)


@pytest.mark.parametrize(
    ("role", "list_status", "download_status"),
    [
        ("officer", 403, 403),
        ("reviewer", 403, 403),
        ("other_facilitator", 404, 404),
        ("facilitator", 200, 200),
        ("admin", 200, 200),
    ],
)
def test_an_export_is_opened_only_by_whoever_asked_and_admins(
    people, media, role, list_status, download_status
):
    export = _ready(people["facilitator"])
    people["other_facilitator"] = factories.UserFactory(is_facilitator=True)
    client = _client(people[role])

    row = client.get(f"/reports/exports/{export.pk}/")
    download = client.get(f"/reports/exports/{export.pk}/download/")

    assert (row.status_code, download.status_code) == (list_status, download_status)
    if download_status == 200:
        assert b"".join(download.streaming_content) == b"city\r\nBraga\r\n"
        assert download["Content-Disposition"] == (f'attachment; filename="{KEY}-2025-03-03.csv"')
        assert download["Cache-Control"] == "private, no-store"


def test_download_of_an_export_not_ready_is_404(people, test_dataset):
    export = factories.ExportFileFactory(requested_by=people["facilitator"], dataset_key=KEY)

    assert (
        _client(people["facilitator"]).get(f"/reports/exports/{export.pk}/download/").status_code
        == 404
    )


# --- The list ---------------------------------------------------------------------------------


def test_exports_page_lists_the_person_s_exports_and_polls_only_those_under_way(
    people, test_dataset, media
):
    lead = people["facilitator"]
    with time_machine.travel(NOW, tick=False):
        ready = _ready(lead, content=b"x" * 2048)
        factories.ExportFileFactory(requested_by=lead, dataset_key=KEY)  # waiting
        factories.ExportFileFactory(
            requested_by=lead,
            dataset_key=KEY,
            status=ExportFileStatus.BUILDING,
            rows_written=1500,
            rows_expected=6000,
            progressed_at=NOW,
        )
        factories.ExportFileFactory(
            requested_by=lead,
            dataset_key=KEY,
            status=ExportFileStatus.FAILED,
            failure=ExportFailure.FILTERS_REFUSED,
        )
        factories.ExportFileFactory(
            requested_by=lead, dataset_key=KEY, status=ExportFileStatus.EXPIRED
        )
        # Someone else's: not listed.
        _ready(people["admin"])

        response = _client(lead).get(LIST)

    html = response.content.decode()
    # Newest first (by id here: the same time).
    assert _rows(response) == [
        ("expired", "still"),
        ("failed", "still"),
        ("building", "polls"),
        ("waiting", "polls"),
        ("ready", "still"),
    ]
    assert '<progress max="6000" value="1500">1500 / 6000</progress>' in html
    assert "1,500 of 6,000 rows" in html
    assert "Failed: The filters chosen no longer apply to you." in html
    assert f'href="/reports/exports/{ready.pk}/download/"' in html
    assert "2.0\xa0KB" in html
    assert "10 March 2025, 11:00" in html  # available until
    # The data sets registered are offered.
    assert f'<option value="{KEY}">Enrolled cities (test)</option>' in html


def test_a_row_stops_polling_once_ready(people, test_dataset, media):
    lead = people["facilitator"]
    export = factories.ExportFileFactory(requested_by=lead, dataset_key=KEY)
    client = _client(lead)

    waiting = client.get(f"/reports/exports/{export.pk}/", headers={"HX-Request": "true"})
    ExportFile.objects.filter(pk=export.pk).update(
        status=ExportFileStatus.READY, expires_at=NOW, size=10, file="report-exports/x.csv"
    )
    ready = client.get(f"/reports/exports/{export.pk}/", headers={"HX-Request": "true"})

    assert _rows(waiting) == [("waiting", "polls")]
    assert f'hx-get="/reports/exports/{export.pk}/" hx-trigger="load delay:2s"' in (
        waiting.content.decode()
    )
    assert _rows(ready) == [("ready", "still")]


def test_a_row_with_no_sign_of_life_stops_polling(people, test_dataset):
    lead = people["facilitator"]
    export = factories.ExportFileFactory(
        requested_by=lead, dataset_key=KEY, queued_at=NOW - datetime.timedelta(minutes=31)
    )

    with time_machine.travel(NOW, tick=False):
        response = _client(lead).get(f"/reports/exports/{export.pk}/")

    assert _rows(response) == [("stuck", "still")]
    assert "No progress for 30 minutes: the background worker may be down." in (
        response.content.decode()
    )


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["facilitator", "admin"])
def test_exports_page_query_count_does_not_grow_with_the_exports(people, test_dataset, media, role):
    person = people[role]
    client = _client(person)
    _ready(person)
    one = _list_queries(client)
    for number in range(20):
        _ready(person) if number % 2 else factories.ExportFileFactory(
            requested_by=person, dataset_key=KEY
        )

    many_kept_form = _list_queries(client)
    cache.clear()
    # Signed in again: with cached sessions (Redis) the clear also dropped the session.
    many = _list_queries(_client(person))

    # (Session,) user, the exports, the versions keying the request form, and, when the form is
    # drawn afresh, its cohorts (reportable_cohorts: the facilitator's led and grouped cohorts,
    # every cohort for an admin), thematic groups and countries. The rows read nothing more.
    assert one == many == session_queries() + 6
    assert many_kept_form == session_queries() + 3


# --- Asking for one -----------------------------------------------------------------------------


def test_start_builds_the_export_and_goes_back_to_the_list(
    people, test_dataset, media, django_capture_on_commit_callbacks
):
    lead = people["facilitator"]
    client = _client(lead)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            START,
            {"dataset": KEY, "format": "xlsx", "cohort": [str(lead.facilitated_cohorts.get().pk)]},
            follow=True,
        )

    export = ExportFile.objects.get()
    assert response.redirect_chain == [(LIST, 302)]
    assert _messages(response) == [
        "Your export is being prepared. You will get an email when it is ready."
    ]
    assert (export.status, export.format, export.rows_written) == (
        ExportFileStatus.READY,
        ExportFormat.XLSX,
        3,
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"dataset": "nope", "format": "csv"}, "Choose one of the data sets offered."),
        ({"dataset": KEY, "format": "doc"}, "Choose CSV or XLSX."),
        ({"dataset": KEY}, "Choose CSV or XLSX."),
        (
            {"dataset": KEY, "format": "csv", "country": "not-a-number"},
            "These filters cannot be used: Country: Select a valid choice. not-a-number is "
            "not one of the available choices.",
        ),
    ],
)
def test_start_with_bad_input_says_why_and_starts_nothing(people, test_dataset, data, message):
    response = _client(people["facilitator"]).post(START, data, follow=True)

    assert response.redirect_chain == [(LIST, 302)]
    assert _messages(response) == [message]
    assert ExportFile.objects.count() == 0


@pytest.mark.parametrize("role", ["officer", "reviewer"])
def test_start_refuses_who_may_not_export(people, test_dataset, role, monkeypatch):
    monkeypatch.setattr(build_export_file, "delay", lambda pk: None)

    response = _client(people[role]).post(START, {"dataset": KEY, "format": "csv"})

    assert (response.status_code, ExportFile.objects.count()) == (403, 0)


def test_start_needs_sign_in(client, db):
    response = client.post(START, {"dataset": KEY, "format": "csv"})

    assert (response.status_code, response["Location"]) == (
        302,
        reverse("account_login") + "?next=" + START,
    )


def test_export_files_are_read_in_the_django_admin(admin_client, people, media):
    export = _ready(people["facilitator"], failure="", error="")

    listing = admin_client.get("/admin/reports/exportfile/")
    change = admin_client.get(f"/admin/reports/exportfile/{export.pk}/change/")

    assert (listing.status_code, change.status_code) == (200, 200)
    assert KEY in listing.content.decode()
    assert admin_client.get("/admin/reports/exportfile/add/").status_code == 403


# --- The cached fragments: never another person's cohorts, never a stale row --------------------


def _cohort_options(response) -> list[str]:
    html = response.content.decode()
    select = re.search(r'<select name="cohort".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="(\d+)"', select)


def test_kept_request_form_shows_each_person_only_their_cohorts(people, cohorts):
    admin, lead = people["admin"], people["facilitator"]
    other_lead = factories.UserFactory(is_facilitator=True)
    cohorts["other"].facilitators.add(other_lead)
    everything = sorted([str(cohorts["led"].pk), str(cohorts["other"].pk)])

    # Each one's form drawn, then read from the cache: the same options both times.
    for _ in range(2):
        assert sorted(_cohort_options(_client(admin).get(LIST))) == everything
        assert _cohort_options(_client(lead).get(LIST)) == [str(cohorts["led"].pk)]
        assert _cohort_options(_client(other_lead).get(LIST)) == [str(cohorts["other"].pk)]

    # A cohort taken from a facilitator leaves their kept form (the cohorts' version).
    cohorts["led"].facilitators.remove(lead)
    assert _cohort_options(_client(lead).get(LIST)) == []
    # A new cohort joins the admins' kept form.
    new = factories.CohortFactory(number=3)
    assert str(new.pk) in _cohort_options(_client(admin).get(LIST))


def test_kept_rows_follow_the_exports_progress_and_status(people, test_dataset, media):
    lead = people["facilitator"]
    client = _client(lead)
    export = factories.ExportFileFactory(
        requested_by=lead,
        dataset_key=KEY,
        status=ExportFileStatus.BUILDING,
        rows_written=2_000,
        rows_expected=9_000,
        claimed_at=NOW,
        progressed_at=NOW,
    )
    with time_machine.travel(NOW + datetime.timedelta(minutes=1), tick=False):
        assert "2,000 of 9,000 rows" in client.get(LIST).content.decode()
        ExportFile.objects.filter(pk=export.pk).update(rows_written=4_000)
        assert "4,000 of 9,000 rows" in client.get(LIST).content.decode()
    # The same row, no progress for an hour: stuck, though nothing stored changed.
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        assert _rows(client.get(LIST)) == [("stuck", "still")]
