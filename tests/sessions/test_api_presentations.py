"""/api/v1/session-presentations/: who sees which, the exact rows, the filters, and a fixed
number of queries for the list."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sessions import services
from tests import factories
from tests.queries import session_queries
from tests.sessions.conftest import schedule


def _present(programme, session, *actions, topics="", by=None):
    services.session_set_presentations(
        session=session,
        presentations=[(programme.mission_city, [a.pk for a in actions], topics)],
        acting_user=by or programme.lead,
    )
    return session.presentations.get()


def _other_cohort_session(programme):
    """A session of another cohort, in which the same Mission City presents."""
    other = schedule(
        factories.CohortFactory(number=2),
        "Other cohort",
        datetime.datetime(2024, 12, 4, 10, 0),
        datetime.datetime(2024, 12, 4, 11, 0),
    )
    admin = factories.UserFactory(is_programme_admin=True)
    return _present(programme, other, programme.actions[0], by=admin)


def test_presentation_list_and_detail_are_exact(client, programme):
    presentation = _present(
        programme, programme.heating, programme.actions[2], programme.actions[1], topics="Heat"
    )
    client.force_login(programme.officer)

    listed = client.get("/api/v1/session-presentations/")
    detail = client.get(f"/api/v1/session-presentations/{presentation.pk}/")

    row = {
        "id": presentation.pk,
        "session": programme.heating.pk,
        "session_title": "Energy: district heating",
        "cohort": programme.cohort.pk,
        "starts_at": "2024-12-04T10:00:00+01:00",
        "position": 0,
        "city": {"id": programme.mission_city.pk, "name": "Mannheim", "country": "DE"},
        "topics": "Heat",
        # By title, as the session page lists them.
        "climate_actions": [
            {"id": programme.actions[1].pk, "title": "District heating"},
            {"id": programme.actions[2].pk, "title": "Heat pumps"},
        ],
    }
    assert (listed.status_code, listed.json()) == (
        200,
        {"count": 1, "next": None, "previous": None, "results": [row]},
    )
    assert (detail.status_code, detail.json()) == (200, row)


def test_presentation_of_another_cohorts_session_is_hidden_from_an_officer(client, programme):
    _present(programme, programme.heating, programme.actions[0])
    elsewhere = _other_cohort_session(programme)
    client.force_login(programme.officer)

    listed = client.get("/api/v1/session-presentations/").json()["results"]

    assert [row["session_title"] for row in listed] == ["Energy: district heating"]
    assert client.get(f"/api/v1/session-presentations/{elsewhere.pk}/").status_code == 404


def test_presentation_list_of_an_admin_has_every_cohort(client, programme):
    _present(programme, programme.heating, programme.actions[0])
    _other_cohort_session(programme)
    client.force_login(factories.UserFactory(is_programme_admin=True))

    listed = client.get("/api/v1/session-presentations/").json()["results"]

    assert sorted(row["session_title"] for row in listed) == [
        "Energy: district heating",
        "Other cohort",
    ]


def test_presentation_list_anonymous_is_401_in_the_error_shape(client, programme):
    response = client.get("/api/v1/session-presentations/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_presentation_filters(client, programme):
    heating = _present(programme, programme.heating, programme.actions[1])
    later = schedule(
        programme.cohort,
        "Energy: solar",
        datetime.datetime(2024, 12, 11, 10, 0),
        datetime.datetime(2024, 12, 11, 11, 0),
        by=programme.lead,
    )
    solar = _present(programme, later, programme.actions[3])
    client.force_login(programme.lead)

    def ids(query):
        response = client.get(f"/api/v1/session-presentations/?{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids(f"session={later.pk}") == [solar.pk]
    assert ids(f"climate_action={programme.actions[1].pk}") == [heating.pk]
    assert ids(f"city={programme.mission_city.pk}") == [heating.pk, solar.pk]
    assert ids(f"city={programme.city.pk}") == []
    assert ids(f"cohort={programme.cohort.pk}&ordering=-session__starts_at") == [
        solar.pk,
        heating.pk,
    ]
    assert ids("starts_after=2024-12-10T00:00:00Z") == [solar.pk]
    assert ids("search=solar") == [solar.pk]


def test_presentation_filter_refuses_a_bad_id_in_the_error_shape(client, programme):
    client.force_login(programme.lead)

    response = client.get("/api/v1/session-presentations/?session=0")

    assert (response.status_code, response.json()) == (
        400,
        {
            "error": {
                "status": 400,
                "code": "invalid",
                "message": "Some of the data is not valid.",
                "fields": {"session": ["Ensure this value is greater than or equal to 1."]},
            }
        },
    )


def _list_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/session-presentations/")
    assert response.status_code == 200
    return len(queries)


def test_presentation_list_query_count_does_not_grow(client, programme):
    _present(programme, programme.heating, programme.actions[0])
    one = _list_queries(client, programme.officer)
    for day in range(5, 25):
        session = schedule(
            programme.cohort,
            f"Session {day}",
            datetime.datetime(2024, 12, day, 10, 0),
            datetime.datetime(2024, 12, day, 11, 0),
            by=programme.lead,
        )
        _present(programme, session, *programme.actions[:3])
    many = _list_queries(client, programme.officer)

    # The session (maybe), the person, the data versions of the cached list, the count, the
    # page of presentations with their sessions and cities, their climate actions.
    assert one == many == session_queries() + 5
    assert client.get("/api/v1/session-presentations/").json()["count"] == 21
