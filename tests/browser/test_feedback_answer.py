"""Answering a survey in a real browser: an officer answers page 1 of a two-page survey,
leaves, resumes in another browser (another device), is told what is missing, and submits;
axe on the home page's list, the introduction, each page, the error summary and the
confirmation; the keyboard alone chooses; a question shown only if an earlier answer is "Yes"
comes and goes with that answer."""

import re

import pytest

from feedback.models import Answer, Response
from tests import factories
from tests.browser.conftest import sign_in_as
from tests.browser.test_pages import assert_accessible_and_csp_clean
from tests.feedback.conftest import two_page_survey

pytestmark = pytest.mark.browser


@pytest.fixture
def answering(transactional_db):
    cohort = factories.CohortFactory()
    city = factories.CityFactory(name="Lisbon")
    factories.enrolment_accepted(cohort=cohort, city=city)
    officer = factories.city_officer(city=city, email="ana@lisboa.example", full_name="Ana Silva")
    return officer, two_page_survey(cohort)


def test_an_officer_answers_over_two_pages_resumes_elsewhere_and_submits(new_page, answering):
    officer, survey = answering
    q = survey.q

    phone = new_page()
    phone.set_viewport_size({"width": 375, "height": 740})
    sign_in_as(phone, officer, factories.PASSWORD)
    surveys = phone.locator('section[data-block="officer-surveys"]')
    assert "Recap" in surveys.inner_text() and "Not started" in surveys.inner_text()
    assert_accessible_and_csp_clean(phone)
    surveys.get_by_role("link", name="Recap").click()
    assert_accessible_and_csp_clean(phone)
    phone.get_by_role("button", name="Start").click()

    phone.wait_for_url(f"**/surveys/{survey.pk}/answer/1/")
    assert_accessible_and_csp_clean(phone)
    # The keyboard alone: Space chooses the focused radio button and check box.
    phone.get_by_label("Yes", exact=True).focus()
    phone.keyboard.press("Space")
    phone.get_by_label("Energy").focus()
    phone.keyboard.press("Space")
    phone.locator(f"#q{q['rating'].pk}-4").check()
    phone.get_by_label("Nickname").fill("Ana")
    phone.get_by_role("button", name="Next").click()
    phone.wait_for_url(f"**/surveys/{survey.pk}/answer/2/")
    # She leaves here: page 1 is on the server.
    assert Answer.objects.filter(question=q["format"], option=survey.opt["yes"]).exists()

    laptop = new_page()
    sign_in_as(laptop, officer, factories.PASSWORD)
    assert "Draft" in laptop.locator('section[data-block="officer-surveys"]').inner_text()
    laptop.goto(f"/surveys/{survey.pk}/")
    laptop.get_by_role("button", name="Continue").click()
    # She resumes where she left off: page 2.
    laptop.wait_for_url(f"**/surveys/{survey.pk}/answer/2/")
    assert laptop.get_by_text("What worked?").is_visible()
    assert_accessible_and_csp_clean(laptop)
    laptop.get_by_role("button", name="Previous").click()
    laptop.wait_for_url(f"**/surveys/{survey.pk}/answer/1/")
    assert laptop.get_by_label("Yes", exact=True).is_checked()
    assert laptop.get_by_label("Nickname").input_value() == "Ana"
    laptop.get_by_role("button", name="Next").click()

    # Submitted without the required "What worked?": what is missing, linked.
    laptop.get_by_label("Webinar").select_option("2")
    laptop.get_by_label("Workshop").select_option("1")
    laptop.get_by_role("button", name="Submit").click()
    summary = laptop.locator("[data-error-summary]")
    assert "Answer these questions before you submit: “What worked?”." in summary.inner_text()
    assert_accessible_and_csp_clean(laptop)
    summary.get_by_role("link", name="What worked?").click()
    laptop.get_by_label("What worked?").fill("The breakouts")
    laptop.get_by_role("button", name="Submit").click()

    # (The address keeps the link's #fragment through the redirect.)
    laptop.wait_for_url(re.compile(rf"/surveys/{survey.pk}/answer/done/(#.*)?$"))
    assert "Your answers are submitted." in laptop.locator("main").inner_text()
    assert_accessible_and_csp_clean(laptop)
    response = Response.objects.get()
    assert (response.status, response.user) == ("submitted", officer)
    assert sorted(
        Answer.objects.filter(question=q["rank"]).values_list("option__label", "number")
    ) == [("Webinar", 2), ("Workshop", 1)]


def test_a_bad_answer_is_shown_at_its_question_and_in_the_summary(new_page, answering):
    officer, survey = answering
    page = new_page()
    sign_in_as(page, officer, factories.PASSWORD)
    page.goto(f"/surveys/{survey.pk}/answer/1/")
    page.get_by_label("Energy").check()
    page.get_by_label("Mobility").check()
    page.get_by_label("Buildings").check()
    page.get_by_role("button", name="Save draft").click()

    summary = page.locator("[data-error-summary]")
    assert "“Topics?”: choose at most 2 options." in summary.inner_text()
    assert page.locator(f"#q{survey.q['topics'].pk}-error").is_visible()
    assert_accessible_and_csp_clean(page)
    assert Answer.objects.count() == 0


def test_a_question_shown_only_for_an_answer_of_its_page_follows_it_live(new_page, asked_cohort):
    officer, survey = asked_cohort
    page = new_page()
    sign_in_as(page, officer, factories.PASSWORD)
    page.goto(f"/surveys/{survey.pk}/answer/1/")
    follow_up = page.locator(f"#q{survey.follow_up.pk}")

    assert follow_up.is_hidden()
    page.get_by_label("Other", exact=True).check()
    assert follow_up.is_hidden()
    page.get_by_label("No", exact=True).check()
    assert follow_up.is_visible()
    assert_accessible_and_csp_clean(page)


@pytest.fixture
def asked_cohort(answering):
    """The survey with a question on page 1 shown only if the format question is "No"."""
    officer, survey = answering
    survey.follow_up = factories.QuestionFactory(
        section=survey.pages[0],
        position=9,
        kind="short_text",
        text="What would you change?",
        shown_if=survey.opt["no"],
    )
    return officer, survey
