"""roadmaps.services: opening, saving fields (versions, history, bad input, phases), submitting,
reviewing, the emails of each transition and "completed since"."""

import datetime
import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection

from cohorts import services as cohort_services
from notifications.models import OutboundEmail
from portal.errors import ApplicationError
from portal.permissions import PermissionRefused
from roadmaps import services
from roadmaps.enums import ExportStatus, RoadmapStatus
from roadmaps.exports import roadmap_export_restart, roadmap_export_start
from roadmaps.models import (
    NetZeroCitiesService,
    Roadmap,
    RoadmapChange,
    RoadmapExport,
    RoadmapValue,
)
from roadmaps.services import RoadmapConflict, RoadmapIncomplete
from roadmaps.template import FIELDS_BY_KEY, REQUIRED_KEYS
from tests import factories
from tests.conftest import require
from tests.roadmaps.conftest import NOW, cohort_create, fill, present

REASONING = "phase2_2.reasoning"
SCORE = "phase2_2.score.funding-financing"


def save(programme, key, value, base_version=0, user=None):
    return services.roadmap_field_save(
        roadmap=programme.roadmap,
        key=key,
        value=value,
        base_version=base_version,
        acting_user=user or programme.ana,
    )


def history(roadmap):
    return list(
        RoadmapChange.objects.filter(roadmap=roadmap)
        .order_by("pk")
        .values_list("key", "old_value", "new_value", "version", "changed_by__email")
    )


def stored(roadmap):
    return dict(RoadmapValue.objects.filter(roadmap=roadmap).values_list("key", "value"))


def refused(programme, key, value):
    """Save a value expected to be refused; return (field, message) of the error."""
    with pytest.raises(ApplicationError) as error:
        save(programme, key, value)
    return error.value.field, error.value.message


# --- Opening -----------------------------------------------------------------------------------


def test_roadmap_open_on_direct_enrolment_is_an_empty_draft(programme):
    roadmap = programme.roadmap

    assert (roadmap.status, roadmap.percent_complete, roadmap.created_at) == (
        RoadmapStatus.DRAFT,
        0,
        NOW,
    )
    assert stored(roadmap) == {}


def test_roadmap_open_twice_returns_the_same_roadmap(programme):
    again = services.roadmap_open(cohort=programme.cohort, city=programme.lisbon)

    assert again.pk == programme.roadmap.pk
    assert Roadmap.objects.filter(cohort=programme.cohort).count() == 1


def test_roadmap_open_when_a_request_is_accepted_not_when_declined(programme):
    porto = factories.CityFactory(name="Porto")
    braga = factories.CityFactory(name="Braga")
    asked = [
        cohort_services.enrolment_request(
            cohort=programme.cohort,
            city=city,
            acting_user=factories.city_officer(city=city),
            groups=[(programme.cohort.thematic_groups.get(), "")],
        )
        for city in (porto, braga)
    ]
    assert not Roadmap.objects.filter(city__in=[porto, braga]).exists()

    cohort_services.enrolment_accept(enrolment=asked[0], acting_user=programme.lead)
    cohort_services.enrolment_decline(enrolment=asked[1], acting_user=programme.lead)

    assert list(
        Roadmap.objects.filter(cohort=programme.cohort).values_list("city__name", "status")
    ) == [("Lisbon", "draft"), ("Porto", "draft")]


# --- Saving a field ----------------------------------------------------------------------------


def test_field_save_stores_the_value_its_version_history_and_percent(programme):
    saved = save(programme, "representative.first_name", "Ana")

    assert (saved.key, saved.value, saved.version, saved.updated_by, saved.updated_at) == (
        "representative.first_name",
        "Ana",
        1,
        programme.ana,
        NOW,
    )
    assert history(programme.roadmap) == [
        ("representative.first_name", "", "Ana", 1, "ana@lisboa.pt")
    ]
    programme.roadmap.refresh_from_db()
    # 1 of the 27 required fields, rounded down (one general reasoning in Phase 2.2).
    assert len(REQUIRED_KEYS) == 27
    assert (programme.roadmap.percent_complete, programme.roadmap.updated_at) == (3, NOW)


def test_field_save_again_keeps_every_change_in_the_history(programme):
    save(programme, "phase1.cause_1", "Old boilers")
    save(programme, "phase1.cause_1", "Old gas boilers", base_version=1, user=programme.rui)
    save(programme, "phase1.cause_1", "", base_version=2)

    assert stored(programme.roadmap) == {"phase1.cause_1": ""}
    assert history(programme.roadmap) == [
        ("phase1.cause_1", "", "Old boilers", 1, "ana@lisboa.pt"),
        ("phase1.cause_1", "Old boilers", "Old gas boilers", 2, "rui@lisboa.pt"),
        ("phase1.cause_1", "Old gas boilers", "", 3, "ana@lisboa.pt"),
    ]
    programme.roadmap.refresh_from_db()
    assert programme.roadmap.percent_complete == 0  # emptied again


def test_field_save_with_a_stale_version_is_a_conflict_showing_both(programme):
    save(programme, "phase1.challenge", "Heating the old town")
    # Ana and Rui both loaded version 1; Ana saves first.
    save(programme, "phase1.challenge", "Heating the historic centre", base_version=1)

    with pytest.raises(RoadmapConflict) as conflict:
        save(
            programme,
            "phase1.challenge",
            "Heat in the old town",
            base_version=1,
            user=programme.rui,
        )

    error = conflict.value
    assert (error.key, error.yours, error.field, error.code) == (
        "phase1.challenge",
        "Heat in the old town",
        "phase1.challenge",
        "conflict",
    )
    assert (error.theirs.value, error.theirs.version, error.theirs.updated_by) == (
        "Heating the historic centre",
        2,
        programme.ana,
    )
    assert stored(programme.roadmap) == {"phase1.challenge": "Heating the historic centre"}
    assert len(history(programme.roadmap)) == 2


def test_field_save_of_a_new_field_with_a_version_is_a_conflict_with_an_empty_theirs(programme):
    with pytest.raises(RoadmapConflict) as conflict:
        save(programme, "phase1.missing", "A heat plan", base_version=3)

    assert (conflict.value.theirs.value, conflict.value.theirs.version) == ("", 0)
    assert stored(programme.roadmap) == {}


def test_field_save_of_different_fields_from_the_same_page_never_conflicts(programme):
    first = save(programme, "phase1.cause_1", "Listed buildings", base_version=0)
    second = save(programme, "phase1.cause_2", "No money", base_version=0, user=programme.rui)

    assert (first.version, second.version) == (1, 1)
    assert stored(programme.roadmap) == {
        "phase1.cause_1": "Listed buildings",
        "phase1.cause_2": "No money",
    }


def test_field_save_of_the_same_value_writes_nothing_whatever_the_version(programme):
    first = save(programme, "phase1.missing", "A heat plan")

    again = save(programme, "phase1.missing", "A heat plan", base_version=0, user=programme.rui)

    assert (again.pk, again.version, again.updated_by) == (first.pk, 1, programme.ana)
    assert len(history(programme.roadmap)) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_field_save_two_concurrent_saves_of_one_version_only_one_wins(programme):
    require(
        connection.vendor == "postgresql", f"the database is {connection.vendor}, not PostgreSQL"
    )
    save(programme, "phase1.challenge", "Start")
    barrier = threading.Barrier(2)
    outcomes = {}

    def attempt(user, text):
        barrier.wait()
        try:
            save(programme, "phase1.challenge", text, base_version=1, user=user)
            outcomes[text] = "saved"
        except RoadmapConflict:
            outcomes[text] = "conflict"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(programme.ana, "Ana's text")),
        threading.Thread(target=attempt, args=(programme.rui, "Rui's text")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes.values()) == ["conflict", "saved"]
    winner = next(text for text, outcome in outcomes.items() if outcome == "saved")
    assert stored(programme.roadmap) == {"phase1.challenge": winner}
    assert [row[3] for row in history(programme.roadmap)] == [1, 2]


# --- Bad input ---------------------------------------------------------------------------------


def test_field_save_of_a_fourth_cause_is_refused(programme):
    assert refused(programme, "phase1.cause_4", "Tourism") == (
        "phase1.cause_4",
        "This roadmap has no field phase1.cause_4.",
    )
    assert stored(programme.roadmap) == {}


@pytest.mark.parametrize("score", ["0", "6", "3.5", "three", "-1"])
def test_field_save_of_a_score_outside_1_to_5_is_refused(programme, score):
    assert refused(programme, SCORE, score) == (SCORE, "Give a score from 1 (weak) to 5 (strong).")
    assert stored(programme.roadmap) == {}


@pytest.mark.parametrize("score", ["1", "5", " 3 "])
def test_field_save_of_a_score_from_1_to_5_is_kept(programme, score):
    assert save(programme, SCORE, score).value == score.strip()


def test_field_save_of_101_words_is_refused_and_100_kept(programme):
    assert FIELDS_BY_KEY[REASONING].word_limit == 100

    assert refused(programme, REASONING, " ".join(["word"] * 101)) == (
        REASONING,
        "Keep the reasoning to 100 words or fewer (you have 101).",
    )
    assert save(programme, REASONING, "word\n" * 100).value == "word\n" * 100


def test_field_save_of_a_climate_action_from_another_cohort_is_refused(programme):
    energy = programme.cohort.thematic_groups.get().sector
    other = cohort_create(number=2, lead=programme.lead, sector=energy)
    elsewhere = factories.CityFactory(name="Mannheim", is_mission_city=True)
    from cities.services import climate_action_create

    other_action = climate_action_create(
        acting_user=programme.lead, city=elsewhere, title="District heating", sector=energy
    )
    present(cohort=other, city=elsewhere, actions=[other_action], by=programme.lead)
    not_presented = climate_action_create(
        acting_user=programme.lead, city=programme.mission_city, title="Bike lanes", sector=energy
    )

    message = "Pick a climate action presented in this cohort."
    key = "phase2_1.climate_action"
    assert refused(programme, key, str(other_action.pk)) == (key, message)
    assert refused(programme, key, str(not_presented.pk)) == (key, message)
    assert refused(programme, key, "not a number") == (key, message)
    assert save(programme, key, str(programme.action.pk)).value == str(programme.action.pk)


def test_field_save_keeps_html_and_script_exactly_as_typed(programme):
    typed = '<script>alert("x")</script> <b>Heat</b> & "more" '

    assert save(programme, "phase1.challenge", typed).value == typed
    assert stored(programme.roadmap) == {"phase1.challenge": typed}


def test_field_save_of_other_kinds_checks_the_value(programme):
    assert refused(programme, "phase2_1.desirability", "very high") == (
        "phase2_1.desirability",
        "Choose High, Medium or Low.",
    )
    assert refused(programme, "representative.email", "ana at lisboa") == (
        "representative.email",
        "Enter a valid email address.",
    )
    assert save(programme, "phase2_1.desirability", "medium").value == "medium"


def test_field_save_of_services_keeps_offered_ones_once_in_order(programme):
    map_, hub = programme.services
    retired = NetZeroCitiesService.objects.create(name="Retired service", is_active=False)

    for value in (str(retired.pk), "999", "map"):
        assert refused(programme, "phase3.services", value) == (
            "phase3.services",
            "Pick services from the list.",
        )
    saved = save(programme, "phase3.services", f"{hub.pk}, {map_.pk},{hub.pk}")

    assert saved.value == f"{hub.pk},{map_.pk}"


def test_field_save_of_an_empty_value_is_allowed_for_every_kind(programme):
    filled = {
        "phase2_1.climate_action": str(programme.action.pk),
        "phase2_1.desirability": "low",
        SCORE: "2",
        "representative.email": "ana@lisboa.pt",
        "phase3.services": str(programme.services[0].pk),
    }
    for key, value in filled.items():
        save(programme, key, value)
        assert save(programme, key, "", base_version=1).version == 2

    assert stored(programme.roadmap) == dict.fromkeys(filled, "")


def test_field_save_of_an_empty_value_in_a_field_never_saved_writes_nothing(programme):
    saved = save(programme, "phase1.missing", "", base_version=0)

    assert (saved.pk, saved.value, saved.version) == (None, "", 0)
    assert history(programme.roadmap) == []


@pytest.mark.parametrize(
    ("key", "limit"),
    [
        ("representative.role", "500"),  # text
        ("phase1.cause_1", "10,000"),  # long_text: a cause is a paragraph (issue 10)
        ("phase1.overview", "10,000"),  # long_text
        (REASONING, "2,000"),  # limited_text: one very long "word" passes the word limit
    ],
)
def test_field_save_over_the_character_limit_of_its_kind_is_refused(programme, key, limit):
    cap = int(limit.replace(",", ""))

    assert refused(programme, key, "x" * (cap + 1)) == (
        key,
        f"Keep this under {limit} characters (you have {cap + 1:,}).",
    )
    assert save(programme, key, "x" * cap).value == "x" * cap


def test_field_save_of_an_email_over_500_characters_is_refused(programme):
    email = "a" * 491 + "@lisboa.pt"

    assert refused(programme, "representative.email", email) == (
        "representative.email",
        "Keep this under 500 characters (you have 501).",
    )
    assert stored(programme.roadmap) == {}


def test_field_save_of_a_huge_text_names_both_numbers(programme):
    assert refused(programme, "phase1.overview", "y" * 12_345) == (
        "phase1.overview",
        "Keep this under 10,000 characters (you have 12,345).",
    )
    assert stored(programme.roadmap) == {}


def test_field_save_of_ids_that_are_not_plain_short_numbers_is_refused(programme):
    # "²" counts as a digit for str.isdigit(), and 30 digits overflow any primary key.
    for value in ("²", "1" * 30):
        assert refused(programme, "phase2_1.climate_action", value) == (
            "phase2_1.climate_action",
            "Pick a climate action presented in this cohort.",
        )
        assert refused(programme, "phase3.services", f"{programme.services[0].pk},{value}") == (
            "phase3.services",
            "Pick services from the list.",
        )
    assert stored(programme.roadmap) == {}


# --- Saving the whole form (the page without JavaScript) ---------------------------------------


def fields_save(programme, values, user=None):
    return services.roadmap_fields_save(
        roadmap=programme.roadmap, values=values, acting_user=user or programme.ana
    )


def test_fields_save_saves_the_changed_fields_and_skips_the_unchanged(programme):
    save(programme, "phase1.challenge", "Heat")

    errors = fields_save(
        programme,
        {
            "phase1.challenge": ("Heat", 1),
            "phase1.cause_1": ("Old housing stock", 0),
            "phase1.cause_2": ("", 0),
        },
    )

    assert errors == {}
    assert history(programme.roadmap) == [
        ("phase1.challenge", "", "Heat", 1, "ana@lisboa.pt"),
        ("phase1.cause_1", "", "Old housing stock", 1, "ana@lisboa.pt"),
    ]


def test_fields_save_leaves_a_field_saved_elsewhere_that_was_not_touched_here(programme):
    save(programme, "phase1.challenge", "Heat")
    save(programme, "phase1.challenge", "Heat and floods", base_version=1, user=programme.rui)

    # The form was loaded at version 1 and posts that text back unchanged.
    errors = fields_save(programme, {"phase1.challenge": ("Heat", 1)})

    assert errors == {}
    assert stored(programme.roadmap) == {"phase1.challenge": "Heat and floods"}


def test_fields_save_returns_conflicts_and_bad_values_and_saves_the_rest(programme):
    save(programme, "phase1.challenge", "Rui's text", user=programme.rui)

    errors = fields_save(
        programme,
        {
            "phase1.challenge": ("Ana's text", 0),
            SCORE: ("6", 0),
            "phase1.cause_1": ("Old housing stock", 0),
        },
    )

    assert sorted(errors) == ["phase1.challenge", SCORE]
    conflict = errors["phase1.challenge"]
    assert isinstance(conflict, RoadmapConflict)
    assert (conflict.yours, conflict.theirs.value, conflict.theirs.version) == (
        "Ana's text",
        "Rui's text",
        1,
    )
    assert errors[SCORE].message == "Give a score from 1 (weak) to 5 (strong)."
    assert stored(programme.roadmap) == {
        "phase1.challenge": "Rui's text",
        "phase1.cause_1": "Old housing stock",
    }


def test_fields_save_of_a_roadmap_submitted_after_the_check_refuses_every_field(programme):
    fill(programme)
    # The form was loaded, and the permission checked, while the roadmap was a draft; it is
    # submitted before the save takes the roadmap's lock.
    loaded = Roadmap.objects.get(pk=programme.roadmap.pk)
    services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)

    errors = services.roadmap_fields_save(
        roadmap=loaded, values={"phase1.cause_1": ("Late", 1)}, acting_user=programme.ana
    )

    assert {key: error.message for key, error in errors.items()} == {
        "phase1.cause_1": "This roadmap has been submitted and can no longer be changed."
    }
    assert stored(programme.roadmap)["phase1.cause_1"] == "Text of phase1.cause_1"


# --- Phases ------------------------------------------------------------------------------------


def test_field_save_before_the_phase_opens_names_the_date(programme, clock):
    clock.move_to(datetime.datetime(2024, 10, 31, 22, 30, tzinfo=datetime.UTC))  # 23:30 Brussels

    assert refused(programme, "phase2_1.explanation", "Fits our plan") == (
        "phase2_1.explanation",
        "Phase 2.1 opens on 1 November 2024.",
    )
    assert refused(programme, SCORE, "3") == (SCORE, "Phase 2.2 opens on 1 November 2024.")
    assert refused(programme, "phase3.note", "Later") == (
        "phase3.note",
        "Phase 3 opens on 1 January 2025.",
    )
    # Open from the start: the representative, and Phase 1 since onboarding began.
    save(programme, "representative.role", "Climate officer")
    save(programme, "phase1.cause_1", "Old boilers")

    clock.move_to(datetime.datetime(2024, 10, 31, 23, 0, tzinfo=datetime.UTC))  # 1 Nov, 00:00
    save(programme, "phase2_1.explanation", "Fits our plan")

    assert stored(programme.roadmap) == {
        "representative.role": "Climate officer",
        "phase1.cause_1": "Old boilers",
        "phase2_1.explanation": "Fits our plan",
    }


# --- Permissions -------------------------------------------------------------------------------


def test_field_save_by_someone_who_is_not_an_officer_of_the_city_is_denied(programme):
    stranger = factories.city_officer(email="someone@porto.pt")

    for user in (programme.lead, stranger, factories.UserFactory(is_reviewer=True)):
        with pytest.raises(PermissionDenied):
            save(programme, "phase1.cause_1", "Mine", user=user)
    assert stored(programme.roadmap) == {}


def test_review_by_an_officer_or_a_facilitator_of_another_cohort_is_denied(programme):
    fill(programme)
    services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    outsider = factories.UserFactory(is_facilitator=True)
    cohort_create(number=2, lead=outsider, sector=programme.cohort.thematic_groups.get().sector)

    for user in (programme.ana, outsider):
        with pytest.raises(PermissionDenied):
            services.roadmap_accept(roadmap=programme.roadmap, acting_user=user)
        with pytest.raises(PermissionDenied):
            services.roadmap_comment_add(
                roadmap=programme.roadmap, section="phase1", body="Fine", acting_user=user
            )
    programme.roadmap.refresh_from_db()
    assert programme.roadmap.status == RoadmapStatus.SUBMITTED


def people(programme) -> dict:
    """Who is asked for in the permission tests, by the name the rules give them."""
    outsider = factories.UserFactory(is_facilitator=True, full_name="Facilitator elsewhere")
    cohort_create(number=2, lead=outsider, sector=programme.cohort.thematic_groups.get().sector)
    return {
        "officer": programme.ana,
        "officer of another city": factories.city_officer(email="someone@porto.pt"),
        "reviewer": factories.UserFactory(is_reviewer=True),
        "lead facilitator": programme.lead,
        "group facilitator": programme.group_facilitator,
        "facilitator of another cohort": outsider,
        "programme admin": factories.UserFactory(is_programme_admin=True, full_name="Ada Admin"),
    }


def written(programme) -> tuple:
    """Everything the acting services write, to compare before and after a refusal."""
    roadmap = Roadmap.objects.get(pk=programme.roadmap.pk)
    return (
        roadmap.status,
        history(roadmap),
        list(roadmap.transitions.values_list("from_status", "to_status")),
        list(roadmap.comments.values_list("section", "body")),
        list(RoadmapExport.objects.order_by("pk").values_list("pk", "status", "requested_by")),
        OutboundEmail.objects.count(),
    )


ACTING_SERVICES = {
    "roadmap_field_save": lambda programme, export, person: services.roadmap_field_save(
        roadmap=programme.roadmap,
        key="phase1.cause_1",
        value="Mine",
        base_version=1,
        acting_user=person,
    ),
    "roadmap_fields_save": lambda programme, export, person: services.roadmap_fields_save(
        roadmap=programme.roadmap, values={"phase1.cause_1": ("Mine", 1)}, acting_user=person
    ),
    "roadmap_submit": lambda programme, export, person: services.roadmap_submit(
        roadmap=programme.roadmap, acting_user=person
    ),
    "roadmap_comment_add": lambda programme, export, person: services.roadmap_comment_add(
        roadmap=programme.roadmap, section="phase1", body="Fine", acting_user=person
    ),
    "roadmap_return": lambda programme, export, person: services.roadmap_return(
        roadmap=programme.roadmap, acting_user=person, note="Mine"
    ),
    "roadmap_accept": lambda programme, export, person: services.roadmap_accept(
        roadmap=programme.roadmap, acting_user=person
    ),
    "roadmap_export_start": lambda programme, export, person: roadmap_export_start(
        cohort=programme.cohort, acting_user=person
    ),
    "roadmap_export_restart": lambda programme, export, person: roadmap_export_restart(
        export=export, acting_user=person
    ),
}
CANNOT_CHANGE = "You cannot change this roadmap."
NO_PERMISSION = "You do not have permission to do this."


@pytest.mark.parametrize(
    ("service", "who", "message"),
    [
        ("roadmap_field_save", "lead facilitator", CANNOT_CHANGE),
        ("roadmap_field_save", "officer of another city", CANNOT_CHANGE),
        ("roadmap_fields_save", "group facilitator", CANNOT_CHANGE),
        ("roadmap_fields_save", "reviewer", CANNOT_CHANGE),
        ("roadmap_submit", "lead facilitator", NO_PERMISSION),
        ("roadmap_submit", "officer of another city", NO_PERMISSION),
        ("roadmap_comment_add", "officer", NO_PERMISSION),
        ("roadmap_comment_add", "facilitator of another cohort", NO_PERMISSION),
        ("roadmap_return", "officer", NO_PERMISSION),
        ("roadmap_return", "reviewer", NO_PERMISSION),
        ("roadmap_accept", "officer", NO_PERMISSION),
        ("roadmap_accept", "facilitator of another cohort", NO_PERMISSION),
        ("roadmap_export_start", "officer", NO_PERMISSION),
        ("roadmap_export_start", "facilitator of another cohort", NO_PERMISSION),
        ("roadmap_export_restart", "officer", NO_PERMISSION),
        ("roadmap_export_restart", "reviewer", NO_PERMISSION),
    ],
)
def test_each_acting_service_refuses_a_person_without_its_permission(
    programme, service, who, message, django_capture_on_commit_callbacks
):
    fill(programme)
    if service in ("roadmap_return", "roadmap_accept"):
        services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    export = RoadmapExport.objects.create(cohort=programme.cohort, status=ExportStatus.FAILED)
    person = people(programme)[who]
    before = written(programme)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(PermissionRefused) as refusal,
    ):
        ACTING_SERVICES[service](programme, export, person)

    assert refusal.value.message == message
    assert (written(programme), callbacks) == (before, [])


def test_each_acting_service_refuses_without_a_person(programme):
    export = RoadmapExport.objects.create(cohort=programme.cohort, status=ExportStatus.FAILED)
    before = written(programme)

    refused = []
    for service, call in ACTING_SERVICES.items():
        try:
            call(programme, export, None)
        except PermissionRefused:
            refused.append(service)

    assert refused == list(ACTING_SERVICES)
    assert written(programme) == before


def test_admin_writes_and_submits_an_open_roadmap_then_cannot_change_it(programme):
    admin = people(programme)["programme admin"]
    saved = save(programme, "phase1.cause_1", "The admin's text", user=admin)
    fill(programme, skip={"phase1.cause_1"})

    services.roadmap_submit(roadmap=programme.roadmap, acting_user=admin)
    with pytest.raises(services.RoadmapReadOnly) as field:
        save(programme, "phase1.cause_1", "Later", base_version=1, user=admin)
    with pytest.raises(services.RoadmapReadOnly) as form:
        services.roadmap_fields_save(
            roadmap=programme.roadmap, values={"phase1.cause_1": ("Later", 1)}, acting_user=admin
        )
    with pytest.raises(services.RoadmapAlreadySubmitted) as again:
        services.roadmap_submit(roadmap=programme.roadmap, acting_user=admin)

    assert (saved.version, saved.updated_by) == (1, admin)
    assert (field.value.field, field.value.code, field.value.message) == (
        "phase1.cause_1",
        "read_only",
        "This roadmap has been submitted and can no longer be changed.",
    )
    assert (form.value.field, form.value.code, form.value.message) == (
        None,
        "read_only",
        "This roadmap has been submitted and can no longer be changed.",
    )
    assert (again.value.code, again.value.message) == (
        "already_submitted",
        "This roadmap has already been submitted.",
    )
    assert stored(programme.roadmap)["phase1.cause_1"] == "The admin's text"
    assert list(
        programme.roadmap.transitions.values_list("from_status", "to_status", "by__email")
    ) == [("draft", "submitted", admin.email)]


def test_admin_reviews_a_submitted_roadmap_and_cannot_change_the_accepted_one(programme):
    admin = people(programme)["programme admin"]
    fill(programme)
    services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)

    comment = services.roadmap_comment_add(
        roadmap=programme.roadmap, section="phase1", body="Well argued.", acting_user=admin
    )
    accepted = services.roadmap_accept(roadmap=programme.roadmap, acting_user=admin)
    with pytest.raises(services.RoadmapReadOnly) as field:
        save(programme, "phase1.cause_1", "Later", base_version=1, user=admin)

    assert (comment.author, accepted.status) == (admin, RoadmapStatus.ACCEPTED)
    assert field.value.message == "This roadmap is completed and can no longer be changed."
    assert stored(programme.roadmap)["phase1.cause_1"] == "Text of phase1.cause_1"


def test_field_save_and_submit_check_the_status_again_on_the_locked_row(programme):
    fill(programme)
    # Loaded, and the permission checked, while a draft; submitted before the lock is taken.
    loaded_for_save = Roadmap.objects.get(pk=programme.roadmap.pk)
    loaded_for_submit = Roadmap.objects.get(pk=programme.roadmap.pk)
    services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)

    with pytest.raises(services.RoadmapReadOnly) as field:
        services.roadmap_field_save(
            roadmap=loaded_for_save,
            key="phase1.cause_1",
            value="Late",
            base_version=1,
            acting_user=programme.rui,
        )
    with pytest.raises(services.RoadmapAlreadySubmitted) as again:
        services.roadmap_submit(roadmap=loaded_for_submit, acting_user=programme.rui)

    assert (field.value.field, field.value.message) == (
        "phase1.cause_1",
        "This roadmap has been submitted and can no longer be changed.",
    )
    assert again.value.message == "This roadmap has already been submitted."
    assert stored(programme.roadmap)["phase1.cause_1"] == "Text of phase1.cause_1"
    assert programme.roadmap.transitions.count() == 1


# --- Submit and review -------------------------------------------------------------------------


def test_roadmap_submit_lists_what_is_missing_and_stays_a_draft(programme):
    fill(programme, skip={"phase1.cause_3", SCORE, "phase3.note"})

    assert [field.key for field in services.roadmap_missing_fields(roadmap=programme.roadmap)] == [
        "phase1.cause_3",
        SCORE,
    ]
    with pytest.raises(RoadmapIncomplete) as error:
        services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)

    assert error.value.message == (
        "Complete these parts before you submit: Main cause 3; "
        "Funding and financing: score from 1 (weak) to 5 (strong)."
    )
    assert [field.key for field in error.value.missing] == ["phase1.cause_3", SCORE]
    programme.roadmap.refresh_from_db()
    assert (programme.roadmap.status, programme.roadmap.percent_complete) == ("draft", 92)
    assert not OutboundEmail.objects.filter(key__startswith="roadmap:").exists()


def test_roadmap_submit_makes_it_read_only_and_emails_every_officer(
    programme, django_capture_on_commit_callbacks
):
    fill(programme, skip={"phase3.note"})  # the note is optional
    before = history(programme.roadmap)

    with django_capture_on_commit_callbacks(execute=True):
        roadmap = services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)

    assert (roadmap.status, roadmap.submitted_at, roadmap.percent_complete) == (
        "submitted",
        NOW,
        100,
    )
    transition = roadmap.transitions.get()
    assert (transition.from_status, transition.to_status, transition.by) == (
        "draft",
        "submitted",
        programme.ana,
    )
    assert list(
        OutboundEmail.objects.filter(key__startswith="roadmap:")
        .exclude(key__contains=":review:")
        .order_by("key")
        .values_list("key", "to", "subject")
    ) == [
        (
            f"roadmap:{roadmap.pk}:{transition.pk}:{officer.pk}",
            officer.email,
            "Lisbon's Reflection Roadmap was submitted for Online Discussion Groups cohort 1",
        )
        for officer in sorted([programme.ana, programme.rui], key=lambda user: user.pk)
    ]
    assert sorted(
        message.to[0] for message in mail.outbox if "Roadmap to review" not in message.subject
    ) == ["ana@lisboa.pt", "rui@lisboa.pt"]

    assert refused(programme, "phase1.cause_1", "Changed") == (
        "phase1.cause_1",
        "This roadmap has been submitted and can no longer be changed.",
    )
    with pytest.raises(ApplicationError) as again:
        services.roadmap_submit(roadmap=roadmap, acting_user=programme.rui)
    assert again.value.message == "This roadmap has already been submitted."
    assert history(programme.roadmap) == before


def test_roadmap_return_with_comments_then_edit_and_resubmit(programme, clock):
    fill(programme)
    services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    clock.shift(datetime.timedelta(hours=1))
    services.roadmap_comment_add(
        roadmap=programme.roadmap,
        section="phase1",
        body="  Name the listed buildings.  ",
        acting_user=programme.group_facilitator,
    )
    services.roadmap_comment_add(
        roadmap=programme.roadmap,
        section="phase3",
        body="Add the Capital Hub.",
        acting_user=programme.lead,
    )

    roadmap = services.roadmap_return(
        roadmap=programme.roadmap, acting_user=programme.lead, note="Nearly there."
    )

    assert roadmap.status == "returned"
    assert list(roadmap.comments.values_list("section", "body")) == [
        ("phase1", "Name the listed buildings."),
        ("phase3", "Add the Capital Hub."),
    ]
    returned = OutboundEmail.objects.get(
        key__endswith=f":{programme.ana.pk}", subject__contains="returned"
    )
    assert returned.subject == "Lisbon's Reflection Roadmap was returned with comments"
    assert returned.body == (
        "Lea Lead returned the Reflection Roadmap of Lisbon for Online Discussion Groups cohort 1."
        " You can change it again and submit it once more.\n\n"
        "Nearly there.\n\n"
        "Phase 1 · Climate challenge: Name the listed buildings.\n\n"
        "Phase 3 · Suitable journey: Add the Capital Hub.\n\n"
        f"http://127.0.0.1:8000/roadmaps/{roadmap.pk}/\n"
    )

    saved = save(programme, "phase1.cause_1", "Listed buildings in the centre", base_version=1)
    assert saved.version == 2
    services.roadmap_submit(roadmap=roadmap, acting_user=programme.rui)

    assert list(
        roadmap.transitions.values_list("from_status", "to_status", "by__email", "note")
    ) == [
        ("draft", "submitted", "ana@lisboa.pt", ""),
        ("submitted", "returned", programme.lead.email, "Nearly there."),
        ("returned", "submitted", "rui@lisboa.pt", ""),
    ]
    # Each submit: the two officers and the two facilitators (lead, Lisbon's group); the
    # return: the two officers.
    assert OutboundEmail.objects.filter(key__startswith=f"roadmap:{roadmap.pk}:").count() == 10


def test_roadmap_accept_completes_it_since_the_accept_time(programme, clock):
    completed = {"city": programme.lisbon, "cohort": programme.cohort}
    fill(programme)
    services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    assert services.roadmap_completed_since(**completed) is None

    clock.move_to(datetime.datetime(2025, 2, 20, 15, 0, tzinfo=datetime.UTC))
    roadmap = services.roadmap_accept(
        roadmap=programme.roadmap, acting_user=programme.group_facilitator
    )

    assert (roadmap.status, roadmap.accepted_at) == (
        "accepted",
        datetime.datetime(2025, 2, 20, 15, 0, tzinfo=datetime.UTC),
    )
    assert services.roadmap_completed_since(**completed) == roadmap.accepted_at
    assert list(
        OutboundEmail.objects.filter(subject__contains="completed")
        .order_by("to")
        .values_list("to", flat=True)
    ) == ["ana@lisboa.pt", "rui@lisboa.pt"]
    assert refused(programme, "phase1.cause_1", "Later") == (
        "phase1.cause_1",
        "This roadmap is completed and can no longer be changed.",
    )
    with pytest.raises(ApplicationError) as again:
        services.roadmap_return(roadmap=roadmap, acting_user=programme.lead)
    assert again.value.message == "Only a submitted roadmap can be reviewed; this one is completed."


def test_roadmap_completed_since_is_none_for_a_returned_roadmap_or_another_cohort(programme):
    fill(programme)
    services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    services.roadmap_return(roadmap=programme.roadmap, acting_user=programme.lead)
    other = cohort_create(
        number=2, lead=programme.lead, sector=programme.cohort.thematic_groups.get().sector
    )

    assert services.roadmap_completed_since(city=programme.lisbon, cohort=programme.cohort) is None
    assert services.roadmap_completed_since(city=programme.lisbon, cohort=other) is None


def test_roadmap_review_of_a_draft_is_refused(programme):
    with pytest.raises(ApplicationError) as error:
        services.roadmap_accept(roadmap=programme.roadmap, acting_user=programme.lead)

    assert (
        error.value.message == "Only a submitted roadmap can be reviewed; this one is not started."
    )


def test_roadmap_comment_needs_a_section_and_text(programme):
    with pytest.raises(ApplicationError) as no_section:
        services.roadmap_comment_add(
            roadmap=programme.roadmap, section="phase9", body="Hm", acting_user=programme.lead
        )
    with pytest.raises(ApplicationError) as no_body:
        services.roadmap_comment_add(
            roadmap=programme.roadmap, section="phase1", body="   ", acting_user=programme.lead
        )

    assert (no_section.value.field, no_section.value.message) == (
        "section",
        "Choose a section of the roadmap.",
    )
    assert (no_body.value.field, no_body.value.message) == ("body", "Write a comment.")
