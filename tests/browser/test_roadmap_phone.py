"""The roadmap pages on a phone (375 x 740): the cohort summary charts are drawn for the narrow
screen and readable, and no chart, score table or roadmap value is cut off or widens the page."""

import pytest

from accounts.enums import Role
from cities.selectors import cities_of_officer
from roadmaps.enums import RoadmapStatus
from roadmaps.models import Roadmap
from tests.browser.conftest import sign_in
from tests.browser.test_pages import assert_accessible_and_csp_clean

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}

# Every element inside `selector` whose box sticks out of the viewport to the left or right, and
# the page's own width: wider than the viewport means the whole page scrolls sideways.
OVERFLOW = """selector => {
  const width = window.innerWidth;
  const outside = [];
  for (const root of document.querySelectorAll(selector)) {
    for (const element of [root, ...root.querySelectorAll('*')]) {
      const box = element.getBoundingClientRect();
      if (box.width && (box.left < -0.5 || box.right > width + 0.5)) {
        outside.push(`${element.tagName} ${element.textContent.trim().slice(0, 40)}`);
      }
    }
  }
  return {outside, pageWidth: document.documentElement.scrollWidth, width};
}"""

# Every text of a chart's drawing that runs past the drawing's own edges (the SVG would clip
# it), and the size the chart's type is shown at on the screen.
CHART_TEXTS = """svg => {
  const [, , width, height] = svg.getAttribute('viewBox').split(' ').map(Number);
  const scale = svg.getBoundingClientRect().width / width;
  const clipped = [];
  for (const text of svg.querySelectorAll('text')) {
    const box = text.getBBox();
    if (box.x < -0.5 || box.x + box.width > width + 0.5 || box.y + box.height > height + 0.5) {
      clipped.push(text.textContent);
    }
  }
  return {clipped, shownFontSize: Number(svg.getAttribute('font-size')) * scale,
          texts: svg.querySelectorAll('text').length};
}"""

# Each scrollable wrapper whose content is wider than itself, so part of its table is hidden.
SCROLLING_TABLES = """() => [...document.querySelectorAll('.table-scroll')]
  .filter(region => region.scrollWidth > region.clientWidth + 0.5)
  .map(region => region.querySelector('table').dataset.table)"""


@pytest.fixture
def scored(demo):
    """The demo's submitted roadmap, every enabling factor scored, and its cohort."""
    roadmap = Roadmap.objects.select_related("cohort").get(status=RoadmapStatus.SUBMITTED)
    return {**demo, "roadmap": roadmap, "cohort": roadmap.cohort}


def head_height(page) -> float:
    return page.locator('table[data-table="factors"] thead').evaluate(
        "head => head.getBoundingClientRect().height"
    )


def assert_fits_the_phone(page, selector: str) -> None:
    result = page.evaluate(OVERFLOW, selector)
    assert result["outside"] == [], f"{selector} on {page.url}"
    assert result["pageWidth"] <= result["width"] == PHONE["width"]


def test_overview_on_a_phone_draws_readable_charts_and_stacks_the_score_tables(page, scored):
    page.set_viewport_size(PHONE)
    sign_in(page, Role.FACILITATOR)

    page.goto(f"/roadmaps/cohort/{scored['cohort'].pk}/")

    for chart in ("factors", "actions"):
        assert page.locator(f"#chart-{chart}").is_visible() is False
        narrow = page.locator(f"#chart-{chart}-narrow")
        assert narrow.is_visible()
        drawing = narrow.evaluate(CHART_TEXTS)
        assert drawing["texts"] > 10
        assert drawing["clipped"] == []
        # 13px type shown at no less than 11px: legible (the wide drawing's would be 4px).
        assert drawing["shownFontSize"] >= 11
    assert page.get_by_role("img", name="Feasibility: scores of the enabling factors").count() == 1
    # The score tables are stacked: no part of them is hidden to the right of their region.
    assert page.evaluate(SCROLLING_TABLES) == []
    cells = page.locator('table[data-table="factors"] tbody tr').first.locator("td")
    assert [cells.nth(n).get_attribute("data-label") for n in range(cells.count())] == [
        "Roadmaps",
        "Average",
        "Score 1",
        "Score 2",
        "Score 3",
        "Score 4",
        "Score 5",
    ]
    # The column headings are left to screen readers (visually hidden, 1px), the cells say
    # what they are.
    assert head_height(page) <= 1
    for selector in (
        ".summary-figure",
        'table[data-table="roadmaps"]',
        'table[data-table="factors"]',
        'table[data-table="actions"]',
    ):
        assert_fits_the_phone(page, selector)
    assert_accessible_and_csp_clean(page)


def test_overview_on_a_wide_screen_keeps_the_wide_charts_and_the_tables(page, scored):
    page.set_viewport_size(DESKTOP)
    sign_in(page, Role.FACILITATOR)

    page.goto(f"/roadmaps/cohort/{scored['cohort'].pk}/")

    for chart in ("factors", "actions"):
        assert page.locator(f"#chart-{chart}").is_visible()
        assert page.locator(f"#chart-{chart}-narrow").is_visible() is False
    assert head_height(page) > 20
    assert page.get_by_role("img", name="Feasibility: scores of the enabling factors").count() == 1


def test_a_scored_roadmap_and_its_history_fit_a_phone(page, scored):
    page.set_viewport_size(PHONE)
    sign_in(page, Role.FACILITATOR)
    roadmap = scored["roadmap"]

    page.goto(f"/roadmaps/{roadmap.pk}/")
    # The demo's Coimbra gave internal governance a 3 and citizen engagement a 5.
    score = page.locator('[data-value-for="phase2_2.score.internal-governance"]')
    assert score.inner_text() == "3"
    assert page.locator('[data-value-for="phase2_2.score.citizen-engagement"]').inner_text() == (
        "5 (strong)"
    )
    assert_fits_the_phone(page, "main")
    assert_accessible_and_csp_clean(page)

    page.goto(f"/roadmaps/{roadmap.pk}/history/")
    assert page.locator('table[data-table="changes"] tbody tr').count() > 0
    assert page.evaluate(SCROLLING_TABLES) == []
    assert_fits_the_phone(page, "main")
    assert_accessible_and_csp_clean(page)


def test_the_officers_roadmap_form_fits_a_phone(page, scored):
    page.set_viewport_size(PHONE)
    officer = scored[Role.CITY_OFFICER]
    roadmap = Roadmap.objects.get(cohort=scored["cohort"], city__in=cities_of_officer(user=officer))
    sign_in(page, Role.CITY_OFFICER)

    page.goto(f"/roadmaps/{roadmap.pk}/")

    # The scores are radio buttons; each service's description goes under its name, so the
    # name is not squeezed into a column a few words wide.
    assert page.locator('input[name="phase2_2.score.internal-governance"]').count() == 5
    service = page.locator(".choice:has(.service-description)").first
    name, description = service.locator("label"), service.locator(".service-description")
    assert (
        description.bounding_box()["y"] >= name.bounding_box()["y"] + name.bounding_box()["height"]
    )
    assert name.bounding_box()["width"] > 150
    assert_fits_the_phone(page, "main")
    assert_accessible_and_csp_clean(page)
