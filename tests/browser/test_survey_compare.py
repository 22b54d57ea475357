"""Comparing two recap surveys in a real browser: from a survey's results page to the
comparison, choosing the other survey of its template; the table and the grouped chart on a
desktop and on a phone; axe finds nothing serious."""

import pytest

from tests.browser.conftest import sign_in_as
from tests.browser.test_pages import assert_accessible_and_csp_clean
from tests.factories import PASSWORD
from tests.feedback.test_comparison import DIRECT, LONGER, YES, World, respond

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db):
    world = World()
    a_cities, b_cities = world.cities[world.cohorts[0].pk], world.cities[world.cohorts[1].pk]
    respond(world.a, a_cities[0], thematic=YES, technical=DIRECT, possible=7)
    respond(world.a, a_cities[1], thematic=YES, possible=8)
    respond(world.b, b_cities[0], thematic=LONGER, possible=5)
    return world


def test_compare_from_the_results_page(page, world):
    sign_in_as(page, world.facilitator, PASSWORD)
    page.goto(f"/surveys/{world.a.pk}/results/")
    page.get_by_role("link", name="Compare with other surveys of the same template").click()
    assert page.locator('[data-notice="choose-more"]').is_visible()
    assert page.get_by_label("Template").input_value() == "final_recap"
    assert_accessible_and_csp_clean(page)

    page.get_by_role("checkbox", name="Recap cohort B").check()
    page.get_by_role("button", name="Compare").click()
    thematic = page.locator("section[data-compared='2']")
    assert thematic.locator("svg.summary-chart").is_visible()
    rows = thematic.locator('[data-table="compared"] tbody tr').all_inner_texts()
    assert rows[0].split("\t") == ["Answered this question", "2", "1"]
    assert rows[1].split("\t") == [YES, "2 of 2 (100%)", "0 of 1 (0%)"]
    assert page.locator('[data-stat="rate"]').all_inner_texts() == ["50%", "25%"]
    assert_accessible_and_csp_clean(page)


def test_comparison_on_a_phone_fits_the_screen(page, world):
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in_as(page, world.facilitator, PASSWORD)
    page.goto(f"/surveys/compare/?survey={world.a.pk}&survey={world.b.pk}")
    assert page.locator("section[data-compared='2'] svg.summary-chart").is_visible()
    # Nothing wider than the screen: the chart shrinks, the tables scroll in their own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible_and_csp_clean(page)
