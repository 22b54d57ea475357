"""Survey results in a real browser: the page with its charts and tables on a desktop and on a
phone, the filters, the reminder's confirmation; axe finds nothing serious."""

import pytest

from tests.browser.conftest import sign_in_as
from tests.browser.test_pages import assert_accessible_and_csp_clean
from tests.factories import PASSWORD
from tests.feedback.results_world import build, respond

pytestmark = pytest.mark.browser

FULL = {
    "single": "Yes",
    "multiple": ["Funding", "Data"],
    "rating": 5,
    "scale": 10,
    "extent": "na",
    "short": "Heat pumps",
    "long": "More site visits.",
    "ranking": ["Heat", "Transport", "Waste"],
    "matrix": {"Format": 5, "Content": 4},
}


@pytest.fixture
def world(transactional_db):
    world = build()
    respond(world, "lisboa", FULL)
    respond(world, "porto", {**FULL, "single": [("Other", "It depends")], "rating": 3})
    return world


def test_results_page_on_a_desktop_with_filters_and_reminder(page, world):
    sign_in_as(page, world.facilitator, PASSWORD)
    page.goto(f"/surveys/{world.survey.pk}/results/")
    single = world.questions["single"]
    section = page.locator(f'section[data-question="{single.pk}"]')
    assert section.get_by_role("heading", level=2).inner_text() == single.text
    assert section.locator(f"#chart-q{single.pk}").is_visible()
    assert not section.locator(f"#chart-q{single.pk}-narrow").is_visible()
    assert section.locator('[data-table="options"] tbody tr').all_inner_texts()[0].split() == [
        "Yes",
        "1",
        "50%",
    ]
    assert_accessible_and_csp_clean(page)

    page.get_by_label("Country").select_option(label=world.cities["berlin"].country.name)
    page.get_by_role("button", name="Show results").click()
    assert page.locator('[data-stat="responses"] dd').inner_text() == "0"
    assert_accessible_and_csp_clean(page)

    page.goto(f"/surveys/{world.survey.pk}/results/")
    page.get_by_role("link", name="Send a reminder to those who have not answered").click()
    assert_accessible_and_csp_clean(page)
    page.get_by_role("button", name="Send the reminder").click()
    assert "1 reminder sent." in page.locator("body").inner_text()
    assert_accessible_and_csp_clean(page)


def test_results_page_on_a_phone_shows_the_narrow_charts(page, world):
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in_as(page, world.facilitator, PASSWORD)
    page.goto(f"/surveys/{world.survey.pk}/results/")
    single = world.questions["single"]
    assert page.locator(f"#chart-q{single.pk}-narrow").is_visible()
    assert not page.locator(f"#chart-q{single.pk}").is_visible()
    # Nothing wider than the screen: no sideways scrolling of the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible_and_csp_clean(page)
