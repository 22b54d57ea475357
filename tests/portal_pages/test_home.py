"""The home page: one section per role, with real data, at a fixed number of queries."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.portal_pages.helpers import sign_in


def _section(html: str, role: str) -> str:
    """The HTML of one role's section of the home page."""
    match = re.search(rf'<section[^>]*data-role="{role}"[^>]*>(.*?)</section>', html, re.S)
    assert match, f"no {role} section in the page"
    return match.group(1)


def _text(html: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _home_queries(client, user) -> int:
    sign_in(client, user)
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
        "Lisbon , Portugal Mission City Mission-minded city "
        "Your cohorts, sessions and roadmaps will appear here."
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
        "Online Discussion Groups cohort 2 Sept. 1, 2025 to Feb. 28, 2026 2 0 "
        "Online Discussion Groups cohort 1 Sept. 1, 2024 to Feb. 28, 2025 3 2"
    )


@pytest.mark.django_db
def test_home_facilitator_without_cohort_sees_empty_state(client, facilitator):
    sign_in(client, facilitator)

    section = _section(client.get("/").content.decode(), "facilitator")

    assert _text(section) == "Cohorts you facilitate You do not facilitate a cohort yet."


@pytest.mark.django_db
def test_home_reviewer_sees_empty_state(client, reviewer):
    sign_in(client, reviewer)

    section = _section(client.get("/").content.decode(), "reviewer")

    assert _text(section) == (
        "Applications to score No Group Study Visit applications are waiting for your score."
    )


@pytest.mark.django_db
def test_home_programme_admin_sees_counts_and_admin_link(client, programme_admin):
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
        "Configure the programme in the administration"
    )
    assert '<a href="/admin/">' in section


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

    assert _home_queries(client, one) == _home_queries(client, many)


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

    assert _home_queries(client, one) == _home_queries(client, many)
