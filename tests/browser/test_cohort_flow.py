"""Issue 3 end to end in a real browser: a facilitator creates a cohort and a session with a
presenting Mission City; a city officer asks to join, is accepted, registers two people and
downloads the session's .ics; the facilitator records attendance and reads the counts."""

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from cities.services import climate_action_create
from cohorts.models import Cohort
from sessions.models import Session
from taxonomy.models import ThematicSector
from tests import factories
from tests.browser.conftest import sign_in_as

pytestmark = pytest.mark.browser

BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.fixture
def people(transactional_db):
    """Reference data, a facilitator, an officer of Lisbon and the Mission City of Mannheim
    with one climate action (made through the service, as its officers would)."""
    call_command("seed_reference", verbosity=0)
    facilitator = factories.UserFactory(
        is_facilitator=True, full_name="Fatima Facilitator", email="fatima@example.org"
    )
    lisbon = factories.CityFactory(name="Lisbon", country=factories.CountryFactory(iso_code="PT"))
    officer = factories.city_officer(city=lisbon, full_name="Ana Silva", email="ana@lisboa.pt")
    mannheim = factories.CityFactory(
        name="Mannheim",
        country=factories.CountryFactory(iso_code="DE"),
        is_mission_city=True,
        is_mission_minded=False,
    )
    climate_action_create(
        acting_user=facilitator,
        city=mannheim,
        title="District heating from industrial waste heat",
        sector=ThematicSector.objects.get(slug="energy"),
    )
    return facilitator, officer


def test_cohort_flow_from_creation_to_attendance_counts(people, new_page):
    facilitator_user, officer_user = people
    today = timezone.localdate()
    session_day = today + datetime.timedelta(days=10)
    facilitator = new_page()
    officer = new_page()
    sign_in_as(facilitator, facilitator_user, factories.PASSWORD)
    sign_in_as(officer, officer_user, factories.PASSWORD)

    # The facilitator creates the cohort with an Energy group (phases take their default dates).
    facilitator.goto("/cohorts/new/")
    facilitator.get_by_label("Programme").select_option(label="Online Discussion Groups")
    facilitator.get_by_label("Number:", exact=True).fill("42")
    facilitator.get_by_label("Name:", exact=True).fill("Online Discussion Groups cohort 42")
    facilitator.get_by_label("Starts on:", exact=True).fill(
        (today - datetime.timedelta(days=30)).isoformat()
    )
    facilitator.get_by_label("Ends on:", exact=True).fill(
        (today + datetime.timedelta(days=150)).isoformat()
    )
    facilitator.get_by_label("Energy", exact=True).check()
    facilitator.get_by_role("button", name="Create the cohort").click()
    facilitator.wait_for_url(re.compile(r"/cohorts/\d+/$"))
    cohort = Cohort.objects.get(number=42)
    assert facilitator.get_by_role("heading", level=1).inner_text() == cohort.name

    # ... and schedules a thematic session in which Mannheim presents its climate action.
    facilitator.goto(f"/sessions/new/?cohort={cohort.pk}")
    facilitator.get_by_label("Kind").select_option(label="Thematic discussion")
    facilitator.get_by_label("Title").fill("Energy: district heating")
    facilitator.get_by_label("Thematic group").select_option(label=f"{cohort.name} · Energy")
    facilitator.get_by_label("Starts:", exact=True).fill(f"{session_day.isoformat()}T10:00")
    facilitator.get_by_label("Ends:", exact=True).fill(f"{session_day.isoformat()}T11:30")
    facilitator.get_by_label("Online meeting link").fill("https://meet.example.org/heating")
    facilitator.locator("#id_presentations-0-city").select_option(label="Mannheim (DE)")
    facilitator.locator("#id_presentations-0-climate_actions").select_option(
        label="Mannheim: District heating from industrial waste heat"
    )
    facilitator.get_by_role("button", name="Schedule").click()
    facilitator.wait_for_url(re.compile(r"/sessions/\d+/$"))
    session = Session.objects.get(cohort=cohort)
    assert " ".join(facilitator.locator("[data-presentation]").inner_text().split()) == (
        "Mannheim District heating from industrial waste heat"
    )

    # The officer asks for Lisbon to join the Energy group; the facilitator accepts.
    officer.goto("/cohorts/")
    officer.get_by_role("link", name="Ask for Lisbon to join").click()
    officer.get_by_label("Energy", exact=True).check()
    officer.get_by_label("What does the city need from the Energy group?").fill(
        "Financing district heating"
    )
    officer.get_by_role("button", name="Ask to join").click()
    officer.wait_for_url(re.compile(r"/cohorts/$"))
    assert officer.locator(f'tr[data-cohort="{cohort.pk}"] .badge').inner_text() == "Requested"

    facilitator.goto(f"/cohorts/{cohort.pk}/enrolments/")
    facilitator.get_by_role("button", name="Accept Lisbon").click()
    expect(facilitator.locator("tr[data-enrolment] .badge")).to_have_text("Enrolled")

    # The officer's home page says the session is due; they register two people from it.
    officer.goto("/")
    due = officer.locator('section[data-block="officer-due"]')
    due.get_by_role("link", name="Register people from Lisbon").click()
    person_1 = officer.get_by_role("group", name="Person 1")
    person_1.get_by_label("Full name").fill("Rui Costa")
    person_1.get_by_label("Email address").fill("rui@lisboa.pt")
    person_2 = officer.get_by_role("group", name="Person 2")
    person_2.get_by_label("Full name").fill("Eva Lopes")
    person_2.get_by_label("Email address").fill("eva@lisboa.pt")
    officer.get_by_role("button", name="Register", exact=True).click()
    expect(officer.locator("[role=status]")).to_have_text("Registered: Rui Costa, Eva Lopes.")
    officer.goto("/")
    upcoming = officer.locator(
        f'section[data-block="officer-upcoming"] tr[data-session="{session.pk}"]'
    )
    assert upcoming.locator("[data-registered]").inner_text() == "2 people"
    join = upcoming.get_by_role("link", name="Join", exact=True)
    assert join.get_attribute("href") == "https://meet.example.org/heating"
    assert (
        officer.locator('section[data-block="officer-due"] [data-list="register"] li').count() == 0
    )

    # ... and downloads the session's .ics from its page.
    officer.goto(f"/sessions/{session.pk}/")
    with officer.expect_download() as download_info:
        officer.get_by_role("link", name="Add to my calendar (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == f"session-{session.pk}.ics"
    ics = Path(download.path()).read_bytes().decode()
    starts_utc = datetime.datetime.combine(session_day, datetime.time(10), BRUSSELS).astimezone(
        datetime.UTC
    )
    assert "SUMMARY:Energy: district heating\r\n" in ics
    assert f"DTSTART:{starts_utc:%Y%m%dT%H%M%SZ}\r\n" in ics

    # The session takes place: move it into the past (attendance opens once it has started).
    now = timezone.now()
    Session.objects.filter(pk=session.pk).update(
        starts_at=now - datetime.timedelta(hours=2), ends_at=now - datetime.timedelta(minutes=30)
    )

    # The facilitator's home page asks for the attendance; they record it.
    facilitator.goto("/")
    to_record = facilitator.locator('section[data-block="facilitator-to-record"]')
    to_record.get_by_role("link", name="Record attendance").click()
    facilitator.get_by_role("group", name="Attendance of Rui Costa").get_by_label(
        "Attended"
    ).check()
    facilitator.get_by_role("group", name="Attendance of Eva Lopes").get_by_label("No-show").check()
    walk_in = facilitator.get_by_role("group", name="Walk-in 1")
    walk_in.get_by_label("Full name").fill("Joana Reis")
    walk_in.get_by_label("Email address").fill("joana@lisboa.pt")
    walk_in.get_by_label("City (optional)").select_option(label="Lisbon (PT)")
    facilitator.get_by_role("button", name="Save attendance").click()
    expect(facilitator.locator("[role=status]")).to_have_text("Attendance saved.")

    facilitator.goto(f"/sessions/{session.pk}/")
    counts = {
        key: facilitator.locator(f'dd[data-count="{key}"]').inner_text()
        for key in ["registered", "attended", "no_shows", "walk_ins", "attendance_rate"]
    }
    assert counts == {
        "registered": "2",
        "attended": "1",
        "no_shows": "1",
        "walk_ins": "1",
        "attendance_rate": "50%",
    }
    facilitator.goto("/")
    assert facilitator.locator('section[data-block="facilitator-to-record"] tr').count() == 0
