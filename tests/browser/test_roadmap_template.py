"""The roadmap as the template has it (issue 10) in a real browser: the template's guidance,
the "Challenge spotlight!" heading, the services' descriptions, Phase 2.2 not required after a
Low desirability (saved by the autosave), and the banner with a returned roadmap's note; axe on
the edit page with each of these parts shown."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from roadmaps.enums import RoadmapStatus
from roadmaps.models import Roadmap, RoadmapTransition
from tests import factories
from tests.browser.conftest import sign_in_as
from tests.browser.test_pages import assert_accessible_and_csp_clean
from tests.browser.test_roadmap import by_id, lisbon, wait_for_saved  # noqa: F401 (a fixture)
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_edit_page_shows_the_template_and_low_desirability_says_why(page, lisbon):  # noqa: F811
    roadmap = lisbon["roadmap"]
    service = lisbon["services"][0]
    service.description = "The framework for planning a city's transition."
    service.url = "https://netzerocities.app/"
    service.save()

    sign_in_as(page, lisbon["ana"], PASSWORD)
    page.goto(f"/roadmaps/{roadmap.pk}/")

    expect(page.get_by_role("heading", name="Challenge spotlight!")).to_be_visible()
    expect(page.locator('[data-guidance="phase4"]')).to_have_text(
        "Apply soon to join a 2-days group study visit in a Mission City!"
    )
    expect(by_id(page, "input-phase1.cause_1")).to_have_js_property("tagName", "TEXTAREA")
    expect(
        page.get_by_role("link", name="About Climate Transition Map (opens a new tab)")
    ).to_be_visible()
    note = page.locator('[data-not-asked="phase2_2"]')
    expect(note).to_be_hidden()

    by_id(page, "input-phase2_1.desirability-low").check()
    # Said at once by the page's script, and by the server after the save.
    expect(note).to_be_visible()
    expect(note).to_contain_text(
        "You rated the desirability of the solution Low, so Phase 2.2 is not required"
    )
    assert_accessible_and_csp_clean(page)
    wait_for_saved(roadmap, {"phase2_1.desirability": "low"})
    page.reload()
    expect(note).to_be_visible()
    by_id(page, "input-phase2_1.desirability-high").check()
    expect(note).to_be_hidden()


def test_returned_roadmap_shows_the_note_in_a_banner(page, lisbon):  # noqa: F811
    roadmap = lisbon["roadmap"]
    lead = factories.UserFactory(is_facilitator=True, full_name="Lea Lead")
    Roadmap.objects.filter(pk=roadmap.pk).update(status=RoadmapStatus.RETURNED)
    RoadmapTransition.objects.create(
        roadmap=roadmap,
        from_status=RoadmapStatus.SUBMITTED,
        to_status=RoadmapStatus.RETURNED,
        by=lead,
        at=timezone.now(),
        note="Add the costs to Phase 1, please.",
    )

    sign_in_as(page, lisbon["ana"], PASSWORD)
    page.goto(f"/roadmaps/{roadmap.pk}/")

    banner = page.locator("[data-returned-note]")
    expect(banner.get_by_role("heading", name="Returned to the city")).to_be_visible()
    expect(banner).to_contain_text("Add the costs to Phase 1, please.")
    expect(page.locator('span.badge[data-status="returned"]')).to_have_text("Returned")
    assert_accessible_and_csp_clean(page)
