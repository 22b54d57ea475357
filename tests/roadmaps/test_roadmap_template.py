"""The roadmap as the template has it (issue 10, 000 Figure 4): one general reasoning in
Phase 2.2 (and migration 0007, which joined the per-factor texts), 2.2 not asked after a Low
desirability, the template's guidance on the page, one status vocabulary, labels in the
history, "too long" at submit, the facilitators told of a submission and the return note."""

import importlib
import re

import pytest
from django.apps import apps
from django.core import mail
from django.urls import reverse

from notifications.models import OutboundEmail
from roadmaps import services
from roadmaps.enums import RoadmapStatus
from roadmaps.models import Roadmap, RoadmapChange, RoadmapValue
from roadmaps.template import FIELDS, REQUIRED_KEYS
from tests import factories
from tests.roadmaps.conftest import NOW, fill

migration = importlib.import_module("roadmaps.migrations.0007_general_reasoning")

OLD = "phase2_2.reasoning."
DESIRABILITY = "phase2_1.desirability"


def save(programme, key, value, user=None):
    current = RoadmapValue.objects.filter(roadmap=programme.roadmap, key=key).first()
    return services.roadmap_field_save(
        roadmap=programme.roadmap,
        key=key,
        value=value,
        base_version=current.version if current else 0,
        acting_user=user or programme.ana,
    )


def percent(programme) -> int:
    return Roadmap.objects.get(pk=programme.roadmap.pk).percent_complete


def edit_html(client, user, roadmap) -> str:
    client.force_login(user)
    return client.get(reverse("roadmap_edit", args=[roadmap.pk])).content.decode()


# --- Migration 0007 ----------------------------------------------------------------------------
# Run with today's models: the migration's tables and columns are the same.


def old_reasoning(roadmap, slug, text, version=1):
    RoadmapValue.objects.create(
        roadmap=roadmap, key=f"{OLD}{slug}", value=text, version=version, updated_at=NOW
    )
    RoadmapChange.objects.create(
        roadmap=roadmap, key=f"{OLD}{slug}", old_value="", new_value=text, version=version
    )


def test_migration_joins_the_per_factor_reasonings_each_after_its_factor(programme):
    roadmap = programme.roadmap
    old_reasoning(roadmap, "funding-financing", "No budget yet.")
    old_reasoning(roadmap, "internal-governance", "  The council agrees. ")
    old_reasoning(roadmap, "citizen-engagement", "   ")  # blank: left out
    history_before = list(RoadmapChange.objects.values_list("key", "new_value", "version"))

    migration.forwards(apps, None)

    assert dict(RoadmapValue.objects.filter(roadmap=roadmap).values_list("key", "value")) == {
        "phase2_2.reasoning": (
            "Internal governance and regulatory framework: The council agrees.\n\n"
            "Funding and financing: No budget yet."
        )
    }
    # The old history stays as it was, and the joined text has its own first version.
    assert (
        list(
            RoadmapChange.objects.exclude(key="phase2_2.reasoning").values_list(
                "key", "new_value", "version"
            )
        )
        == history_before
    )
    change = RoadmapChange.objects.get(key="phase2_2.reasoning")
    assert (change.old_value, change.version, change.changed_by) == ("", 1, None)
    assert change.new_value == RoadmapValue.objects.get(key="phase2_2.reasoning").value
    # 1 of the 27 required fields now filled.
    assert percent(programme) == 3


def test_migration_without_per_factor_reasonings_adds_nothing(programme):
    save(programme, "phase1.challenge", "Heat")
    before = list(RoadmapValue.objects.values_list("key", "value", "version"))

    migration.forwards(apps, None)

    assert list(RoadmapValue.objects.values_list("key", "value", "version")) == before
    assert not RoadmapChange.objects.filter(key="phase2_2.reasoning").exists()
    assert percent(programme) == 3


def test_migration_keeps_a_joined_text_over_100_words_and_submit_calls_it_too_long(
    client, programme
):
    fill(programme, skip={"phase2_2.reasoning"})
    long_text = " ".join(["word"] * 60)
    for factor in ("internal-governance", "funding-financing"):
        old_reasoning(programme.roadmap, factor, long_text)

    migration.forwards(apps, None)

    joined = RoadmapValue.objects.get(key="phase2_2.reasoning").value
    assert joined.count("word") == 120
    check = services.roadmap_submit_check(roadmap=programme.roadmap)
    assert ([f.key for f in check.missing], [f.key for f in check.too_long]) == (
        [],
        ["phase2_2.reasoning"],
    )
    with pytest.raises(services.RoadmapIncomplete) as refused:
        services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    assert refused.value.message == (
        "These parts are too long: shorten them before you submit: "
        "Explain briefly the general reasoning for giving the scores."
    )
    # The page shows the whole text with its count marked over the limit.
    html = edit_html(client, programme.ana, programme.roadmap)
    assert 'class="word-count over" id="count-phase2_2.reasoning"' in html
    assert "128 / 100 words" in html  # the two factors' names (5 and 3 words) too
    client.force_login(programme.ana)
    submit = client.get(reverse("roadmap_submit", args=[programme.roadmap.pk])).content.decode()
    assert re.findall(r"<ul data-too-long>\s*<li><a [^>]*>([^<]*)</a>", submit) == [
        "Explain briefly the general reasoning for giving the scores (too long: at most 100 words)"
    ]
    assert "data-missing" not in submit


def test_migration_backwards_splits_the_text_again(programme):
    old_reasoning(programme.roadmap, "funding-financing", "No budget yet.")
    old_reasoning(programme.roadmap, "stakeholder-engagement", "Utilities on board.")
    migration.forwards(apps, None)

    migration.backwards(apps, None)

    assert dict(RoadmapValue.objects.values_list("key", "value")) == {
        f"{OLD}stakeholder-engagement": "Utilities on board.",
        f"{OLD}funding-financing": "No budget yet.",
    }


# --- Phase 2.2 and a Low desirability ----------------------------------------------------------


def test_phase_2_2_has_eight_scores_and_one_reasoning():
    assert [f.key for f in FIELDS if f.section == "phase2_2"][-1] == "phase2_2.reasoning"
    assert [f.kind for f in FIELDS if f.section == "phase2_2"] == ["score"] * 8 + ["limited_text"]
    assert len(REQUIRED_KEYS) == 27


def test_low_desirability_makes_phase_2_2_not_required_and_moves_the_share(programme):
    fill(programme, skip={f.key for f in FIELDS if f.section == "phase2_2"})
    assert percent(programme) == 66  # 18 of 27
    assert len(services.roadmap_missing_fields(roadmap=programme.roadmap)) == 9

    save(programme, DESIRABILITY, "low")

    # 2.2 is not asked: 18 required fields, all filled.
    assert percent(programme) == 100
    assert services.roadmap_missing_fields(roadmap=programme.roadmap) == []
    save(programme, DESIRABILITY, "medium")
    assert percent(programme) == 66
    save(programme, DESIRABILITY, "low")
    roadmap = services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    assert roadmap.status == RoadmapStatus.SUBMITTED


def test_edit_page_says_why_phase_2_2_is_not_required_after_low(client, programme):
    html = edit_html(client, programme.ana, programme.roadmap)
    # There for the page's script to show when Low is chosen, hidden until then.
    assert '<p class="message message-info" data-not-asked="phase2_2" hidden>' in html

    save(programme, DESIRABILITY, "low")

    html = edit_html(client, programme.ana, programme.roadmap)
    assert re.findall(
        r'<p class="message message-info" data-not-asked="phase2_2">([^<]*)<', html
    ) == [
        "You rated the desirability of the solution Low, so Phase 2.2 is not required: the "
        "template asks for the feasibility of a solution of medium to high desirability. You "
        "may still fill it in."
    ]


# --- The template's words on the page ----------------------------------------------------------


def test_edit_page_shows_the_guidance_the_spotlight_and_text_areas(client, programme):
    programme.services[0].description = "The framework for planning a city's transition."
    programme.services[0].url = "https://netzerocities.app/transition-map"
    programme.services[0].save()

    html = edit_html(client, programme.ana, programme.roadmap)

    guidance = dict(re.findall(r'data-guidance="([^"]+)">([^<]*)<', html))
    assert guidance["phase2_1"] == (
        "Pick up a climate solution presented by one of the Mission Cities and reflect on the "
        "desirability of the solution to be adapted/transferred to your own local context "
        "linked to your city&#x27;s spotlighted challenge."
    )
    assert guidance["phase2_2"].startswith("Based on the medium to high level of desirability")
    assert guidance["phase3"] == (
        "Navigate and select the suitable journey through NetZeroCities services, for your "
        "climate neutrality objectives and more concretely for your spotlighted challenge."
    )
    assert guidance["phase4"] == "Apply soon to join a 2-days group study visit in a Mission City!"
    assert (
        '<h3 id="heading-challenge-spotlight" data-challenge-spotlight>Challenge spotlight!</h3>'
        in html
    )
    for key in ("phase1.cause_1", "phase1.cause_3", "phase1.consequence_2"):
        assert f'<textarea id="input-{key}"' in html
    assert re.findall(r'data-service-description="(\d+)">([^<]*)<a href="([^"]+)"', html) == [
        (
            str(programme.services[0].pk),
            "The framework for planning a city&#x27;s transition. ",
            "https://netzerocities.app/transition-map",
        )
    ]


# --- One vocabulary of statuses ----------------------------------------------------------------


def test_status_has_one_name_for_the_officer_and_the_facilitator(client, programme):
    badge = re.compile(r'<span class="badge" data-status="draft">([^<]*)</span>')
    overview_url = reverse("roadmap_cohort_overview", args=[programme.cohort.pk])
    assert badge.findall(edit_html(client, programme.ana, programme.roadmap)) == ["Not started"]
    assert badge.findall(edit_html(client, programme.lead, programme.roadmap)) == ["Not started"]
    client.force_login(programme.lead)
    assert '<td data-label="Status">Not started</td>' in client.get(overview_url).content.decode()

    save(programme, "phase1.challenge", "Heat")

    assert badge.findall(edit_html(client, programme.ana, programme.roadmap)) == ["Draft"]
    client.force_login(programme.lead)
    assert '<td data-label="Status">Draft</td>' in client.get(overview_url).content.decode()


def test_completed_roadmap_says_completed(client, programme):
    fill(programme)
    services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    services.roadmap_accept(roadmap=programme.roadmap, acting_user=programme.lead)

    html = edit_html(client, programme.ana, programme.roadmap)

    assert re.findall(r"data-read-only>([^<]*)<", html) == [
        "This roadmap is completed and can no longer be changed."
    ]
    with pytest.raises(services.RoadmapAlreadySubmitted) as again:
        services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    assert again.value.message == "This roadmap is completed already."


def test_history_shows_labels_not_stored_values(client, programme):
    save(programme, DESIRABILITY, "high")
    save(programme, DESIRABILITY, "low")
    save(programme, "phase2_1.climate_action", str(programme.action.pk))
    save(programme, "phase3.services", f"{programme.services[0].pk},{programme.services[1].pk}")
    client.force_login(programme.ana)

    html = client.get(reverse("roadmap_history", args=[programme.roadmap.pk])).content.decode()

    cells = re.findall(r'<td data-label="(?:Before|After)" class="history-value">(.*?)</td>', html)
    assert cells == [
        '<span class="empty">(empty)</span>',
        "Climate Transition Map, Capital Hub / financing advisory",
        '<span class="empty">(empty)</span>',
        "Renewable energy communities",
        "High",
        "Low",
        '<span class="empty">(empty)</span>',
        "High",
    ]


# --- Facilitators told; the return note on the page --------------------------------------------


def test_submit_emails_the_lead_and_the_group_facilitators_of_the_city_after_commit(
    programme, django_capture_on_commit_callbacks
):
    other_group_facilitator = factories.UserFactory(is_facilitator=True)
    other_sector = factories.ThematicSectorFactory(slug="mobility", name="Mobility")
    other_group = programme.cohort.thematic_groups.create(sector=other_sector)
    other_group.facilitators.add(other_group_facilitator)  # Lisbon did not join it
    fill(programme)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    assert mail.outbox == []  # queued in the outbox, sent once the submit has committed
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox if m.subject.startswith("Roadmap to review")) == (
        sorted([programme.lead.email, programme.group_facilitator.email])
    )

    transition = programme.roadmap.transitions.get()
    # Rendered by notifications.services.notify, in each recipient's language.
    rows = list(
        OutboundEmail.objects.filter(key__contains=":review:")
        .order_by("key")
        .values_list("key", "to", "subject")
    )
    assert rows == [
        (
            f"roadmap:{programme.roadmap.pk}:{transition.pk}:review:{person.pk}",
            person.email,
            "Roadmap to review: Lisbon (Online Discussion Groups cohort 1)",
        )
        for person in sorted([programme.lead, programme.group_facilitator], key=lambda u: u.pk)
    ]


def test_returned_roadmap_shows_the_note_in_a_banner(client, programme):
    fill(programme)
    services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    services.roadmap_return(
        roadmap=programme.roadmap, acting_user=programme.lead, note="Add <the> costs, please."
    )

    html = edit_html(client, programme.ana, programme.roadmap)

    banner = re.search(r"<section [^>]*data-returned-note>(.*?)</section>", html, re.S)[1]
    assert "Lea Lead returned this roadmap on 15 February 2025. Change it" in banner
    assert "Add &lt;the&gt; costs, please." in banner
    # The facilitator reads the same note, without the officer's next step.
    lead_html = edit_html(client, programme.lead, programme.roadmap)
    lead_banner = re.search(r"<section [^>]*data-returned-note>(.*?)</section>", lead_html, re.S)[1]
    assert "Lea Lead returned this roadmap on 15 February 2025.</p>" in lead_banner

    services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    assert "data-returned-note" not in edit_html(client, programme.ana, programme.roadmap)
