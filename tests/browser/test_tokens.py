"""The API tokens page in a real browser: reached by links, used with labels, axe and CSP clean
with tokens listed and with a new token's secret on show."""

import pytest

from accounts.models import ApiToken
from tests import factories
from tests.browser.conftest import sign_in_as
from tests.browser.test_pages import assert_accessible_and_csp_clean
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_person_makes_uses_and_revokes_a_token_on_the_tokens_page(page, transactional_db):
    officer = factories.city_officer()
    sign_in_as(page, officer, PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()
    page.get_by_role("navigation", name="Your account").get_by_role(
        "link", name="API tokens"
    ).click()
    page.wait_for_url("**/accounts/tokens/")
    assert page.get_by_role("heading", level=1).inner_text() == "API tokens"
    assert page.get_by_text("You have no API tokens.").is_visible()
    assert_accessible_and_csp_clean(page)

    page.get_by_label("Name").fill("Monthly report")
    page.get_by_label("Valid for").select_option(label="90 days")
    page.get_by_role("button", name="Make the token").click()

    secret = page.get_by_label("Token", exact=True).input_value()
    token = ApiToken.objects.get(user=officer)
    assert (token.name, token.token_key) == ("Monthly report", secret[:15])
    assert page.get_by_role("heading", name="Your new token “Monthly report”").is_visible()
    assert page.get_by_role("rowheader", name="Monthly report").count() == 1
    assert_accessible_and_csp_clean(page)

    page.get_by_role("button", name="Revoke “Monthly report”").click()
    page.wait_for_url("**/accounts/tokens/")
    assert page.get_by_role("status").inner_text() == "The token “Monthly report” is revoked."
    assert page.get_by_text("You have no API tokens.").is_visible()
    assert not ApiToken.objects.filter(user=officer).exists()
    assert_accessible_and_csp_clean(page)


def test_password_page_with_its_account_links_is_accessible(page, transactional_db):
    officer = factories.city_officer()
    sign_in_as(page, officer, PASSWORD)

    page.goto("/accounts/password/change/")

    links = page.get_by_role("navigation", name="Your account").get_by_role("link")
    assert links.all_inner_texts() == [
        "Name, language and time zone",
        "Password",
        "API tokens",
        "Reminders",
    ]
    assert_accessible_and_csp_clean(page)
