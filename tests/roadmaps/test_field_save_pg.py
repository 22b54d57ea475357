"""roadmaps.field_save_pg, the field save as one PostgreSQL statement: it never accepts a save
that roadmaps.services.roadmap_field_save refuses, and what it accepts it writes as the full
path does.

Each case is saved twice from the same rows at the same moment, once as the service runs on
PostgreSQL (the statement first) and once the full way only (the statement left out), each
rolled back after: the answers (the error's kind, message, field and code, or the objects
returned) and the rows (the roadmap's, its fields', its history, which data versions were
raised) must be the same. The refusals are those of tests/roadmaps/test_services.py and
test_pages.py, each asserted with its own message as well. PostgreSQL only: SQLite has the
full path alone.
"""

import copy
import datetime
import json
import sys
import threading
import time

import pytest
from django.core.cache import cache
from django.db import DataError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Phase
from portal.errors import ApplicationError
from portal.fragments import bump
from portal.models import DataVersion
from portal.permissions import PermissionRefused
from roadmaps import field_save_pg, services
from roadmaps.enums import OPEN_STATUSES
from roadmaps.models import Roadmap, RoadmapChange, RoadmapValue
from roadmaps.scopes import value_scopes
from roadmaps.template import FIELDS_BY_KEY, SECTIONS_BY_KEY
from sessions.caching import VISIBILITY
from tests import factories
from tests.conftest import require
from tests.queries import keep_facts_of, session_queries
from tests.roadmaps.conftest import cohort_create, fill

pytestmark = pytest.mark.postgres

CHALLENGE = "phase1.challenge"
FIRST_NAME = "representative.first_name"
EMAIL = "representative.email"
EXPLANATION = "phase2_1.explanation"
NOTE = "phase3.note"  # the one field not required
SCORE = "phase2_2.score.funding-financing"
REASONING = "phase2_2.reasoning"
CANNOT_CHANGE = "You cannot change this roadmap."
SUBMITTED = "This roadmap has been submitted and can no longer be changed."


@pytest.fixture(autouse=True)
def on_postgresql():
    require(
        connection.vendor == "postgresql", f"the database is {connection.vendor}, not PostgreSQL"
    )


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def as_the_view_hands_it(programme) -> Roadmap:
    """The roadmap as the autosave hands it to the service: its id, city and cohort only
    (roadmaps.selectors.roadmap_to_write)."""
    return Roadmap(
        pk=programme.roadmap.pk,
        city_id=programme.roadmap.city_id,
        cohort_id=programme.roadmap.cohort_id,
    )


def rows(programme) -> dict:
    """Everything a field save writes, without the ids the database gives new history rows."""
    pk = programme.roadmap.pk
    scopes = value_scopes(pk, programme.roadmap.cohort_id)
    return {
        "roadmap": Roadmap.objects.filter(pk=pk).values().first(),
        "fields": list(
            RoadmapValue.objects.filter(roadmap=pk)
            .order_by("key")
            .values("key", "value", "version", "updated_by", "updated_at")
        ),
        "history": list(
            RoadmapChange.objects.filter(roadmap=pk)
            .order_by("pk")
            .values("key", "old_value", "new_value", "version", "changed_by", "changed_at")
        ),
        "versions": dict(
            DataVersion.objects.filter(scope__in=scopes).values_list("scope", "version")
        ),
    }


def attempt(call):
    """The service's answer: (the object returned, None) or (None, the error raised)."""
    try:
        return call(), None
    except (ApplicationError, PermissionRefused, Roadmap.DoesNotExist) as error:
        return None, error


def answer(saved, error, roadmap: Roadmap) -> tuple:
    """The service's answer as values to compare."""
    if isinstance(error, services.RoadmapConflict):
        theirs = error.theirs
        return (
            "RoadmapConflict",
            error.message,
            error.field,
            error.yours,
            (theirs.pk, theirs.value, theirs.version, theirs.updated_by_id, theirs.updated_at),
        )
    if isinstance(error, Roadmap.DoesNotExist):
        return ("DoesNotExist",)
    if error is not None:
        return (
            type(error).__name__,
            error.message,
            getattr(error, "field", None),
            getattr(error, "code", None),
        )
    return (
        "saved",
        # The row's id is the sequence's next on a first save: whether it names the row.
        RoadmapValue.objects.filter(pk=saved.pk, roadmap=saved.roadmap_id, key=saved.key).exists(),
        (saved.roadmap_id, saved.key, saved.value, saved.version),
        (saved.updated_by, saved.updated_at, saved.roadmap is roadmap),
        (saved._state.adding, saved._state.db),
    )


def save_once(programme, monkeypatch, *, full_way: bool, roadmap=None, **save) -> tuple:
    """Save once and roll it back: (the answer, the roadmap object's fields after, the rows
    written with the data versions raised, the statements sent)."""
    # A copy for each run: the service writes the locked row's fields onto the object.
    roadmap = copy.copy(roadmap) if roadmap is not None else as_the_view_hands_it(programme)
    before = rows(programme)
    with monkeypatch.context() as patch:
        if full_way:
            patch.setattr(services, "_field_save_at_once", lambda **kwargs: None)
        with transaction.atomic():
            with CaptureQueriesContext(connection) as queries:
                saved, error = attempt(lambda: services.roadmap_field_save(roadmap=roadmap, **save))
            got = answer(saved, error, roadmap)
            after = rows(programme)
            transaction.set_rollback(True)
    assert rows(programme) == before
    raised = sorted(
        scope
        for scope, version in after["versions"].items()
        if version != before["versions"].get(scope)
    )
    fields = {field.attname: getattr(roadmap, field.attname) for field in Roadmap._meta.fields}
    return got, fields, {**after, "versions": raised}, [query["sql"] for query in queries]


def both_ways(programme, monkeypatch, **save) -> tuple[tuple, bool]:
    """Save the case as the service runs on PostgreSQL and the full way only; assert that both
    answer and write the same. Returns the answer and whether the one statement wrote it."""
    fast = save_once(programme, monkeypatch, full_way=False, **save)
    full = save_once(programme, monkeypatch, full_way=True, **save)
    assert fast[:3] == full[:3]
    # Written by the statement: it is the last query (the full path locks and writes after it);
    # the queries before it read the person's facts, not kept inside a test's transaction.
    by_the_statement = is_the_statement(fast[3][-1])
    print([q[:120] for q in fast[3]])
    return fast[0], by_the_statement


def is_the_statement(sql: str) -> bool:
    """Whether a query string runs the statement (prepared in it on a connection's first run)."""
    return f"EXECUTE {field_save_pg.statement_name(3)}(" in sql


def saved_before(programme, key, *values, user=None):
    """Save `values` in turn through the service, as people did before the case."""
    for value in values:
        stored = RoadmapValue.objects.filter(roadmap=programme.roadmap, key=key).first()
        services.roadmap_field_save(
            roadmap=programme.roadmap,
            key=key,
            value=value,
            base_version=stored.version if stored else 0,
            acting_user=user or programme.ana,
        )


def case(programme, key, value, base_version=1, user=None, **more):
    return {
        "key": key,
        "value": value,
        "base_version": base_version,
        "acting_user": user or programme.ana,
        **more,
    }


# --- Saves the statement writes: the same rows and answers as the full path -------------------


def filled_to_filled(p):
    saved_before(p, FIRST_NAME, "Ana")
    return case(p, FIRST_NAME, "Ana Maria")


def not_required_emptied(p):
    saved_before(p, NOTE, "Later")
    return case(p, NOTE, "")


def not_required_filled_again(p):
    saved_before(p, NOTE, "Later", "")
    return case(p, NOTE, "Sooner", base_version=2)


def score_without_its_spaces(p):
    saved_before(p, SCORE, "3")
    return case(p, SCORE, " 4 ")


def email(p):
    saved_before(p, EMAIL, "ana@lisboa.pt")
    return case(p, EMAIL, " ana.silva@lisboa.pt ")


def text_with_html_quotes_percent_signs_and_emoji(p):
    saved_before(p, CHALLENGE, "Heating")
    return case(p, CHALLENGE, "100% of 50%s and %(x)s; 'q' \"d\" <b>b</b> \\ -- 🌍")


def whitespace_only_to_other_whitespace(p):
    # Not filled either way, as Python's str.strip() sees it: the share does not move.
    saved_before(p, FIRST_NAME, " ")
    return case(p, FIRST_NAME, "\u3000\t\u2028\xa0")


def section_opened_with_its_phase(p):
    saved_before(p, EXPLANATION, "Fits")
    return case(p, EXPLANATION, "Fits our plan")


def reasoning_of_100_words(p):
    saved_before(p, REASONING, "word")
    return case(p, REASONING, "word\n" * 100)


def by_a_programme_admin(p):
    saved_before(p, CHALLENGE, "Heating")
    return case(p, CHALLENGE, "Cooling", user=factories.UserFactory(is_programme_admin=True))


def roadmap_returned_to_the_city(p):
    fill(p)
    services.roadmap_submit(roadmap=p.roadmap, acting_user=p.ana)
    services.roadmap_return(roadmap=p.roadmap, acting_user=p.lead, note="More on causes")
    return case(p, "phase1.cause_1", "Old gas boilers", user=p.rui)


WRITTEN_BY_THE_STATEMENT = [
    filled_to_filled,
    not_required_emptied,
    not_required_filled_again,
    score_without_its_spaces,
    email,
    text_with_html_quotes_percent_signs_and_emoji,
    whitespace_only_to_other_whitespace,
    section_opened_with_its_phase,
    reasoning_of_100_words,
    by_a_programme_admin,
    roadmap_returned_to_the_city,
]


@pytest.mark.parametrize("setup", WRITTEN_BY_THE_STATEMENT, ids=lambda setup: setup.__name__)
def test_field_save_in_one_statement_writes_what_the_full_path_writes(
    programme, monkeypatch, setup
):
    save = setup(programme)

    got, by_the_statement = both_ways(programme, monkeypatch, **save)

    assert by_the_statement
    assert got[:2] == ("saved", True)
    assert (got[2][1], got[2][3]) == (save["key"], save["base_version"] + 1)


# --- Saves left to the full path: the statement writes nothing ----------------------------------


def first_save_of_a_field(p):
    return case(p, CHALLENGE, "Heating", base_version=0)


def required_field_emptied(p):
    saved_before(p, CHALLENGE, "Heating")
    return case(p, CHALLENGE, "  ")


def required_field_filled_from_whitespace(p):
    saved_before(p, FIRST_NAME, " ")
    return case(p, FIRST_NAME, "Ana")


def required_field_filled_with_a_zero_width_space(p):
    # U+200B is no whitespace to str.strip(): the field becomes filled, the share moves.
    saved_before(p, FIRST_NAME, "\u3000")
    return case(p, FIRST_NAME, "\u200b")


def desirability(p):
    saved_before(p, "phase2_1.desirability", "high")
    return case(p, "phase2_1.desirability", "low")


def climate_action(p):
    saved_before(p, "phase2_1.climate_action", str(p.action.pk))
    return case(p, "phase2_1.climate_action", "")


def services_chosen(p):
    saved_before(p, "phase3.services", str(p.services[0].pk))
    return case(p, "phase3.services", f"{p.services[1].pk},{p.services[0].pk}")


LEFT_TO_THE_FULL_PATH = [
    first_save_of_a_field,
    required_field_emptied,
    required_field_filled_from_whitespace,
    required_field_filled_with_a_zero_width_space,
    desirability,
    climate_action,
    services_chosen,
]


@pytest.mark.parametrize("setup", LEFT_TO_THE_FULL_PATH, ids=lambda setup: setup.__name__)
def test_field_save_the_statement_leaves_is_saved_the_full_way(programme, monkeypatch, setup):
    save = setup(programme)

    got, by_the_statement = both_ways(programme, monkeypatch, **save)

    assert not by_the_statement
    assert got[:2] == ("saved", True)


# --- Refusals: the statement writes nothing, the service answers as before ---------------------


def roadmap_deleted(p):
    saved_before(p, CHALLENGE, "Heating")
    roadmap = as_the_view_hands_it(p)
    Roadmap.objects.filter(pk=p.roadmap.pk).delete()
    return case(p, CHALLENGE, "Cooling", roadmap=roadmap), ("DoesNotExist",)


def kept_city_not_the_rows(p):
    saved_before(p, CHALLENGE, "Heating")
    roadmap = as_the_view_hands_it(p)
    roadmap.city_id = factories.CityFactory().pk
    return case(p, CHALLENGE, "Cooling", roadmap=roadmap), ("DoesNotExist",)


def submitted_after_it_was_loaded(p):
    fill(p)
    roadmap = as_the_view_hands_it(p)
    services.roadmap_submit(roadmap=p.roadmap, acting_user=p.ana)
    return (
        case(p, "phase1.cause_1", "Late", roadmap=roadmap),
        ("RoadmapReadOnly", SUBMITTED, "phase1.cause_1"),
    )


def completed(p):
    fill(p)
    services.roadmap_submit(roadmap=p.roadmap, acting_user=p.ana)
    services.roadmap_accept(roadmap=p.roadmap, acting_user=p.lead)
    admin = factories.UserFactory(is_programme_admin=True)
    return (
        case(p, "phase1.cause_1", "Late", user=admin),
        (
            "RoadmapReadOnly",
            "This roadmap is completed and can no longer be changed.",
            "phase1.cause_1",
        ),
    )


def refused_person(who):
    def setup(p):
        saved_before(p, CHALLENGE, "Heating")
        person = {
            "lead facilitator": lambda: p.lead,
            "group facilitator": lambda: p.group_facilitator,
            "officer of another city": lambda: factories.city_officer(email="x@porto.pt"),
            "reviewer": lambda: factories.UserFactory(is_reviewer=True),
            "facilitator of another cohort": lambda: other_cohort_lead(p),
        }[who]()
        return (
            case(p, CHALLENGE, "Cooling", user=person),
            ("PermissionRefused", CANNOT_CHANGE, None),
        )

    setup.__name__ = f"by_a_{who.replace(' ', '_')}"
    return setup


def other_cohort_lead(p):
    outsider = factories.UserFactory(is_facilitator=True)
    cohort_create(number=2, lead=outsider, sector=p.cohort.thematic_groups.get().sector)
    return outsider


def by_nobody(p):
    saved_before(p, CHALLENGE, "Heating")
    save = case(p, CHALLENGE, "Cooling")
    save["acting_user"] = None
    return save, ("PermissionRefused", CANNOT_CHANGE, None)


def unknown_field(p):
    return (
        case(p, "phase1.cause_4", "Tourism", base_version=0),
        (
            "ApplicationError",
            "This roadmap has no field phase1.cause_4.",
            "phase1.cause_4",
        ),
    )


def section_not_open_yet(p):
    saved_before(p, EXPLANATION, "Fits")
    # Phase 2.1 opens with the thematic discussions: moved to start tomorrow.
    Phase.objects.filter(cohort=p.cohort, kind="thematic").update(
        starts_on=datetime.date(2025, 2, 16), ends_on=datetime.date(2025, 2, 20)
    )
    return (
        case(p, EXPLANATION, "Fits our plan"),
        ("ApplicationError", "Phase 2.1 opens on 16 February 2025.", EXPLANATION),
    )


def score_outside_1_to_5(p):
    saved_before(p, SCORE, "3")
    return (
        case(p, SCORE, "6"),
        ("ApplicationError", "Give a score from 1 (weak) to 5 (strong).", SCORE),
    )


def reasoning_of_101_words(p):
    saved_before(p, REASONING, "word")
    return (
        case(p, REASONING, " ".join(["word"] * 101)),
        (
            "ApplicationError",
            "Keep the reasoning to 100 words or fewer (you have 101).",
            REASONING,
        ),
    )


def over_the_character_limit(p):
    saved_before(p, FIRST_NAME, "Ana")
    return (
        case(p, FIRST_NAME, "a" * 501),
        ("ApplicationError", "Keep this under 500 characters (you have 501).", FIRST_NAME),
    )


def invalid_email(p):
    saved_before(p, EMAIL, "ana@lisboa.pt")
    return (
        case(p, EMAIL, "ana at lisboa"),
        ("ApplicationError", "Enter a valid email address.", EMAIL),
    )


def stale_version(p):
    saved_before(p, CHALLENGE, "Heating", "Heating the centre")
    return case(p, CHALLENGE, "Heat", base_version=1, user=p.rui), ("RoadmapConflict",)


def version_of_a_field_never_saved(p):
    return case(p, CHALLENGE, "Heat", base_version=3), ("RoadmapConflict",)


def version_sent_as_text(p):
    saved_before(p, CHALLENGE, "Heating")
    return case(p, CHALLENGE, "Heat", base_version="1"), ("RoadmapConflict",)


def negative_version(p):
    saved_before(p, CHALLENGE, "Heating")
    return case(p, CHALLENGE, "Heat", base_version=-1), ("RoadmapConflict",)


def unchanged_text(p):
    saved_before(p, CHALLENGE, "Heating", "Heating the centre")
    # Any version: nothing would be overwritten, the current row is answered.
    return case(p, CHALLENGE, "Heating the centre", base_version=1), ("saved",)


def emptied_field_never_saved(p):
    return case(p, CHALLENGE, "", base_version=0), ("saved",)


REFUSALS = [
    roadmap_deleted,
    kept_city_not_the_rows,
    submitted_after_it_was_loaded,
    completed,
    *(
        refused_person(who)
        for who in (
            "lead facilitator",
            "group facilitator",
            "officer of another city",
            "reviewer",
            "facilitator of another cohort",
        )
    ),
    by_nobody,
    unknown_field,
    section_not_open_yet,
    score_outside_1_to_5,
    reasoning_of_101_words,
    over_the_character_limit,
    invalid_email,
    stale_version,
    version_of_a_field_never_saved,
    version_sent_as_text,
    negative_version,
    unchanged_text,
    emptied_field_never_saved,
]


@pytest.mark.parametrize("setup", REFUSALS, ids=lambda setup: setup.__name__)
def test_field_save_the_service_refuses_the_statement_never_writes(programme, monkeypatch, setup):
    save, expected = setup(programme)
    before = rows(programme)
    alone = {**save, "roadmap": copy.copy(save.get("roadmap") or as_the_view_hands_it(programme))}

    assert services._field_save_at_once(**alone) is None
    assert rows(programme) == before

    got, by_the_statement = both_ways(programme, monkeypatch, **save)

    assert not by_the_statement
    assert got[: len(expected)] == expected


# --- In autocommit, as a request runs it ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_autosave_is_one_statement_in_autocommit_committed_without_waiting_for_the_disk(
    client, programme
):
    saved_before(programme, CHALLENGE, "Heating the old town")
    client.force_login(programme.ana)
    keep_facts_of(programme.ana)
    url = reverse("roadmap_autosave", args=[programme.roadmap.pk])
    client.post(  # the roadmap's city and cohort are kept from the first autosave on
        url,
        data=json.dumps({"key": CHALLENGE, "value": "Heating", "base_version": 1}),
        content_type="application/json",
    )

    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            url,
            data=json.dumps({"key": CHALLENGE, "value": "Cooling", "base_version": 2}),
            content_type="application/json",
        )

    assert (response.status_code, response.json()["version"]) == (200, 3)
    # The user and the save (the roadmap's lock, its checks, the version of the person's facts,
    # the cohort's phases, the writes and the data versions, after SET LOCAL, in one query
    # string: no BEGIN, no COMMIT, the statement prepared by the first autosave), and the
    # session.
    sql = [query["sql"] for query in queries]
    assert len(sql) == 2 + session_queries()
    assert [query for query in sql if is_the_statement(query)] == [
        next(
            query
            for query in sql
            if query.startswith("SET LOCAL synchronous_commit TO OFF;\nEXECUTE roadmaps_")
        )
    ]
    assert RoadmapValue.objects.get(roadmap=programme.roadmap, key=CHALLENGE).value == "Cooling"
    assert list(
        RoadmapChange.objects.filter(key=CHALLENGE).order_by("version").values_list("new_value")
    ) == [("Heating the old town",), ("Heating",), ("Cooling",)]
    with connection.cursor() as cursor:  # SET LOCAL ended with the statement's transaction
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)


# --- A write committed while the statement waits for the roadmap's lock -------------------------


def while_locked(programme, write) -> tuple:
    """Hold the roadmap's lock in another connection, as a service does, while the statement is
    sent; `write` (in that transaction) commits once the statement waits for the lock. Returns
    what the statement returned."""
    locked, waiting, seen = threading.Event(), threading.Event(), threading.Event()

    def other_officer():
        try:
            with transaction.atomic():
                Roadmap.objects.select_for_update().get(pk=programme.roadmap.pk)
                locked.set()
                assert waiting.wait(10)
                for _ in range(500):  # until the statement waits for this lock
                    with connection.cursor() as cursor:
                        # Read afresh: a transaction sees one snapshot of the statistics.
                        cursor.execute("SELECT pg_stat_clear_snapshot()")
                        cursor.execute(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                            "current_database() AND wait_event_type = 'Lock' AND query LIKE %s",
                            ["%EXECUTE roadmaps_field_save_%"],
                        )
                        if cursor.fetchone()[0]:
                            seen.set()
                            break
                    time.sleep(0.02)
                write()
        finally:
            connection.close()

    thread = threading.Thread(target=other_officer)
    thread.start()
    assert locked.wait(10)
    waiting.set()
    stored = RoadmapValue.objects.get(roadmap=programme.roadmap, key="phase1.cause_1")
    alone = services._field_save_at_once(
        roadmap=as_the_view_hands_it(programme),
        key="phase1.cause_1",
        value="Ana's text",
        base_version=stored.version,
        acting_user=programme.ana,
    )
    thread.join()
    assert seen.is_set()  # the statement waited for the lock, its snapshot taken before
    return alone


@pytest.mark.django_db(transaction=True)
def test_field_save_statement_waits_for_the_lock_and_finds_the_field_saved_meanwhile(programme):
    saved_before(programme, "phase1.cause_1", "Start")

    def rui_saves():
        services.roadmap_field_save(
            roadmap=programme.roadmap,
            key="phase1.cause_1",
            value="Rui's text",
            base_version=1,
            acting_user=programme.rui,
        )

    assert while_locked(programme, rui_saves) is None
    with pytest.raises(services.RoadmapConflict):
        services.roadmap_field_save(
            roadmap=as_the_view_hands_it(programme),
            key="phase1.cause_1",
            value="Ana's text",
            base_version=1,
            acting_user=programme.ana,
        )
    assert list(
        RoadmapChange.objects.filter(key="phase1.cause_1")
        .order_by("version")
        .values_list("new_value", "version")
    ) == [("Start", 1), ("Rui's text", 2)]


@pytest.mark.django_db(transaction=True)
def test_field_save_statement_waits_for_the_lock_and_finds_the_roadmap_submitted(programme):
    fill(programme)

    def rui_submits():
        services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.rui)

    assert while_locked(programme, rui_submits) is None
    with pytest.raises(services.RoadmapReadOnly) as refusal:
        services.roadmap_field_save(
            roadmap=as_the_view_hands_it(programme),
            key="phase1.cause_1",
            value="Ana's text",
            base_version=1,
            acting_user=programme.ana,
        )
    assert refusal.value.message == SUBMITTED
    assert RoadmapValue.objects.get(roadmap=programme.roadmap, key="phase1.cause_1").value == (
        "Text of phase1.cause_1"
    )


def test_whitespace_is_what_str_strip_removes():
    every = "".join(chr(code) for code in range(sys.maxunicode + 1))
    assert "".join(char for char in every if char.isspace()) == field_save_pg.WHITESPACE


# --- The autosave with what the cache keeps (services.roadmap_field_save_presumed) ---------------


def autosave(client, programme, key, value, base_version) -> tuple:
    """POST the autosave: (the status, the JSON answered, the query strings sent)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse("roadmap_autosave", args=[programme.roadmap.pk]),
            data=json.dumps({"key": key, "value": value, "base_version": base_version}),
            content_type="application/json",
        )
    return response.status_code, response.json(), [query["sql"] for query in queries]


def warm(client, programme, user) -> None:
    """As after the person's first autosave: their facts and the roadmap's city and cohort kept
    in the cache, the version of those facts read by this process."""
    saved_before(programme, CHALLENGE, "Heating the old town")
    client.force_login(user)
    keep_facts_of(user)
    status, _body, _sql = autosave(client, programme, CHALLENGE, "Heating", 1)
    assert status == 200


def test_autosave_with_what_the_cache_keeps_is_the_user_and_one_statement(client, programme):
    warm(client, programme, programme.ana)

    status, body, sql = autosave(client, programme, CHALLENGE, "Cooling", 2)

    assert (status, body["key"], body["version"]) == (200, CHALLENGE, 3)
    # The user, the statement (which checks the version of the person's facts), the session:
    # no read of that version before it.
    assert len(sql) == 2 + session_queries()
    assert [is_the_statement(query) for query in sql].count(True) == 1
    assert not any("portal_dataversion" in query for query in sql if not is_the_statement(query))
    assert RoadmapValue.objects.get(roadmap=programme.roadmap, key=CHALLENGE).value == "Cooling"


def lose_membership_as_another_process(user) -> None:
    """Another process takes the person's membership away: its rows and the raise of the
    version of everyone's facts in one transaction, as its signal does
    (sessions.caching), and nothing in this process's own count of changes."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM cities_citymembership WHERE user_id = %s", [user.pk])
        bump(VISIBILITY)


def test_autosave_a_membership_lost_in_another_process_is_seen_on_the_next_save(client, programme):
    warm(client, programme, programme.ana)
    assert autosave(client, programme, CHALLENGE, "Cooling", 2)[0] == 200

    lose_membership_as_another_process(programme.ana)
    status, body, sql = autosave(client, programme, CHALLENGE, "Warming", 3)

    # Tried as one statement under the version kept, which wrote nothing; then the usual way,
    # which read the version and the facts afresh: no longer an officer of the city.
    assert (status, body["error"]["message"]) == (404, "There is no such roadmap.")
    assert [is_the_statement(query) for query in sql].count(True) == 1
    assert RoadmapValue.objects.get(roadmap=programme.roadmap, key=CHALLENGE).value == "Cooling"
    assert not RoadmapChange.objects.filter(new_value="Warming").exists()


def test_autosave_an_admin_role_lost_is_seen_on_the_next_save(client, programme):
    admin = factories.UserFactory(is_programme_admin=True)
    warm(client, programme, admin)
    status, _body, sql = autosave(client, programme, CHALLENGE, "Cooling", 2)
    assert status == 200
    assert len(sql) == 2 + session_queries()  # an admin is asked no facts

    # As another process would (no signal here): the flag is on the person's row, read with
    # each request.
    type(admin).objects.filter(pk=admin.pk).update(is_programme_admin=False)
    status, body, _sql = autosave(client, programme, CHALLENGE, "Warming", 3)

    assert (status, body["error"]["message"]) == (404, "There is no such roadmap.")
    assert RoadmapValue.objects.get(roadmap=programme.roadmap, key=CHALLENGE).value == "Cooling"


def test_autosave_a_colleague_made_an_officer_elsewhere_changes_nothing_for_this_one(
    client, programme
):
    """A change of anyone's facts raises the one version: the next save goes the usual way once,
    and writes as before."""
    warm(client, programme, programme.ana)
    other = factories.CityFactory(name="Porto")
    factories.city_officer(city=other, email="new@porto.pt")

    status, body, sql = autosave(client, programme, CHALLENGE, "Cooling", 2)
    assert (status, body["version"]) == (200, 3)
    assert [is_the_statement(query) for query in sql].count(True) == 2  # tried, then written
    status, body, sql = autosave(client, programme, CHALLENGE, "Warming", 3)
    assert (status, body["version"]) == (200, 4)
    assert len(sql) == 2 + session_queries()  # the new version is the one kept now


def test_field_save_statement_writes_nothing_under_another_version_of_the_facts(programme):
    saved_before(programme, CHALLENGE, "Heating the old town")
    current = int(DataVersion.objects.filter(scope=VISIBILITY).values_list("version").first()[0])
    before = rows(programme)
    save = case(programme, CHALLENGE, "Cooling", roadmap=as_the_view_hands_it(programme))

    assert services._field_save_at_once(**save, visibility=current + 1) is None
    assert rows(programme) == before
    saved = services._field_save_at_once(**save, visibility=current)
    assert (saved.value, saved.version) == ("Cooling", 2)


CASES = [
    "saved",
    "conflict",
    "unchanged",
    "stale version",
    "submitted",
    "facilitator",
    "unknown field",
    "invalid email",
    "first save",
    "emptied required",
    "section later",
    "huge version",
    "not JSON fields",
]


def autosave_case(programme, name) -> tuple:
    """(the person signed in, the body posted, a change made before) for each case: every
    answer of the autosave after a first save kept what the cache keeps."""
    ana, lead = programme.ana, programme.lead

    def submitted():
        Roadmap.objects.filter(pk=programme.roadmap.pk).update(status="submitted")

    def a_colleague_saved():
        saved_before(programme, CHALLENGE, "Rui's text", user=programme.rui)

    def phases_later():
        Phase.objects.filter(cohort=programme.cohort).update(
            starts_on=datetime.date(2099, 1, 1), ends_on=datetime.date(2099, 2, 1)
        )

    cooling = {"key": CHALLENGE, "value": "Cooling", "base_version": 2}
    return {
        "saved": (ana, cooling, None),
        "conflict": (ana, cooling, a_colleague_saved),
        "unchanged": (ana, {**cooling, "value": "Heating"}, None),
        "stale version": (ana, {**cooling, "base_version": 1}, None),
        "submitted": (ana, cooling, submitted),
        "facilitator": (lead, cooling, None),
        "unknown field": (ana, {"key": "phase9.nothing", "value": "x", "base_version": 0}, None),
        "invalid email": (ana, {"key": EMAIL, "value": "not an email", "base_version": 0}, None),
        "first save": (ana, {"key": NOTE, "value": "A note", "base_version": 0}, None),
        "emptied required": (ana, {**cooling, "value": "  "}, None),
        "section later": (ana, {**cooling, "key": EXPLANATION, "base_version": 0}, phases_later),
        "huge version": (ana, {**cooling, "base_version": 2**70}, None),
        "not JSON fields": (ana, {**cooling, "value": 3}, None),
    }[name]


@pytest.mark.parametrize("name", CASES)
def test_autosave_answers_as_the_usual_way_with_what_the_cache_keeps(
    client, programme, monkeypatch, name
):
    """Each answer of the autosave is the same whether the save is tried first with what the
    cache keeps or not (the service's own message for every refusal), and so are the rows."""
    user, body, before = autosave_case(programme, name)
    warm(client, programme, programme.ana)
    client.force_login(user)
    keep_facts_of(user)
    if before is not None:
        before()

    def post():
        # A savepoint rather than atomic(): inside a transaction of its own the autosave reads
        # the facts' version as usual (sessions.selectors.session_access_presumed_key).
        savepoint = transaction.savepoint()
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                reverse("roadmap_autosave", args=[programme.roadmap.pk]),
                data=json.dumps(body),
                content_type="application/json",
            )
        written = rows(programme)
        transaction.savepoint_rollback(savepoint)
        # The data versions raised (each raise is a random number).
        written["versions"] = sorted(
            scope
            for scope, version in written["versions"].items()
            if version != start["versions"].get(scope)
        )
        return (response.status_code, response.json(), written), len(queries)

    start = rows(programme)

    presumed, presumed_queries = post()
    with monkeypatch.context() as patch:
        patch.setattr(services, "roadmap_field_save_presumed", lambda **kwargs: None)
        usual, usual_queries = post()

    assert presumed == usual
    if name == "saved":
        assert presumed[0] == 200
        assert (presumed_queries, usual_queries) == (2 + session_queries(), 3 + session_queries())


# --- Prepared once per connection ---------------------------------------------------------------


def statement_arguments(programme, value, base_version, **more) -> dict:
    """What the service hands roadmaps.field_save_pg.field_save for Ana's save of the challenge."""
    field = FIELDS_BY_KEY[CHALLENGE]
    return {
        "roadmap": as_the_view_hands_it(programme),
        "key": CHALLENGE,
        "value": value,
        "base_version": base_version,
        "acting_user": programme.ana,
        "statuses": list(OPEN_STATUSES),
        "phase": SECTIONS_BY_KEY[field.section].opens_with,
        "filled": True,
        "now": timezone.now(),
        "today": timezone.localdate(),
        **more,
    }


def sent(programme, value, base_version, **more) -> tuple:
    """Run the statement: (the field's row written, the query strings sent)."""
    with CaptureQueriesContext(connection) as queries:
        written = field_save_pg.field_save(
            **statement_arguments(programme, value, base_version, **more)
        )
    return written[1] if written else None, [query["sql"] for query in queries]


PREPARE = f"PREPARE {field_save_pg.statement_name(3)} ("


@pytest.mark.django_db(transaction=True)
def test_field_save_statement_is_prepared_once_per_connection(programme):
    saved_before(programme, CHALLENGE, "Heating the old town")
    connection.close()

    first, first_sql = sent(programme, "One", 1)
    second, second_sql = sent(programme, "Two", 2)
    connection.close()  # closed for its age, say: the next connection has no statement
    third, third_sql = sent(programme, "Three", 3)

    assert [(saved.value, saved.version) for saved in (first, second, third)] == [
        ("One", 2),
        ("Two", 3),
        ("Three", 4),
    ]
    assert [len(sql) for sql in (first_sql, second_sql, third_sql)] == [1, 1, 1]
    assert first_sql[0].startswith(PREPARE) and is_the_statement(first_sql[0])
    assert second_sql[0].startswith("SET LOCAL synchronous_commit TO OFF;\nEXECUTE ")
    assert third_sql[0].startswith(PREPARE)


@pytest.mark.django_db(transaction=True)
def test_field_save_a_failed_first_run_is_followed_by_asking_what_is_prepared(programme):
    saved_before(programme, CHALLENGE, "Heating the old town")
    connection.close()

    # The query string that prepares it fails after the PREPARE took (a value PostgreSQL
    # refuses, here; a lock timeout or a cancel in real life).
    with pytest.raises(DataError):
        sent(programme, "One", 1, today="not a date")
    saved, sql = sent(programme, "One", 1)

    assert (saved.value, saved.version) == ("One", 2)
    assert "pg_prepared_statements" in sql[0]
    assert len(sql) == 2 and is_the_statement(sql[1]) and "PREPARE" not in sql[1]

    # Unknown, and not prepared (the query string failed before its PREPARE): prepared again.
    connection.close()
    connection.ensure_connection()
    connections[connection.alias]._roadmaps_prepared = (connection.connection, {3: None})
    saved, sql = sent(programme, "Two", 2)

    assert (saved.value, saved.version) == ("Two", 3)
    assert "pg_prepared_statements" in sql[0]
    assert len(sql) == 2 and sql[1].startswith(PREPARE)
