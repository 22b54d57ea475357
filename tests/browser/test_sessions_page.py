"""The sessions page (/sessions/) in a real browser: reached from the main navigation, its list
and month view pass axe, the month view is moved through by keyboard, and a facilitator reaches
the scheduling form from it through links only."""

import datetime
import re

import pytest
from django.utils import timezone

from cohorts.enums import EnrolmentStatus
from sessions.enums import SessionKind
from sessions.services import session_create
from tests import factories
from tests.browser.conftest import sign_in_as
from tests.browser.test_pages import assert_accessible_and_csp_clean

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db):
    lead = factories.UserFactory(is_facilitator=True, full_name="Lea Lead")
    today = timezone.localdate()
    cohort = factories.CohortFactory(
        number=1,
        name="Online Discussion Groups cohort 1",
        starts_on=today - datetime.timedelta(days=60),
        ends_on=today + datetime.timedelta(days=150),
    )
    cohort.facilitators.add(lead)
    group = factories.ThematicGroupFactory(
        cohort=cohort, sector=factories.ThematicSectorFactory(slug="energy", name="Energy")
    )
    lisbon = factories.CityFactory(name="Lisbon", country=factories.CountryFactory(iso_code="PT"))
    factories.EnrolmentFactory(cohort=cohort, city=lisbon, status=EnrolmentStatus.ACCEPTED)
    officer = factories.city_officer(city=lisbon, full_name="Ana Silva")
    for title, days, kind in [
        ("Onboarding", -20, SessionKind.ONBOARDING),
        ("Energy: district heating", 3, SessionKind.THEMATIC_DISCUSSION),
        ("Energy: heat pumps", 10, SessionKind.TECHNICAL_SUPPORT),
    ]:
        starts = datetime.datetime.combine(today + datetime.timedelta(days=days), datetime.time(10))
        session_create(
            cohort=cohort,
            kind=kind,
            title=title,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(minutes=90),
            thematic_group=group if kind != SessionKind.ONBOARDING else None,
            acting_user=lead,
        )
    return {"lead": lead, "officer": officer, "cohort": cohort}


def test_sessions_page_list_and_month_view_are_accessible(page, world):
    sign_in_as(page, world["officer"], factories.PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sessions").click()
    page.wait_for_url(re.compile(r"/sessions/$"))

    # The titles (each row's header); the cohort's name beside them links to its page.
    upcoming = page.get_by_role("region", name="Upcoming sessions").locator("th a")
    assert upcoming.all_inner_texts() == ["Energy: district heating", "Energy: heat pumps"]
    assert_accessible_and_csp_clean(page)

    page.get_by_label("Kind").select_option(label="Technical support")
    page.get_by_role("button", name="Show sessions").click()
    page.get_by_role("link", name="Month", exact=True).click()
    page.wait_for_url(re.compile(r"view=month"))
    assert_accessible_and_csp_clean(page)

    # The filters hold in the month view: only the technical session, wherever its month is.
    titles = []
    for _ in range(2):
        titles += page.locator(".month-calendar [data-session] > a").all_inner_texts()
        page.get_by_role("link", name="Next month").click()
    assert titles == ["Energy: heat pumps"]


def test_sessions_page_month_view_is_a_table_with_headed_days_and_keyboard_links(page, world):
    sign_in_as(page, world["officer"], factories.PASSWORD)
    page.goto("/sessions/?view=month")

    headers = page.locator(".month-calendar thead th").all_inner_texts()
    page.get_by_role("link", name="Previous month").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"month=\d{4}-\d\d"))

    assert headers == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert page.get_by_role("table").count() == 1


def test_facilitator_schedules_a_session_from_the_sessions_page(page, world):
    cohort = world["cohort"]
    sign_in_as(page, world["lead"], factories.PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sessions").click()
    # Without a cohort filter the page asks in which of their cohorts ...
    page.get_by_label("In the cohort").select_option(label=cohort.name)
    page.get_by_role("button", name="Schedule a session").click()
    page.wait_for_url(re.compile(rf"/sessions/new/\?cohort={cohort.pk}$"))
    page.go_back()
    # ... and with one, it links to that cohort's form.
    page.get_by_role("search").get_by_label("Cohort").select_option(label=cohort.name)
    page.get_by_role("button", name="Show sessions").click()
    page.get_by_role("link", name=f"Schedule a session in {cohort.name}").click()

    page.wait_for_url(re.compile(rf"/sessions/new/\?cohort={cohort.pk}$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Schedule a session"
    assert_accessible_and_csp_clean(page)
