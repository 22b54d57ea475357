"""The portal in a real browser: sign-in per role, keyboard use, axe, Content-Security-Policy."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from accounts.enums import Role
from cities.models import City
from cities.selectors import cities_of_officer, invitation_cities_for
from cities.services import invitation_create
from cohorts.models import Cohort
from cohorts.selectors import cohorts_facilitated_by
from sessions.models import Session
from tests import factories
from tests.browser.conftest import ConsoleLog, sign_in, sign_in_as
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

AXE = Axe()
BLOCKING_IMPACTS = {"serious", "critical"}


def assert_accessible_and_csp_clean(page) -> None:
    """No serious or critical axe violation, and no Content-Security-Policy report, on the page."""
    violations = [
        violation
        for violation in AXE.run(page).response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    {node['target']}: {node['html']}" for node in v["nodes"])
        for v in violations
    )
    assert violations == [], f"axe on {page.url}:\n{report}"
    assert page.console_log.csp_violations() == []


def section_text(page, role: str) -> str:
    return page.locator(f'section[data-role="{role}"]').inner_text()


def test_officer_signs_in_and_sees_their_city(page, demo):
    city = cities_of_officer(user=demo[Role.CITY_OFFICER]).first()

    sign_in(page, Role.CITY_OFFICER)

    section = page.locator('section[data-role="city_officer"]')
    assert section.get_by_role("heading", level=2).inner_text() == "Your cities"
    assert f"{city.name}, {city.country.name}" in section.inner_text()
    assert_accessible_and_csp_clean(page)


def test_facilitator_signs_in_and_sees_their_cohort(page, demo):
    cohort = cohorts_facilitated_by(user=demo[Role.FACILITATOR]).first()

    sign_in(page, Role.FACILITATOR)

    section = page.locator('section[data-role="facilitator"]')
    assert section.get_by_role("heading", level=2).inner_text() == "Cohorts you facilitate"
    assert section.get_by_role("rowheader", name=cohort.name).count() == 1
    assert_accessible_and_csp_clean(page)


def test_reviewer_signs_in_and_sees_their_applications_to_score(page, demo):
    sign_in(page, Role.REVIEWER)

    section = page.locator('section[data-role="reviewer"]')
    assert section.get_by_role("heading", level=2).inner_text() == "Applications to score"
    # The demo's Group Study Visits (devdata/demo_visits.py): six applications of the 2025
    # call (five scored, one recused) and one of the open call still to score.
    rows = section.locator("tr[data-review]")
    assert rows.count() == 7
    assert [rows.nth(n).locator("[data-status]").inner_text() for n in range(7)].count(
        "To score"
    ) == 1
    assert_accessible_and_csp_clean(page)

    section.get_by_role("link", name="Coimbra").last.click()
    page.get_by_role("heading", level=1, name="Review: Coimbra").wait_for()
    assert_accessible_and_csp_clean(page)


def test_programme_admin_signs_in_and_sees_counts(page, demo):
    expected = {
        "cities": City.objects.count(),
        "mission_cities": City.objects.filter(is_mission_city=True).count(),
        "cohorts": Cohort.objects.count(),
        "sessions": Session.objects.count(),
    }
    assert min(expected.values()) > 0, f"the demo data should fill every count: {expected}"

    sign_in(page, Role.PROGRAMME_ADMIN)

    section = page.locator('section[data-role="programme_admin"]')
    assert section.get_by_role("heading", level=2).inner_text() == "Programme overview"
    shown = {key: section.locator(f'dd[data-count="{key}"]').inner_text() for key in expected}
    assert shown == {key: str(value) for key, value in expected.items()}
    assert_accessible_and_csp_clean(page)


def test_programme_admin_finds_the_demo_call_its_ranking_and_allocation(page, demo):
    sign_in(page, Role.PROGRAMME_ADMIN)

    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Group Study Visits"
    ).click()
    assert_accessible_and_csp_clean(page)
    page.get_by_role("link", name="Group Study Visits 2025").click()
    page.get_by_role("heading", level=1, name="Group Study Visits 2025").wait_for()
    assert_accessible_and_csp_clean(page)
    running = page.locator('[data-block="call-running"]')
    running.get_by_role("link", name="Ranking").click()
    page.get_by_role("heading", level=1, name="Ranking").wait_for()
    assert_accessible_and_csp_clean(page)
    page.go_back()
    running.get_by_role("link", name="Allocation").click()
    page.locator("[data-published]").wait_for()
    assert page.locator('[data-section="waitlist"] tbody tr').count() == 10
    assert_accessible_and_csp_clean(page)


def test_skip_link_is_first_tab_stop_and_focuses_main(page, transactional_db):
    page.goto("/accounts/login/")

    skip_link = page.locator(".skip-link")
    assert skip_link.bounding_box()["x"] < 0  # off screen until focused

    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.innerText]")
    assert focused == ["skip-link", "Skip to main content"]
    assert skip_link.bounding_box()["x"] > 0
    # The focus ring is drawn (:focus-visible), not left to the browser's default.
    assert skip_link.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_sign_in_page_is_accessible(page, transactional_db):
    page.goto("/accounts/login/")

    assert page.title() == "Sign in · City peer-learning portal"
    assert_accessible_and_csp_clean(page)


def test_password_reset_page_is_accessible(page, transactional_db):
    page.goto("/accounts/password/reset/")

    assert page.get_by_role("heading", level=1).count() == 1
    assert_accessible_and_csp_clean(page)


def test_account_page_is_accessible_and_saves_language_and_time_zone(page, transactional_db):
    officer = factories.city_officer(full_name="Ana Silva")
    sign_in_as(page, officer, PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()
    page.wait_for_url("**/accounts/profile/")
    assert page.get_by_role("heading", level=1).inner_text() == "Your account"
    assert page.get_by_label("Your full name").input_value() == "Ana Silva"
    assert_accessible_and_csp_clean(page)

    page.get_by_label("Your full name").fill("Ana Maria Silva")
    page.get_by_label("Your language").select_option("fr")
    page.get_by_label("Your time zone").select_option("Europe/Lisbon")
    page.get_by_role("button", name="Save").click()

    page.wait_for_url("**/accounts/profile/")
    officer.refresh_from_db()
    assert (officer.full_name, officer.language, officer.time_zone) == (
        "Ana Maria Silva",
        "fr",
        "Europe/Lisbon",
    )
    # The pages follow the language just chosen.
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("status").count() == 1
    assert_accessible_and_csp_clean(page)


def test_invitation_form_is_accessible(page, demo):
    sign_in(page, Role.FACILITATOR)

    page.goto("/invitations/new/")

    assert page.get_by_role("heading", level=1).inner_text() == "Invite a city officer"
    assert_accessible_and_csp_clean(page)


def test_invitation_accept_page_is_accessible(page, demo):
    invitation = invitation_create(
        acting_user=demo[Role.FACILITATOR],
        email="new.officer@example.org",
        city=invitation_cities_for(user=demo[Role.FACILITATOR]).order_by("name").first(),
    )

    page.goto(f"/invitations/{invitation.token}/")

    assert page.get_by_role("heading", level=1).inner_text() == (
        f"Represent {invitation.city.name}"
    )
    assert_accessible_and_csp_clean(page)


def test_not_found_page_is_accessible(page, transactional_db):
    response = page.goto("/no-such-page/")

    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "We could not find this page"
    assert_accessible_and_csp_clean(page)


def test_csp_check_catches_an_inline_script(page, transactional_db, live_server):
    # Proves the console check can fail: a page served with our policy and an inline script.
    page.route(
        "**/csp-canary/",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Security-Policy": "script-src 'self'", "Content-Type": "text/html"},
            body="<!DOCTYPE html><title>canary</title><script>document.title = 'ran'</script>",
        ),
    )

    page.goto("/csp-canary/")

    assert page.title() == "canary"
    assert len(page.console_log.csp_violations()) == 1


def test_axe_check_catches_an_unlabelled_field(browser):
    # Proves the axe check can fail: a form field without a label is a critical violation.
    context = browser.new_context()
    page = context.new_page()
    page.console_log = ConsoleLog()
    page.set_content(
        '<!DOCTYPE html><html lang="en"><title>t</title><main><input type="text"></main></html>'
    )

    with pytest.raises(AssertionError, match=r"label \(critical\)"):
        assert_accessible_and_csp_clean(page)
    context.close()
