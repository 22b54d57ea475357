"""Session pages: who sees what, scheduling with its messages, registration, attendance,
cancelling, .ics downloads and the personal calendar feed."""

import datetime
import html
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cohorts.enums import EnrolmentStatus
from sessions import services
from sessions.enums import SessionStatus
from sessions.models import CalendarFeed, Registration, Session
from tests import factories
from tests.portal_pages.helpers import sign_in
from tests.sessions.conftest import AFTER_HEATING, enrol, run_until, schedule

UTC = datetime.UTC


def text(fragment: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", fragment).split()))


def field_html(page: str, field_id: str) -> str:
    """The <div> that Form.as_div renders for one field: label, errors and input."""
    match = re.search(rf'<div>\s*<label for="{field_id}"(.*?)</div>', page, re.S)
    assert match, f"no field {field_id} in the page"
    return html.unescape(match.group(1))


def session_data(**overrides) -> dict:
    data = {
        "kind": "thematic",
        "title": "Mobility: low-emission zones",
        "phase": "",
        "thematic_group": "",
        "time_zone": "Europe/Brussels",
        "starts_at": "2024-12-04T11:00",
        "ends_at": "2024-12-04T12:30",
        "meeting_url": "https://meet.example.org/mobility",
        "agenda": "Two case studies",
        "guiding_questions": "",
        "presentations-TOTAL_FORMS": "3",
        "presentations-INITIAL_FORMS": "0",
        "presentations-MIN_NUM_FORMS": "0",
        "presentations-MAX_NUM_FORMS": "3",
    }
    data.update(overrides)
    return data


# --- Who sees a session ------------------------------------------------------------------------


def _viewer(role, programme):
    if role == "lead facilitator":
        return programme.lead
    if role == "group facilitator":
        group = factories.ThematicGroupFactory(cohort=programme.cohort)
        person = factories.UserFactory(is_facilitator=True)
        group.facilitators.add(person)
        return person
    if role == "session facilitator":
        person = factories.UserFactory(is_facilitator=True)
        programme.heating.facilitators.add(person)
        return person
    if role == "programme admin":
        return factories.UserFactory(is_programme_admin=True)
    if role == "officer of the enrolled city":
        return programme.officer
    if role == "officer of a city that only asked":
        city = factories.CityFactory(name="Braga")
        enrol(programme.cohort, city, status=EnrolmentStatus.REQUESTED)
        return factories.city_officer(city=city)
    if role == "officer of another city":
        return factories.city_officer()
    if role == "facilitator of another cohort":
        person = factories.UserFactory(is_facilitator=True)
        factories.CohortFactory(number=9).facilitators.add(person)
        return person
    if role == "reviewer":
        return factories.UserFactory(is_reviewer=True)
    raise AssertionError(role)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("lead facilitator", 200),
        ("group facilitator", 200),
        ("session facilitator", 200),
        ("programme admin", 200),
        ("officer of the enrolled city", 200),
        ("officer of a city that only asked", 404),
        ("officer of another city", 404),
        ("facilitator of another cohort", 404),
        ("reviewer", 404),
    ],
)
def test_session_detail_visibility(client, programme, role, expected):
    sign_in(client, _viewer(role, programme))

    responses = [
        client.get(f"/sessions/{programme.heating.pk}/").status_code,
        client.get(f"/sessions/{programme.heating.pk}/calendar.ics").status_code,
    ]

    assert responses == [expected, expected]


def test_session_detail_anonymous_is_sent_to_sign_in(client, programme):
    response = client.get(f"/sessions/{programme.heating.pk}/")

    assert (response.status_code, response["Location"]) == (
        302,
        f"/accounts/login/?next=/sessions/{programme.heating.pk}/",
    )


def test_session_detail_shows_time_in_the_session_zone_and_presenters(client, programme):
    services.session_set_presentations(
        session=programme.heating,
        presentations=[(programme.mission_city, [programme.actions[1].pk], "Heat networks")],
        acting_user=programme.lead,
    )
    sign_in(client, programme.officer)

    page = client.get(f"/sessions/{programme.heating.pk}/").content.decode()

    assert text(re.search(r"<p data-when>(.*?)</p>", page, re.S).group(1)) == (
        "4 December 2024, 10:00\u201311:30 (Europe/Brussels)"  # en dash
    )
    assert text(re.search(r"<li data-presentation=.*?</li>\s*</ul>", page, re.S).group(0)) == (
        "Mannheim : Heat networks District heating"
    )
    assert 'href="https://meet.example.org/heating"' in page


def test_session_detail_with_reported_headcount_and_no_records(client, programme):
    programme.heating.reported_participants = 48
    programme.heating.save()
    sign_in(client, programme.lead)

    page = client.get(f"/sessions/{programme.heating.pk}/").content.decode()

    assert '<p data-counts="reported">48 participants (reported)</p>' in page


# --- Scheduling --------------------------------------------------------------------------------


def test_session_create_page_for_a_facilitator_of_another_cohort_is_404(client, programme):
    other = factories.UserFactory(is_facilitator=True)
    sign_in(client, other)

    assert client.get(f"/sessions/new/?cohort={programme.cohort.pk}").status_code == 404
    assert client.get("/sessions/new/?cohort=abc").status_code == 404


def test_session_create_schedules_with_a_presenting_city(client, programme):
    coal, heating, *_ = programme.actions
    run_until(programme.cohort, datetime.date(2025, 4, 30))
    sign_in(client, programme.lead)

    response = client.post(
        f"/sessions/new/?cohort={programme.cohort.pk}",
        session_data(
            **{
                "starts_at": "2025-03-30T10:00",
                "ends_at": "2025-03-30T11:30",
                "facilitators": [programme.lead.pk],
                "presentations-0-city": programme.mission_city.pk,
                "presentations-0-climate_actions": [coal.pk, heating.pk],
                "presentations-0-topics": "Heat",
            }
        ),
    )

    session = Session.objects.get(title="Mobility: low-emission zones")
    assert (response.status_code, response["Location"]) == (302, f"/sessions/{session.pk}/")
    assert (session.starts_at, session.ends_at) == (
        datetime.datetime(2025, 3, 30, 8, 0, tzinfo=UTC),
        datetime.datetime(2025, 3, 30, 9, 30, tzinfo=UTC),
    )
    presentation = session.presentations.get()
    assert (
        presentation.city,
        sorted(presentation.climate_actions.values_list("pk", flat=True)),
    ) == (
        programme.mission_city,
        [coal.pk, heating.pk],
    )


def test_session_create_overlap_shows_the_message_and_keeps_what_was_typed(client, programme):
    sign_in(client, programme.lead)

    response = client.post(f"/sessions/new/?cohort={programme.cohort.pk}", session_data())

    assert response.status_code == 200
    starts = field_html(response.content.decode(), "id_starts_at")
    assert (
        "This slot overlaps 'Energy: district heating' (4 December 2024, 10:00\N{EN DASH}11:30)."
        in text(starts)
    )
    assert 'value="2024-12-04T11:00"' in starts
    page = response.content.decode()
    assert 'value="Mobility: low-emission zones"' in field_html(page, "id_title")
    assert 'value="2024-12-04T12:30"' in field_html(page, "id_ends_at")
    assert Session.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ends_at": "2024-12-05T10:30"}, "id_ends_at", "The session must end after it starts."),
        (
            {"meeting_url": "ftp://meet.example.org/x"},
            "id_meeting_url",
            "The meeting link must be a web address starting with http:// or https://.",
        ),
    ],
    ids=["end-before-start", "non-http-link"],
)
def test_session_create_bad_input_message_next_to_the_field(
    client, programme, overrides, field, message
):
    sign_in(client, programme.lead)
    data = session_data(starts_at="2024-12-05T11:00", ends_at="2024-12-05T12:00")
    data.update(overrides)

    response = client.post(f"/sessions/new/?cohort={programme.cohort.pk}", data)

    assert response.status_code == 200
    assert message in text(field_html(response.content.decode(), field))
    assert Session.objects.count() == 1


def test_session_create_fourth_climate_action_is_refused_in_its_row(client, programme):
    sign_in(client, programme.lead)
    data = session_data(
        starts_at="2024-12-05T11:00",
        ends_at="2024-12-05T12:00",
        **{
            "presentations-0-city": programme.mission_city.pk,
            "presentations-0-climate_actions": [a.pk for a in programme.actions],
        },
    )

    response = client.post(f"/sessions/new/?cohort={programme.cohort.pk}", data)

    page = response.content.decode()
    row = field_html(page, "id_presentations-0-climate_actions")
    assert "A city can present at most 3 climate actions." in text(row)
    assert row.count(" selected>") == 4
    assert Session.objects.count() == 1


def test_session_edit_moving_emails_the_registered_people(
    client, programme, django_capture_on_commit_callbacks
):
    services.registrations_create(
        session=programme.heating,
        city=programme.city,
        people=[("Ana Silva", "ana@lisboa.pt"), ("Rui Costa", "rui@lisboa.pt")],
        acting_user=programme.officer,
    )
    sign_in(client, programme.lead)
    data = session_data(
        title="Energy: district heating",
        starts_at="2024-12-04T14:00",
        ends_at="2024-12-04T15:30",
        facilitators=[programme.lead.pk],
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/sessions/{programme.heating.pk}/edit/", data)

    assert response.status_code == 302
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("ana@lisboa.pt", 'New time for "Energy: district heating"'),
        ("rui@lisboa.pt", 'New time for "Energy: district heating"'),
    ]


def test_session_edit_by_an_officer_is_403(client, programme):
    sign_in(client, programme.officer)

    assert client.get(f"/sessions/{programme.heating.pk}/edit/").status_code == 403


def test_session_edit_form_shows_the_times_in_the_session_zone(client, programme):
    sign_in(client, programme.lead)

    page = client.get(f"/sessions/{programme.heating.pk}/edit/").content.decode()

    assert 'value="2024-12-04T10:00"' in field_html(page, "id_starts_at")
    assert 'value="2024-12-04T11:30"' in field_html(page, "id_ends_at")


# --- Cancelling --------------------------------------------------------------------------------


def test_session_cancel_emails_each_registered_person_once(
    client, programme, django_capture_on_commit_callbacks
):
    services.registrations_create(
        session=programme.heating,
        city=programme.city,
        people=[("Ana Silva", "ana@lisboa.pt"), ("Rui Costa", "rui@lisboa.pt")],
        acting_user=programme.officer,
    )
    sign_in(client, programme.lead)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/sessions/{programme.heating.pk}/cancel/")

    programme.heating.refresh_from_db()
    assert (response.status_code, programme.heating.status) == (302, SessionStatus.CANCELLED)
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@lisboa.pt", "rui@lisboa.pt"]


def test_session_cancel_by_an_officer_is_403_and_changes_nothing(client, programme):
    sign_in(client, programme.officer)

    response = client.post(f"/sessions/{programme.heating.pk}/cancel/")

    programme.heating.refresh_from_db()
    assert (response.status_code, programme.heating.status) == (403, SessionStatus.SCHEDULED)


# --- Registration ------------------------------------------------------------------------------


def people_data(city, *people) -> dict:
    data = {
        "city": city.pk,
        "people-TOTAL_FORMS": "3",
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "1000",
    }
    for index, (name, email) in enumerate(people):
        data[f"people-{index}-full_name"] = name
        data[f"people-{index}-email"] = email
    return data


def test_session_register_officer_registers_two_people(client, programme):
    sign_in(client, programme.officer)

    response = client.post(
        f"/sessions/{programme.heating.pk}/register/",
        people_data(programme.city, ("Ana Silva", "ana@lisboa.pt"), ("Rui Costa", "rui@lisboa.pt")),
    )

    assert response.status_code == 302
    assert list(Registration.objects.values_list("full_name", "email", "city__name")) == [
        ("Ana Silva", "ana@lisboa.pt", "Lisbon"),
        ("Rui Costa", "rui@lisboa.pt", "Lisbon"),
    ]


def test_session_register_same_email_twice_shows_the_message_in_its_row(client, programme):
    services.registration_create(
        session=programme.heating,
        city=programme.city,
        full_name="Ana Silva",
        email="ana@lisboa.pt",
        acting_user=programme.officer,
    )
    sign_in(client, programme.officer)

    response = client.post(
        f"/sessions/{programme.heating.pk}/register/",
        people_data(programme.city, ("Rui Costa", "rui@lisboa.pt"), ("Ana", "ana@lisboa.pt")),
    )

    page = response.content.decode()
    row = field_html(page, "id_people-1-email")
    assert "ana@lisboa.pt is already registered for this session." in text(row)
    assert 'value="ana@lisboa.pt"' in row
    assert 'value="Rui Costa"' in field_html(page, "id_people-0-full_name")
    assert Registration.objects.count() == 1


def test_session_register_by_an_officer_of_a_city_not_enrolled_is_404(client, programme):
    """Decision: the session is invisible to a city that is not enrolled, so the page is 404."""
    stranger = factories.city_officer(city=factories.CityFactory(name="Braga"))
    sign_in(client, stranger)

    response = client.post(
        f"/sessions/{programme.heating.pk}/register/",
        people_data(programme.city, ("Bea", "bea@braga.pt")),
    )

    assert response.status_code == 404
    assert Registration.objects.count() == 0


def test_session_register_for_an_officers_other_city_not_enrolled_is_refused(client, programme):
    """An officer of two cities may register only for the one enrolled in the cohort."""
    braga = factories.CityFactory(name="Braga")
    factories.CityMembershipFactory(user=programme.officer, city=braga)
    sign_in(client, programme.officer)

    response = client.post(
        f"/sessions/{programme.heating.pk}/register/", people_data(braga, ("Bea", "bea@braga.pt"))
    )

    assert "Select a valid choice." in text(field_html(response.content.decode(), "id_city"))
    assert Registration.objects.count() == 0


def test_session_register_by_a_facilitator_is_403(client, programme):
    sign_in(client, programme.lead)

    assert client.get(f"/sessions/{programme.heating.pk}/register/").status_code == 403


def test_registration_delete_by_the_officer_before_the_session(client, programme):
    [registration] = services.registrations_create(
        session=programme.heating,
        city=programme.city,
        people=[("Ana Silva", "ana@lisboa.pt")],
        acting_user=programme.officer,
    )
    sign_in(client, programme.officer)

    response = client.post(
        f"/sessions/{programme.heating.pk}/registrations/{registration.pk}/delete/"
    )

    assert response.status_code == 302
    assert Registration.objects.count() == 0


def test_registration_delete_by_an_officer_of_another_city_is_404(client, programme):
    [registration] = services.registrations_create(
        session=programme.heating,
        city=programme.city,
        people=[("Ana Silva", "ana@lisboa.pt")],
        acting_user=programme.officer,
    )
    other_city = factories.CityFactory(name="Porto")
    enrol(programme.cohort, other_city)
    sign_in(client, factories.city_officer(city=other_city))

    response = client.post(
        f"/sessions/{programme.heating.pk}/registrations/{registration.pk}/delete/"
    )

    assert response.status_code == 404
    assert Registration.objects.count() == 1


# --- Attendance --------------------------------------------------------------------------------


def _register_many(programme, count):
    return services.registrations_create(
        session=programme.heating,
        city=programme.city,
        people=[(f"Person {i:02d}", f"person{i}@lisboa.pt") for i in range(count)],
        acting_user=programme.officer,
    )


def test_session_attendance_records_marks_and_walk_ins_and_shows_counts(client, programme, clock):
    ana, bea, rui = services.registrations_create(
        session=programme.heating,
        city=programme.city,
        people=[("Ana", "ana@lisboa.pt"), ("Bea", "bea@lisboa.pt"), ("Rui", "rui@lisboa.pt")],
        acting_user=programme.officer,
    )
    clock.move_to(AFTER_HEATING)
    sign_in(client, programme.lead)
    data = {
        f"attendance_{ana.pk}": "attended",
        f"attendance_{bea.pk}": "attended",
        f"attendance_{rui.pk}": "no_show",
        "walk_ins-TOTAL_FORMS": "3",
        "walk_ins-INITIAL_FORMS": "0",
        "walk_ins-MIN_NUM_FORMS": "0",
        "walk_ins-MAX_NUM_FORMS": "1000",
        "walk_ins-0-full_name": "Walk In",
        "walk_ins-0-email": "walk@in.eu",
        "walk_ins-0-city": programme.city.pk,
    }

    response = client.post(f"/sessions/{programme.heating.pk}/attendance/", data, follow=True)

    counts = re.search(
        r'<dl class="stats" data-counts="recorded">(.*?)</dl>', response.content.decode(), re.S
    )
    assert text(counts.group(1)) == (
        "Registered 3 Attended 2 No-shows 1 Walk-ins 1 Attendance rate 67%"
    )
    assert list(
        Registration.objects.order_by("email").values_list("email", "attendance", "is_walk_in")
    ) == [
        ("ana@lisboa.pt", "attended", False),
        ("bea@lisboa.pt", "attended", False),
        ("rui@lisboa.pt", "no_show", False),
        ("walk@in.eu", "attended", True),
    ]


def test_session_attendance_by_an_officer_is_403(client, programme, clock):
    clock.move_to(AFTER_HEATING)
    sign_in(client, programme.officer)

    assert client.get(f"/sessions/{programme.heating.pk}/attendance/").status_code == 403


def _checked(page: str, registration) -> list[str]:
    """The values of the person's attendance choices that the page shows ticked."""
    return [
        re.search(r'value="([^"]+)"', tag).group(1)
        for tag in re.findall(rf'<input[^>]*name="attendance_{registration.pk}"[^>]*>', page)
        if " checked" in tag
    ]


def _walk_in_rows(count, **rows) -> dict:
    data = {
        "walk_ins-TOTAL_FORMS": str(count),
        "walk_ins-INITIAL_FORMS": "0",
        "walk_ins-MIN_NUM_FORMS": "0",
        "walk_ins-MAX_NUM_FORMS": "50",
    }
    data.update(rows)
    return data


def test_session_attendance_add_walk_in_row_keeps_what_was_typed_and_saves_nothing(
    client, programme, clock
):
    ana, bea = services.registrations_create(
        session=programme.heating,
        city=programme.city,
        people=[("Ana", "ana@lisboa.pt"), ("Bea", "bea@lisboa.pt")],
        acting_user=programme.officer,
    )
    clock.move_to(AFTER_HEATING)
    sign_in(client, programme.lead)
    data = {
        f"attendance_{ana.pk}": "attended",
        f"attendance_{bea.pk}": "no_show",
        "add_walk_in": "1",
        **_walk_in_rows(
            3,
            **{
                "walk_ins-0-full_name": "Walk In",
                "walk_ins-0-email": "walk@in.eu",
                "walk_ins-0-city": str(programme.city.pk),
                "walk_ins-2-full_name": "Half typed",
            },
        ),
    }

    response = client.post(f"/sessions/{programme.heating.pk}/attendance/", data)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="walk_ins-TOTAL_FORMS" value="4"' in page
    assert re.findall(r"<legend>(Walk-in \d+)</legend>", page) == [
        "Walk-in 1",
        "Walk-in 2",
        "Walk-in 3",
        "Walk-in 4",
    ]
    assert 'name="walk_ins-0-full_name" value="Walk In"' in page
    assert 'name="walk_ins-0-email" value="walk@in.eu"' in page
    assert f'<option value="{programme.city.pk}" selected>' in page
    assert 'name="walk_ins-2-full_name" value="Half typed"' in page
    # The new row takes the focus; it is empty and shows no error.
    assert re.search(r'<input type="text" name="walk_ins-3-full_name"[^>]*autofocus', page)
    assert 'class="errorlist"' not in page
    assert _checked(page, ana) == ["attended"]
    assert _checked(page, bea) == ["no_show"]
    assert list(Registration.objects.values_list("email", "attendance")) == [
        ("ana@lisboa.pt", ""),
        ("bea@lisboa.pt", ""),
    ]


def test_session_attendance_add_walk_in_row_stops_at_the_most_rows(client, programme, clock):
    clock.move_to(AFTER_HEATING)
    sign_in(client, programme.lead)

    response = client.post(
        f"/sessions/{programme.heating.pk}/attendance/",
        {"add_walk_in": "1", **_walk_in_rows(50, **{"walk_ins-49-full_name": "Last"})},
    )

    page = response.content.decode()
    assert 'name="walk_ins-TOTAL_FORMS" value="50"' in page
    assert 'name="walk_ins-49-full_name" value="Last"' in page
    limit = re.search(
        r"<p class=\"message message-warning\" data-walk-in-limit([^>]*)>(.*?)</p>", page
    )
    assert (limit.group(1), text(limit.group(2))) == (
        ' aria-live="polite"',
        "The form holds up to 50 walk-ins. Save these first, then add more.",
    )


def test_session_attendance_mark_all_marks_everyone_registered_and_adds_the_walk_ins(
    client, programme, clock
):
    *_others, rui = services.registrations_create(
        session=programme.heating,
        city=programme.city,
        people=[("Ana", "ana@lisboa.pt"), ("Bea", "bea@lisboa.pt"), ("Rui", "rui@lisboa.pt")],
        acting_user=programme.officer,
    )
    clock.move_to(AFTER_HEATING)
    sign_in(client, programme.lead)

    response = client.post(
        f"/sessions/{programme.heating.pk}/attendance/",
        {
            # A no-show chosen before pressing "Mark everyone": the button says what it does.
            f"attendance_{rui.pk}": "no_show",
            "mark_all": "1",
            **_walk_in_rows(
                3, **{"walk_ins-0-full_name": "Walk In", "walk_ins-0-email": "walk@in.eu"}
            ),
        },
        follow=True,
    )

    assert response.redirect_chain == [(f"/sessions/{programme.heating.pk}/attendance/", 302)]
    assert "Everyone registered is marked as attended." in text(response.content.decode())
    assert list(
        Registration.objects.order_by("email").values_list("email", "attendance", "is_walk_in")
    ) == [
        ("ana@lisboa.pt", "attended", False),
        ("bea@lisboa.pt", "attended", False),
        ("rui@lisboa.pt", "attended", False),
        ("walk@in.eu", "attended", True),
    ]


def test_session_attendance_page_offers_mark_all_only_with_people_registered(
    client, programme, clock
):
    clock.move_to(AFTER_HEATING)
    sign_in(client, programme.lead)
    url = f"/sessions/{programme.heating.pk}/attendance/"
    button = 'name="mark_all"'

    empty = client.get(url).content.decode()
    clock.move_to(datetime.datetime(2024, 11, 1, tzinfo=UTC))
    _register_many(programme, 1)
    clock.move_to(AFTER_HEATING)
    sign_in(client, programme.lead)
    listed = client.get(url).content.decode()

    assert (button in empty, button in listed) == (False, True)


def _attendance_queries(client, programme, user) -> tuple[int, int]:
    sign_in(client, user)
    cache.clear()  # drawn afresh: the cached parts read nothing (tests/sessions/test_caching.py)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/sessions/{programme.heating.pk}/attendance/")
    assert response.status_code == 200
    return len(queries), response.content.decode().count("<tr data-registration=")


def test_session_attendance_page_query_count_does_not_grow(client, programme, clock):
    _register_many(programme, 1)
    clock.move_to(AFTER_HEATING)
    one, rows_one = _attendance_queries(client, programme, programme.lead)

    Registration.objects.all().delete()
    clock.move_to(datetime.datetime(2024, 11, 1, tzinfo=UTC))
    _register_many(programme, 25)
    clock.move_to(AFTER_HEATING)
    many, rows_many = _attendance_queries(client, programme, programme.lead)

    assert (rows_one, rows_many) == (1, 25)
    assert many == one


# --- Calendar ----------------------------------------------------------------------------------


def test_session_ics_download_is_exact(client, programme):
    sign_in(client, programme.officer)

    response = client.get(f"/sessions/{programme.heating.pk}/calendar.ics")

    pk = programme.heating.pk
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="session-{pk}.ics"'
    assert response.content.decode() == (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
        "PRODID:-//City peer-learning portal//Sessions//EN\r\n"
        "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n"
        "BEGIN:VEVENT\r\n"
        f"UID:session-{pk}@127.0.0.1\r\n"
        "DTSTAMP:20241101T090000Z\r\n"
        "SEQUENCE:0\r\n"
        "DTSTART:20241204T090000Z\r\n"
        "DTEND:20241204T103000Z\r\n"
        "SUMMARY:Energy: district heating\r\n"
        "URL:https://meet.example.org/heating\r\n"
        "LOCATION:https://meet.example.org/heating\r\n"
        # The join link and the page, folded at 75 octets (the second line starts with a space).
        "DESCRIPTION:Online meeting link: https://meet.example.org/heating\\nSession \r\n"
        f" page: http://127.0.0.1:8000/sessions/{pk}/\r\n"
        "STATUS:CONFIRMED\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def test_session_ics_after_a_move_and_a_cancellation_is_a_newer_sequence(client, programme):
    services.session_update(
        session=programme.heating,
        starts_at=datetime.datetime(2024, 12, 4, 14, 0),
        ends_at=datetime.datetime(2024, 12, 4, 15, 30),
        acting_user=programme.lead,
    )
    services.session_cancel(session=programme.heating, acting_user=programme.lead)
    sign_in(client, programme.officer)

    response = client.get(f"/sessions/{programme.heating.pk}/calendar.ics")

    pk = programme.heating.pk
    event = response.content.decode().split("BEGIN:VEVENT\r\n")[1]
    # Same UID, higher SEQUENCE: calendars replace the event they hold with this one.
    assert event == (
        f"UID:session-{pk}@127.0.0.1\r\n"
        "DTSTAMP:20241101T090000Z\r\n"
        "SEQUENCE:2\r\n"
        "DTSTART:20241204T130000Z\r\n"
        "DTEND:20241204T143000Z\r\n"
        "SUMMARY:Energy: district heating\r\n"
        "URL:https://meet.example.org/heating\r\n"
        "LOCATION:https://meet.example.org/heating\r\n"
        # The join link and the page, folded at 75 octets (the second line starts with a space).
        "DESCRIPTION:Online meeting link: https://meet.example.org/heating\\nSession \r\n"
        f" page: http://127.0.0.1:8000/sessions/{pk}/\r\n"
        "STATUS:CANCELLED\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def _feed_summaries(client, token) -> list[str]:
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    return re.findall(r"^SUMMARY:(.*)\r$", response.content.decode(), re.M)


def test_calendar_feed_holds_only_the_sessions_of_the_users_cohorts(client, programme):
    run_until(programme.cohort, datetime.date(2025, 4, 30))
    other_cohort = factories.CohortFactory(number=2)
    schedule(
        other_cohort,
        "Other cohort session",
        datetime.datetime(2024, 12, 6, 10, 0),
        datetime.datetime(2024, 12, 6, 11, 0),
    )
    schedule(
        programme.cohort,
        "Buildings: renovation",
        datetime.datetime(2025, 3, 30, 10, 0),
        datetime.datetime(2025, 3, 30, 11, 0),
    )
    officer_feed = services.calendar_feed_get_or_create(user=programme.officer)
    lead_feed = services.calendar_feed_get_or_create(user=programme.lead)
    stranger_feed = services.calendar_feed_get_or_create(user=factories.city_officer())

    assert _feed_summaries(client, officer_feed.token) == [
        "Energy: district heating",
        "Buildings: renovation",
    ]
    assert _feed_summaries(client, lead_feed.token) == [
        "Energy: district heating",
        "Buildings: renovation",
    ]
    assert _feed_summaries(client, stranger_feed.token) == []


def test_calendar_settings_reset_makes_the_old_address_404(client, programme):
    sign_in(client, programme.officer)
    page = client.get("/sessions/calendar/").content.decode()
    old = CalendarFeed.objects.get(user=programme.officer).token
    assert f'value="http://testserver/calendar/{old}.ics"' in page

    response = client.post("/sessions/calendar/")

    new = CalendarFeed.objects.get(user=programme.officer).token
    assert response.status_code == 302
    assert new != old
    client.logout()
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200


# --- After the session -------------------------------------------------------------------------


def test_session_outcome_saves_takeaways_and_requested_subtopics(client, programme, clock):
    clock.move_to(AFTER_HEATING)
    sign_in(client, programme.lead)

    response = client.post(
        f"/sessions/{programme.heating.pk}/outcome/",
        {
            "key_takeaways": "  Heat networks need a municipal utility.  ",
            "requested_subtopics": "Financing heat networks\nTariff design",
        },
    )

    programme.heating.refresh_from_db()
    assert response.status_code == 302
    assert (programme.heating.key_takeaways, programme.heating.requested_subtopics) == (
        "Heat networks need a municipal utility.",
        "Financing heat networks\nTariff design",
    )
    sign_in(client, programme.officer)
    page = client.get(f"/sessions/{programme.heating.pk}/").content.decode()
    section = re.search(
        r'<section[^>]*aria-labelledby="outcome-heading">(.*?)</section>', page, re.S
    )
    assert text(section.group(1)) == (
        "After the session Key takeaways Heat networks need a municipal utility. "
        "Sub-topics cities asked for Financing heat networks Tariff design"
    )


def test_session_outcome_by_an_officer_is_403(client, programme):
    sign_in(client, programme.officer)

    response = client.post(
        f"/sessions/{programme.heating.pk}/outcome/",
        {"key_takeaways": "Mine", "requested_subtopics": ""},
    )

    programme.heating.refresh_from_db()
    assert (response.status_code, programme.heating.key_takeaways) == (403, "")


# --- Cancelling: a second click, and a session that has started --------------------------------


def messages_of(page: str) -> list[str]:
    return [text(m) for m in re.findall(r'<p class="message [^"]*">(.*?)</p>', page, re.S)]


def test_session_cancel_a_second_time_shows_a_message_and_emails_no_one_again(
    client, programme, django_capture_on_commit_callbacks
):
    services.registrations_create(
        session=programme.heating,
        city=programme.city,
        people=[("Ana Silva", "ana@lisboa.pt")],
        acting_user=programme.officer,
    )
    sign_in(client, programme.lead)
    url = f"/sessions/{programme.heating.pk}/cancel/"
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, follow=True)
        second = client.post(url, follow=True)

    assert messages_of(first.content.decode()) == [
        "Session cancelled. Everyone registered is told by email."
    ]
    assert (second.redirect_chain, messages_of(second.content.decode())) == (
        [(f"/sessions/{programme.heating.pk}/", 302)],
        ["This session is already cancelled."],
    )
    assert [m.to for m in mail.outbox] == [["ana@lisboa.pt"]]


def test_session_cancel_once_it_has_started_shows_a_message_and_changes_nothing(
    client, programme, clock
):
    clock.move_to(datetime.datetime(2024, 12, 4, 9, 30, tzinfo=UTC))  # 10:30 in Brussels
    sign_in(client, programme.lead)

    page = client.get(f"/sessions/{programme.heating.pk}/").content.decode()
    response = client.post(f"/sessions/{programme.heating.pk}/cancel/", follow=True)

    programme.heating.refresh_from_db()
    assert "Cancel the session" not in page
    assert messages_of(response.content.decode()) == [
        "This session has started: it can no longer be cancelled."
    ]
    assert (programme.heating.status, mail.outbox) == (SessionStatus.SCHEDULED, [])


# --- Programme admins: states hold for them too -------------------------------------------------


def offered(page: str) -> list[str]:
    """The actions a session page offers: its buttons and button-styled links."""
    found = re.findall(
        r'<a class="button" href="[^"]*">(.*?)</a>|<button type="submit" class="secondary">(.*?)'
        r"</button>",
        page,
        re.S,
    )
    return [text(link or button) for link, button in found]


def _admin(programme, kind):
    if kind == "admin":
        return factories.UserFactory(is_programme_admin=True)
    # An admin who is also an officer of the enrolled city: offered "Register people" as an
    # officer, until the session starts.
    return factories.city_officer(city=programme.city, is_programme_admin=True)


@pytest.mark.parametrize(
    ("kind", "before_the_session"),
    [
        ("admin", ["Edit or move", "Cancel the session"]),
        ("admin and officer", ["Register people", "Edit or move", "Cancel the session"]),
    ],
)
def test_session_detail_admin_is_offered_cancel_and_registration_only_before_the_start(
    client, programme, clock, kind, before_the_session
):
    admin = _admin(programme, kind)
    url = f"/sessions/{programme.heating.pk}/"

    sign_in(client, admin)
    before = offered(client.get(url).content.decode())
    clock.move_to(datetime.datetime(2024, 12, 4, 9, 30, tzinfo=UTC))  # 10:30 in Brussels
    sign_in(client, admin)  # a month later: signed in again
    started = offered(client.get(url).content.decode())

    assert before == before_the_session
    assert started == ["Edit or move", "Record attendance", "Takeaways and sub-topics"]


def test_session_cancel_by_an_admin_once_it_has_started_shows_the_services_message(
    client, programme, clock
):
    clock.move_to(datetime.datetime(2024, 12, 4, 9, 30, tzinfo=UTC))  # 10:30 in Brussels
    sign_in(client, factories.UserFactory(is_programme_admin=True))

    response = client.post(f"/sessions/{programme.heating.pk}/cancel/", follow=True)

    programme.heating.refresh_from_db()
    assert messages_of(response.content.decode()) == [
        "This session has started: it can no longer be cancelled."
    ]
    assert (programme.heating.status, programme.heating.updated_by) == (
        SessionStatus.SCHEDULED,
        programme.lead,
    )


def test_session_register_by_an_admin_is_403(client, programme):
    """An admin is no city's officer: the page has no city to offer them."""
    sign_in(client, factories.UserFactory(is_programme_admin=True))
    url = f"/sessions/{programme.heating.pk}/register/"

    responses = [
        client.get(url).status_code,
        client.post(url, people_data(programme.city, ("Ana", "ana@lisboa.pt"))).status_code,
    ]

    assert (responses, Registration.objects.count()) == ([403, 403], 0)


def test_session_register_by_an_admin_officer_once_it_has_started_registers_no_one(
    client, programme, clock
):
    clock.move_to(datetime.datetime(2024, 12, 4, 9, 30, tzinfo=UTC))  # 10:30 in Brussels
    sign_in(client, _admin(programme, "admin and officer"))

    response = client.post(
        f"/sessions/{programme.heating.pk}/register/",
        people_data(programme.city, ("Ana Silva", "ana@lisboa.pt")),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="people-0-email"' not in page
    assert "Registration is closed for this session." in page
    assert Registration.objects.count() == 0


# --- A permission is asked once: by the service, or by the page when it only shows a form ------


def test_session_edit_posted_with_errors_by_an_officer_is_403(client, programme):
    """Invalid input never reaches the service: the page asks who may before showing the form
    again with its errors."""
    sign_in(client, programme.officer)

    response = client.post(f"/sessions/{programme.heating.pk}/edit/", session_data(title=""))

    programme.heating.refresh_from_db()
    assert (response.status_code, programme.heating.title) == (403, "Energy: district heating")


def test_session_create_posted_with_errors_by_an_officer_is_404(client, programme):
    sign_in(client, programme.officer)

    response = client.post(f"/sessions/new/?cohort={programme.cohort.pk}", session_data(title=""))

    assert (response.status_code, Session.objects.count()) == (404, 1)


def test_session_outcome_posted_with_errors_by_an_officer_is_403(client, programme):
    sign_in(client, programme.officer)

    response = client.post(
        f"/sessions/{programme.heating.pk}/outcome/",
        {"key_takeaways": "x" * 10_001, "requested_subtopics": ""},
    )

    assert response.status_code == 403


def test_session_attendance_posted_with_errors_by_an_officer_is_403(client, programme, clock):
    clock.move_to(AFTER_HEATING)
    sign_in(client, programme.officer)

    response = client.post(
        f"/sessions/{programme.heating.pk}/attendance/",
        {
            "walk_ins-TOTAL_FORMS": "1",
            "walk_ins-INITIAL_FORMS": "0",
            "walk_ins-0-full_name": "Rui Costa",
            "walk_ins-0-email": "not an address",
        },
    )

    assert (response.status_code, Registration.objects.count()) == (403, 0)


def test_session_pages_record_who_scheduled_and_who_changed_the_session(client, programme):
    admin = factories.UserFactory(is_programme_admin=True)
    sign_in(client, admin)

    created = client.post(
        f"/sessions/new/?cohort={programme.cohort.pk}",
        session_data(starts_at="2024-12-05T11:00", ends_at="2024-12-05T12:30"),
    )
    sign_in(client, programme.lead)
    session = Session.objects.get(title="Mobility: low-emission zones")
    cancelled = client.post(f"/sessions/{session.pk}/cancel/")

    session.refresh_from_db()
    assert (created.status_code, cancelled.status_code) == (302, 302)
    assert (session.status, session.created_by, session.updated_by) == (
        SessionStatus.CANCELLED,
        admin,
        programme.lead,
    )


# --- Query counts ------------------------------------------------------------------------------


def _queries(client, url) -> tuple[int, str]:
    # Drawn afresh each time, so that both counts include what the cache keeps (the cached
    # parts, the person's sessions: sessions.selectors.session_access_of).
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def _add_presenters_and_facilitators(programme, count):
    """`count` presenting Mission Cities with three climate actions each, and `count` named
    facilitators (sessions list at most three presenters; the page must not depend on it)."""
    energy = programme.actions[0].sector
    for index in range(count):
        city = factories.CityFactory(name=f"Mission {index:02d}", is_mission_city=True)
        actions = [
            city.climate_actions.create(title=f"Action {n}", sector=energy) for n in range(3)
        ]
        presentation = programme.heating.presentations.create(city=city, position=index)
        presentation.climate_actions.set(actions)
        programme.heating.facilitators.add(factories.UserFactory(is_facilitator=True))


def test_session_detail_query_count_does_not_grow(client, programme):
    sign_in(client, programme.officer)
    _register_many(programme, 1)
    _add_presenters_and_facilitators(programme, 1)
    url = f"/sessions/{programme.heating.pk}/"
    one, page_one = _queries(client, url)

    Registration.objects.all().delete()
    programme.heating.presentations.all().delete()
    _register_many(programme, 25)
    _add_presenters_and_facilitators(programme, 10)
    many, page_many = _queries(client, url)

    rows = [
        (page.count("<li data-registration="), page.count("<li data-presentation="))
        for page in (page_one, page_many)
    ]
    assert rows == [(1, 1), (25, 10)]
    assert many == one


def test_session_register_page_query_count_does_not_grow(client, programme):
    sign_in(client, programme.officer)
    _register_many(programme, 1)
    url = f"/sessions/{programme.heating.pk}/register/"
    one, page_one = _queries(client, url)

    Registration.objects.all().delete()
    _register_many(programme, 25)
    many, page_many = _queries(client, url)

    assert (
        page_one.count("<li data-registration="),
        page_many.count("<li data-registration="),
    ) == (
        1,
        25,
    )
    assert many == one


def test_calendar_feed_query_count_does_not_grow(client, programme):
    services.session_set_presentations(
        session=programme.heating,
        presentations=[(programme.mission_city, [programme.actions[0].pk])],
        acting_user=programme.lead,
    )
    feed = services.calendar_feed_get_or_create(user=programme.officer)
    url = f"/calendar/{feed.token}.ics"
    one, body_one = _queries(client, url)

    for day in range(5, 25):
        session = schedule(
            programme.cohort,
            f"Session {day}",
            datetime.datetime(2024, 12, day, 10, 0),
            datetime.datetime(2024, 12, day, 11, 0),
            facilitators=[programme.lead],
        )
        services.session_set_presentations(
            session=session,
            presentations=[(programme.mission_city, [a.pk for a in programme.actions[:3]])],
            acting_user=programme.lead,
        )
    many, body_many = _queries(client, url)

    assert (body_one.count("BEGIN:VEVENT"), body_many.count("BEGIN:VEVENT")) == (1, 21)
    assert many == one


# --- Facilitators are searched for, not listed -------------------------------------------------


def _facilitator_options(page: str) -> list[tuple[str, str, bool]]:
    select = re.search(r'<select name="facilitators"[^>]*>(.*?)</select>', page, re.S)
    assert select, "no facilitators select in the page"
    return [
        (value, label, bool(selected))
        for value, selected, label in re.findall(
            r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select.group(1)
        )
    ]


def test_session_create_page_lists_no_facilitators_however_many_there_are(client, programme):
    sign_in(client, programme.lead)
    url = f"/sessions/new/?cohort={programme.cohort.pk}"

    def page():
        cache.clear()  # drawn afresh: the cached parts read nothing (test_caching.py)
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url).content.decode()
        # The CSRF token is new on each request.
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body), len(queries)

    one = page()
    factories.UserFactory.create_batch(40, is_facilitator=True, full_name="Fay Facilitator")
    many = page()

    assert many == one
    assert "Fay Facilitator" not in many[0]
    assert _facilitator_options(many[0]) == []
    assert 'data-search-url="/accounts/facilitators/search/"' in many[0]


def test_session_edit_page_shows_only_the_sessions_facilitators(client, programme):
    factories.UserFactory(is_facilitator=True, full_name="Fay Facilitator")
    sign_in(client, programme.lead)

    page = client.get(f"/sessions/{programme.heating.pk}/edit/").content.decode()

    assert _facilitator_options(page) == [(str(programme.lead.pk), "Lea Lead", True)]


def test_session_edit_keeps_a_facilitator_who_is_no_longer_active(client, programme):
    programme.lead.is_active = False
    programme.lead.save()
    admin = factories.UserFactory(is_programme_admin=True)
    sign_in(client, admin)

    page = client.get(f"/sessions/{programme.heating.pk}/edit/").content.decode()

    assert _facilitator_options(page) == [(str(programme.lead.pk), "Lea Lead", True)]


# --- Within the cohort's dates ------------------------------------------------------------------

OUTSIDE_COHORT_MESSAGE = (
    "Online Discussion Groups cohort 1 runs from 1 September 2024 to 28 February 2025: "
    "choose a date in that time."
)


def test_session_create_outside_the_cohort_dates_shows_the_dates_at_the_date_field(
    client, programme
):
    sign_in(client, programme.lead)

    response = client.post(
        f"/sessions/new/?cohort={programme.cohort.pk}",
        session_data(starts_at="2025-03-04T10:00", ends_at="2025-03-04T11:00"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"starts_at": [OUTSIDE_COHORT_MESSAGE]}
    assert not Session.objects.filter(title="Mobility: low-emission zones").exists()


def test_session_edit_outside_the_cohort_dates_shows_the_dates_at_the_date_field(client, programme):
    sign_in(client, programme.lead)

    response = client.post(
        f"/sessions/{programme.heating.pk}/edit/",
        session_data(
            title="Energy: district heating",
            starts_at="2024-08-20T10:00",
            ends_at="2024-08-20T11:00",
            facilitators=[programme.lead.pk],
        ),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"starts_at": [OUTSIDE_COHORT_MESSAGE]}
    programme.heating.refresh_from_db()
    assert programme.heating.starts_at == datetime.datetime(2024, 12, 4, 9, 0, tzinfo=UTC)
