"""A facilitator's and a city officer's week, in a real browser and through links only.

Each person starts from the home page after signing in and reaches every page by following
links on the pages before it (no typed address): the facilitator schedules a session from
the cohort's page, the officer registers for it from their list of what is due; once the
session has taken place the facilitator records its attendance by importing the meeting
tool's report; the officer submits the roadmap, the facilitator finds it in their queue and
returns it with a note, the officer reads the note in the banner and submits again, and the
facilitator accepts it. Only the clock is moved by the test (the session takes place).
"""

import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from cities.services import climate_action_create
from cohorts import services as cohort_services
from cohorts.services import GroupSpec
from roadmaps import services as roadmap_services
from roadmaps.enums import RoadmapStatus
from roadmaps.models import NetZeroCitiesService, Roadmap
from sessions import services as session_services
from sessions.enums import Attendance, SessionKind
from sessions.models import Registration, Session
from taxonomy.models import ThematicSector
from tests import factories
from tests.browser.conftest import sign_in_as
from tests.browser.test_pages import assert_accessible_and_csp_clean
from tests.roadmaps.outputs_factories import typical_values

pytestmark = pytest.mark.browser

# The one required field the officer still has to write this week.
LAST_FIELD = "phase1.missing"


@pytest.fixture
def week(transactional_db):
    """A cohort under way (every roadmap phase open), its lead facilitator, Lisbon enrolled with
    its officer, whose roadmap is written but for one field, and Guimarães, whose climate
    action was presented in an earlier session."""
    call_command("seed_reference", verbosity=0)
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    energy = ThematicSector.objects.get(slug="energy")
    lead = factories.UserFactory(
        is_facilitator=True, full_name="Fatima Facilitator", email="fatima@example.org"
    )
    cohort = cohort_services.cohort_create(
        programme="odg",
        number=7,
        name="Online Discussion Groups cohort 7",
        starts_on=today - 90 * day,
        ends_on=today + 60 * day,
        acting_user=factories.UserFactory(is_programme_admin=True),
        phases={
            "onboarding": (today - 90 * day, today - 61 * day),
            "thematic": (today - 60 * day, today - 31 * day),
            "technical": (today - 30 * day, today - 1 * day),
            "study_visit": (today, today + 60 * day),
        },
        groups=[GroupSpec(sector=energy, facilitators=[])],
    )
    cohort.facilitators.add(lead)
    portugal = factories.CountryFactory(iso_code="PT")
    lisbon = factories.CityFactory(name="Lisbon", country=portugal)
    officer = factories.city_officer(city=lisbon, full_name="Ana Silva", email="ana@lisboa.pt")
    guimaraes = factories.CityFactory(
        name="Guimarães", country=portugal, is_mission_city=True, is_mission_minded=False
    )
    action = climate_action_create(
        acting_user=lead, city=guimaraes, title="Renewable energy communities", sector=energy
    )
    earlier = timezone.now() - 40 * day
    session_services.session_create(
        cohort=cohort,
        kind=SessionKind.THEMATIC_DISCUSSION,
        title="Energy: energy communities",
        starts_at=earlier,
        ends_at=earlier + datetime.timedelta(minutes=90),
        presentations=[(guimaraes, [action.pk])],
        acting_user=lead,
    )
    cohort_services.enrolment_create_direct(
        cohort=cohort, city=lisbon, acting_user=lead, groups=[(cohort.thematic_groups.get(), "")]
    )
    roadmap = Roadmap.objects.get(cohort=cohort, city=lisbon)
    services = list(NetZeroCitiesService.objects.filter(is_active=True).order_by("pk")[:2])
    values = typical_values(action=action, services=services)
    del values[LAST_FIELD]
    errors = roadmap_services.roadmap_fields_save(
        roadmap=roadmap,
        values={key: (value, 0) for key, value in values.items()},
        acting_user=officer,
    )
    assert errors == {}
    return {"cohort": cohort, "lead": lead, "officer": officer, "roadmap": roadmap}


def write_last_field(page, text: str) -> None:
    """Type the last field and leave it (which saves it at once); wait until it is saved."""
    page.locator(f'[id="input-{LAST_FIELD}"]').fill(text)
    page.locator('[id="input-phase1.overview"]').focus()
    expect(page.locator("#save-status")).to_have_text(re.compile(r"^Saved at \d\d:\d\d$"))


def home(page) -> None:
    """The home page, the one address a person types (or bookmarks)."""
    page.goto("/")


def test_a_facilitators_and_an_officers_week_through_links_only(week, new_page, tmp_path):
    cohort, roadmap = week["cohort"], week["roadmap"]
    facilitator = new_page()
    officer = new_page()
    sign_in_as(facilitator, week["lead"], factories.PASSWORD)
    sign_in_as(officer, week["officer"], factories.PASSWORD)
    session_day = timezone.localdate() + datetime.timedelta(days=3)

    # Monday. The facilitator opens the cohort from the home page and schedules a session.
    home(facilitator)
    facilitator.get_by_role("link", name=cohort.name).first.click()
    facilitator.wait_for_url(re.compile(rf"/cohorts/{cohort.pk}/$"))
    facilitator.get_by_role("link", name="Schedule a session").click()
    facilitator.get_by_label("Kind").select_option(label="Thematic discussion")
    facilitator.get_by_label("Title").fill("Energy: heat pumps in old buildings")
    facilitator.get_by_label("Thematic group").select_option(label=f"{cohort.name} · Energy")
    facilitator.get_by_label("Starts:", exact=True).fill(f"{session_day.isoformat()}T10:00")
    facilitator.get_by_label("Ends:", exact=True).fill(f"{session_day.isoformat()}T11:30")
    facilitator.get_by_label("Online meeting link").fill("https://meet.example.org/heat-pumps")
    facilitator.get_by_role("button", name="Schedule").click()
    facilitator.wait_for_url(re.compile(r"/sessions/\d+/$"))
    session = Session.objects.get(title="Energy: heat pumps in old buildings")
    assert facilitator.get_by_role("heading", level=1).inner_text() == session.title

    # The officer's home page lists it among what is due; they register two people.
    home(officer)
    due = officer.locator('section[data-block="officer-due"] [data-list="register"]')
    expect(due.locator(f'li[data-due-session="{session.pk}"]')).to_have_count(1)
    due.get_by_role("link", name="Register people from Lisbon").click()
    person_1 = officer.get_by_role("group", name="Person 1")
    person_1.get_by_label("Full name").fill("Rui Costa")
    person_1.get_by_label("Email address").fill("rui@lisboa.pt")
    person_2 = officer.get_by_role("group", name="Person 2")
    person_2.get_by_label("Full name").fill("Eva Lopes")
    person_2.get_by_label("Email address").fill("eva@lisboa.pt")
    officer.get_by_role("button", name="Register", exact=True).click()
    expect(officer.locator("[role=status]")).to_have_text("Registered: Rui Costa, Eva Lopes.")

    # Wednesday: the officer writes the roadmap's last part and submits it.
    home(officer)
    officer.locator('section[data-block="officer-due"]').get_by_role(
        "link", name="Fill in the roadmap of Lisbon"
    ).click()
    officer.wait_for_url(re.compile(rf"/roadmaps/{roadmap.pk}/$"))
    write_last_field(officer, "A heat plan for the historic centre.")
    officer.get_by_role("link", name="Check and submit").first.click()
    officer.get_by_role("button", name="Submit the roadmap").click()
    officer.wait_for_url(re.compile(rf"/roadmaps/{roadmap.pk}/$"))
    expect(officer.locator(".lead .badge")).to_have_text("Submitted")

    # The facilitator finds it waiting in their queue and returns it with a note.
    home(facilitator)
    queue = facilitator.locator('section[data-block="facilitator-review"]')
    expect(queue.locator(f'li[data-roadmap="{roadmap.pk}"]')).to_contain_text("submitted today")
    queue.get_by_role("link", name="Review the roadmap of Lisbon").click()
    facilitator.get_by_label("Note for the city").fill(
        "Please say who in the city will lead the heat plan."
    )
    facilitator.get_by_role("button", name="Return to the city").click()
    expect(facilitator.locator(".lead .badge")).to_have_text("Returned")

    # The officer's home page names the returned roadmap with the note; its page shows the
    # note in a banner. They change the field and submit again.
    home(officer)
    returned = officer.locator('section[data-block="officer-due"] [data-list="returned"]')
    expect(returned).to_contain_text("Please say who in the city will lead the heat plan.")
    returned.get_by_role("link", name="Open the roadmap of Lisbon").click()
    banner = officer.locator("[data-returned-note]")
    expect(banner.locator("blockquote")).to_have_text(
        "Please say who in the city will lead the heat plan."
    )
    assert_accessible_and_csp_clean(officer)
    write_last_field(
        officer, "A heat plan for the historic centre, led by the municipal energy agency."
    )
    officer.get_by_role("link", name="Check and submit").first.click()
    officer.get_by_role("button", name="Submit the roadmap").click()
    officer.wait_for_url(re.compile(rf"/roadmaps/{roadmap.pk}/$"))
    expect(officer.locator(".lead .badge")).to_have_text("Submitted")
    expect(officer.locator("[data-returned-note]")).to_have_count(0)

    # The facilitator accepts it from the queue.
    home(facilitator)
    facilitator.locator('section[data-block="facilitator-review"]').get_by_role(
        "link", name="Review the roadmap of Lisbon"
    ).click()
    facilitator.get_by_role("button", name="Accept").click()
    expect(facilitator.locator(".lead .badge")).to_have_text("Completed")
    roadmap.refresh_from_db()
    assert roadmap.status == RoadmapStatus.ACCEPTED
    assert roadmap.values.get(key=LAST_FIELD).value == (
        "A heat plan for the historic centre, led by the municipal energy agency."
    )

    # Thursday: the session takes place (the test moves it into the past, the one thing it
    # does outside the browser), and the facilitator records its attendance from the home page.
    now = timezone.now()
    Session.objects.filter(pk=session.pk).update(
        starts_at=now - datetime.timedelta(hours=2), ends_at=now - datetime.timedelta(minutes=30)
    )
    home(facilitator)
    facilitator.locator('section[data-block="facilitator-to-record"]').get_by_role(
        "link", name="Record attendance"
    ).click()
    facilitator.wait_for_url(re.compile(rf"/sessions/{session.pk}/attendance/$"))
    # The meeting tool's report: Rui (twice: he rejoined), the facilitator who hosted, and
    # Joana, who came without registering. Eva is not in it.
    report = tmp_path / "participants.csv"
    report.write_text(
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
        "Fatima Facilitator,fatima@example.org,10:58,12:31,94,No\n"
        "Rui Costa,Rui@Lisboa.pt,11:00,11:40,41,Yes\n"
        "Rui Costa,rui@lisboa.pt,11:45,12:30,45,Yes\n"
        "Joana Reis,joana@lisboa.pt,11:02,12:29,87,Yes\n",
        encoding="utf-8-sig",
    )
    facilitator.get_by_role("link", name="Import a Zoom or Teams attendance report").click()
    facilitator.get_by_label("Attendance report (CSV)").set_input_files(report)
    facilitator.get_by_role("button", name="Read the report").click()
    expect(facilitator.get_by_role("heading", level=1)).to_have_text(
        "Confirm the attendance report"
    )
    expect(facilitator.locator('[data-import="to-mark"]')).to_contain_text("Rui Costa")
    unmatched = facilitator.locator('[data-import="unmatched"]')
    expect(unmatched).to_contain_text("Joana Reis")
    expect(unmatched).to_contain_text("Fatima Facilitator")
    assert_accessible_and_csp_clean(facilitator)
    joana = facilitator.get_by_role("group", name="Decision about Joana Reis")
    joana.get_by_label("Add as a walk-in").check()
    facilitator.get_by_label("City of Joana Reis").select_option(label="Lisbon (PT)")
    facilitator.get_by_role("button", name="Confirm and save attendance").click()
    facilitator.wait_for_url(re.compile(rf"/sessions/{session.pk}/attendance/$"))
    expect(facilitator.locator("[role=status]")).to_contain_text("Report imported")
    # Eva was not in the report: the facilitator records her as a no-show by hand.
    facilitator.get_by_role("group", name="Attendance of Eva Lopes").get_by_label("No-show").check()
    facilitator.get_by_role("button", name="Save attendance").click()
    expect(facilitator.locator("[role=status]")).to_have_text("Attendance saved.")
    rows = Registration.objects.filter(session=session).values_list(
        "email", "attendance", "is_walk_in", "city__name"
    )
    assert sorted(rows) == [
        ("eva@lisboa.pt", Attendance.NO_SHOW, False, "Lisbon"),
        ("joana@lisboa.pt", Attendance.ATTENDED, True, "Lisbon"),
        ("rui@lisboa.pt", Attendance.ATTENDED, False, "Lisbon"),
    ]
    # The session's page shows the counts; the facilitator's list has nothing left to record.
    facilitator.get_by_role("link", name=session.title).first.click()
    counts = {
        key: facilitator.locator(f'dd[data-count="{key}"]').inner_text()
        for key in ["registered", "attended", "no_shows", "walk_ins"]
    }
    assert counts == {"registered": "2", "attended": "1", "no_shows": "1", "walk_ins": "1"}
    home(facilitator)
    expect(facilitator.locator('section[data-block="facilitator-to-record"] tr')).to_have_count(0)
