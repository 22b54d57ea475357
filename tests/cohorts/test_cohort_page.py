"""The cohort page as its participants (officers of an enrolled city) and its facilitators see
it: the session programme put on it by the sessions app (the cohort_page_parts hook), the
actions on each session, each person's own cached version, and the queries it costs."""

import datetime
import re

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cohorts import services
from cohorts.models import Enrolment, EnrolmentGroup
from sessions import services as session_services
from sessions.models import Registration, Session
from tests import factories
from tests.cohorts.helpers import group, table_rows, text
from tests.portal_pages.helpers import sign_in
from tests.queries import keep_facts_of, session_queries

UTC = datetime.UTC


def at(month, day, hour=14):
    return datetime.datetime(2024, month, day, hour, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(at(10, 1, 12), tick=False) as traveller:
        yield traveller


@pytest.fixture
def enrolled(cohort, lead, lisbon):
    """Lisbon enrolled in Energy; Espoo in Sustainable mobility, with a need written; Braga
    still asking."""
    services.enrolment_create_direct(
        cohort=cohort, city=lisbon, acting_user=lead, groups=[(group(cohort, "energy"), "")]
    )
    espoo = factories.CityFactory(name="Espoo", country=factories.CountryFactory(iso_code="FI"))
    services.enrolment_create_direct(
        cohort=cohort,
        city=espoo,
        acting_user=lead,
        groups=[(group(cohort, "sustainable-mobility"), "Espoo wants bus lanes")],
    )
    braga = factories.CityFactory(name="Braga")
    asked_by = factories.city_officer(city=braga, email="bruno@braga.pt")
    Enrolment.objects.create(cohort=cohort, city=braga, status="requested", requested_by=asked_by)
    return {"espoo": espoo, "braga": braga}


@pytest.fixture
def programme(cohort):
    """A past session, an upcoming one, and an upcoming one cancelled."""
    return {
        "past": factories.SessionFactory(
            cohort=cohort,
            title="Onboarding",
            kind="onboarding",
            starts_at=at(9, 10),
            ends_at=at(9, 10, 15),
        ),
        "upcoming": factories.SessionFactory(
            cohort=cohort,
            title="Energy communities",
            thematic_group=group(cohort, "energy"),
            starts_at=at(10, 20),
            ends_at=at(10, 20, 15),
        ),
        "cancelled": factories.SessionFactory(
            cohort=cohort,
            title="Bus lanes",
            thematic_group=group(cohort, "sustainable-mobility"),
            starts_at=at(11, 5),
            ends_at=at(11, 5, 15),
            status="cancelled",
        ),
    }


def _html(client, cohort) -> str:
    response = client.get(f"/cohorts/{cohort.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _without_tokens(html: str) -> str:
    """The page without its CSRF tokens, which are new on every request."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def _section(html, name) -> str:
    return text(re.search(rf'data-section="{name}">(.*?)</section>', html, re.S).group(1))


def test_officer_sees_the_programme_groups_sessions_and_their_own_city(
    client, cohort, enrolled, programme, lisbon, lisbon_officer
):
    sign_in(client, lisbon_officer)

    html = _html(client, cohort)

    assert "Thematic online discussions: 16 October 2024 to 29 November 2024" in text(html)
    assert text(re.search(r'data-list="groups">(.*?)</ul>', html, re.S).group(1)) == (
        "Energy : Gus Group Sustainable mobility : no facilitator yet"
    )
    assert _section(html, "own-cities") == (
        "Your city in this cohort Lisbon Enrolled · Thematic groups: Energy"
        " · Reflection Roadmap: Not started"
    )
    assert f'href="/cities/{lisbon.pk}/"' in html
    roadmap = lisbon.roadmaps.get(cohort=cohort)
    assert f'href="/roadmaps/{roadmap.pk}/"' in html
    assert table_rows(html, "sessions-upcoming") == [
        "Energy communities 20 October 2024, 16:00\u201317:00 Thematic discussion Energy",
        "Bus lanes Cancelled 5 November 2024, 15:00\u201316:00 Thematic discussion"
        " Sustainable mobility",
    ]
    assert table_rows(html, "sessions-past") == [
        "Onboarding 10 September 2024, 16:00\u201317:00 Onboarding —"
    ]
    for session in programme.values():
        assert f'href="/sessions/{session.pk}/"' in html
    # Nothing of the facilitator's page: no actions, no scheduling, no other cities.
    for absent in (
        "/edit/",
        "/attendance/",
        "/outcome/",
        "/cancel/",
        "/sessions/new/",
        "/enrolments/",
        "/roadmaps/cohort/",
        'data-table="cities"',
    ):
        assert absent not in html, absent


def test_officer_of_one_city_sees_nothing_of_another_citys(
    client, cohort, enrolled, programme, lisbon, lisbon_officer
):
    espoo, braga = enrolled["espoo"], enrolled["braga"]
    Registration.objects.create(
        session=programme["past"], city=espoo, full_name="Eeva", email="eeva@espoo.fi"
    )
    sign_in(client, lisbon_officer)

    html = _html(client, cohort)

    # Espoo's name (and so its needs), its registered person, Braga's request and who made it.
    for private in ("Espoo", "eeva", "Braga", "bruno@braga.pt", "Requested"):
        assert private.lower() not in html.lower(), private
    for city in (espoo, braga):
        assert f"/cities/{city.pk}/" not in html
    espoo_roadmap = espoo.roadmaps.get(cohort=cohort)
    assert f"/roadmaps/{espoo_roadmap.pk}/" not in html


def test_officer_whose_city_only_asked_or_is_elsewhere_gets_404(client, cohort, enrolled):
    for officer in (
        factories.city_officer(city=enrolled["braga"]),
        factories.city_officer(city=factories.CityFactory(name="Oslo")),
    ):
        sign_in(client, officer)
        assert client.get(f"/cohorts/{cohort.pk}/").status_code == 404


def test_officer_with_two_cities_sees_each_and_a_waiting_request_as_such(
    client, cohort, enrolled, lisbon, lisbon_officer
):
    lisbon_officer.city_memberships.create(city=enrolled["braga"])
    sign_in(client, lisbon_officer)

    assert _section(_html(client, cohort), "own-cities") == (
        "Your cities in this cohort Braga Requested · Thematic groups: —"
        " Lisbon Enrolled · Thematic groups: Energy · Reflection Roadmap: Not started"
    )


def test_facilitator_sees_each_session_with_the_actions_it_allows_and_schedules(
    client, cohort, enrolled, programme, lead
):
    sign_in(client, lead)

    html = _html(client, cohort)

    assert f'href="/sessions/new/?cohort={cohort.pk}"' in html
    assert "Schedule a session" in html
    upcoming, past, cancelled = programme["upcoming"], programme["past"], programme["cancelled"]
    assert table_rows(html, "sessions-upcoming") == [
        "Energy communities 20 October 2024, 16:00\u201317:00 Thematic discussion Energy"
        " Edit Energy communities Cancel Energy communities",
        "Bus lanes Cancelled 5 November 2024, 15:00\u201316:00 Thematic discussion"
        " Sustainable mobility",
    ]
    assert table_rows(html, "sessions-past") == [
        "Onboarding 10 September 2024, 16:00\u201317:00 Onboarding —"
        " Edit Onboarding Attendance of Onboarding Takeaways of Onboarding"
    ]
    assert f'href="/sessions/{upcoming.pk}/edit/"' in html
    assert f'action="/sessions/{upcoming.pk}/cancel/"' in html
    assert f'href="/sessions/{past.pk}/attendance/"' in html
    assert f'href="/sessions/{past.pk}/outcome/"' in html
    for absent in (
        f"/sessions/{past.pk}/cancel/",
        f"/sessions/{cancelled.pk}/edit/",
        f"/sessions/{cancelled.pk}/cancel/",
        f"/sessions/{upcoming.pk}/attendance/",
    ):
        assert absent not in html, absent
    # City names link to the city pages.
    assert f'href="/cities/{enrolled["espoo"].pk}/"' in html


def test_cohort_page_without_sessions_says_so(client, cohort, lead):
    sign_in(client, lead)

    assert _section(_html(client, cohort), "sessions") == (
        "Sessions Schedule a session No session is scheduled yet."
    )


def test_officer_and_facilitator_reading_the_same_url_each_see_their_own_page(
    client, cohort, enrolled, programme, lead, lisbon_officer, group_facilitator
):
    cache.clear()
    pages = {}
    for person in (lisbon_officer, lead, lisbon_officer, group_facilitator, lead):
        sign_in(client, person)
        pages.setdefault(person.pk, []).append(_without_tokens(_html(client, cohort)))

    for person in (lisbon_officer, lead):
        first, again = pages[person.pk]
        assert first == again
    officer_page, lead_page = pages[lisbon_officer.pk][0], pages[lead.pk][0]
    assert "Your city in this cohort" in officer_page
    assert "/cancel/" not in officer_page and "Espoo" not in officer_page
    assert "/cancel/" in lead_page and "Espoo" in lead_page
    # A group facilitator runs the sessions too, but does not edit the cohort.
    group_page = pages[group_facilitator.pk][0]
    assert "/cancel/" in group_page
    assert f"/cohorts/{cohort.pk}/edit/" in lead_page
    assert f"/cohorts/{cohort.pk}/edit/" not in group_page


def test_cohort_page_shows_a_new_session_and_one_that_began_on_the_next_get(
    client, cohort, enrolled, programme, lead, lisbon_officer, _today
):
    for person in (lead, lisbon_officer):
        sign_in(client, person)
        _html(client, cohort)
    Session.objects.create(
        cohort=cohort,
        kind="technical",
        title="Heat pumps",
        starts_at=at(12, 2),
        ends_at=at(12, 2, 15),
    )
    sign_in(client, lisbon_officer)
    rows = table_rows(_html(client, cohort), "sessions-upcoming")
    assert [row.split(" ")[0] for row in rows] == ["Energy", "Bus", "Heat"]

    # The first upcoming session begins: it moves to the past, with attendance and without
    # "Cancel", for the facilitator.
    _today.move_to(at(10, 20, 15))
    sign_in(client, lead)
    html = _html(client, cohort)
    assert [row.split(" ")[0] for row in table_rows(html, "sessions-past")] == [
        "Energy",
        "Onboarding",
    ]
    upcoming = programme["upcoming"]
    assert f"/sessions/{upcoming.pk}/cancel/" not in html
    assert f'href="/sessions/{upcoming.pk}/attendance/"' in html


def test_cohort_page_shows_a_session_cancelled_through_the_service_on_the_next_get(
    client, cohort, enrolled, programme, lead
):
    upcoming = programme["upcoming"]
    sign_in(client, lead)
    assert f"/sessions/{upcoming.pk}/cancel/" in _html(client, cohort)

    session_services.session_cancel(session=upcoming, acting_user=lead)

    html = _html(client, cohort)
    assert f"/sessions/{upcoming.pk}/cancel/" not in html
    assert f"/sessions/{upcoming.pk}/edit/" not in html
    assert table_rows(html, "sessions-upcoming")[0].startswith("Energy communities Cancelled ")


def test_own_city_part_shows_a_new_group_on_the_next_get(
    client, cohort, enrolled, lisbon, lisbon_officer
):
    sign_in(client, lisbon_officer)
    _html(client, cohort)
    enrolment = Enrolment.objects.get(cohort=cohort, city=lisbon)
    EnrolmentGroup.objects.create(
        enrolment=enrolment, thematic_group=group(cohort, "sustainable-mobility")
    )

    assert "Thematic groups: Energy, Sustainable mobility" in _section(
        _html(client, cohort), "own-cities"
    )


def _enrol_with_sessions(cohort, lead, count):
    energy = group(cohort, "energy")
    for number in range(count):
        city = factories.CityFactory()
        services.enrolment_create_direct(
            cohort=cohort, city=city, acting_user=lead, groups=[(energy, "")]
        )
        factories.SessionFactory(
            cohort=cohort,
            thematic_group=energy,
            starts_at=at(9, 2 + number),
            ends_at=at(9, 2 + number, 15),
        )
        factories.SessionFactory(
            cohort=cohort, starts_at=at(11, 2 + number), ends_at=at(11, 2 + number, 15)
        )


def _queries(client, cohort) -> int:
    with CaptureQueriesContext(connection) as queries:
        _html(client, cohort)
    return len(queries)


def test_officer_cohort_page_queries_do_not_grow_with_sessions_and_cities(
    client, cohort, lead, lisbon, lisbon_officer
):
    services.enrolment_create_direct(
        cohort=cohort, city=lisbon, acting_user=lead, groups=[(group(cohort, "energy"), "")]
    )
    _enrol_with_sessions(cohort, lead, 1)
    keep_facts_of(lisbon_officer)
    sign_in(client, lisbon_officer)
    one = _queries(client, cohort)
    warm = _queries(client, cohort)
    _enrol_with_sessions(cohort, lead, 12)
    many = _queries(client, cohort)

    # user, the cohort (with whether they run it: 404 unless they may read it), the next
    # session's start (the sessions part's key), the versions of the cohort's data, names and
    # sessions (one query), the roadmaps' state; then, drawn afresh: phases, lead facilitators,
    # thematic groups with their sectors, their facilitators, their own enrolments, the groups
    # each joined, the cohort's roadmaps, the sessions with their groups.
    assert one == many == session_queries() + 13
    # The cached part: user, cohort, next start, versions, roadmaps' state.
    assert warm == session_queries() + 5


def test_facilitator_cohort_page_queries_do_not_grow_with_sessions_and_cities(client, cohort, lead):
    _enrol_with_sessions(cohort, lead, 1)
    keep_facts_of(lead)
    sign_in(client, lead)
    one = _queries(client, cohort)
    warm = _queries(client, cohort)
    _enrol_with_sessions(cohort, lead, 12)
    # The enrolments changed who sees which session: the facts as their next page reads them.
    keep_facts_of(lead)
    many = _queries(client, cohort)

    # user, the cohort (with whether they run it), the next session's start, whether they lead
    # it (may edit it), the versions, the roadmaps' state; then, drawn afresh: phases, lead
    # facilitators, thematic groups with their sectors, their facilitators, the requests to
    # decide, the enrolled cities (with their session counts), the groups each joined, the
    # cohort's roadmaps, the sessions with their groups, and the version of the person's kept
    # facts (the sessions rules for each session's actions).
    assert one == many == session_queries() + 16
    # The cached part: user, cohort, next start, lead, versions, roadmaps' state.
    assert warm == session_queries() + 6


def test_cohort_list_links_the_cohorts_a_person_may_open_and_their_cities(
    client, cohort, enrolled, lisbon, lisbon_officer, lead
):
    open_cohort = factories.CohortFactory(
        number=7, starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2025, 6, 30)
    )
    sign_in(client, lisbon_officer)

    html = client.get("/cohorts/").content.decode()

    assert f'href="/cohorts/{cohort.pk}/"' in html
    # One their city could ask to join, but is not in: its page would be a 404.
    assert f'href="/cohorts/{open_cohort.pk}/"' not in html
    assert f'href="/cities/{lisbon.pk}/"' in html


def test_enrolments_page_links_each_city_and_the_cohort(client, cohort, enrolled, lisbon, lead):
    sign_in(client, lead)

    html = client.get(f"/cohorts/{cohort.pk}/enrolments/").content.decode()

    for city in (lisbon, enrolled["espoo"], enrolled["braga"]):
        assert f'href="/cities/{city.pk}/"' in html
    assert f'<a href="/cohorts/{cohort.pk}/">Back to {cohort.name}</a>' in html
