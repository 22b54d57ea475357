"""Importing a meeting tool's attendance report: the service (services.attendance_import), the
two pages (upload, then confirmation) and their query counts.

The programme of tests/sessions/conftest.py: Lisbon registered Ana, Bea and Rui for the
district-heating session; its lead facilitator Lea (lea@example.org) hosted the meeting.
"""

import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.errors import ApplicationError
from portal.permissions import PermissionRefused
from sessions import services
from sessions.attendance_reports import Participant, Report, parse
from sessions.enums import Attendance
from sessions.forms import report_signed
from sessions.models import Registration
from sessions.selectors import report_matched
from tests import factories
from tests.portal_pages.helpers import sign_in
from tests.sessions.conftest import AFTER_HEATING, NOW, enrol
from tests.sessions.test_pages import text

DATA = Path(__file__).parent / "data"


@pytest.fixture
def lisbon_people(programme):
    ana, bea, rui = services.registrations_create(
        session=programme.heating,
        city=programme.city,
        people=[
            ("Ana Silva", "ana@lisboa.pt"),
            ("Bea Santos", "bea@lisboa.pt"),
            ("Rui", "rui@lisboa.pt"),
        ],
        acting_user=programme.officer,
    )
    return ana, bea, rui


def _attendance():
    return list(
        Registration.objects.order_by("email").values_list(
            "email", "attendance", "is_walk_in", "city__name"
        )
    )


# --- The service -------------------------------------------------------------------------------


def test_import_marks_the_matched_once_and_adds_the_walk_ins_chosen(
    programme, lisbon_people, clock
):
    ana, bea, _rui = lisbon_people
    clock.move_to(AFTER_HEATING)
    services.attendance_record(
        session=programme.heating,
        marks={ana.pk: Attendance.NO_SHOW, bea.pk: Attendance.ATTENDED},
        acting_user=programme.lead,
    )
    turin = factories.CityFactory(name="Turin")
    enrol(programme.cohort, turin)

    result = services.attendance_import(
        session=programme.heating,
        # Ana rejoined (twice, in two cases); Lea is the host, on no list and not chosen.
        emails=[" ANA@lisboa.pt", "ana@lisboa.pt", "bea@lisboa.pt", "lea@example.org"],
        walk_ins=[("Marta Rossi", "Marta.Rossi@comune.torino.it", turin)],
        acting_user=programme.lead,
    )

    assert result == services.AttendanceImported(marked=1, already=1, walk_ins=1)
    assert _attendance() == [
        ("ana@lisboa.pt", "attended", False, "Lisbon"),
        ("bea@lisboa.pt", "attended", False, "Lisbon"),
        ("marta.rossi@comune.torino.it", "attended", True, "Turin"),
        # Not in the report: keeps what was recorded (nothing).
        ("rui@lisboa.pt", "", False, "Lisbon"),
    ]
    walk_in = Registration.objects.get(is_walk_in=True)
    assert (walk_in.full_name, walk_in.registered_by) == ("Marta Rossi", programme.lead)


def test_import_marks_a_walk_in_added_meanwhile_instead_of_adding_it_twice(
    programme, lisbon_people, clock
):
    clock.move_to(AFTER_HEATING)
    services.attendance_record(
        session=programme.heating,
        marks={},
        walk_ins=[("Marta Rossi", "marta@torino.it", None)],
        acting_user=programme.lead,
    )

    result = services.attendance_import(
        session=programme.heating,
        emails=["marta@torino.it"],
        walk_ins=[("Marta Rossi", "marta@torino.it", None)],
        acting_user=programme.lead,
    )

    assert result == services.AttendanceImported(marked=0, already=1, walk_ins=0)
    assert Registration.objects.filter(email="marta@torino.it").count() == 1


def test_import_refuses_a_walk_in_city_not_enrolled_and_saves_nothing(
    programme, lisbon_people, clock
):
    clock.move_to(AFTER_HEATING)
    braga = factories.CityFactory(name="Braga")

    with pytest.raises(ApplicationError) as refused:
        services.attendance_import(
            session=programme.heating,
            emails=["ana@lisboa.pt"],
            walk_ins=[("Jo", "jo@braga.pt", None), ("Rita", "rita@braga.pt", braga)],
            acting_user=programme.lead,
        )

    assert (refused.value.field, refused.value.code) == ("walk_ins.1.city", "not_enrolled")
    assert [row[:2] for row in _attendance()] == [
        ("ana@lisboa.pt", ""),
        ("bea@lisboa.pt", ""),
        ("rui@lisboa.pt", ""),
    ]


@pytest.mark.parametrize(
    ("walk_in", "field", "message"),
    [
        (
            ("N" * 201, "n@lisboa.pt"),
            "walk_ins.0.full_name",
            "The name can be at most 200 characters long.",
        ),
        (
            ("Long", "a" * 64 + "@" + "b" * 190 + ".eu"),
            "walk_ins.0.email",
            "Enter a valid email address.",
        ),
    ],
    ids=["name-too-long", "address-too-long"],
)
def test_import_refuses_a_walk_in_longer_than_a_registration_holds(
    programme, lisbon_people, clock, walk_in, field, message
):
    # The database would refuse them with an error (PostgreSQL checks the columns' lengths).
    clock.move_to(AFTER_HEATING)

    with pytest.raises(ApplicationError) as refused:
        services.attendance_import(
            session=programme.heating,
            emails=["ana@lisboa.pt"],
            walk_ins=[(*walk_in, None)],
            acting_user=programme.lead,
        )

    assert (refused.value.field, refused.value.message) == (field, message)
    assert not Registration.objects.filter(is_walk_in=True).exists()
    assert next(row[:2] for row in _attendance()) == ("ana@lisboa.pt", "")


def test_import_before_the_session_starts_is_refused(programme, lisbon_people):
    with pytest.raises(ApplicationError) as refused:
        services.attendance_import(
            session=programme.heating, emails=["ana@lisboa.pt"], acting_user=programme.lead
        )

    assert refused.value.code == "not_started"


@pytest.mark.parametrize("who", ["officer of the registered city", "facilitator of another cohort"])
def test_import_by_someone_who_does_not_run_the_session_is_refused(
    programme, lisbon_people, clock, who
):
    clock.move_to(AFTER_HEATING)
    if who == "officer of the registered city":
        person = programme.officer
    else:
        person = factories.UserFactory(is_facilitator=True)
        factories.CohortFactory(number=2).facilitators.add(person)

    with pytest.raises(PermissionRefused):
        services.attendance_import(
            session=programme.heating,
            emails=["ana@lisboa.pt"],
            walk_ins=[("Jo", "jo@braga.pt", None)],
            acting_user=person,
        )

    assert [row[:2] for row in _attendance()] == [
        ("ana@lisboa.pt", ""),
        ("bea@lisboa.pt", ""),
        ("rui@lisboa.pt", ""),
    ]


def test_report_matched_sorts_the_report_against_the_list(programme, lisbon_people, clock):
    ana, bea, rui = lisbon_people
    clock.move_to(AFTER_HEATING)
    services.attendance_record(
        session=programme.heating,
        marks={ana.pk: Attendance.ATTENDED, bea.pk: Attendance.NO_SHOW},
        acting_user=programme.lead,
    )
    Registration.objects.filter(pk=rui.pk).update(email="Rui@Lisboa.pt")  # typed in the admin
    report = parse((DATA / "zoom_participants.csv").read_bytes())
    people = [
        *report.people,
        Participant("Rui", "rui@lisboa.pt"),
        Participant("Joana", "joana@lisboa.pt"),
    ]

    match = report_matched(session=programme.heating, people=people, without_email=["Guest"])

    assert [(r.email, p.name) for r, p in match.to_mark] == [
        ("bea@lisboa.pt", "Bea Santos"),
        ("Rui@Lisboa.pt", "Rui"),
    ]
    assert [(r.email, p.name) for r, p in match.already] == [
        ("ana@lisboa.pt", "Ana Silva (Lisboa)")
    ]
    assert match.unmatched == [
        (0, Participant("Lea Lead", "lea@example.org")),
        (3, Participant("Rossi, Marta (Torino)", "marta.rossi@comune.torino.it")),
        (5, Participant("Joana", "joana@lisboa.pt")),
    ]
    assert match.without_email == ["Guest"]
    # Joana writes from the domain of Lisbon's people on the list.
    assert match.suggested_cities == {5: programme.city.pk}


# --- The pages ---------------------------------------------------------------------------------


def _upload(client, programme, name="zoom_participants.csv", content=None):
    content = (DATA / name).read_bytes() if content is None else content
    return client.post(
        f"/sessions/{programme.heating.pk}/attendance/import/",
        {"report": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def _section(page: str, name: str) -> str:
    match = re.search(rf'data-import="{name}"[^>]*>(.*?)</(ul|table)>', page, re.S)
    return text(match.group(1)) if match else ""


def _signed_report(page: str) -> str:
    return re.search(r'name="report" value="([^"]+)"', page).group(1)


def test_import_pages_read_the_zoom_report_then_save_what_was_confirmed(
    client, programme, lisbon_people, clock
):
    ana = lisbon_people[0]
    clock.move_to(AFTER_HEATING)
    services.attendance_record(
        session=programme.heating, marks={ana.pk: Attendance.NO_SHOW}, acting_user=programme.lead
    )
    sign_in(client, programme.lead)

    attendance_page = client.get(f"/sessions/{programme.heating.pk}/attendance/").content.decode()
    uploaded = _upload(client, programme)
    page = uploaded.content.decode()
    attended_before_confirming = Registration.objects.filter(attendance="attended").count()
    confirmed = client.post(
        f"/sessions/{programme.heating.pk}/attendance/import/confirm/",
        {
            "report": _signed_report(page),
            "decision_0": "ignore",  # Lea, the host
            "decision_3": "walk_in",  # Marta
            "city_3": str(programme.city.pk),
        },
        follow=True,
    )

    assert f'href="/sessions/{programme.heating.pk}/attendance/import/"' in attendance_page
    assert uploaded.status_code == 200
    assert _section(page, "to-mark") == (
        "Ana Silva (ana@lisboa.pt), Lisbon · recorded as a no-show until now "
        "Bea Santos (bea@lisboa.pt), Lisbon"
    )
    assert _section(page, "already") == ""
    assert _section(page, "unmatched") == (
        "Name Decision City "
        "Lea Lead lea@example.org Decision about Lea Lead Leave out Add as a walk-in "
        "City of Lea Lead No city Lisbon (PT) "
        "Rossi, Marta (Torino) marta.rossi@comune.torino.it "
        "Decision about Rossi, Marta (Torino) Leave out Add as a walk-in "
        "City of Rossi, Marta (Torino) No city Lisbon (PT)"
    )
    assert _section(page, "without-email") == "iPhone de João"
    assert attended_before_confirming == 0
    assert confirmed.redirect_chain == [(f"/sessions/{programme.heating.pk}/attendance/", 302)]
    assert "Report imported: 2 marked as attended, 0 already were, 1 added as walk-ins." in (
        text(confirmed.content.decode())
    )
    assert _attendance() == [
        ("ana@lisboa.pt", "attended", False, "Lisbon"),
        ("bea@lisboa.pt", "attended", False, "Lisbon"),
        ("marta.rossi@comune.torino.it", "attended", True, "Lisbon"),
        ("rui@lisboa.pt", "", False, "Lisbon"),
    ]


def test_import_confirmation_changed_or_for_another_session_goes_back_to_the_upload(
    client, programme, lisbon_people, clock
):
    clock.move_to(AFTER_HEATING)
    report = Report(people=[Participant("Ana", "ana@lisboa.pt")])
    forged = report_signed(session_id=programme.heating.pk, report=report)[:-2] + "xx"
    sign_in(client, programme.lead)

    responses = [
        client.post(
            f"/sessions/{programme.heating.pk}/attendance/import/confirm/",
            {"report": value},
            follow=True,
        )
        for value in [
            forged,
            report_signed(session_id=programme.heating.pk + 1000, report=report),
            "",
        ]
    ]

    for response in responses:
        assert response.redirect_chain == [
            (f"/sessions/{programme.heating.pk}/attendance/import/", 302)
        ]
        assert "This confirmation has expired or was changed. Upload the report again." in (
            text(response.content.decode())
        )
    assert Registration.objects.filter(attendance=Attendance.ATTENDED).count() == 0


def test_import_confirmed_by_an_officer_with_a_signed_report_is_403(
    client, programme, lisbon_people, clock
):
    clock.move_to(AFTER_HEATING)
    report = Report(people=[Participant("Ana", "ana@lisboa.pt")])
    sign_in(client, programme.officer)

    response = client.post(
        f"/sessions/{programme.heating.pk}/attendance/import/confirm/",
        {"report": report_signed(session_id=programme.heating.pk, report=report)},
    )

    assert response.status_code == 403
    assert Registration.objects.filter(attendance=Attendance.ATTENDED).count() == 0


def test_import_confirmation_with_a_city_outside_the_cohort_shows_the_page_again(
    client, programme, lisbon_people, clock
):
    clock.move_to(AFTER_HEATING)
    braga = factories.CityFactory(name="Braga")
    sign_in(client, programme.lead)
    page = _upload(client, programme).content.decode()

    response = client.post(
        f"/sessions/{programme.heating.pk}/attendance/import/confirm/",
        {"report": _signed_report(page), "decision_3": "walk_in", "city_3": str(braga.pk)},
    )

    assert response.status_code == 200
    assert "Choose one of the cohort's cities, or no city." in text(response.content.decode())
    assert _signed_report(response.content.decode()) == _signed_report(page)
    assert Registration.objects.filter(attendance=Attendance.ATTENDED).count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "report.xlsx",
            b"PK\x03\x04 workbook",
            "This is a spreadsheet workbook, not a CSV file.",
        ),
        (
            "attendance.csv",
            b"Full Name,User Action\r\nRui,Joined\r\n",
            "No column of email addresses was found.",
        ),
        ("empty.csv", b"", "The file is empty."),
    ],
)
def test_import_upload_of_a_wrong_file_says_why_on_the_upload_page(
    client, programme, clock, name, content, message
):
    clock.move_to(AFTER_HEATING)
    sign_in(client, programme.lead)

    response = _upload(client, programme, name=name, content=content)

    page = response.content.decode()
    assert response.status_code == 200
    assert message in text(page)
    assert 'enctype="multipart/form-data"' in page


def test_import_upload_of_a_file_too_big_is_refused_before_it_is_read(
    client, programme, clock, monkeypatch
):
    clock.move_to(AFTER_HEATING)
    monkeypatch.setattr("sessions.attendance_reports.MAX_BYTES", 10)
    monkeypatch.setattr(
        "sessions.attendance_reports.parse", lambda data: pytest.fail("the file was read")
    )
    sign_in(client, programme.lead)

    response = _upload(client, programme, content=b"Name,Email\r\nRui,rui@lisboa.pt\r\n")

    assert "The file is larger than 0 MB" in text(response.content.decode())


def test_import_page_before_the_session_starts_offers_no_upload(client, programme):
    sign_in(client, programme.lead)

    response = client.get(f"/sessions/{programme.heating.pk}/attendance/import/")

    page = response.content.decode()
    assert "Attendance can be recorded once the session has started." in text(page)
    assert 'type="file"' not in page


def test_import_of_a_cancelled_session_offers_no_upload_and_reads_no_file(client, programme, clock):
    from sessions.models import Session

    Session.objects.filter(pk=programme.heating.pk).update(status="cancelled")
    clock.move_to(AFTER_HEATING)
    sign_in(client, programme.lead)

    shown = client.get(f"/sessions/{programme.heating.pk}/attendance/import/").content.decode()
    posted = _upload(client, programme).content.decode()

    for page in (shown, posted):
        assert "This session was cancelled." in text(page)
        assert 'type="file"' not in page
        assert "Confirm the attendance report" not in page


# --- Query counts ------------------------------------------------------------------------------


def test_import_confirmation_query_count_does_not_grow(client, programme, clock):
    # Registration closes at the start: each list is made before it, the page read after.
    def measured(people):
        clock.move_to(NOW)
        Registration.objects.all().delete()
        services.registrations_create(
            session=programme.heating,
            city=programme.city,
            people=[(f"Person {i:02d}", f"person{i}@lisboa.pt") for i in range(people)],
            acting_user=programme.officer,
        )
        clock.move_to(AFTER_HEATING)
        sign_in(client, programme.lead)  # a month later: signed in again
        rows = [f"Person {i},person{i}@lisboa.pt" for i in range(people)]
        rows += [f"Guest {i},guest{i}@example.org" for i in range(people)]
        content = ("Name,Email\r\n" + "\r\n".join(rows) + "\r\n").encode()
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = _upload(client, programme, name="report.csv", content=content)
        page = response.content.decode()
        unmatched = set(re.findall(r'name="(decision_\d+)"', page))
        return len(queries), _section(page, "to-mark").count("@"), len(unmatched)

    one, marked_one, unmatched_one = measured(1)
    many, marked_many, unmatched_many = measured(25)

    assert (marked_one, unmatched_one, marked_many, unmatched_many) == (1, 1, 25, 25)
    # The session (with the person's kept facts), the permission, the registrations, the
    # cohort's cities for the decisions.
    assert many == one


def test_import_upload_page_query_count(client, programme, clock):
    clock.move_to(AFTER_HEATING)
    sign_in(client, programme.lead)
    cache.clear()

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/sessions/{programme.heating.pk}/attendance/import/")

    assert response.status_code == 200
    # The person's session and account; the session; the version of who sees what; the
    # person's facts kept under it (the cohorts they facilitate, those their cities are
    # enrolled in, the sessions they are named on, their cities). Nothing is listed.
    assert len(queries) == 8


def test_attendance_page_kept_in_the_cache_shows_an_import_at_once(
    client, programme, lisbon_people, clock
):
    ana = lisbon_people[0]
    clock.move_to(AFTER_HEATING)
    sign_in(client, programme.lead)
    url = f"/sessions/{programme.heating.pk}/attendance/"
    before = client.get(url).content.decode()  # drawn, and kept

    services.attendance_import(
        session=programme.heating,
        emails=["ana@lisboa.pt"],
        walk_ins=[("Marta Rossi", "marta@torino.it", None)],
        acting_user=programme.lead,
    )
    after = client.get(url).content.decode()

    checked = re.compile(rf'<input[^>]*name="attendance_{ana.pk}" value="attended"[^>]*checked')
    assert (bool(checked.search(before)), bool(checked.search(after))) == (False, True)
    assert (
        "Marta Rossi (marta@torino.it)" in before,
        "Marta Rossi (marta@torino.it)" in after,
    ) == (
        False,
        True,
    )


def test_import_of_the_largest_report_read_is_confirmed_within_django_s_field_limit(
    client, programme, clock
):
    from django.conf import settings

    from sessions.attendance_reports import MAX_PEOPLE

    clock.move_to(AFTER_HEATING)
    sign_in(client, programme.lead)
    rows = "".join(f"Guest {i},guest{i}@example.org\r\n" for i in range(MAX_PEOPLE))
    page = _upload(client, programme, content=f"Name,Email\r\n{rows}".encode()).content.decode()
    data = {"report": _signed_report(page)}
    for i in range(MAX_PEOPLE):
        data |= {f"decision_{i}": "walk_in", f"city_{i}": ""}

    response = client.post(f"/sessions/{programme.heating.pk}/attendance/import/confirm/", data)

    assert len(data) + 1 <= settings.DATA_UPLOAD_MAX_NUMBER_FIELDS  # with the CSRF token
    assert response.status_code == 302
    assert Registration.objects.filter(is_walk_in=True).count() == MAX_PEOPLE


def test_import_confirmation_suggests_the_city_of_the_people_of_the_same_domain(
    client, programme, lisbon_people, clock
):
    clock.move_to(AFTER_HEATING)
    sign_in(client, programme.lead)

    page = _upload(
        client,
        programme,
        content=b"Name,Email\r\nJoana,joana@lisboa.pt\r\nJo,jo@gmail.com\r\n",
    ).content.decode()

    selected = re.findall(r'<select name="(city_\d)"[^>]*>.*?<option value="(\d*)" selected>', page)
    assert selected == [("city_0", str(programme.city.pk)), ("city_1", "")]


def test_a_city_is_suggested_only_from_a_domain_two_of_its_people_write_from(programme):
    services.registrations_create(
        session=programme.heating,
        city=programme.city,
        people=[
            ("Ana Silva", "ana.silva@gmail.com"),
            ("Bea Santos", "bea.santos@gmail.com"),
            ("Rui", "rui@lisboa.pt"),
            ("Eva", "eva@cm-lisboa.pt"),
            ("Teo", "teo@cm-lisboa.pt"),
        ],
        acting_user=programme.officer,
    )
    people = [
        Participant("Stranger", "stranger@gmail.com"),  # a public mail service: no city
        Participant("Joana", "joana@lisboa.pt"),  # one person of the list writes from it
        Participant("Luis", "luis@cm-lisboa.pt"),  # two do, both of Lisbon
    ]

    match = report_matched(session=programme.heating, people=people)

    assert match.suggested_cities == {2: programme.city.pk}
