"""/api/v1/sessions/ and /api/v1/registrations/: visibility, filters, exact payloads, attendance,
and a fixed number of queries for the session list."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cohorts.enums import EnrolmentStatus
from sessions import services
from sessions.enums import SessionKind
from sessions.models import Registration
from tests import factories
from tests.sessions.conftest import AFTER_HEATING, enrol, schedule


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["results"]]


def test_session_list_officer_sees_only_their_cohorts_sessions(client, programme):
    other = factories.CohortFactory(number=2)
    schedule(
        other,
        "Other cohort",
        datetime.datetime(2024, 12, 4, 10, 0),
        datetime.datetime(2024, 12, 4, 11, 0),
    )
    client.force_login(programme.officer)

    assert titles(client.get("/api/v1/sessions/")) == ["Energy: district heating"]


def test_session_detail_of_another_cohort_is_404(client, programme):
    other = schedule(
        factories.CohortFactory(number=2),
        "Other cohort",
        datetime.datetime(2024, 12, 4, 10, 0),
        datetime.datetime(2024, 12, 4, 11, 0),
    )
    client.force_login(programme.officer)

    assert client.get(f"/api/v1/sessions/{other.pk}/").status_code == 404


def test_session_detail_payload_is_exact(client, programme):
    services.session_set_presentations(
        session=programme.heating,
        presentations=[(programme.mission_city, [programme.actions[1].pk], "Heat")],
        acting_user=programme.lead,
    )
    client.force_login(programme.officer)

    response = client.get(f"/api/v1/sessions/{programme.heating.pk}/")

    assert response.json() == {
        "id": programme.heating.pk,
        "cohort": programme.cohort.pk,
        "phase": None,
        "thematic_group": None,
        "kind": "thematic",
        "title": "Energy: district heating",
        "starts_at": "2024-12-04T10:00:00+01:00",
        "ends_at": "2024-12-04T11:30:00+01:00",
        "time_zone": "Europe/Brussels",
        "status": "scheduled",
        "meeting_url": "https://meet.example.org/heating",
        "agenda": "",
        "guiding_questions": "",
        "key_takeaways": "",
        "requested_subtopics": "",
        "facilitators": [programme.lead.pk],
        "presentations": [
            {
                "city": {"id": programme.mission_city.pk, "name": "Mannheim"},
                "topics": "Heat",
                "climate_actions": [{"id": programme.actions[1].pk, "title": "District heating"}],
            }
        ],
        "counts": {
            "registered": 0,
            "attended": 0,
            "no_shows": 0,
            "walk_ins": 0,
            "attendance_rate": None,
            "reported": None,
            "is_reported": False,
        },
    }


def test_session_list_filters(client, programme):
    schedule(
        programme.cohort,
        "Recap",
        datetime.datetime(2025, 2, 1, 10, 0),
        datetime.datetime(2025, 2, 1, 11, 0),
        kind=SessionKind.RECAP,
    )
    schedule(
        factories.CohortFactory(number=2),
        "Other cohort",
        datetime.datetime(2024, 12, 4, 10, 0),
        datetime.datetime(2024, 12, 4, 11, 0),
    )
    client.force_login(factories.UserFactory(is_programme_admin=True))

    assert titles(client.get("/api/v1/sessions/", {"cohort": programme.cohort.pk})) == [
        "Energy: district heating",
        "Recap",
    ]
    assert titles(client.get("/api/v1/sessions/", {"kind": "recap"})) == ["Recap"]
    assert titles(client.get("/api/v1/sessions/", {"starts_after": "2025-01-01T00:00:00Z"})) == [
        "Recap"
    ]
    assert titles(client.get("/api/v1/sessions/", {"starts_before": "2025-01-01T00:00:00Z"})) == [
        "Energy: district heating",
        "Other cohort",
    ]


def _list_queries(client, user) -> tuple[int, int]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/sessions/")
    assert response.status_code == 200
    return len(queries), response.json()["count"]


def test_session_list_query_count_does_not_grow(client, programme):
    services.session_set_presentations(
        session=programme.heating,
        presentations=[(programme.mission_city, [programme.actions[0].pk])],
        acting_user=programme.lead,
    )
    one, count_one = _list_queries(client, programme.officer)

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
        services.registration_create(
            session=session,
            city=programme.city,
            full_name="Ana",
            email=f"ana{day}@lisboa.pt",
            acting_user=programme.officer,
        )
    many, count_many = _list_queries(client, programme.officer)

    assert (count_one, count_many) == (1, 21)
    assert many == one


# --- Registrations -----------------------------------------------------------------------------


def test_registration_create_by_an_officer(client, programme):
    client.force_login(programme.officer)

    response = client.post(
        "/api/v1/registrations/",
        {
            "session": programme.heating.pk,
            "city": programme.city.pk,
            "full_name": "Rui Costa",
            "email": "Rui@Lisboa.pt",
        },
        content_type="application/json",
    )

    registration = Registration.objects.get()
    assert (response.status_code, response.json()) == (
        201,
        {
            "id": registration.pk,
            "session": programme.heating.pk,
            "city": programme.city.pk,
            "full_name": "Rui Costa",
            "email": "rui@lisboa.pt",
            "is_walk_in": False,
            "attendance": "",
        },
    )


def test_registration_create_twice_answers_the_services_message(client, programme):
    client.force_login(programme.officer)
    body = {
        "session": programme.heating.pk,
        "city": programme.city.pk,
        "full_name": "Rui Costa",
        "email": "rui@lisboa.pt",
    }
    client.post("/api/v1/registrations/", body, content_type="application/json")

    response = client.post("/api/v1/registrations/", body, content_type="application/json")

    assert (response.status_code, response.json()) == (
        400,
        {
            "error": {
                "status": 400,
                "code": "duplicate",
                "message": "rui@lisboa.pt is already registered for this session.",
                "fields": {"email": ["rui@lisboa.pt is already registered for this session."]},
            }
        },
    )


def test_registration_create_for_a_session_not_visible_is_refused(client, programme):
    stranger = factories.city_officer()
    client.force_login(stranger)

    response = client.post(
        "/api/v1/registrations/",
        {
            "session": programme.heating.pk,
            "city": stranger.cities.get().pk,
            "full_name": "Bea",
            "email": "bea@example.org",
        },
        content_type="application/json",
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["session"]
    assert Registration.objects.count() == 0


def test_registration_list_officer_sees_own_city_facilitator_sees_all(client, programme):
    services.registration_create(
        session=programme.heating,
        city=programme.city,
        full_name="Ana",
        email="ana@lisboa.pt",
        acting_user=programme.officer,
    )
    porto = factories.CityFactory(name="Porto")
    enrol(programme.cohort, porto)
    porto_officer = factories.city_officer(city=porto)
    services.registration_create(
        session=programme.heating,
        city=porto,
        full_name="Pia",
        email="pia@porto.pt",
        acting_user=porto_officer,
    )

    client.force_login(programme.officer)
    officer_rows = client.get("/api/v1/registrations/").json()["results"]
    client.force_login(programme.lead)
    lead_rows = client.get("/api/v1/registrations/").json()["results"]

    assert [r["email"] for r in officer_rows] == ["ana@lisboa.pt"]
    assert [r["email"] for r in lead_rows] == ["ana@lisboa.pt", "pia@porto.pt"]


def test_registration_delete_by_the_officer(client, programme):
    registration = services.registration_create(
        session=programme.heating,
        city=programme.city,
        full_name="Ana",
        email="ana@lisboa.pt",
        acting_user=programme.officer,
    )
    client.force_login(programme.officer)

    response = client.delete(f"/api/v1/registrations/{registration.pk}/")

    assert response.status_code == 204
    assert Registration.objects.count() == 0


# --- Attendance --------------------------------------------------------------------------------


def test_attendance_action_records_and_answers_the_counts(client, programme, clock):
    ana, rui = services.registrations_create(
        session=programme.heating,
        city=programme.city,
        people=[("Ana", "ana@lisboa.pt"), ("Rui", "rui@lisboa.pt")],
        acting_user=programme.officer,
    )
    clock.move_to(AFTER_HEATING)
    client.force_login(programme.lead)

    response = client.post(
        f"/api/v1/sessions/{programme.heating.pk}/attendance/",
        {
            "marks": [
                {"registration": ana.pk, "attendance": "attended"},
                {"registration": rui.pk, "attendance": "no_show"},
            ],
            "walk_ins": [{"full_name": "Walk In", "email": "walk@in.eu"}],
        },
        content_type="application/json",
    )

    walk_in = Registration.objects.get(is_walk_in=True)
    assert response.status_code == 200
    assert response.json() == {
        "counts": {
            "registered": 2,
            "attended": 1,
            "no_shows": 1,
            "walk_ins": 1,
            "attendance_rate": 0.5,
            "reported": None,
            "is_reported": False,
        },
        "registrations": [
            {
                "id": ana.pk,
                "full_name": "Ana",
                "email": "ana@lisboa.pt",
                "city": programme.city.pk,
                "is_walk_in": False,
                "attendance": "attended",
            },
            {
                "id": rui.pk,
                "full_name": "Rui",
                "email": "rui@lisboa.pt",
                "city": programme.city.pk,
                "is_walk_in": False,
                "attendance": "no_show",
            },
            {
                "id": walk_in.pk,
                "full_name": "Walk In",
                "email": "walk@in.eu",
                "city": None,
                "is_walk_in": True,
                "attendance": "attended",
            },
        ],
    }


@pytest.mark.parametrize("method", ["get", "post"])
def test_attendance_action_by_an_officer_is_403(client, programme, clock, method):
    clock.move_to(AFTER_HEATING)
    client.force_login(programme.officer)

    response = getattr(client, method)(
        f"/api/v1/sessions/{programme.heating.pk}/attendance/", content_type="application/json"
    )

    assert response.status_code == 403


def test_attendance_action_posted_with_errors_by_an_officer_is_403_not_400(
    client, programme, clock
):
    """Invalid data never reaches the service: who may record attendance is asked before the
    caller is told what is wrong with it."""
    clock.move_to(AFTER_HEATING)
    client.force_login(programme.officer)

    response = client.post(
        f"/api/v1/sessions/{programme.heating.pk}/attendance/",
        {"walk_ins": [{"full_name": "Rui Costa", "email": "not an address"}]},
        content_type="application/json",
    )

    assert (response.status_code, Registration.objects.count()) == (403, 0)


# --- Out-of-range ids and cities outside the cohort ---------------------------------------------

HUGE_ID = "99999999999999999999999"


def _invalid(field_errors: dict) -> dict:
    return {
        "error": {
            "status": 400,
            "code": "invalid",
            "message": "Some of the data is not valid.",
            "fields": field_errors,
        }
    }


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/sessions/", "cohort"),
        ("/api/v1/sessions/", "thematic_group"),
        ("/api/v1/registrations/", "session"),
        ("/api/v1/registrations/", "city"),
    ],
)
def test_list_filter_with_an_id_beyond_64_bits_is_400(client, programme, url, field):
    client.force_login(factories.UserFactory(is_programme_admin=True))

    response = client.get(url, {field: HUGE_ID})

    assert (response.status_code, response.json()) == (
        400,
        _invalid({field: ["Ensure this value is less than or equal to 9223372036854775807."]}),
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [("0", "Ensure this value is greater than or equal to 1."), ("1.5", "Enter a whole number.")],
)
def test_list_filter_with_an_id_that_is_not_a_positive_whole_number_is_400(
    client, programme, value, message
):
    client.force_login(programme.officer)

    response = client.get("/api/v1/sessions/", {"cohort": value})

    assert (response.status_code, response.json()) == (400, _invalid({"cohort": [message]}))


def test_attendance_action_mark_with_an_id_beyond_64_bits_is_400(client, programme, clock):
    clock.move_to(AFTER_HEATING)
    client.force_login(programme.lead)

    response = client.post(
        f"/api/v1/sessions/{programme.heating.pk}/attendance/",
        {"marks": [{"registration": HUGE_ID, "attendance": "attended"}]},
        content_type="application/json",
    )

    assert (response.status_code, response.json()) == (
        400,
        _invalid(
            {
                "marks": {
                    "0": {
                        "registration": [
                            "Ensure this value is less than or equal to 9223372036854775807."
                        ]
                    }
                }
            }
        ),
    )


def test_attendance_action_walk_in_from_a_city_not_enrolled_is_400(client, programme, clock):
    braga = factories.CityFactory(name="Braga")
    enrol(programme.cohort, braga, status=EnrolmentStatus.REQUESTED)
    clock.move_to(AFTER_HEATING)
    client.force_login(programme.lead)

    response = client.post(
        f"/api/v1/sessions/{programme.heating.pk}/attendance/",
        {
            "walk_ins": [
                {"full_name": "Rui", "email": "rui@lisboa.pt", "city": programme.city.pk},
                {"full_name": "Bruno", "email": "bruno@braga.pt", "city": braga.pk},
            ]
        },
        content_type="application/json",
    )

    assert (response.status_code, response.json()) == (
        400,
        _invalid(
            {"walk_ins": {"1": {"city": [f'Invalid pk "{braga.pk}" - object does not exist.']}}}
        ),
    )
    assert Registration.objects.count() == 0


def test_attendance_action_walk_in_from_an_enrolled_city(client, programme, clock):
    clock.move_to(AFTER_HEATING)
    client.force_login(programme.lead)

    response = client.post(
        f"/api/v1/sessions/{programme.heating.pk}/attendance/",
        {"walk_ins": [{"full_name": "Rui", "email": "rui@lisboa.pt", "city": programme.city.pk}]},
        content_type="application/json",
    )

    walk_in = Registration.objects.get()
    assert response.status_code == 200
    assert response.json()["registrations"] == [
        {
            "id": walk_in.pk,
            "full_name": "Rui",
            "email": "rui@lisboa.pt",
            "city": programme.city.pk,
            "is_walk_in": True,
            "attendance": "attended",
        }
    ]


def test_registration_delete_of_a_cancelled_session_is_400(client, programme):
    registration = services.registration_create(
        session=programme.heating,
        city=programme.city,
        full_name="Ana",
        email="ana@lisboa.pt",
        acting_user=programme.officer,
    )
    services.session_cancel(session=programme.heating, acting_user=programme.lead)
    client.force_login(programme.officer)

    response = client.delete(f"/api/v1/registrations/{registration.pk}/")

    assert (response.status_code, response.json()) == (
        400,
        {
            "error": {
                "status": 400,
                "code": "cancelled",
                "message": "This session was cancelled: its list of registered people is kept.",
            }
        },
    )
    assert Registration.objects.count() == 1


# --- Query counts ------------------------------------------------------------------------------


def _registration_list_queries(client, user) -> tuple[int, int]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/registrations/")
    assert response.status_code == 200
    return len(queries), response.json()["count"]


@pytest.mark.parametrize("viewer", ["officer", "lead"])
def test_registration_list_query_count_does_not_grow(client, programme, viewer):
    user = getattr(programme, viewer)
    services.registration_create(
        session=programme.heating,
        city=programme.city,
        full_name="Ana",
        email="ana@lisboa.pt",
        acting_user=programme.officer,
    )
    one, count_one = _registration_list_queries(client, user)

    for day in range(5, 15):
        session = schedule(
            programme.cohort,
            f"Session {day}",
            datetime.datetime(2024, 12, day, 10, 0),
            datetime.datetime(2024, 12, day, 11, 0),
        )
        services.registrations_create(
            session=session,
            city=programme.city,
            people=[("Ana", f"ana{day}@lisboa.pt"), ("Rui", f"rui{day}@lisboa.pt")],
            acting_user=programme.officer,
        )
    many, count_many = _registration_list_queries(client, user)

    assert (count_one, count_many) == (1, 21)
    assert many == one
