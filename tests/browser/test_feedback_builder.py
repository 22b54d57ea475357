"""Building a survey in a real browser: a facilitator creates a survey about their cohort with
two sections and a question of each kind, through the forms only, and publishes it; axe checks
each builder page (list, new survey, question form, edit page)."""

import datetime

import pytest
from django.utils import timezone

from feedback.enums import QuestionKind
from feedback.models import Question, Survey
from tests import factories
from tests.browser.conftest import sign_in_as
from tests.browser.test_pages import assert_accessible_and_csp_clean

pytestmark = pytest.mark.browser

LOCAL = "%Y-%m-%dT%H:%M"


@pytest.fixture
def lead(transactional_db):
    lead = factories.UserFactory(is_facilitator=True, full_name="Lea Lead", time_zone="UTC")
    cohort = factories.CohortFactory(number=1, name="Online Discussion Groups cohort 1")
    cohort.facilitators.add(lead)
    return lead


# Section 1 holds the choice questions (the condition points at the first); section 2 the rest.
QUESTIONS = [
    (
        1,
        "single",
        {"text": "Which sub-topic first?", "options": "Heat pumps\nGrids", "other": True},
    ),
    (
        1,
        "multiple",
        {"text": "Which services?", "options": "Funding\nTraining\nData", "at_most": "2"},
    ),
    (2, "rating", {"text": "How satisfied with the format?"}),
    (2, "scale_0_10", {"text": "How likely to recommend?"}),
    (2, "extent", {"text": "How far is climate neutrality possible?", "not_applicable": True}),
    (2, "short_text", {"text": "One word for the session", "max_length": "40"}),
    (2, "long_text", {"text": "What did your city gain?", "condition": "Heat pumps"}),
    (2, "ranking", {"text": "Rank the barriers", "options": "Money\nTime\nSkills"}),
    (2, "matrix", {"text": "Rate each part", "options": "Presentations\nDiscussion"}),
]


def _add_question(page, section_heading: str, kind: str, fields: dict) -> None:
    section = page.locator("section[data-section]").filter(
        has=page.get_by_role("heading", name=section_heading)
    )
    section.get_by_label("Kind of question").select_option(kind)
    section.get_by_role("button", name="Add a question").click()
    page.locator("#id_text").fill(fields["text"])
    if "options" in fields:
        page.locator("#id_options").fill(fields["options"])
    if fields.get("other"):
        page.get_by_label("Offer “Other, please specify”").check()
    if "at_most" in fields:
        page.get_by_label("Select at most").fill(fields["at_most"])
    if fields.get("not_applicable"):
        page.get_by_label("Offer “Not applicable”").check()
    if "max_length" in fields:
        page.get_by_label("Longest answer, in characters").fill(fields["max_length"])
    if "condition" in fields:
        page.get_by_label("Show only if the answer is").select_option(label=fields["condition"])
    page.get_by_label("Required").check()
    page.get_by_role("button", name="Save the question").click()
    page.get_by_text("Question saved.").wait_for()


def test_a_facilitator_builds_a_survey_of_every_kind_and_publishes_it(page, lead):
    sign_in_as(page, lead, factories.PASSWORD)
    page.goto("/surveys/")
    assert_accessible_and_csp_clean(page)
    page.get_by_role("link", name="New survey").click()
    assert_accessible_and_csp_clean(page)

    now = timezone.now()
    page.get_by_label("Title").fill("After the thematic session")
    page.get_by_label("About").select_option(label="Online Discussion Groups cohort 1")
    page.get_by_label("Opens").fill(now.strftime(LOCAL))
    page.get_by_label("Closes").fill((now + datetime.timedelta(days=14)).strftime(LOCAL))
    page.get_by_role("button", name="Create the survey").click()
    page.get_by_text("Survey created. Add its questions.").wait_for()

    page.locator("#section-" + str(Survey.objects.get().sections.get().pk) + "-title").fill(
        "Sub-topics"
    )
    page.get_by_role("button", name="Save the section").click()
    page.get_by_text("Section saved.").wait_for()
    page.locator("#new-section-title").fill("Your views")
    page.get_by_role("button", name="Add a section").click()
    page.get_by_text("Section added.").wait_for()

    for number, (section, kind, fields) in enumerate(QUESTIONS):
        heading = "Section 1: Sub-topics" if section == 1 else "Section 2: Your views"
        if number == 6:  # the question form, with its condition, checked once
            section_box = page.locator("section[data-section]").filter(
                has=page.get_by_role("heading", name=heading)
            )
            section_box.get_by_label("Kind of question").select_option(kind)
            section_box.get_by_role("button", name="Add a question").click()
            assert_accessible_and_csp_clean(page)
            page.go_back()
        _add_question(page, heading, kind, fields)

    page.get_by_role("button", name="Publish").click()
    page.get_by_text("Survey published").wait_for()
    assert_accessible_and_csp_clean(page)

    survey = Survey.objects.get()
    questions = list(Question.objects.order_by("section__position", "position"))
    assert survey.is_published is True
    assert [(q.section.title, q.kind) for q in questions] == [
        ("Sub-topics" if section == 1 else "Your views", QuestionKind(kind))
        for section, kind, _fields in QUESTIONS
    ]
    assert all(q.is_required for q in questions)
    single, multiple, rating, _scale, extent, short, long, ranking, matrix = questions
    assert list(single.options.values_list("label", "is_other")) == [
        ("Heat pumps", False),
        ("Grids", False),
        ("Other, please specify", True),
    ]
    assert (multiple.max_choices, extent.allows_not_applicable, short.max_length) == (2, True, 40)
    assert long.shown_if == single.options.get(label="Heat pumps")
    assert rating.scale_labels == matrix.scale_labels and len(rating.scale_labels) == 5
    assert list(ranking.options.values_list("label", flat=True)) == ["Money", "Time", "Skills"]
    assert list(matrix.options.values_list("label", flat=True)) == ["Presentations", "Discussion"]
