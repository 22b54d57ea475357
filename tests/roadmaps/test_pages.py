"""The roadmap pages: edit (prefill, locked sections, read-only), autosave JSON, the no-JS form,
history with its diff, submit and review. The cohort and roadmap come from conftest.py (time
frozen on 15 Feb 2025, 10:00 in Brussels, every section open)."""

import datetime
import json
import re

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from roadmaps import selectors, services
from roadmaps.enums import RoadmapStatus
from roadmaps.models import RoadmapChange, RoadmapComment, RoadmapValue
from roadmaps.template import FIELDS, REQUIRED_KEYS, SECTIONS
from tests import factories
from tests.queries import keep_facts_of
from tests.roadmaps.conftest import fill

pytestmark = pytest.mark.django_db


def edit_url(roadmap) -> str:
    return f"/roadmaps/{roadmap.pk}/"


def autosave(client, roadmap, **payload):
    return client.post(
        f"/roadmaps/{roadmap.pk}/autosave/",
        data=json.dumps(payload),
        content_type="application/json",
    )


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def input_tag(html: str, key: str) -> str:
    match = re.search(
        rf'<(?:input|textarea|select|fieldset)[^>]*data-key="{re.escape(key)}"[^>]*>', html
    )
    assert match, f"no input for {key}"
    return match.group(0)


def attribute(tag: str, name: str) -> str | None:
    match = re.search(rf'\s{name}="([^"]*)"', tag)
    return match.group(1) if match else None


def section_html(html: str, key: str) -> str:
    match = re.search(rf'<section[^>]*id="section-{key}".*?</section>', html, re.S)
    assert match, f"no section {key}"
    return match.group(0)


def stored(roadmap) -> dict[str, tuple[str, int]]:
    return {
        row.key: (row.value, row.version) for row in RoadmapValue.objects.filter(roadmap=roadmap)
    }


# --- The edit page -----------------------------------------------------------------------------


def test_edit_page_shows_every_field_of_the_template_in_its_section(client, programme):
    client.force_login(programme.ana)

    response = client.get(edit_url(programme.roadmap))

    html = response.content.decode()
    assert response.status_code == 200
    section_order = re.findall(r'<section[^>]*data-section="([^"]+)"', html)
    assert section_order == [section.key for section in SECTIONS]
    for section in SECTIONS:
        keys = re.findall(r'data-key="([^"]+)"', section_html(html, section.key))
        assert keys == [field.key for field in FIELDS if field.section == section.key]
    # The city comes from its profile and cannot be typed in.
    assert re.search(r"<dd data-city-name>Lisbon</dd>", html)
    assert re.search(r"<dd data-city-country>Portugal</dd>", html)
    assert "city_name" not in html and 'name="city' not in html


def test_edit_page_offers_presented_actions_scores_and_active_services(client, programme):
    programme.services[1].is_active = False
    programme.services[1].save()
    client.force_login(programme.ana)

    html = client.get(edit_url(programme.roadmap)).content.decode()

    select = re.search(r'<select[^>]*data-key="phase2_1.climate_action".*?</select>', html, re.S)
    assert re.findall(r"<option[^>]*>([^<]*)</option>", select.group(0)) == [
        "Choose a solution",
        "Guimarães: Renewable energy communities",
    ]
    score = section_html(html, "phase2_2")
    assert re.findall(r'name="phase2_2.score.citizen-engagement" value="(\d)"', score) == [
        "1",
        "2",
        "3",
        "4",
        "5",
    ]
    journey = section_html(html, "phase3")
    assert re.findall(r'<input type="checkbox"[^>]*value="(\d+)"', journey) == [
        str(programme.services[0].pk)
    ]
    assert "Apply to a Group Study Visit" in section_html(html, "phase4")
    assert '<span aria-disabled="true">Apply to a Group Study Visit</span>' in html


def test_edit_page_shows_the_word_count_of_the_general_reasoning(client, programme):
    services.roadmap_field_save(
        roadmap=programme.roadmap,
        key="phase2_2.reasoning",
        value=" ".join(["word"] * 37),
        base_version=0,
        acting_user=programme.ana,
    )
    client.force_login(programme.ana)

    html = client.get(edit_url(programme.roadmap)).content.decode()

    counts = re.findall(r'data-word-count-for="([^"]+)">([^<]*)<', html)
    # One reasoning for all the scores, as the template has it (issue 10).
    assert counts == [("phase2_2.reasoning", "37 / 100 words")]


def test_edit_page_suggests_the_representative_from_the_signed_in_officer(client, programme):
    programme.ana.job_title = "Head of climate unit"
    programme.ana.save()
    client.force_login(programme.ana)

    html = client.get(edit_url(programme.roadmap)).content.decode()

    shown = {
        key: (attribute(input_tag(html, key), "value"), "data-suggested" in input_tag(html, key))
        for key in [
            "representative.first_name",
            "representative.last_name",
            "representative.role",
            "representative.email",
        ]
    }
    assert shown == {
        "representative.first_name": ("Ana", True),
        "representative.last_name": ("Silva", True),
        "representative.role": ("Head of climate unit", True),
        "representative.email": ("ana@lisboa.pt", True),
    }
    # A suggestion is only shown: nothing is stored until the officer saves it.
    assert stored(programme.roadmap) == {}


def test_edit_form_names_the_signed_in_officer_for_the_browser_copy(client, programme):
    client.force_login(programme.rui)

    html = client.get(edit_url(programme.roadmap)).content.decode()

    # static/js/roadmap/drafts.js keeps unsent text under roadmap:<user>:<roadmap>:<key>.
    form = re.search(r'<form[^>]*id="roadmap-form"[^>]*>', html, re.S).group(0)
    assert (attribute(form, "data-user"), attribute(form, "data-roadmap")) == (
        str(programme.rui.pk),
        str(programme.roadmap.pk),
    )


def test_edit_page_shows_the_saved_representative_not_a_suggestion(client, programme):
    services.roadmap_field_save(
        roadmap=programme.roadmap,
        key="representative.first_name",
        value="Rui",
        base_version=0,
        acting_user=programme.rui,
    )
    client.force_login(programme.ana)

    html = client.get(edit_url(programme.roadmap)).content.decode()

    tag = input_tag(html, "representative.first_name")
    assert (attribute(tag, "value"), attribute(tag, "data-version")) == ("Rui", "1")
    assert "data-suggested" not in tag


def test_edit_page_shows_when_a_locked_section_opens(client, programme, clock):
    clock.move_to(datetime.datetime(2024, 10, 15, 9, 0, tzinfo=datetime.UTC))
    client.force_login(programme.ana)

    html = client.get(edit_url(programme.roadmap)).content.decode()

    locked = dict(re.findall(r'<p class="locked" data-locked="([^"]+)">([^<]*)</p>', html))
    assert locked == {
        "phase2_1": "Phase 2.1 opens on 1 November 2024.",
        "phase2_2": "Phase 2.2 opens on 1 November 2024.",
        "phase3": "Phase 3 opens on 1 January 2025.",
        "phase4": "Phase 4 opens on 1 February 2025.",
    }
    assert "data-key=" not in section_html(html, "phase2_1")
    assert 'data-key="phase1.overview"' in section_html(html, "phase1")


def test_edit_page_is_read_only_for_the_city_after_submit(client, programme):
    fill(programme)
    services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    client.force_login(programme.rui)

    response = client.get(edit_url(programme.roadmap))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="roadmap-form"' not in html
    assert "data-key=" not in html
    assert re.search(
        r"<p[^>]*data-read-only>This roadmap has been submitted and can no longer be changed.</p>",
        html,
    )
    assert re.search(r'<dd data-value-for="phase1.cause_1">Text of phase1.cause_1</dd>', html)
    assert re.search(
        r'<dd data-value-for="phase2_1.climate_action">'
        r"Guimarães: Renewable energy communities</dd>",
        html,
    )
    assert client.post(edit_url(programme.roadmap), {}).status_code == 403


READ_ONLY = "This roadmap has been submitted and can no longer be changed."


def test_edit_page_autosave_and_submit_refuse_a_submitted_roadmap_to_an_admin_too(
    client, programme
):
    fill(programme)
    services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    client.force_login(factories.UserFactory(is_programme_admin=True))
    submit_url = f"/roadmaps/{programme.roadmap.pk}/submit/"

    html = client.get(edit_url(programme.roadmap)).content.decode()
    posted = client.post(
        edit_url(programme.roadmap), {"phase1.cause_1": "Admin", "version.phase1.cause_1": "1"}
    )
    saved = autosave(client, programme.roadmap, key="phase1.cause_1", value="Admin", base_version=1)

    assert 'id="roadmap-form"' not in html
    assert "data-key=" not in html
    assert re.search(rf"<p[^>]*data-read-only>{READ_ONLY}</p>", html)
    # The admin reviews it instead, as the cohort's facilitators do.
    assert 'name="decision" value="accept"' in html
    assert posted.status_code == 403
    assert (saved.status_code, saved.json()["error"]) == (
        403,
        {"status": 403, "code": "permission_denied", "message": READ_ONLY},
    )
    assert (client.get(submit_url).status_code, client.post(submit_url).status_code) == (403, 403)
    assert stored(programme.roadmap)["phase1.cause_1"] == ("Text of phase1.cause_1", 1)
    assert programme.roadmap.transitions.count() == 1


def test_edit_page_and_autosave_of_a_draft_for_an_admin(client, programme):
    client.force_login(factories.UserFactory(is_programme_admin=True, full_name="Ada Admin"))

    html = client.get(edit_url(programme.roadmap)).content.decode()
    saved = autosave(
        client, programme.roadmap, key="phase1.cause_1", value="By the admin", base_version=0
    )

    assert 'id="roadmap-form"' in html
    assert "data-read-only" not in html
    assert (saved.status_code, saved.json()["version"]) == (200, 1)
    assert stored(programme.roadmap) == {"phase1.cause_1": ("By the admin", 1)}


def test_autosave_by_a_facilitator_is_refused_with_403_json(client, programme):
    client.force_login(programme.lead)

    response = autosave(client, programme.roadmap, key="phase1.cause_1", value="x", base_version=0)
    html = client.get(edit_url(programme.roadmap)).content.decode()

    assert (response.status_code, response.json()["error"]) == (
        403,
        {"status": 403, "code": "permission_denied", "message": "You cannot change this roadmap."},
    )
    assert re.search(r"<p[^>]*data-read-only>You cannot change this roadmap.</p>", html)
    assert stored(programme.roadmap) == {}


def test_form_post_and_submit_by_a_facilitator_are_forbidden(client, programme):
    fill(programme)
    client.force_login(programme.lead)
    submit_url = f"/roadmaps/{programme.roadmap.pk}/submit/"

    posted = client.post(
        edit_url(programme.roadmap), {"phase1.cause_1": "Lead", "version.phase1.cause_1": "1"}
    )

    assert posted.status_code == 403
    assert (client.get(submit_url).status_code, client.post(submit_url).status_code) == (403, 403)
    programme.roadmap.refresh_from_db()
    assert programme.roadmap.status == RoadmapStatus.DRAFT
    assert stored(programme.roadmap)["phase1.cause_1"] == ("Text of phase1.cause_1", 1)


def test_edit_page_is_not_found_for_another_city_and_another_cohort(client, programme):
    other_officer = factories.city_officer()
    other_facilitator = factories.UserFactory(is_facilitator=True)

    client.force_login(other_officer)
    officer_status = client.get(edit_url(programme.roadmap)).status_code
    client.force_login(other_facilitator)
    facilitator_status = client.get(edit_url(programme.roadmap)).status_code

    assert (officer_status, facilitator_status) == (404, 404)


def test_edit_page_escapes_html_typed_in_a_field(client, programme):
    services.roadmap_field_save(
        roadmap=programme.roadmap,
        key="phase1.challenge",
        value="<script>alert(1)</script>",
        base_version=0,
        acting_user=programme.ana,
    )
    client.force_login(programme.ana)

    html = client.get(edit_url(programme.roadmap)).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in html


# --- Autosave ----------------------------------------------------------------------------------


def test_autosave_saves_the_field_and_answers_its_version(client, programme):
    client.force_login(programme.ana)

    response = autosave(
        client, programme.roadmap, key="phase1.cause_1", value="Old housing stock", base_version=0
    )

    assert response.status_code == 200
    assert response.json() == {
        "key": "phase1.cause_1",
        "version": 1,
        "saved_at": "2025-02-15T10:00:00+01:00",
        "saved_at_display": "10:00",
        "percent_complete": 3,  # 1 of the 27 required fields
    }
    assert stored(programme.roadmap) == {"phase1.cause_1": ("Old housing stock", 1)}


def test_autosave_answers_401_json_when_signed_out(client, programme):
    response = autosave(
        client, programme.roadmap, key="phase1.cause_1", value="Kept?", base_version=0
    )

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": {
            "status": 401,
            "code": "not_authenticated",
            "message": (
                "Your session has expired - sign in again; your text is kept in this browser."
            ),
        }
    }
    assert stored(programme.roadmap) == {}


def test_autosave_answers_409_with_both_versions_on_a_conflict(client, programme, clock):
    services.roadmap_field_save(
        roadmap=programme.roadmap,
        key="phase1.challenge",
        value="Rui's text",
        base_version=0,
        acting_user=programme.rui,
    )
    clock.shift(datetime.timedelta(minutes=5))
    client.force_login(programme.ana)

    response = autosave(
        client, programme.roadmap, key="phase1.challenge", value="Ana's text", base_version=0
    )

    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "status": 409,
            "code": "conflict",
            "message": (
                "Someone else saved this field while you were editing it. Keep one version or "
                "merge them, then save again."
            ),
        },
        "conflict": {
            "key": "phase1.challenge",
            "yours": "Ana's text",
            "theirs": "Rui's text",
            "their_version": 1,
            "by": "Rui Costa",
            "at": "2025-02-15T10:00:00+01:00",
            "at_display": "10:00",
        },
    }
    assert stored(programme.roadmap) == {"phase1.challenge": ("Rui's text", 1)}


def same_save_twice(client, roadmap, **payload) -> list[tuple[int, dict]]:
    """Send one save to the page's autosave and to the API, each from the same state: the
    first is rolled back before the second is sent."""
    answers = []
    for url in (f"/roadmaps/{roadmap.pk}/autosave/", f"/api/v1/roadmaps/{roadmap.pk}/fields/"):
        with transaction.atomic():
            response = client.post(url, data=json.dumps(payload), content_type="application/json")
            transaction.set_rollback(True)
        answers.append((response.status_code, response.json()))
    return answers


def test_autosave_and_the_api_answer_a_save_and_a_conflict_identically(client, programme):
    services.roadmap_field_save(
        roadmap=programme.roadmap,
        key="phase1.challenge",
        value="Rui's text",
        base_version=0,
        acting_user=programme.rui,
    )
    client.force_login(programme.ana)

    saved = same_save_twice(
        client, programme.roadmap, key="phase1.cause_1", value="Old boilers", base_version=0
    )
    conflict = same_save_twice(
        client, programme.roadmap, key="phase1.challenge", value="Ana's text", base_version=0
    )

    assert (
        saved[0]
        == saved[1]
        == (
            200,
            {
                "key": "phase1.cause_1",
                "version": 1,
                "saved_at": "2025-02-15T10:00:00+01:00",
                "saved_at_display": "10:00",
                "percent_complete": 2 * 100 // len(REQUIRED_KEYS),
            },
        )
    )
    assert (
        conflict[0]
        == conflict[1]
        == (
            409,
            {
                "error": {
                    "status": 409,
                    "code": "conflict",
                    "message": (
                        "Someone else saved this field while you were editing it. Keep one version "
                        "or merge them, then save again."
                    ),
                },
                "conflict": {
                    "key": "phase1.challenge",
                    "yours": "Ana's text",
                    "theirs": "Rui's text",
                    "their_version": 1,
                    "by": "Rui Costa",
                    "at": "2025-02-15T10:00:00+01:00",
                    "at_display": "10:00",
                },
            },
        )
    )
    assert stored(programme.roadmap) == {"phase1.challenge": ("Rui's text", 1)}


def test_autosave_keep_mine_sends_their_version_as_base(client, programme):
    services.roadmap_field_save(
        roadmap=programme.roadmap,
        key="phase1.challenge",
        value="Rui's text",
        base_version=0,
        acting_user=programme.rui,
    )
    client.force_login(programme.ana)

    response = autosave(
        client, programme.roadmap, key="phase1.challenge", value="Ana's text", base_version=1
    )

    assert (response.status_code, response.json()["version"]) == (200, 2)
    assert stored(programme.roadmap) == {"phase1.challenge": ("Ana's text", 2)}


def test_autosave_refuses_101_words_with_the_message_at_the_field(client, programme):
    client.force_login(programme.ana)

    response = autosave(
        client,
        programme.roadmap,
        key="phase2_2.reasoning",
        value=" ".join(["word"] * 101),
        base_version=0,
    )

    message = "Keep the reasoning to 100 words or fewer (you have 101)."
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "status": 400,
            "code": "invalid",
            "message": message,
            "fields": {"phase2_2.reasoning": [message]},
        }
    }


def test_autosave_refuses_a_field_the_template_has_not(client, programme):
    client.force_login(programme.ana)

    response = autosave(client, programme.roadmap, key="phase1.cause_4", value="x", base_version=0)

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "status": 400,
            "code": "unknown_field",
            "message": "This roadmap has no field phase1.cause_4.",
            "fields": {"phase1.cause_4": ["This roadmap has no field phase1.cause_4."]},
        }
    }
    assert stored(programme.roadmap) == {}


def test_autosave_refuses_a_submitted_roadmap_with_403(client, programme):
    fill(programme)
    services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    client.force_login(programme.rui)

    response = autosave(
        client, programme.roadmap, key="phase1.cause_1", value="Late change", base_version=1
    )

    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        "This roadmap has been submitted and can no longer be changed."
    )


def test_autosave_is_not_found_for_an_officer_of_another_city(client, programme):
    client.force_login(factories.city_officer())

    response = autosave(client, programme.roadmap, key="phase1.cause_1", value="x", base_version=0)

    assert response.status_code == 404
    assert stored(programme.roadmap) == {}


def test_autosave_of_a_roadmap_deleted_since_its_city_was_kept_is_not_found(client, programme):
    """The autosave keeps a roadmap's city and cohort without a version (they never change):
    a roadmap deleted after an autosave is found missing under the lock, and answered 404."""
    client.force_login(programme.ana)
    saved = autosave(client, programme.roadmap, key="phase1.cause_1", value="A", base_version=0)
    assert saved.status_code == 200
    pk = programme.roadmap.pk
    programme.roadmap.delete()
    programme.roadmap.pk = pk  # the address the page still posts to

    response = autosave(client, programme.roadmap, key="phase1.cause_1", value="B", base_version=1)

    assert response.status_code == 404
    assert response.json()["error"]["message"] == "There is no such roadmap."
    assert not RoadmapValue.objects.filter(key="phase1.cause_1").exists()


def test_autosave_stores_percent_signs_quotes_and_emoji_exactly(client, programme):
    """The field save's SQL (roadmaps.statements) sends the text as a parameter; on PostgreSQL
    its writes go as one query string, whose placeholders must not read the text's own."""
    client.force_login(programme.ana)
    texts = [
        "100% of 50%s and %(x)s; 'quoted' \"double\" back\\slash -- ; DROP 🌍",
        "%s%s%% '); --",
    ]

    first = autosave(
        client, programme.roadmap, key="phase1.cause_1", value=texts[0], base_version=0
    )
    second = autosave(
        client, programme.roadmap, key="phase1.cause_1", value=texts[1], base_version=1
    )

    assert (first.status_code, first.json()["version"]) == (200, 1)
    assert (second.status_code, second.json()["version"]) == (200, 2)
    assert stored(programme.roadmap) == {"phase1.cause_1": (texts[1], 2)}
    assert list(
        RoadmapChange.objects.filter(key="phase1.cause_1")
        .order_by("version")
        .values_list("old_value", "new_value")
    ) == [("", texts[0]), (texts[0], texts[1])]


def test_autosave_refuses_a_roadmap_whose_kept_city_is_not_the_rows(client, programme):
    """The autosave finds a roadmap's city and cohort in the cache without a version. If they
    name another roadmap than the row now holding the id (a database restored under a kept
    cache), the save is answered as for a missing roadmap, writes nothing, and the kept
    entry is dropped."""
    other_city = factories.CityFactory()
    officer = factories.city_officer(city=other_city)
    key = selectors._owner_key(programme.roadmap.pk)
    cache.set(key, (other_city.pk, programme.roadmap.cohort_id))
    client.force_login(officer)

    response = autosave(client, programme.roadmap, key="phase1.cause_1", value="x", base_version=0)

    assert response.status_code == 404
    assert stored(programme.roadmap) == {}
    assert cache.get(key) is None


def test_autosave_answers_only_post(client, programme):
    client.force_login(programme.ana)

    assert client.get(f"/roadmaps/{programme.roadmap.pk}/autosave/").status_code == 405


# --- The form without JavaScript ---------------------------------------------------------------


def form_data(html: str) -> dict:
    """What the browser would post: every field's current text and its version."""
    data = {}
    for name, value in re.findall(
        r'<input type="hidden" name="(version\.[^"]+)" value="(\d+)"', html
    ):
        data[name] = value
    for tag in re.findall(r'<input type="(?:text|email)"[^>]*>', html):
        data[attribute(tag, "name")] = attribute(tag, "value")
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[name] = body
    return data


def test_form_post_saves_the_changed_fields_and_the_accepted_suggestions(client, programme):
    client.force_login(programme.ana)
    data = form_data(client.get(edit_url(programme.roadmap)).content.decode())
    data["phase1.cause_1"] = "Old housing stock"
    data["phase2_1.desirability"] = "high"

    response = client.post(edit_url(programme.roadmap), data)

    assert (response.status_code, response["Location"]) == (302, edit_url(programme.roadmap))
    assert stored(programme.roadmap) == {
        "representative.first_name": ("Ana", 1),
        "representative.last_name": ("Silva", 1),
        "representative.email": ("ana@lisboa.pt", 1),
        "phase1.cause_1": ("Old housing stock", 1),
        "phase2_1.desirability": ("high", 1),
    }


def test_form_post_shows_a_conflict_at_the_field_and_keeps_the_text(client, programme):
    client.force_login(programme.ana)
    data = form_data(client.get(edit_url(programme.roadmap)).content.decode())
    services.roadmap_field_save(
        roadmap=programme.roadmap,
        key="phase1.challenge",
        value="Rui's text",
        base_version=0,
        acting_user=programme.rui,
    )
    data["phase1.challenge"] = "Ana's text"

    response = client.post(edit_url(programme.roadmap), data)

    html = response.content.decode()
    assert response.status_code == 400
    errors = re.search(r'data-error-for="phase1.challenge">(.*?)</div>', html, re.S).group(1)
    assert text(errors) == (
        "Rui Costa saved this field at 10:00 while you were editing. Their text: “Rui&#x27;s "
        "text”. Your text is kept below: save again to replace theirs."
    )
    assert "Ana&#x27;s text</textarea>" in html
    # Saving again keeps Ana's text: the form now carries Rui's version as the base.
    assert '<input type="hidden" name="version.phase1.challenge" value="1"' in html
    assert stored(programme.roadmap)["phase1.challenge"] == ("Rui's text", 1)


def test_form_post_leaves_a_field_changed_elsewhere_if_untouched_here(client, programme):
    services.roadmap_field_save(
        roadmap=programme.roadmap,
        key="phase1.challenge",
        value="First text",
        base_version=0,
        acting_user=programme.ana,
    )
    client.force_login(programme.ana)
    data = form_data(client.get(edit_url(programme.roadmap)).content.decode())
    services.roadmap_field_save(
        roadmap=programme.roadmap,
        key="phase1.challenge",
        value="Rui's newer text",
        base_version=1,
        acting_user=programme.rui,
    )
    data["phase1.cause_1"] = "Old housing stock"

    response = client.post(edit_url(programme.roadmap), data)

    assert response.status_code == 302
    assert stored(programme.roadmap)["phase1.challenge"] == ("Rui's newer text", 2)
    assert stored(programme.roadmap)["phase1.cause_1"] == ("Old housing stock", 1)


# --- History -----------------------------------------------------------------------------------


def test_history_lists_every_change_newest_first(client, programme, clock):
    for version, value in enumerate(["First", "Second"]):
        services.roadmap_field_save(
            roadmap=programme.roadmap,
            key="phase1.cause_1",
            value=value,
            base_version=version,
            acting_user=[programme.ana, programme.rui][version],
        )
        clock.shift(datetime.timedelta(minutes=1))
    client.force_login(programme.lead)

    response = client.get(f"/roadmaps/{programme.roadmap.pk}/history/")

    html = response.content.decode()
    rows = re.findall(r"<tr data-change[^>]*>(.*?)</tr>", html, re.S)
    assert response.status_code == 200
    shown = [text(re.sub(r'<span class="visually-hidden">.*?</span>', "", row)) for row in rows]
    assert shown == [
        "15 February 2025, 10:01 Rui Costa Main cause 1 version 2 First Second Show the difference",
        "15 February 2025, 10:00 Ana Silva Main cause 1 version 1 (empty) First "
        "Show the difference",
    ]


def test_history_diff_escapes_script_and_marks_words(client, programme):
    key = "phase1.challenge"
    services.roadmap_field_save(
        roadmap=programme.roadmap,
        key=key,
        value="Heat in summer",
        base_version=0,
        acting_user=programme.ana,
    )
    services.roadmap_field_save(
        roadmap=programme.roadmap,
        key=key,
        value="Heat <script>alert(1)</script> in summer",
        base_version=1,
        acting_user=programme.rui,
    )
    client.force_login(programme.ana)

    response = client.get(f"/roadmaps/{programme.roadmap.pk}/history/?key={key}&from=1&to=2")

    html = response.content.decode()
    diff = re.search(r"<div class=\"diff\" data-diff-text>(.*?)</div>", html, re.S).group(1)
    assert response.status_code == 200
    assert diff == "Heat<ins> &lt;script&gt;alert(1)&lt;/script&gt;</ins> in summer"
    assert "<script>alert" not in html


def save_versions(programme, key: str, count: int, user=None) -> None:
    """Save the field `count` times more ("Text 1", "Text 2", ...), as Ana unless told."""
    start = RoadmapChange.objects.filter(roadmap=programme.roadmap, key=key).count()
    for version in range(start, start + count):
        services.roadmap_field_save(
            roadmap=programme.roadmap,
            key=key,
            value=f"Text {version + 1}",
            base_version=version,
            acting_user=user or programme.ana,
        )


def versions_listed(html: str) -> list[int]:
    rows = re.findall(r"<tr data-change[^>]*>(.*?)</tr>", html, re.S)
    version = re.compile(r'<span class="help">version (\d+)</span>')
    return [int(version.search(row).group(1)) for row in rows]


def test_history_shows_50_changes_a_page_and_paging_keeps_the_difference(client, programme):
    save_versions(programme, "phase1.cause_1", 51)
    client.force_login(programme.ana)
    url = f"/roadmaps/{programme.roadmap.pk}/history/?key=phase1.cause_1&from=0&to=1"

    first = client.get(url).content.decode()
    second = client.get(url + "&page=2").content.decode()

    assert versions_listed(first) == list(range(51, 1, -1))
    assert versions_listed(second) == [1]
    # The difference asked for (versions 0 to 1, on page 2) is shown on both pages.
    for html in (first, second):
        diff = re.search(r'<div class="diff" data-diff-text>(.*?)</div>', html, re.S).group(1)
        assert diff == "<ins>Text 1</ins>"
    query = "?key=phase1.cause_1&amp;from=0&amp;to=1"
    assert f'<a href="{query}&amp;page=2" rel="next">Older changes</a>' in first
    assert 'rel="prev"' not in first
    assert f'<a href="{query}&amp;page=1" rel="prev">Newer changes</a>' in second
    assert 'rel="next"' not in second
    assert '<li aria-current="page">Page 2 of 2</li>' in second
    # A row's own difference link keeps the page it is on.
    assert '<a href="?key=phase1.cause_1&amp;from=0&amp;to=1&amp;page=2">' in second


def test_history_of_one_page_has_no_page_links(client, programme):
    save_versions(programme, "phase1.cause_1", 2)
    client.force_login(programme.ana)

    html = client.get(f"/roadmaps/{programme.roadmap.pk}/history/").content.decode()

    assert versions_listed(html) == [2, 1]
    assert 'class="pagination"' not in html


def test_history_query_count_does_not_grow_with_changes(client, programme):
    client.force_login(programme.ana)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/roadmaps/{programme.roadmap.pk}/history/")
        return len(versions_listed(response.content.decode())), len(queries)

    save_versions(programme, "phase1.cause_1", 1)
    keep_facts_of(programme.ana)
    one, queries_for_one = count()
    save_versions(programme, "phase1.cause_1", 30)
    save_versions(programme, "phase1.cause_2", 30, user=programme.rui)
    many, queries_for_many = count()

    assert (one, many) == (1, 50)
    assert queries_for_many == queries_for_one


def test_history_is_not_found_for_a_reviewer(client, programme, reviewer):
    client.force_login(reviewer)

    assert client.get(f"/roadmaps/{programme.roadmap.pk}/history/").status_code == 404


def compare_form(html: str, name: str) -> str:
    match = re.search(rf"<form[^>]*data-compare-{name}>.*?</form>", html, re.S)
    return match.group(0) if match else ""


def options(form: str, name: str) -> list[tuple[str, str, bool]]:
    """The options of the select `name`: (value, text, selected)."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', form, re.S).group(1)
    return [
        (value, " ".join(label.split()), bool(selected))
        for value, selected, label in re.findall(
            r'<option value="([^"]*)"( selected)?>(.*?)</option>', select, re.S
        )
    ]


def save_as(programme, clock, key: str, *values_and_people) -> None:
    """Save `key` once per (value, person), a minute apart."""
    for value, person in values_and_people:
        current = RoadmapChange.objects.filter(roadmap=programme.roadmap, key=key).count()
        services.roadmap_field_save(
            roadmap=programme.roadmap,
            key=key,
            value=value,
            base_version=current,
            acting_user=person,
        )
        clock.shift(datetime.timedelta(minutes=1))


def test_history_compare_form_offers_the_fields_saved_in_template_order(client, programme, clock):
    ana = programme.ana
    save_as(programme, clock, "phase1.cause_2", ("Low incomes", ana))
    save_as(programme, clock, "phase1.challenge", ("Heat", ana))
    save_as(programme, clock, "phase1.cause_1", ("Old housing", ana))
    client.force_login(programme.lead)

    html = client.get(f"/roadmaps/{programme.roadmap.pk}/history/").content.decode()

    field_form = compare_form(html, "field")
    assert f'action="/roadmaps/{programme.roadmap.pk}/history/"' in field_form
    assert options(field_form, "key") == [
        ("phase1.challenge", "What is your climate challenge about?", False),
        ("phase1.cause_1", "Main cause 1", False),
        ("phase1.cause_2", "Main cause 2", False),
    ]
    # No field chosen yet: no versions to pick, nothing compared.
    assert compare_form(html, "versions") == ""
    assert "data-diff" not in html


def test_history_compare_form_without_any_change_is_not_shown(client, programme):
    client.force_login(programme.ana)

    html = client.get(f"/roadmaps/{programme.roadmap.pk}/history/").content.decode()

    assert "data-compare" not in html


def test_history_compare_form_offers_the_versions_of_the_chosen_field(client, programme, clock):
    key = "phase1.cause_1"
    save_as(programme, clock, "phase1.cause_2", ("Low incomes", programme.ana))
    save_as(
        programme,
        clock,
        key,
        ("Old housing", programme.ana),
        ("Old housing stock", programme.rui),
        ("Old, badly insulated housing", programme.ana),
    )
    client.force_login(programme.ana)

    html = client.get(f"/roadmaps/{programme.roadmap.pk}/history/?key={key}").content.decode()

    assert options(compare_form(html, "field"), "key") == [
        ("phase1.cause_1", "Main cause 1", True),
        ("phase1.cause_2", "Main cause 2", False),
    ]
    versions_form = compare_form(html, "versions")
    assert f'<input type="hidden" name="key" value="{key}">' in versions_form
    assert "<legend>Versions of “Main cause 1”</legend>" in versions_form
    # The form starts on the field's latest change: version 2 to version 3.
    versions = [
        ("0", "Version 0 · empty, before the first save"),
        ("1", "Version 1 · 15 February 2025, 10:01 · Ana Silva"),
        ("2", "Version 2 · 15 February 2025, 10:02 · Rui Costa"),
        ("3", "Version 3 · 15 February 2025, 10:03 · Ana Silva"),
    ]
    assert options(versions_form, "from") == [(v, t, v == "2") for v, t in versions]
    assert options(versions_form, "to") == [(v, t, v == "3") for v, t in versions]
    # Choosing a field is not an error, and compares nothing yet.
    assert "data-diff" not in html
    assert "Choose two versions this field has had." not in html


def test_history_compare_form_submitted_shows_the_difference_of_the_two_versions(
    client, programme, clock
):
    key = "phase1.cause_1"
    save_as(
        programme,
        clock,
        key,
        ("Old housing", programme.ana),
        ("Old housing stock", programme.rui),
        ("Old, badly insulated housing", programme.ana),
    )
    client.force_login(programme.ana)

    response = client.get(
        f"/roadmaps/{programme.roadmap.pk}/history/", {"key": key, "from": "1", "to": "3"}
    )

    html = response.content.decode()
    diff = re.search(r'<div class="diff" data-diff-text>(.*?)</div>', html, re.S).group(1)
    heading = re.search(r'<h2 id="diff-heading">(.*?)</h2>', html).group(1)
    assert response.status_code == 200
    assert heading == "Main cause 1: version 1 → version 3"
    assert diff == "<del>Old</del><ins>Old, badly insulated</ins> housing"
    # The form keeps the pair compared.
    versions_form = compare_form(html, "versions")
    assert [v for v, _text, chosen in options(versions_form, "from") if chosen] == ["1"]
    assert [v for v, _text, chosen in options(versions_form, "to") if chosen] == ["3"]


def test_history_compare_versions_the_field_never_had_is_an_error(client, programme, clock):
    save_as(programme, clock, "phase1.cause_1", ("Old housing", programme.ana))
    client.force_login(programme.ana)

    html = client.get(
        f"/roadmaps/{programme.roadmap.pk}/history/?key=phase1.cause_1&from=0&to=7"
    ).content.decode()

    assert "Choose two versions this field has had." in html
    assert "data-diff" not in html
    versions_form = compare_form(html, "versions")
    assert [v for v, _text, chosen in options(versions_form, "to") if chosen] == ["1"]


def test_history_compare_query_count_does_not_grow_with_versions(client, programme):
    client.force_login(programme.ana)
    url = f"/roadmaps/{programme.roadmap.pk}/history/?key=phase1.cause_1&from=0&to=1"

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        versions = options(compare_form(response.content.decode(), "versions"), "to")
        return len(versions), len(queries)

    save_versions(programme, "phase1.cause_1", 1)
    keep_facts_of(programme.ana)
    one, queries_for_one = count()
    save_versions(programme, "phase1.cause_1", 30, user=programme.rui)
    many, queries_for_many = count()

    assert (one, many) == (2, 32)
    assert queries_for_many == queries_for_one


# --- Submit and review -------------------------------------------------------------------------


def test_submit_page_lists_what_is_missing_with_links(client, programme):
    fill(programme, skip={"phase1.cause_3", "phase2_2.score.funding-financing", "phase3.services"})
    client.force_login(programme.ana)

    response = client.get(f"/roadmaps/{programme.roadmap.pk}/submit/")

    html = response.content.decode()
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', html.split("data-missing")[1])
    url = edit_url(programme.roadmap)
    assert links == [
        (f"{url}#field-phase1.cause_3", "Main cause 3"),
        (
            f"{url}#field-phase2_2.score.funding-financing",
            "Funding and financing: score from 1 (weak) to 5 (strong)",
        ),
        (f"{url}#field-phase3.services", "NetZeroCities services for your spotlighted challenge"),
    ]
    assert "Submit the roadmap</button>" not in html


def test_submit_post_submits_a_complete_roadmap(client, programme):
    fill(programme)
    client.force_login(programme.ana)

    response = client.post(f"/roadmaps/{programme.roadmap.pk}/submit/")

    programme.roadmap.refresh_from_db()
    assert (response.status_code, response["Location"]) == (302, edit_url(programme.roadmap))
    assert programme.roadmap.status == RoadmapStatus.SUBMITTED


def test_submit_post_refuses_an_incomplete_roadmap(client, programme):
    fill(programme, skip={"phase1.cause_3"})
    client.force_login(programme.ana)

    response = client.post(f"/roadmaps/{programme.roadmap.pk}/submit/")

    programme.roadmap.refresh_from_db()
    assert response.status_code == 400
    assert programme.roadmap.status == RoadmapStatus.DRAFT
    assert "Complete these parts before you submit: Main cause 3." in response.content.decode()


def test_facilitator_comments_a_section_and_the_city_sees_it_there(client, programme):
    fill(programme)
    services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    client.force_login(programme.lead)

    response = client.post(
        f"/roadmaps/{programme.roadmap.pk}/comments/",
        {"section": "phase1", "body": "Name <b>one</b> challenge."},
    )

    assert (response.status_code, response["Location"]) == (
        302,
        f"{edit_url(programme.roadmap)}#section-phase1",
    )
    assert list(RoadmapComment.objects.values_list("section", "body")) == [
        ("phase1", "Name <b>one</b> challenge.")
    ]
    client.force_login(programme.ana)
    html = client.get(edit_url(programme.roadmap)).content.decode()
    assert re.findall(r'data-comments="([^"]+)"', html) == ["phase1"]
    assert '<div class="comment-body">Name &lt;b&gt;one&lt;/b&gt; challenge.</div>' in section_html(
        html, "phase1"
    )


def test_officer_cannot_comment_or_review(client, programme):
    fill(programme)
    services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    client.force_login(programme.ana)

    comment = client.post(
        f"/roadmaps/{programme.roadmap.pk}/comments/", {"section": "phase1", "body": "Me"}
    )
    review = client.post(f"/roadmaps/{programme.roadmap.pk}/review/", {"decision": "accept"})

    assert (comment.status_code, review.status_code) == (403, 403)
    programme.roadmap.refresh_from_db()
    assert programme.roadmap.status == RoadmapStatus.SUBMITTED


def test_facilitator_returns_then_accepts_the_roadmap(client, programme):
    fill(programme)
    services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    client.force_login(programme.lead)
    review_page = client.get(edit_url(programme.roadmap)).content.decode()

    returned = client.post(
        f"/roadmaps/{programme.roadmap.pk}/review/", {"decision": "return", "note": "Add a cause."}
    )
    programme.roadmap.refresh_from_db()
    status_after_return = programme.roadmap.status
    client.force_login(programme.ana)
    editable_again = 'id="roadmap-form"' in client.get(edit_url(programme.roadmap)).content.decode()
    services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    client.force_login(programme.lead)
    accepted = client.post(f"/roadmaps/{programme.roadmap.pk}/review/", {"decision": "accept"})

    programme.roadmap.refresh_from_db()
    assert 'name="decision" value="accept"' in review_page
    assert 'name="decision" value="return"' in review_page
    assert (returned.status_code, accepted.status_code) == (302, 302)
    assert (status_after_return, editable_again) == (RoadmapStatus.RETURNED, True)
    assert programme.roadmap.status == RoadmapStatus.ACCEPTED
    assert list(programme.roadmap.transitions.values_list("to_status", "note")) == [
        ("submitted", ""),
        ("returned", "Add a cause."),
        ("submitted", ""),
        ("accepted", ""),
    ]


def test_history_records_each_autosave(client, programme):
    client.force_login(programme.ana)
    autosave(client, programme.roadmap, key="phase1.cause_1", value="One", base_version=0)
    autosave(client, programme.roadmap, key="phase1.cause_1", value="Two", base_version=1)

    rows = list(
        RoadmapChange.objects.order_by("version").values_list("old_value", "new_value", "version")
    )

    assert rows == [("", "One", 1), ("One", "Two", 2)]
