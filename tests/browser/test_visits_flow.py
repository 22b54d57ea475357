"""A Group Study Visit call from application to decision in a real browser (issue 12): an
officer applies; two reviewers score; one recuses; the admin runs scoring, allocates,
publishes; the officer sees the decision. Every visits page on the way passes axe.

Small data made with the factories (not the demo, which takes seconds to load): one open call
with one visit and one anchored criterion, three reviewers. Scoring runs as a Celery task:
eager in the tests' settings (config/settings_test.py), after the commit of the request that
queues it, as a worker would run it after the commit.
"""

import pytest

from tests import factories
from tests.browser.conftest import sign_in_as
from tests.browser.test_pages import assert_accessible_and_csp_clean
from tests.factories import PASSWORD
from visits.enums import CallStatus, Decision
from visits.models import Application, Review

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db):
    cohort = factories.CohortFactory()
    admin = factories.UserFactory(is_programme_admin=True, full_name="Programme admin")
    city = factories.CityFactory(name="Braga")
    factories.enrolment_accepted(cohort=cohort, city=city, by=admin)
    officer = factories.city_officer(city=city, full_name="Braga officer")
    call = factories.CallFactory(
        title="Group Study Visits 2025", status=CallStatus.OPEN, reviewers_per_application=3
    )
    call.eligible_cohorts.set([cohort])
    host = factories.CityFactory(name="Guimarães", is_mission_city=True, is_mission_minded=False)
    visit = factories.VisitFactory(call=call, host_city=host)
    criterion = factories.CriterionFactory(call=call, name="Relevance", scale_max=3)
    for points, words in enumerate(["Not addressed", "Weak", "Good", "Excellent"]):
        factories.AnchorFactory(criterion=criterion, points=points, description=words)
    reviewers = [
        factories.UserFactory(is_reviewer=True, full_name=f"Reviewer {n}") for n in (1, 2, 3)
    ]
    return {
        "admin": admin,
        "officer": officer,
        "city": city,
        "call": call,
        "visit": visit,
        "criterion": criterion,
        "reviewers": reviewers,
    }


def _officer_applies(page, world) -> None:
    sign_in_as(page, world["officer"], PASSWORD)
    calls = page.locator('section[data-block="officer-visit-calls"]')
    calls.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/visits/applications/*/")
    assert page.get_by_role("heading", level=1).inner_text() == "Application of Braga"
    assert_accessible_and_csp_clean(page)

    page.get_by_label("Choice 1").select_option(str(world["visit"].pk))
    page.get_by_label("Motivation").fill("To see NZEB procurement on the ground.")
    page.get_by_label("Spotlight challenge").fill("Renovating the historic centre.")
    page.locator("#delegate-0-name").fill("Ana Silva")
    page.locator("#delegate-0-email").fill("ana.silva@example.org")
    page.get_by_role("button", name="Submit the application").click()
    page.get_by_role("heading", name="Visits, by preference").wait_for()
    assert_accessible_and_csp_clean(page)


def _admin_opens(page, world, link: str) -> None:
    """From anywhere: Group Study Visits in the main navigation, the call, then `link`."""
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Group Study Visits"
    ).click()
    page.get_by_role("link", name=world["call"].title).click()
    page.get_by_role("heading", level=1, name=world["call"].title).wait_for()
    page.locator('[data-block="call-running"]').get_by_role("link", name=link).click()
    page.get_by_role("heading", level=1).wait_for()


def _reviewer_opens_braga(page, reviewer, *, check: bool) -> None:
    """Sign in, and open Braga's review from the home page (axe once per kind of page:
    `check` for the first reviewer only)."""
    sign_in_as(page, reviewer, PASSWORD)
    page.locator('section[data-role="reviewer"]').get_by_role("link", name="Braga").click()
    page.get_by_role("heading", level=1, name="Review: Braga").wait_for()
    if check:
        assert_accessible_and_csp_clean(page)


def test_officer_applies_reviewers_score_and_recuse_admin_publishes_officer_sees_it(
    page, new_page, world
):
    _officer_applies(page, world)
    application = Application.objects.get(call=world["call"], city=world["city"])
    assert application.status == "submitted"

    admin = new_page()
    sign_in_as(admin, world["admin"], PASSWORD)
    _admin_opens(admin, world, "Reviewers")
    assert_accessible_and_csp_clean(admin)
    admin.get_by_role("button", name="Assign automatically").click()
    admin.get_by_role("cell", name="Reviewer 3").first.wait_for()
    assert Review.objects.filter(application=application).count() == 3

    first, second, third = world["reviewers"]
    criterion = world["criterion"]
    for reviewer, points in ((first, 3), (second, 2)):
        reviewing = new_page()
        _reviewer_opens_braga(reviewing, reviewer, check=reviewer == first)
        reviewing.locator(f"#criterion-{criterion.pk}-{points}").check()
        reviewing.get_by_role("button", name="Submit", exact=True).click()
        reviewing.get_by_role("button", name="Save changes").wait_for()
        if reviewer == first:
            # Submitted: the others' scores are shown now (none yet), the form says so.
            assert_accessible_and_csp_clean(reviewing)
    recusing = new_page()
    _reviewer_opens_braga(recusing, third, check=False)
    recusing.get_by_label("Why you recuse yourself").fill("I advised Braga last year.")
    recusing.get_by_role("button", name="Recuse myself").click()
    recusing.locator('[data-block="recuse"]').wait_for(state="detached")
    assert_accessible_and_csp_clean(recusing)
    assert sorted(
        Review.objects.filter(application=application).values_list("status", flat=True)
    ) == [
        "recused",
        "submitted",
        "submitted",
    ]

    _admin_opens(admin, world, "Ranking")
    assert_accessible_and_csp_clean(admin)
    admin.get_by_role("button", name="Run scoring").click()
    admin.get_by_role("heading", level=1, name="Ranking").wait_for()
    application.refresh_from_db()
    # The recused review leaves the mean: (3 + 2) / 2.
    assert (application.rank, str(application.total)) == (1, "2.500")

    _admin_opens(admin, world, "Allocation")
    assert_accessible_and_csp_clean(admin)
    admin.get_by_role("button", name="Allocate").click()
    admin.locator(f'[data-visit="{world["visit"].pk}"]').get_by_role(
        "rowheader", name="Braga"
    ).wait_for()
    admin.get_by_role("link", name="Publish decisions…").click()
    admin.get_by_role("heading", level=1, name="Publish decisions").wait_for()
    assert_accessible_and_csp_clean(admin)
    admin.get_by_role("button", name="Publish the decisions and email the cities").click()
    admin.locator("[data-published]").wait_for()
    assert_accessible_and_csp_clean(admin)

    page.goto("/")
    page.locator('section[data-role="city_officer"]').get_by_role("link", name="Braga").click()
    decisions = page.locator('section[data-section="visit-decisions"]')
    decisions.wait_for()
    assert "Group Study Visits 2025: Selected" in decisions.inner_text()
    assert "the visit hosted by Guimarães" in decisions.inner_text()
    assert_accessible_and_csp_clean(page)
    application.refresh_from_db()
    assert (application.decision, application.allocated_visit_id) == (
        Decision.SELECTED,
        world["visit"].pk,
    )
