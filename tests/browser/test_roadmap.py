"""The Reflection Roadmap in a real browser: autosave of every phase across reloads, typing while
offline, an expired session, unsent text on a shared computer and at sign-out, two officers
editing the same field, and axe on the edit page.

The live server runs on the real clock, so the cohort's phases are placed in the past (every
section open) relative to today."""

import datetime
import json
import re
import time

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone
from playwright.sync_api import expect

from cities.services import climate_action_create
from cohorts import services as cohort_services
from cohorts.services import GroupSpec
from roadmaps.models import NetZeroCitiesService, Roadmap, RoadmapValue
from roadmaps.template import FIELDS, SCORE
from sessions import services as session_services
from sessions.enums import SessionKind
from taxonomy.models import ThematicSector
from tests import factories
from tests.browser.conftest import sign_in_as
from tests.browser.test_pages import assert_accessible_and_csp_clean

pytestmark = pytest.mark.browser


@pytest.fixture
def lisbon(transactional_db):
    """Lisbon (officers Ana and Rui) enrolled in a cohort whose phases have all begun, with
    one climate action presented by Guimarães and two NetZeroCities services."""
    call_command("seed_reference", verbosity=0)
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    energy = ThematicSector.objects.get(slug="energy")
    lead = factories.UserFactory(is_facilitator=True, full_name="Lea Lead")
    cohort = cohort_services.cohort_create(
        programme="odg",
        number=1,
        name="Online Discussion Groups cohort 1",
        starts_on=today - 150 * day,
        ends_on=today + 30 * day,
        acting_user=lead,
        phases={
            "onboarding": (today - 150 * day, today - 121 * day),
            "thematic": (today - 120 * day, today - 61 * day),
            "technical": (today - 60 * day, today - 31 * day),
            "study_visit": (today - 30 * day, today + 30 * day),
        },
        groups=[GroupSpec(sector=energy, facilitators=[])],
    )
    portugal = factories.CountryFactory(iso_code="PT")
    city = factories.CityFactory(name="Lisbon", country=portugal)
    ana = factories.city_officer(city=city, email="ana@lisboa.pt", full_name="Ana Silva")
    rui = factories.city_officer(city=city, email="rui@lisboa.pt", full_name="Rui Costa")
    guimaraes = factories.CityFactory(
        name="Guimarães", country=portugal, is_mission_city=True, is_mission_minded=False
    )
    action = climate_action_create(
        acting_user=lead, city=guimaraes, title="Renewable energy communities", sector=energy
    )
    starts = timezone.now() - 100 * day
    session_services.session_create(
        cohort=cohort,
        kind=SessionKind.THEMATIC_DISCUSSION,
        title="Energy: energy communities",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=90),
        presentations=[(guimaraes, [action.pk])],
        acting_user=lead,
    )
    # The reference seeding may already hold them (roadmaps/reference.py).
    services = [
        NetZeroCitiesService.objects.get_or_create(name=name)[0]
        for name in ["Climate Transition Map", "Capital Hub / financing advisory"]
    ]
    cohort_services.enrolment_create_direct(
        cohort=cohort, city=city, acting_user=lead, groups=[(cohort.thematic_groups.get(), "")]
    )
    return {
        "roadmap": Roadmap.objects.get(cohort=cohort, city=city),
        "ana": ana,
        "rui": rui,
        "action": action,
        "services": services,
    }


def by_id(page, element_id: str):
    # Field ids contain dots, which a CSS #id selector would read as classes.
    return page.locator(f'[id="{element_id}"]')


def saved_values(roadmap) -> dict[str, str]:
    # The live server writes from its own thread; SQLite's shared in-memory test database then
    # answers "table is locked" to a read at the same moment instead of waiting, so read again.
    for _attempt in range(50):
        try:
            return dict(RoadmapValue.objects.filter(roadmap=roadmap).values_list("key", "value"))
        except OperationalError:
            time.sleep(0.05)
    raise AssertionError("the database stayed locked")


def wait_for_saved(roadmap, expected: dict[str, str], timeout: float = 15) -> None:
    """Wait until the database holds `expected` (a subset of the roadmap's fields)."""
    deadline = time.monotonic() + timeout
    while True:
        values = saved_values(roadmap)
        if {key: values.get(key) for key in expected} == expected:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"not saved: wanted {expected}, database has {values}")
        time.sleep(0.1)


def first_half(action) -> dict[str, str]:
    """Representative and Phase 1: what the officer types before reloading."""
    return {
        field.key: f"{field.label} of Lisbon"
        for field in FIELDS
        if field.section in ("representative", "phase1")
    } | {
        "representative.first_name": "Ana",
        "representative.last_name": "Silva",
        "representative.email": "ana@lisboa.pt",
    }


def type_text(page, values: dict[str, str]) -> None:
    for key, value in values.items():
        by_id(page, f"input-{key}").fill(value)


def test_officer_fills_every_phase_with_autosave_and_finds_it_after_reloads(page, lisbon):
    roadmap = lisbon["roadmap"]
    sign_in_as(page, lisbon["ana"], factories.PASSWORD)
    page.goto(f"/roadmaps/{roadmap.pk}/")

    # Representative and Phase 1, then a reload mid-way.
    half = first_half(lisbon["action"])
    type_text(page, half)
    by_id(page, "input-phase1.overview").focus()  # leaving the last field saves it at once
    wait_for_saved(roadmap, half)
    expect(page.locator("#save-status")).to_have_text(re.compile(r"^Saved at \d\d:\d\d$"))
    page.reload()
    for key, value in half.items():
        expect(by_id(page, f"input-{key}")).to_have_value(value)

    # Phases 2.1, 2.2 and 3.
    page.get_by_label("Mission City solution of your choice").select_option(
        label="Guimarães: Renewable energy communities"
    )
    by_id(page, "input-phase2_1.desirability-medium").check()
    type_text(page, {"phase2_1.explanation": "Our grid operator is ready."})
    rest = {
        "phase2_1.climate_action": str(lisbon["action"].pk),
        "phase2_1.desirability": "medium",
        "phase2_1.explanation": "Our grid operator is ready.",
    }
    for index, field in enumerate(f for f in FIELDS if f.section == "phase2_2"):
        if field.kind == SCORE:
            score = str(index % 5 + 1)
            by_id(page, f"input-{field.key}-{score}").check()
            rest[field.key] = score
        else:
            reasoning = " ".join(["because"] * 12)
            by_id(page, f"input-{field.key}").fill(reasoning)
            rest[field.key] = reasoning
    expect(by_id(page, "count-phase2_2.reasoning")).to_have_text("12 / 100 words")
    services = lisbon["services"]
    page.get_by_label("Climate Transition Map", exact=True).check()
    page.get_by_label("Capital Hub / financing advisory", exact=True).check()
    type_text(page, {"phase3.note": "Start with the map."})
    by_id(page, "input-phase1.overview").focus()
    rest |= {
        # In the order the page lists them (the services' order).
        "phase3.services": ",".join(
            str(pk)
            for pk in NetZeroCitiesService.objects.filter(
                pk__in=[service.pk for service in services]
            ).values_list("pk", flat=True)
        ),
        "phase3.note": "Start with the map.",
    }
    wait_for_saved(roadmap, half | rest)

    page.reload()
    expect(page.locator("[data-percent-complete]")).to_have_text("100")
    for key, value in half.items():
        expect(by_id(page, f"input-{key}")).to_have_value(value)
    expect(by_id(page, "input-phase2_1.climate_action")).to_have_value(str(lisbon["action"].pk))
    expect(by_id(page, "input-phase2_1.desirability-medium")).to_be_checked()
    expect(by_id(page, "input-phase2_2.score.internal-governance-1")).to_be_checked()
    expect(by_id(page, f"input-phase3.services-{services[1].pk}")).to_be_checked()
    expect(by_id(page, "input-phase3.note")).to_have_value("Start with the map.")
    assert page.evaluate("Object.keys(window.localStorage)") == []


def test_text_typed_offline_is_kept_and_sent_when_back_online(page, lisbon):
    roadmap = lisbon["roadmap"]
    sign_in_as(page, lisbon["ana"], factories.PASSWORD)
    page.goto(f"/roadmaps/{roadmap.pk}/")

    page.context.set_offline(True)
    by_id(page, "input-phase1.challenge").fill("Heat waves in the old town")

    expect(page.locator("#offline-note")).to_be_visible()
    expect(page.locator("#offline-note")).to_have_text(
        "You are offline - your text is kept in this browser and will be sent when the "
        "connection is back."
    )
    storage_key = f"roadmap:{lisbon['ana'].pk}:{roadmap.pk}:phase1.challenge"
    kept = json.loads(page.evaluate(f"window.localStorage.getItem('{storage_key}')"))
    assert (kept["value"], kept["base_version"]) == ("Heat waves in the old town", 0)
    assert saved_values(roadmap) == {}

    page.context.set_offline(False)

    expect(page.locator("#save-status")).to_have_text(re.compile(r"^Saved at \d\d:\d\d$"))
    expect(page.locator("#offline-note")).to_be_hidden()
    wait_for_saved(roadmap, {"phase1.challenge": "Heat waves in the old town"})
    assert page.evaluate("Object.keys(window.localStorage)") == []


def test_text_typed_after_the_session_expired_is_there_after_signing_in(page, lisbon):
    roadmap = lisbon["roadmap"]
    sign_in_as(page, lisbon["ana"], factories.PASSWORD)
    page.goto(f"/roadmaps/{roadmap.pk}/")

    page.context.clear_cookies(name="sessionid")
    by_id(page, "input-phase1.missing").fill("A heat action plan")

    expect(page.locator("#expired-note")).to_be_visible()
    assert saved_values(roadmap) == {}

    sign_in_as(page, lisbon["ana"], factories.PASSWORD)
    page.goto(f"/roadmaps/{roadmap.pk}/")

    expect(by_id(page, "input-phase1.missing")).to_have_value("A heat action plan")
    wait_for_saved(roadmap, {"phase1.missing": "A heat action plan"})
    expect(page.locator("#save-status")).to_have_text(re.compile(r"^Saved at \d\d:\d\d$"))


def type_after_the_session_expired(page, roadmap, key: str, value: str) -> None:
    """Type in a field once the session has expired: the text stays in the browser only."""
    page.goto(f"/roadmaps/{roadmap.pk}/")
    page.context.clear_cookies(name="sessionid")
    by_id(page, f"input-{key}").fill(value)
    expect(page.locator("#expired-note")).to_be_visible()


def storage_keys(page) -> list[str]:
    return sorted(page.evaluate("Object.keys(window.localStorage)"))


def test_unsent_text_is_never_sent_under_the_next_officers_name(page, lisbon):
    roadmap, ana, rui = lisbon["roadmap"], lisbon["ana"], lisbon["rui"]
    sign_in_as(page, ana, factories.PASSWORD)
    type_after_the_session_expired(page, roadmap, "phase1.missing", "Ana's heat plan")
    assert storage_keys(page) == [f"roadmap:{ana.pk}:{roadmap.pk}:phase1.missing"]

    # Rui signs in on the same computer: Ana's text is neither shown to him nor sent as his.
    sign_in_as(page, rui, factories.PASSWORD)
    page.goto(f"/roadmaps/{roadmap.pk}/")
    expect(by_id(page, "input-phase1.missing")).to_have_value("")
    by_id(page, "input-phase1.cause_1").fill("Rui's cause")
    # One save at a time, oldest first: a restored text would have been sent before this one.
    wait_for_saved(roadmap, {"phase1.cause_1": "Rui's cause"})
    expect(page.locator("#save-status")).to_have_text(re.compile(r"^Saved at \d\d:\d\d$"))
    assert saved_values(roadmap) == {"phase1.cause_1": "Rui's cause"}
    assert storage_keys(page) == [f"roadmap:{ana.pk}:{roadmap.pk}:phase1.missing"]

    # Rui leaves without signing out (his session expires); back with Ana, her text is put
    # back and saved under her name.
    page.context.clear_cookies(name="sessionid")
    sign_in_as(page, ana, factories.PASSWORD)
    page.goto(f"/roadmaps/{roadmap.pk}/")
    wait_for_saved(roadmap, {"phase1.missing": "Ana's heat plan"})
    expect(page.locator("#save-status")).to_have_text(re.compile(r"^Saved at \d\d:\d\d$"))
    assert RoadmapValue.objects.get(roadmap=roadmap, key="phase1.missing").updated_by == ana
    assert storage_keys(page) == []


def test_signing_out_clears_the_roadmap_text_kept_in_the_browser(page, lisbon):
    roadmap, ana = lisbon["roadmap"], lisbon["ana"]
    sign_in_as(page, ana, factories.PASSWORD)
    type_after_the_session_expired(page, roadmap, "phase1.missing", "Ana's heat plan")
    page.evaluate("window.localStorage.setItem('other-feature', 'kept')")

    page.get_by_role("button", name="Sign out").click()

    page.wait_for_url(re.compile(r"/accounts/login/$"))
    assert storage_keys(page) == ["other-feature"]
    sign_in_as(page, ana, factories.PASSWORD)
    page.goto(f"/roadmaps/{roadmap.pk}/")
    expect(by_id(page, "input-phase1.missing")).to_have_value("")
    assert saved_values(roadmap) == {}


def test_second_officer_on_the_same_field_sees_both_versions_and_keeps_mine(page, new_page, lisbon):
    roadmap = lisbon["roadmap"]
    ana, rui = page, new_page()
    sign_in_as(ana, lisbon["ana"], factories.PASSWORD)
    sign_in_as(rui, lisbon["rui"], factories.PASSWORD)
    ana.goto(f"/roadmaps/{roadmap.pk}/")
    rui.goto(f"/roadmaps/{roadmap.pk}/")

    by_id(rui, "input-phase1.challenge").fill("Rui: flooding of the riverside")
    wait_for_saved(roadmap, {"phase1.challenge": "Rui: flooding of the riverside"})
    by_id(ana, "input-phase1.challenge").fill("Ana: heat in the old town")

    panel = by_id(ana, "conflict-phase1.challenge")
    expect(panel).to_be_visible()
    expect(panel.locator("[data-version-of=yours]")).to_have_text("Ana: heat in the old town")
    expect(panel.locator("[data-version-of=theirs]")).to_have_text("Rui: flooding of the riverside")
    expect(panel).to_contain_text(re.compile(r"Saved by Rui Costa at \d\d:\d\d"))
    assert saved_values(roadmap) == {"phase1.challenge": "Rui: flooding of the riverside"}

    panel.get_by_role("button", name="Keep mine").click()

    wait_for_saved(roadmap, {"phase1.challenge": "Ana: heat in the old town"})
    expect(panel).to_have_count(0)
    assert RoadmapValue.objects.get(roadmap=roadmap, key="phase1.challenge").version == 2


def test_merge_of_two_versions_saves_the_merged_text(page, new_page, lisbon):
    roadmap = lisbon["roadmap"]
    ana, rui = page, new_page()
    sign_in_as(ana, lisbon["ana"], factories.PASSWORD)
    sign_in_as(rui, lisbon["rui"], factories.PASSWORD)
    ana.goto(f"/roadmaps/{roadmap.pk}/")
    rui.goto(f"/roadmaps/{roadmap.pk}/")
    by_id(rui, "input-phase1.in_place").fill("A climate plan")
    wait_for_saved(roadmap, {"phase1.in_place": "A climate plan"})

    by_id(ana, "input-phase1.in_place").fill("An energy agency")
    panel = by_id(ana, "conflict-phase1.in_place")
    panel.get_by_role("button", name="Merge").click()
    merged = panel.get_by_label("Merged text")
    expect(merged).to_have_value("An energy agency\n\nA climate plan")
    merged.fill("A climate plan and an energy agency")
    panel.get_by_role("button", name="Save the merged text").click()

    wait_for_saved(roadmap, {"phase1.in_place": "A climate plan and an energy agency"})
    expect(by_id(ana, "input-phase1.in_place")).to_have_value("A climate plan and an energy agency")


def test_edit_page_is_accessible(page, lisbon):
    sign_in_as(page, lisbon["ana"], factories.PASSWORD)

    page.goto(f"/roadmaps/{lisbon['roadmap'].pk}/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Reflection Roadmap of Lisbon")
    assert_accessible_and_csp_clean(page)


def test_a_refused_autosave_is_not_sent_again_and_the_page_says_why(page, lisbon):
    # Text too large for any request (over the JSON guard's 1 MB): the autosave used to answer
    # an HTML 400 page, and the script sent it again forever without a word.
    roadmap = lisbon["roadmap"]
    sign_in_as(page, lisbon["ana"], factories.PASSWORD)
    page.goto(f"/roadmaps/{roadmap.pk}/")
    autosaves = []
    page.on("request", lambda request: "/autosave/" in request.url and autosaves.append(request))
    text = "heat " * 220_000

    by_id(page, "input-phase1.challenge").fill(text)

    expect(by_id(page, "error-phase1.challenge")).to_have_text(
        "The request is too large: send at most 1024 KB."
    )
    expect(page.locator("#save-status")).to_have_text("Not saved - see the message at the field.")
    # Long enough for the first two retries of the old script (after 1 s and 2 s more).
    page.wait_for_timeout(4_000)
    assert len(autosaves) == 1
    storage_key = f"roadmap:{lisbon['ana'].pk}:{roadmap.pk}:phase1.challenge"
    kept = json.loads(page.evaluate(f"window.localStorage.getItem('{storage_key}')"))
    assert kept["value"] == text
    assert saved_values(roadmap) == {}


def test_a_server_error_is_retried_later_each_time_and_the_page_says_so(page, lisbon):
    roadmap = lisbon["roadmap"]
    sign_in_as(page, lisbon["ana"], factories.PASSWORD)
    page.goto(f"/roadmaps/{roadmap.pk}/")
    attempts = []

    def fail_twice(route):
        attempts.append(time.monotonic())
        if len(attempts) <= 2:
            route.fulfill(status=502, content_type="text/html", body="<h1>Bad gateway</h1>")
        else:
            route.continue_()

    page.route("**/autosave/", fail_twice)

    by_id(page, "input-phase1.challenge").fill("Heat waves in the old town")

    expect(page.locator("#save-status")).to_have_text(
        "Not saved - the server had a problem (error 502). Your text is kept in this browser; "
        "trying again in 1 s."
    )
    expect(page.locator("#save-status")).to_have_text(re.compile(r"^Saved at \d\d:\d\d$"))
    wait_for_saved(roadmap, {"phase1.challenge": "Heat waves in the old town"})
    first_wait, second_wait = attempts[1] - attempts[0], attempts[2] - attempts[1]
    assert 0.9 < first_wait < second_wait
    assert second_wait > 1.9
