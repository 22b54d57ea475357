"""Live mode in real browsers: the facilitator starts live mode from the survey's edit page;
three participants, each in their own browser context (one on a phone, one signing in from the
code's page, one with the keyboard only), answer the question on screen; the presenter's screen
shows the counts rise without a reload; the next question reaches the phones by itself; axe on
every live page finds nothing serious."""

import re

import pytest

from feedback.models import Answer, LivePresentation
from tests import factories
from tests.browser.conftest import sign_in_as
from tests.browser.test_pages import assert_accessible_and_csp_clean
from tests.feedback.conftest import two_page_survey

pytestmark = pytest.mark.browser


@pytest.fixture
def room(transactional_db):
    cohort = factories.CohortFactory()
    facilitator = factories.UserFactory(is_facilitator=True, full_name="Fay Facilitator")
    cohort.facilitators.add(facilitator)
    officers = []
    for name, email in [
        ("Lisbon", "ana@lisboa.example"),
        ("Porto", "bea@porto.example"),
        ("Braga", "caio@braga.example"),
    ]:
        city = factories.CityFactory(name=name)
        factories.enrolment_accepted(cohort=cohort, city=city)
        officers.append(factories.city_officer(city=city, email=email))
    return facilitator, officers, two_page_survey(cohort)


def _answered(presenter, count: str) -> None:
    """Wait until the presenter's screen shows `count` (it polls every 2 seconds)."""
    presenter.locator("[data-live-count]", has_text=re.compile(f"^{count}$")).wait_for()


def test_three_participants_answer_and_the_presenter_sees_the_counts_rise(new_page, room):
    facilitator, (ana, bea, caio), survey = room

    presenter = new_page()
    sign_in_as(presenter, facilitator, factories.PASSWORD)
    presenter.goto(f"/surveys/{survey.pk}/edit/")
    presenter.get_by_role("link", name="Present live").click()
    assert_accessible_and_csp_clean(presenter)
    presenter.get_by_role("button", name="Start live mode").click()
    presenter.wait_for_url(f"**/surveys/{survey.pk}/live/")
    code = LivePresentation.objects.get().code
    assert presenter.locator("[data-live-code] [aria-hidden]").inner_text() == code
    assert presenter.get_by_role("heading", name="Satisfied with the format?").is_visible()
    _answered(presenter, "0 answers")
    assert_accessible_and_csp_clean(presenter)

    # Ana, on her phone: types the code (a wrong one first).
    phone = new_page()
    phone.set_viewport_size({"width": 375, "height": 740})
    sign_in_as(phone, ana, factories.PASSWORD)
    phone.goto("/live/")
    phone.get_by_label("Code on the presenter's screen").fill("KMKMKM")
    phone.get_by_role("button", name="Join").click()
    assert (
        "No live survey is running with the code “KMKMKM”."
        in phone.locator("[data-live-error]").inner_text()
    )
    assert_accessible_and_csp_clean(phone)
    phone.get_by_label("Code on the presenter's screen").fill(code.lower())
    phone.get_by_role("button", name="Join").click()
    phone.wait_for_url(f"**/live/{code}/")
    assert_accessible_and_csp_clean(phone)
    phone.get_by_label("No", exact=True).check()
    phone.get_by_role("button", name="Send my answer").click()
    phone.locator("[data-live-saved]").wait_for()
    # The answer came back in place (htmx): no new page, and the focus is on the message.
    assert phone.url.endswith(f"/live/{code}/")
    assert phone.evaluate("document.activeElement.hasAttribute('data-live-saved')")
    assert_accessible_and_csp_clean(phone)
    _answered(presenter, "1 answer")

    # Bea opens the code's link before signing in: sign-in brings her back to it.
    laptop = new_page()
    laptop.goto(f"/live/{code}/")
    laptop.get_by_label("Email address").fill(bea.email)
    laptop.get_by_label("Password").fill(factories.PASSWORD)
    laptop.get_by_role("button", name="Sign in").click()
    laptop.wait_for_url(f"**/live/{code}/")
    laptop.get_by_label("No", exact=True).check()
    laptop.get_by_role("button", name="Send my answer").click()
    laptop.locator("[data-live-saved]").wait_for()
    _answered(presenter, "2 answers")

    # Caio, with the keyboard only: Space chooses, Enter sends.
    keyboard = new_page()
    sign_in_as(keyboard, caio, factories.PASSWORD)
    keyboard.goto(f"/live/{code}/")
    keyboard.get_by_label("Yes", exact=True).focus()
    keyboard.keyboard.press("Space")
    keyboard.get_by_role("button", name="Send my answer").focus()
    keyboard.keyboard.press("Enter")
    keyboard.locator("[data-live-saved]").wait_for()
    _answered(presenter, "3 answers")

    bars = presenter.locator("[data-live-presenter] .chart-wide svg").text_content()
    assert "2 (67%)" in bars and "1 (33%)" in bars
    assert_accessible_and_csp_clean(presenter)
    assert sorted(
        Answer.objects.filter(question=survey.q["format"]).values_list("option__label", flat=True)
    ) == ["No", "No", "Yes"]

    # Ana changes her mind while the question is on screen: still three answers, two "Yes".
    phone.get_by_label("Yes", exact=True).check()
    phone.get_by_role("button", name="Send my answer").click()
    presenter.locator(".chart-wide svg", has_text="2 (67%)").wait_for()
    assert "Yes" in presenter.locator(".chart-wide svg").text_content()

    # The next question reaches every phone by itself.
    presenter.get_by_role("button", name="Next question").click()
    presenter.get_by_text("Question 2 of 9").wait_for()
    for participant in (phone, laptop, keyboard):
        participant.get_by_text("Topics?").wait_for()
    assert_accessible_and_csp_clean(phone)

    # The presenter ends live mode: the complete responses are submitted; the phones say so.
    presenter.once("dialog", lambda dialog: dialog.accept())
    presenter.get_by_role("button", name="End live mode").click()
    presenter.wait_for_url(f"**/surveys/{survey.pk}/results/")
    assert "Live mode has ended." in presenter.locator(".messages").inner_text()
    phone.get_by_text("Live mode has ended. Thank you for your answers.").wait_for()
    assert_accessible_and_csp_clean(phone)


def test_a_short_text_question_shows_a_word_cloud(new_page, room):
    facilitator, (ana, bea, caio), survey = room
    presenter = new_page()
    sign_in_as(presenter, facilitator, factories.PASSWORD)
    presenter.goto(f"/surveys/{survey.pk}/live/")
    presenter.get_by_role("button", name="Start live mode").click()
    code = LivePresentation.objects.get().code
    for _ in range(3):
        presenter.get_by_role("button", name="Next question").click()
    presenter.get_by_text("Question 4 of 9").wait_for()

    for person, words in [(ana, "Heat pumps"), (bea, "heat grid"), (caio, "heat")]:
        phone = new_page()
        phone.set_viewport_size({"width": 375, "height": 740})
        sign_in_as(phone, person, factories.PASSWORD)
        phone.goto(f"/live/{code}/")
        phone.get_by_label("Nickname").fill(words)
        phone.get_by_role("button", name="Send my answer").click()
        phone.locator("[data-live-saved]").wait_for()

    _answered(presenter, "3 answers")
    cloud = presenter.locator("[data-word-cloud]")
    assert cloud.locator("li.word-size-6").text_content() == "heat (3 times)"
    assert_accessible_and_csp_clean(presenter)
