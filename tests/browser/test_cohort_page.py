"""The cohort page in a browser, as an officer of an enrolled city and as a facilitator reach it
through links: axe and the Content-Security-Policy on each version, and where its links lead."""

import re

import pytest

from tests import factories
from tests.browser.conftest import sign_in_as
from tests.browser.test_issue3_a11y import world  # noqa: F401  (the filled cohort)
from tests.browser.test_pages import assert_accessible_and_csp_clean

pytestmark = pytest.mark.browser


def _open_cohort_from_the_list(page, cohort) -> None:
    page.goto("/cohorts/")
    page.get_by_role("link", name=cohort.name).click()
    page.wait_for_url(re.compile(rf"/cohorts/{cohort.pk}/$"))


def test_officer_reaches_their_cohort_page_and_its_sessions(page, world):  # noqa: F811
    sign_in_as(page, world.officer, factories.PASSWORD)

    _open_cohort_from_the_list(page, world.cohort)

    assert_accessible_and_csp_clean(page)
    own = page.locator('section[data-section="own-cities"]').inner_text()
    assert "Lisbon" in own and "Enrolled" in own
    # Another city's request is not theirs to see, nor the facilitator's actions.
    assert "Porto" not in page.locator("main").inner_text()
    assert page.get_by_role("link", name="Schedule a session").count() == 0
    page.get_by_role("link", name=world.upcoming.title).click()
    page.wait_for_url(re.compile(rf"/sessions/{world.upcoming.pk}/$"))


def test_facilitator_schedules_from_the_cohort_page(page, world):  # noqa: F811
    sign_in_as(page, world.facilitator, factories.PASSWORD)

    _open_cohort_from_the_list(page, world.cohort)

    assert_accessible_and_csp_clean(page)
    past_row = page.locator(f'tr[data-session="{world.past.pk}"]')
    assert past_row.get_by_role("link", name=f"Attendance of {world.past.title}").count() == 1
    upcoming_row = page.locator(f'tr[data-session="{world.upcoming.pk}"]')
    assert upcoming_row.get_by_role("button", name=f"Cancel {world.upcoming.title}").count() == 1
    page.get_by_role("link", name="Schedule a session").click()
    page.wait_for_url(re.compile(rf"/sessions/new/\?cohort={world.cohort.pk}$"))
