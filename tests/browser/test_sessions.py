"""The session pages' scripts (static/js/sessions/, ES modules) in a real browser: each
presenting-city row of the form offers only the chosen city's climate actions, and cancelling a
session asks first. Their logic has Node unit tests (tests/js/sessions.test.mjs); this checks
that the page loads and wires the modules."""

import datetime

import pytest
from django.utils import timezone

from cities.models import ClimateAction
from sessions.enums import SessionKind, SessionStatus
from sessions.services import session_create
from tests import factories
from tests.browser.conftest import sign_in_as
from tests.browser.test_pages import assert_accessible_and_csp_clean

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db):
    lead = factories.UserFactory(is_facilitator=True, full_name="Lea Lead")
    today = timezone.localdate()
    # Around today: the session next week must fall within its cohort's dates.
    cohort = factories.CohortFactory(
        number=1,
        name="Online Discussion Groups cohort 1",
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=150),
    )
    cohort.facilitators.add(lead)
    energy = factories.ThematicSectorFactory(slug="energy", name="Energy")
    for name, iso_code, titles in [
        ("Mannheim", "DE", ["Coal exit", "District heating"]),
        ("Espoo", "FI", ["Heat pumps"]),
    ]:
        city = factories.CityFactory(
            name=name, country=factories.CountryFactory(iso_code=iso_code), is_mission_city=True
        )
        for title in titles:
            ClimateAction.objects.create(city=city, title=title, sector=energy)
    starts = timezone.now() + datetime.timedelta(days=7)
    session = session_create(
        cohort=cohort,
        kind=SessionKind.THEMATIC_DISCUSSION,
        title="Energy: district heating",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=90),
        acting_user=lead,
    )
    return {"lead": lead, "session": session}


def _visible_actions(page, row: int) -> list[str]:
    return page.locator(f"#id_presentations-{row}-climate_actions").evaluate(
        "select => Array.from(select.options).filter((o) => !o.hidden).map((o) => o.text)"
    )


def test_session_form_offers_only_the_chosen_citys_climate_actions(page, world):
    sign_in_as(page, world["lead"], factories.PASSWORD)
    page.goto(f"/sessions/{world['session'].pk}/edit/")

    everything = _visible_actions(page, 0)
    page.locator("#id_presentations-0-city").select_option(label="Mannheim (DE)")
    mannheim = _visible_actions(page, 0)
    page.locator("#id_presentations-0-city").select_option(label="Espoo (FI)")
    espoo = _visible_actions(page, 0)

    assert everything == [
        "Espoo: Heat pumps",
        "Mannheim: Coal exit",
        "Mannheim: District heating",
    ]
    assert (mannheim, espoo) == (
        ["Mannheim: Coal exit", "Mannheim: District heating"],
        ["Espoo: Heat pumps"],
    )
    assert _visible_actions(page, 1) == everything
    assert_accessible_and_csp_clean(page)


def test_session_cancel_asks_first_and_goes_only_on_yes(page, world):
    session = world["session"]
    sign_in_as(page, world["lead"], factories.PASSWORD)
    page.goto(f"/sessions/{session.pk}/")
    questions = []

    def answer(accept):
        def on_dialog(dialog):
            questions.append(dialog.message)
            if accept:
                dialog.accept()
            else:
                dialog.dismiss()

        return on_dialog

    page.once("dialog", answer(False))
    page.get_by_role("button", name="Cancel the session").click()
    session.refresh_from_db()
    kept = session.status
    page.once("dialog", answer(True))
    page.get_by_role("button", name="Cancel the session").click()
    page.get_by_text("Session cancelled. Everyone registered is told by email.").wait_for()
    session.refresh_from_db()

    assert questions == ["Cancel this session and email everyone registered?"] * 2
    assert (kept, session.status) == (SessionStatus.SCHEDULED, SessionStatus.CANCELLED)
    assert_accessible_and_csp_clean(page)
