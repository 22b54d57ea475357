"""axe and the Content-Security-Policy on the pages of cities, cohorts and sessions, filled with
data, as a facilitator and as a city officer sees them (empty pages hide most markup)."""

import datetime
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.utils import timezone

from cities.models import City, ClimateAction
from cities.services import climate_action_create
from cohorts.enums import EnrolmentStatus
from cohorts.models import Cohort
from cohorts.services import enrolment_create_direct, enrolment_request
from sessions.models import Registration, Session
from sessions.services import registrations_create, session_create
from taxonomy.models import ThematicSector
from tests import factories
from tests.browser.conftest import sign_in_as
from tests.browser.test_pages import assert_accessible_and_csp_clean

pytestmark = pytest.mark.browser


@dataclass
class World:
    facilitator: object
    officer: object
    cohort: Cohort
    open_cohort: Cohort
    mission_city: City
    officer_city: City
    action: ClimateAction
    upcoming: Session
    past: Session


@pytest.fixture
def world(transactional_db) -> World:
    call_command("seed_reference", verbosity=0)
    energy = ThematicSector.objects.get(slug="energy")
    buildings = ThematicSector.objects.get(slug="buildings")
    today = timezone.localdate()
    facilitator = factories.UserFactory(is_facilitator=True, full_name="Fatima Facilitator")
    cohort = factories.CohortFactory(
        number=1,
        name="Online Discussion Groups cohort 1",
        starts_on=today - datetime.timedelta(days=60),
        ends_on=today + datetime.timedelta(days=120),
    )
    cohort.facilitators.add(facilitator)
    energy_group = factories.ThematicGroupFactory(cohort=cohort, sector=energy)
    energy_group.facilitators.add(facilitator)
    factories.ThematicGroupFactory(cohort=cohort, sector=buildings)
    open_cohort = factories.CohortFactory(
        number=2,
        name="Online Discussion Groups cohort 2",
        starts_on=today + datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=210),
    )
    factories.ThematicGroupFactory(cohort=open_cohort, sector=energy)
    factories.ThematicGroupFactory(cohort=open_cohort, sector=buildings)

    mannheim = factories.CityFactory(
        name="Mannheim",
        country=factories.CountryFactory(iso_code="DE"),
        is_mission_city=True,
        is_mission_minded=False,
    )
    factories.city_officer(city=mannheim, full_name="Max Mannheim")
    action = climate_action_create(
        acting_user=facilitator,
        city=mannheim,
        title="District heating from industrial waste heat",
        sector=energy,
        context="A river port with heavy industry.",
        description="Waste heat feeds the district heating network.",
        lessons_learned="Start with the largest heat source.",
        recommendations=["Map heat sources", "Agree prices early"],
    )
    lisbon = factories.CityFactory(name="Lisbon", country=factories.CountryFactory(iso_code="PT"))
    officer = factories.city_officer(city=lisbon, full_name="Ana Silva")
    enrolment_create_direct(
        cohort=cohort, city=lisbon, acting_user=facilitator, groups=[(energy_group, "Financing")]
    )
    porto = factories.CityFactory(name="Porto", country=factories.CountryFactory(iso_code="PT"))
    porto_officer = factories.city_officer(city=porto)
    enrolment_request(
        cohort=cohort,
        city=porto,
        acting_user=porto_officer,
        groups=[(energy_group, "Heat planning")],
    )

    day = today + datetime.timedelta(days=7)
    upcoming = session_create(
        cohort=cohort,
        kind="thematic",
        title="Energy: district heating",
        starts_at=datetime.datetime.combine(day, datetime.time(10)),
        ends_at=datetime.datetime.combine(day, datetime.time(11, 30)),
        thematic_group=energy_group,
        meeting_url="https://meet.example.org/heating",
        agenda="Welcome, Mannheim's presentation, questions.",
        guiding_questions="What would you transfer to your city?",
        facilitators=[facilitator],
        presentations=[(mannheim, [action.pk], "Waste heat")],
        acting_user=facilitator,
    )
    registrations_create(
        session=upcoming,
        city=lisbon,
        people=[("Rui Costa", "rui@lisboa.pt")],
        acting_user=officer,
    )
    now = timezone.now()
    past = factories.SessionFactory(
        cohort=cohort,
        title="Onboarding",
        starts_at=now - datetime.timedelta(days=3),
        ends_at=now - datetime.timedelta(days=3) + datetime.timedelta(minutes=90),
    )
    # Registered before the session took place; the service no longer registers afterwards.
    Registration.objects.create(session=past, city=lisbon, full_name="Eva Lopes", email="e@l.pt")
    Registration.objects.create(
        session=past,
        city=lisbon,
        full_name="Joana Reis",
        email="j@l.pt",
        is_walk_in=True,
        attendance="attended",
    )
    assert cohort.enrolments.filter(status=EnrolmentStatus.REQUESTED).count() == 1
    return World(
        facilitator=facilitator,
        officer=officer,
        cohort=cohort,
        open_cohort=open_cohort,
        mission_city=mannheim,
        officer_city=lisbon,
        action=action,
        upcoming=upcoming,
        past=past,
    )


def _check_pages(page, paths: list[str]) -> None:
    """Open each page and run the check on it; report every page that fails, not the first."""
    failures = {}
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, f"{path} answered {response.status}"
        try:
            assert_accessible_and_csp_clean(page)
        except AssertionError as error:
            failures[path] = str(error)
    assert failures == {}, "\n\n".join(failures.values())


def test_issue3_pages_are_accessible_to_a_facilitator(page, world):
    sign_in_as(page, world.facilitator, factories.PASSWORD)

    _check_pages(
        page,
        [
            "/",
            "/cities/",
            "/cities/?q=Lis",
            f"/cities/{world.mission_city.pk}/",
            f"/cities/{world.mission_city.pk}/actions/new/",
            f"/cities/actions/{world.action.pk}/edit/",
            "/cohorts/",
            "/cohorts/new/",
            f"/cohorts/{world.cohort.pk}/",
            f"/cohorts/{world.cohort.pk}/edit/",
            f"/cohorts/{world.cohort.pk}/enrolments/",
            f"/sessions/new/?cohort={world.cohort.pk}",
            f"/sessions/{world.upcoming.pk}/",
            f"/sessions/{world.upcoming.pk}/edit/",
            f"/sessions/{world.past.pk}/",
            f"/sessions/{world.past.pk}/attendance/",
            f"/sessions/{world.past.pk}/outcome/",
            "/sessions/calendar/",
        ],
    )


def test_issue3_forms_with_errors_are_accessible(page, world):
    # Error messages next to the fields are part of the page that must stay accessible.
    sign_in_as(page, world.facilitator, factories.PASSWORD)
    failures = {}
    for path, button in [
        ("/cohorts/new/", "Create the cohort"),
        (f"/sessions/new/?cohort={world.cohort.pk}", "Schedule"),
        (f"/cities/{world.mission_city.pk}/actions/new/", None),
    ]:
        page.goto(path)
        if button:
            page.get_by_role("button", name=button).click()
        else:
            page.locator("main form button[type=submit]").last.click()
        page.wait_for_load_state()
        assert page.locator(".errorlist").count() > 0, f"{path} showed no error"
        try:
            assert_accessible_and_csp_clean(page)
        except AssertionError as error:
            failures[path] = str(error)
    assert failures == {}, "\n\n".join(failures.values())


def test_issue3_pages_are_accessible_to_a_city_officer(page, world):
    sign_in_as(page, world.officer, factories.PASSWORD)

    _check_pages(
        page,
        [
            "/",
            "/cities/",
            f"/cities/{world.officer_city.pk}/",
            f"/cities/{world.mission_city.pk}/",
            "/cohorts/",
            f"/cohorts/{world.open_cohort.pk}/enrol/",
            f"/sessions/{world.upcoming.pk}/",
            f"/sessions/{world.upcoming.pk}/register/",
            "/sessions/calendar/",
        ],
    )
