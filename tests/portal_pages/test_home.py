"""The home page: one section per role, with real data, at a fixed number of queries."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cohorts.enums import EnrolmentStatus, PhaseKind
from roadmaps.enums import RoadmapStatus
from sessions.enums import Attendance
from sessions.models import Registration
from tests import factories
from tests.portal_pages.helpers import sign_in


def _section(html: str, role: str) -> str:
    """The HTML of one role's section of the home page."""
    match = re.search(rf'<section[^>]*data-role="{role}"[^>]*>(.*?)</section>', html, re.S)
    assert match, f"no {role} section in the page"
    return match.group(1)


def _block(html: str, block: str) -> str:
    """The HTML of one block (data-block) of the home page."""
    match = re.search(rf'<section[^>]*data-block="{block}"[^>]*>(.*?)</section>', html, re.S)
    assert match, f"no {block} block in the page"
    return match.group(1)


def _text(html: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# `_home_queries` clears the cache, and the session with it when sessions are kept there
# (Redis): each measured request reads its session from the database, whatever the engine.
SESSION_READ = 1


def _home_queries(client, user) -> int:
    sign_in(client, user)
    # Each measure renders the page afresh: nothing cached by the person measured before (the
    # next session moments are shared by everyone: home.selectors.next_session_moments).
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_home_anonymous_redirects_to_sign_in(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


@pytest.mark.django_db
def test_home_officer_lists_their_cities_with_country(client):
    lisbon = factories.CityFactory(
        name="Lisbon", country=factories.CountryFactory(iso_code="PT"), is_mission_city=True
    )
    braga = factories.CityFactory(name="Braga", country=factories.CountryFactory(iso_code="PT"))
    factories.CityFactory(name="Espoo", country=factories.CountryFactory(iso_code="FI"))
    officer = factories.city_officer(city=lisbon, full_name="Ana Silva")
    factories.CityMembershipFactory(user=officer, city=braga)
    sign_in(client, officer)

    html = client.get("/").content.decode()

    assert "<h1>Welcome, Ana</h1>" in html
    section = _section(html, "city_officer")
    assert _text(section) == (
        "Your cities Braga , Portugal Mission-minded city "
        "Lisbon , Portugal Mission City Mission-minded city"
    )
    assert 'data-role="facilitator"' not in html


@pytest.mark.django_db
def test_home_facilitator_lists_cohorts_with_dates_groups_and_sessions(client, facilitator):
    led = factories.CohortFactory(
        name="Online Discussion Groups cohort 1",
        starts_on=datetime.date(2024, 9, 1),
        ends_on=datetime.date(2025, 2, 28),
    )
    led.facilitators.add(facilitator)
    for _ in range(3):
        factories.ThematicGroupFactory(cohort=led)
    for _ in range(2):
        factories.SessionFactory(cohort=led)
    # In this cohort the facilitator runs only one of two groups: both still count.
    grouped = factories.CohortFactory(
        name="Online Discussion Groups cohort 2",
        starts_on=datetime.date(2025, 9, 1),
        ends_on=datetime.date(2026, 2, 28),
    )
    factories.ThematicGroupFactory(cohort=grouped).facilitators.add(facilitator)
    factories.ThematicGroupFactory(cohort=grouped)
    factories.CohortFactory(name="Someone else's cohort")
    sign_in(client, facilitator)

    section = _section(client.get("/").content.decode(), "facilitator")

    assert _text(section) == (
        "Cohorts you facilitate Cohort Dates Thematic groups Sessions "
        "Online Discussion Groups cohort 2 1 September 2025 to 28 February 2026 2 0 "
        "Online Discussion Groups cohort 1 1 September 2024 to 28 February 2025 3 2 "
        "Reports on your cohorts: figures, charts and a comparison"
    )
    assert 'href="/reports/cohorts/" data-link="cohort-reports"' in section


@pytest.mark.django_db
def test_home_facilitator_without_cohort_sees_empty_state(client, facilitator):
    sign_in(client, facilitator)

    section = _section(client.get("/").content.decode(), "facilitator")

    assert _text(section) == "Cohorts you facilitate You do not facilitate a cohort yet."


@pytest.mark.django_db
def test_home_reviewer_without_assignments_is_told_what_they_will_find(client, reviewer):
    sign_in(client, reviewer)

    section = _section(client.get("/").content.decode(), "reviewer")

    assert _text(section) == (
        "Applications to score No Group Study Visit application is assigned to you yet. When a "
        "programme admin gives you some, you are told by email and they are listed here, to "
        "score against the published criteria or to declare a conflict of interest."
    )


@pytest.mark.django_db
def test_home_programme_admin_sees_counts_and_the_pages_to_work_on(client, programme_admin):
    factories.CityFactory(is_mission_city=True)
    factories.CityFactory(is_mission_city=True)
    factories.CityFactory()
    cohort = factories.CohortFactory()
    for _ in range(4):
        factories.SessionFactory(cohort=cohort)
    sign_in(client, programme_admin)

    section = _section(client.get("/").content.decode(), "programme_admin")

    assert _text(section) == (
        "Programme overview Cities 3 Mission Cities 2 Cohorts 1 Sessions 4 "
        "From here you can: "
        "See the programme dashboard: figures and charts, by cohort, country and dates "
        "See every cohort, create one and decide on enrolments "
        "Find cities in the city directory "
        "Invite a city officer "
        "Give people their roles "
        "Keep the NetZeroCities services of the roadmap "
        "Check the outbox: every email sent and planned, with its preview "
        "Set the reminder rules: which reminders go out, and when "
        "Configure the programme in the administration"
    )
    assert re.findall(r'<a href="([^"]+)">', section) == [
        "/reports/",
        "/cohorts/",
        "/cities/",
        "/invitations/new/",
        "/admin/accounts/user/",
        "/admin/roadmaps/netzerocitiesservice/",
        "/reminders/outbox/",
        "/reminders/rules/",
        "/admin/",
    ]
    # Every page offered opens for the admin.
    for link in re.findall(r'<a href="([^"]+)">', section):
        assert client.get(link).status_code == 200, link


@pytest.mark.django_db
def test_home_links_the_calendar_feed_for_every_role(client, reviewer):
    people = [
        reviewer,
        factories.city_officer(),
        factories.UserFactory(is_facilitator=True),
        factories.UserFactory(is_programme_admin=True),
        factories.UserFactory(),
    ]
    for person in people:
        sign_in(client, person)

        html = client.get("/").content.decode()

        assert '<a href="/sessions/calendar/">Your calendar feed</a>' in html, person


@pytest.mark.django_db
def test_home_person_with_several_roles_sees_one_section_each(client):
    user = factories.city_officer(is_facilitator=True, is_reviewer=True)
    sign_in(client, user)

    html = client.get("/").content.decode()

    assert re.findall(r'data-role="(\w+)"', html) == ["city_officer", "facilitator", "reviewer"]


@pytest.mark.django_db
def test_home_officer_query_count_does_not_grow_with_cities(client):
    one = factories.city_officer()
    many = factories.city_officer()
    for _ in range(9):
        factories.CityMembershipFactory(user=many)

    # (Session,) user, whether they are an officer (their roles), the data versions (the
    # sections' key), the next session moments and the next moment a survey opens or closes
    # (the key), their cities, their enrolments (none), upcoming sessions, the (session, city)
    # pairs registered within 14 days, the sessions of those 14 days and the open surveys.
    # No enrolment: no roadmaps or phases to read, no Group Study Visit call to list. And the
    # next moment a call opens or closes (the key: visits.applying.next_call_moment).
    assert _home_queries(client, one) == _home_queries(client, many) == SESSION_READ + 12


def _running_cohort():
    """A cohort under way, in its phase of thematic discussions (which opens Phase 2.1 and
    2.2 of the roadmap) until 30 days from today."""
    today = timezone.localdate()
    cohort = factories.CohortFactory(
        starts_on=today - datetime.timedelta(days=60), ends_on=today + datetime.timedelta(days=90)
    )
    factories.PhaseFactory(
        cohort=cohort,
        kind=PhaseKind.THEMATIC_DISCUSSIONS,
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=30),
    )
    return cohort


def _session_in(cohort, *, days: float, **fields):
    starts_at = timezone.now() + datetime.timedelta(days=days)
    return factories.SessionFactory(
        cohort=cohort,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=90),
        **fields,
    )


def _registration(session, city, n: int, **fields) -> Registration:
    return Registration.objects.create(
        session=session, city=city, full_name=f"Person {n}", email=f"p{n}@example.org", **fields
    )


def _officer_with(*, cities: int, cohorts: int, sessions: int):
    """An officer of `cities` cities, each enrolled in `cohorts` running cohorts (the last one
    only asked to join), with `sessions` sessions per cohort: upcoming, due and registered.
    Each enrolled city has a roadmap in its cohort's open phase; the first cohort's is
    returned to the city with a note."""
    officer = factories.UserFactory()
    for city_index in range(cities):
        city = factories.CityFactory()
        factories.CityMembershipFactory(user=officer, city=city)
        for cohort_index in range(cohorts):
            cohort = _running_cohort()
            group = factories.ThematicGroupFactory(cohort=cohort)
            status = (
                EnrolmentStatus.REQUESTED
                if cohort_index == cohorts - 1 and cohorts > 1
                else EnrolmentStatus.ACCEPTED
            )
            enrolment = cohort.enrolments.create(city=city, status=status)
            enrolment.groups.create(thematic_group=group)
            if status == EnrolmentStatus.ACCEPTED:
                returned = cohort_index == 0
                roadmap = factories.RoadmapFactory(
                    cohort=cohort,
                    city=city,
                    status=RoadmapStatus.RETURNED if returned else RoadmapStatus.DRAFT,
                )
                if returned:
                    factories.RoadmapTransitionFactory(
                        roadmap=roadmap,
                        from_status=RoadmapStatus.SUBMITTED,
                        to_status=RoadmapStatus.RETURNED,
                        by=factories.UserFactory(is_facilitator=True),
                        note="Say more about the causes.",
                    )
                # A survey open to answer (the home page's list of them).
                factories.SurveyFactory(cohort=cohort, is_published=True)
            for session_index in range(sessions):
                session = _session_in(cohort, days=1 + session_index, meeting_url="https://m.eu")
                if session_index % 2:
                    _registration(session, city, city_index * 1000 + session_index)
    return officer


@pytest.mark.django_db
def test_home_officer_query_count_does_not_grow_with_cohorts_sessions_and_enrolments(client):
    one = _officer_with(cities=1, cohorts=1, sessions=1)
    many = _officer_with(cities=3, cohorts=3, sessions=6)

    # (Session,) user, whether they are an officer (their roles), the data versions (the
    # sections' key), the next session moments and survey moment (the key), their cities,
    # their enrolments, the thematic groups each city joined, the roadmaps (with the note of
    # the last return), the phases open today, upcoming sessions, the (session, city) pairs
    # registered within 14 days, the sessions of those 14 days and the open surveys. And the
    # next moment a Group Study Visit call opens or closes (the key), and the open calls
    # with the cities' applications (visits.applying.open_calls_for).
    assert _home_queries(client, one) == _home_queries(client, many) == SESSION_READ + 16


def _facilitator_with(*, cohorts: int, sessions: int, cities: int):
    """A facilitator of `cohorts` running cohorts (half of them as a group facilitator), each
    with `cities` enrolled cities (one registered nobody, the others' roadmaps submitted) and
    a city asking to join, past sessions to record (without takeaways), recorded past
    sessions and upcoming ones."""
    facilitator = factories.UserFactory(is_facilitator=True)
    for cohort_index in range(cohorts):
        cohort = _running_cohort()
        if cohort_index % 2:
            factories.ThematicGroupFactory(cohort=cohort).facilitators.add(facilitator)
        else:
            cohort.facilitators.add(facilitator)
        enrolled = [factories.CityFactory() for _ in range(cities)]
        for city in enrolled:
            cohort.enrolments.create(city=city, status=EnrolmentStatus.ACCEPTED)
        for city in enrolled[1:]:
            factories.RoadmapFactory(
                cohort=cohort,
                city=city,
                status=RoadmapStatus.SUBMITTED,
                submitted_at=timezone.now() - datetime.timedelta(days=3),
            )
        cohort.enrolments.create(city=factories.CityFactory(), status=EnrolmentStatus.REQUESTED)
        for session_index in range(sessions):
            upcoming = _session_in(cohort, days=1 + session_index)
            _registration(upcoming, enrolled[0], session_index)
            to_record = _session_in(cohort, days=-1 - session_index)
            _registration(to_record, enrolled[0], session_index)
            recorded = _session_in(cohort, days=-30 - session_index)
            _registration(recorded, enrolled[0], session_index, attendance=Attendance.ATTENDED)
    return facilitator


@pytest.mark.django_db
def test_home_facilitator_query_count_does_not_grow_with_cohorts(client):
    one = factories.UserFactory(is_facilitator=True)
    factories.CohortFactory().facilitators.add(one)
    many = factories.UserFactory(is_facilitator=True)
    for _ in range(8):
        cohort = factories.CohortFactory()
        cohort.facilitators.add(many)
        factories.ThematicGroupFactory(cohort=cohort).facilitators.add(many)
        factories.SessionFactory(cohort=cohort)

    # As below: the lists are read whether or not they hold rows.
    assert _home_queries(client, one) == _home_queries(client, many) == SESSION_READ + 11


@pytest.mark.django_db
def test_home_facilitator_query_count_does_not_grow_with_sessions_and_cities(client):
    one = _facilitator_with(cohorts=1, sessions=1, cities=2)
    many = _facilitator_with(cohorts=4, sessions=12, cities=5)

    # (Session,) user, whether they are an officer (their roles), the data versions (the
    # sections' key), the next session moments (the key), their cohorts (with the counts of
    # groups and sessions), roadmaps waiting for review, enrolment requests, upcoming
    # sessions, sessions whose attendance is to record, sessions without takeaways, and the
    # cities that registered for nothing.
    assert _home_queries(client, one) == _home_queries(client, many) == SESSION_READ + 11


@pytest.mark.django_db
def test_home_reviewer_query_count(client, reviewer):
    # (Session,) user, whether they are an officer (their roles), the data versions (the
    # sections' key), and their assigned reviews with their progress (visits.reviewing;
    # tests/visits/test_reviewing_pages.py compares one and many).
    assert _home_queries(client, reviewer) == SESSION_READ + 4


@pytest.mark.django_db
def test_home_programme_admin_query_count_does_not_grow_with_the_programme(client, programme_admin):
    one = _home_queries(client, programme_admin)
    _facilitator_with(cohorts=2, sessions=3, cities=3)
    many = _home_queries(client, programme_admin)

    # (Session,) user, whether they are an officer (their roles), the data versions (the
    # sections' key), and the three counts: cities (with Mission Cities), cohorts, sessions.
    assert one == many == SESSION_READ + 6


@pytest.mark.django_db
def test_home_query_count_fixtures_fill_every_block(client):
    # The query-count tests above compare pages that show rows in every block, not empty ones.
    officer = _officer_with(cities=1, cohorts=1, sessions=1)
    facilitator = _facilitator_with(cohorts=1, sessions=1, cities=2)

    sign_in(client, officer)
    html = client.get("/").content.decode()
    for block in ["officer-cohorts", "officer-upcoming", "officer-due", "officer-surveys"]:
        assert '<p class="empty">' not in _block(html, block), block
    sign_in(client, facilitator)
    html = client.get("/").content.decode()
    for block in [
        "facilitator-review",
        "facilitator-requests",
        "facilitator-upcoming",
        "facilitator-to-record",
        "facilitator-takeaways",
        "facilitator-idle",
    ]:
        assert '<p class="empty">' not in _block(html, block), block
