"""The attendance page and the import of a meeting report, in a real browser: "Tick “attended”
for everyone" and "Add another walk-in" work in the page (static/js/sessions/walk-ins.js), and
a Teams report goes through its confirmation to the list. The pages without JavaScript are
tests/sessions/test_pages.py's and test_attendance_import.py's."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from sessions.enums import SessionKind
from sessions.models import Registration, Session
from sessions.services import registrations_create, session_create
from tests import factories
from tests.browser.conftest import sign_in_as
from tests.browser.test_pages import assert_accessible_and_csp_clean

pytestmark = pytest.mark.browser

TEAMS_REPORT = Path(__file__).parents[1] / "sessions" / "data" / "teams_attendance.csv"


@pytest.fixture
def world(transactional_db):
    lead = factories.UserFactory(is_facilitator=True, full_name="Lea Lead", email="lea@example.org")
    today = timezone.localdate()
    cohort = factories.CohortFactory(
        number=1,
        name="Online Discussion Groups cohort 1",
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=150),
    )
    cohort.facilitators.add(lead)
    lisbon = factories.CityFactory(name="Lisbon", country=factories.CountryFactory(iso_code="PT"))
    brno = factories.CityFactory(
        name="Brno", country=factories.CountryFactory(iso_code="CZ", name="Czechia")
    )
    for city in (lisbon, brno):
        factories.EnrolmentFactory(cohort=cohort, city=city, status="accepted")
    officer = factories.city_officer(city=lisbon)
    starts = timezone.now() + datetime.timedelta(days=1)
    session = session_create(
        cohort=cohort,
        kind=SessionKind.THEMATIC_DISCUSSION,
        title="Energy: district heating",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=90),
        acting_user=lead,
    )
    registrations_create(
        session=session,
        city=lisbon,
        people=[("Ana Silva", "ana@lisboa.pt"), ("Rui Costa", "rui@lisboa.pt")],
        acting_user=officer,
    )
    # The session took place this morning (registration closes when it starts).
    now = timezone.now()
    Session.objects.filter(pk=session.pk).update(
        starts_at=now - datetime.timedelta(hours=3), ends_at=now - datetime.timedelta(hours=2)
    )
    return {"lead": lead, "session": session}


def _people():
    return list(
        Registration.objects.order_by("email").values_list(
            "email", "attendance", "is_walk_in", "city__name"
        )
    )


def test_attendance_page_ticks_everyone_and_adds_walk_in_rows_in_the_page(page, world):
    session = world["session"]
    sign_in_as(page, world["lead"], factories.PASSWORD)
    page.goto(f"/sessions/{session.pk}/attendance/")
    assert_accessible_and_csp_clean(page)

    page.get_by_role("button", name="Tick “attended” for everyone").click()
    ticked = page.locator("input[type=radio][value=attended]:checked").count()
    page.get_by_role("button", name="Add another walk-in").click()
    focused = page.evaluate("document.activeElement.name")
    page.locator("#id_walk_ins-3-full_name").fill("Marta Rossi")
    page.locator("#id_walk_ins-3-email").fill("marta@torino.it")
    legends = page.locator("fieldset[data-walk-in-row] > legend").all_inner_texts()
    page.get_by_role("button", name="Save attendance").click()
    page.get_by_text("Attendance saved.").wait_for()

    assert (ticked, focused) == (2, "walk_ins-3-full_name")
    assert legends == ["Walk-in 1", "Walk-in 2", "Walk-in 3", "Walk-in 4"]
    assert _people() == [
        ("ana@lisboa.pt", "attended", False, "Lisbon"),
        ("marta@torino.it", "attended", True, None),
        ("rui@lisboa.pt", "attended", False, "Lisbon"),
    ]


def test_teams_report_is_imported_through_its_confirmation(page, world):
    session = world["session"]
    sign_in_as(page, world["lead"], factories.PASSWORD)
    page.goto(f"/sessions/{session.pk}/attendance/")

    page.get_by_role("link", name="Import a Zoom or Teams attendance report").click()
    assert_accessible_and_csp_clean(page)
    page.get_by_label("Attendance report (CSV)").set_input_files(str(TEAMS_REPORT))
    page.get_by_role("button", name="Read the report").click()
    page.get_by_role("heading", name="Confirm the attendance report").wait_for()
    assert_accessible_and_csp_clean(page)
    to_mark = page.locator('[data-import="to-mark"]').inner_text()
    jan = page.get_by_role("group", name="Decision about Jan Novák (External)")
    jan.get_by_label("Add as a walk-in").check()
    page.get_by_label("City of Jan Novák (External)").select_option(label="Brno (CZ)")
    page.get_by_role("button", name="Confirm and save attendance").click()
    page.get_by_text(
        "Report imported: 1 marked as attended, 0 already were, 1 added as walk-ins."
    ).wait_for()

    assert to_mark == "Rui Costa (rui@lisboa.pt), Lisbon"
    assert page.url.endswith(f"/sessions/{session.pk}/attendance/")
    assert _people() == [
        ("ana@lisboa.pt", "", False, "Lisbon"),
        ("jan.novak@brno.cz", "attended", True, "Brno"),
        ("rui@lisboa.pt", "attended", False, "Lisbon"),
    ]
