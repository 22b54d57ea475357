"""The programme's own figures in a real browser: the needs assessment by enabling theme (on a
desktop and a phone), and sending a post-session survey's sub-topics to the technical session,
whose page then says where they came from; axe finds nothing serious."""

import pytest
from django.core.management import call_command

from tests.browser.conftest import sign_in_as
from tests.browser.test_pages import assert_accessible_and_csp_clean
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def needs(transactional_db):
    from tests import factories
    from tests.feedback.needs_world import answer, enrolled_officer, needs_survey

    call_command("seed_reference", verbosity=0)
    cohort = factories.CohortFactory()
    facilitator = factories.UserFactory(is_facilitator=True)
    cohort.facilitators.add(facilitator)
    survey = needs_survey(cohort, facilitator)
    for name, barriers in (
        ("Lisbon", ["Very high investment costs", "Lack of know-how and skills"]),
        ("Porto", ["Very high investment costs"]),
    ):
        city, officer = enrolled_officer(cohort, name)
        answer(survey, officer, city, {"barriers": barriers, "cooperated": ["Yes"]})
    survey.facilitator = facilitator
    return survey


def test_needs_by_theme_on_a_desktop_and_a_phone(page, needs):
    sign_in_as(page, needs.facilitator, PASSWORD)
    page.goto(f"/surveys/{needs.pk}/results/")
    page.get_by_role("link", name="Needs by enabling theme").click()
    themes = page.locator("section[data-theme]")
    assert themes.locator("h2").all_inner_texts() == [
        "Policy and governance",
        "Implementation practices",
        "Culture, social innovation and participation",
        "Finance and business models",
        "Strategic learning",
    ]
    governance = page.locator('section[data-theme="policy-governance"]')
    assert governance.locator("ol[data-top] li").all_inner_texts() == [
        "Very high investment costs: 2 of 2 (100%)",
        "Lack of know-how and skills: 1 of 2 (50%)",
    ]
    assert_accessible_and_csp_clean(page)

    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible_and_csp_clean(page)


@pytest.fixture
def post_session(transactional_db):
    from tests.feedback.test_subtopics import subtopics_world

    return subtopics_world()


def test_sending_the_sub_topics_to_the_technical_session(page, post_session):
    world = post_session
    sign_in_as(page, world.facilitator, PASSWORD)
    page.goto(f"/surveys/{world.survey.pk}/results/")
    page.get_by_role("link", name="Use as the technical session's requested sub-topics").click()
    assert page.locator('[data-list="choices"] li').count() == 3
    assert_accessible_and_csp_clean(page)
    page.get_by_role("button", name="Use as the technical session's requested sub-topics").click()
    assert (
        "The sub-topics are now those of “Energy: technical session”."
        in page.locator("body").inner_text()
    )

    page.goto(f"/sessions/{world.technical.pk}/")
    part = page.locator('[data-block="requested-subtopics"]')
    assert (
        part.locator("[data-source]")
        .inner_text()
        .startswith(
            "From the post-session survey “Which sub-topics should the technical session explore?”"
        )
    )
    assert_accessible_and_csp_clean(page)
