"""Applying to Group Study Visits through the services (visits/applying.py)."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError
from django.utils import timezone

from portal.errors import ApplicationError
from portal.permissions import PermissionRefused
from roadmaps.enums import RoadmapStatus
from tests import factories
from tests.visits.applying_world import SPOTLIGHT, applying_world
from visits import applying, signals
from visits.applying import ApplicationDraft, DelegateEntry
from visits.enums import ApplicationStatus
from visits.models import Application


@pytest.fixture
def world(db):
    return applying_world(
        questions=[
            {"key": "budget", "text": "Who pays the travel?", "required": True},
            {"key": "notes", "text": "Anything else?", "required": False},
        ]
    )


def full_draft(world, **changes) -> ApplicationDraft:
    fields = {
        "preferences": [world.visits[1].pk, world.visits[0].pk],
        "motivation": "We want to learn how Mannheim cools its streets.",
        "spotlight_challenge": SPOTLIGHT,
        "delegates": [DelegateEntry("Ana Silva", "Climate officer", "ana@lisboa.example")],
        "answers": {"budget": "The city", "notes": ""},
    }
    fields.update(changes)
    return ApplicationDraft(**fields)


def test_start_prefills_the_spotlight_challenge_from_the_roadmap(world):
    application = applying.application_start(acting_user=world.officer, call=world.call)

    assert (application.city, application.status, application.created_by) == (
        world.city,
        ApplicationStatus.DRAFT,
        world.officer,
    )
    assert application.spotlight_challenge == SPOTLIGHT


def test_start_twice_answers_with_the_same_draft(world):
    first = applying.application_start(acting_user=world.officer, call=world.call)
    second_officer = factories.city_officer(city=world.city)

    second = applying.application_start(acting_user=second_officer, call=world.call)

    assert second.pk == first.pk
    assert Application.objects.filter(call=world.call, city=world.city).count() == 1


def test_start_after_a_concurrent_insert_answers_with_the_existing_draft(world, monkeypatch):
    # The other officer's row appears between the look-up and the insert (a race the lock
    # normally prevents): the unique constraint refuses the second insert, and the service
    # answers with the existing draft rather than an error.
    existing = factories.ApplicationFactory(call=world.call, city=world.city)
    real_filter = Application.objects.filter

    class NothingFound:
        def first(self):
            return None

    calls = []

    def filter_once(*args, **kwargs):
        if not calls:
            calls.append(1)
            return NothingFound()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Application.objects, "filter", filter_once)

    found = applying.application_start(acting_user=world.officer, call=world.call)

    assert found.pk == existing.pk


def test_start_without_a_roadmap_value_leaves_the_challenge_empty(world):
    world.roadmap.values.all().delete()

    application = applying.application_start(acting_user=world.officer, call=world.call)

    assert application.spotlight_challenge == ""


def _earlier_roadmap_with(world, challenge: str, *, starts_on: datetime.date):
    """The city's roadmap in a cohort the call is not open to, naming `challenge`."""
    from roadmaps.models import Roadmap, RoadmapValue

    earlier = factories.CohortFactory(
        starts_on=starts_on, ends_on=starts_on + datetime.timedelta(days=200)
    )
    factories.enrolment_accepted(cohort=earlier, city=world.city)
    roadmap = Roadmap.objects.get(city=world.city, cohort=earlier)
    RoadmapValue.objects.create(roadmap=roadmap, key="phase1.challenge", value=challenge, version=1)
    return roadmap


def test_start_takes_the_challenge_of_an_earlier_cohort_when_the_calls_roadmap_has_none(world):
    # Found by trying the demo: its officer's roadmap in the open call's cohort is not started,
    # and the application's challenge box was empty although the city had written one before.
    world.roadmap.values.all().delete()
    _earlier_roadmap_with(world, "Old challenge.", starts_on=datetime.date(2022, 1, 1))
    _earlier_roadmap_with(world, "Newer challenge.", starts_on=datetime.date(2023, 1, 1))

    application = applying.application_start(acting_user=world.officer, call=world.call)

    assert application.spotlight_challenge == "Newer challenge."


def test_start_prefers_the_challenge_of_the_calls_cohort(world):
    _earlier_roadmap_with(world, "Newer challenge.", starts_on=datetime.date(2030, 1, 1))

    application = applying.application_start(acting_user=world.officer, call=world.call)

    assert application.spotlight_challenge == SPOTLIGHT


def test_start_for_an_ineligible_call_is_refused(world):
    other_cohort_call = factories.CallFactory(status="open")
    other_cohort_call.eligible_cohorts.add(factories.CohortFactory())

    with pytest.raises(PermissionRefused) as refusal:
        applying.application_start(acting_user=world.officer, call=other_cohort_call)

    assert refusal.value.message == "Your city is not eligible for this call."
    assert not Application.objects.exists()


def test_start_after_the_deadline_is_refused(world):
    late = world.call.closes_at + datetime.timedelta(minutes=1)
    with time_machine.travel(late, tick=False), pytest.raises(ApplicationError) as refusal:
        applying.application_start(acting_user=world.officer, call=world.call)

    assert refusal.value.code == "closed"
    assert refusal.value.message.startswith("This call closed on ")
    assert not Application.objects.exists()


def test_save_keeps_preferences_in_order_and_delegates(world):
    application = applying.application_start(acting_user=world.officer, call=world.call)

    applying.application_save(
        acting_user=world.officer, application=application, draft=full_draft(world)
    )

    ranked = list(application.preferences.values_list("rank", "visit_id"))
    assert ranked == [(1, world.visits[1].pk), (2, world.visits[0].pk)]
    assert list(application.delegates.values_list("name", "role", "email")) == [
        ("Ana Silva", "Climate officer", "ana@lisboa.example")
    ]
    application.refresh_from_db()
    assert application.answers == {"budget": "The city"}


def test_save_ranking_a_visit_twice_is_refused_and_saves_nothing(world):
    application = applying.application_start(acting_user=world.officer, call=world.call)
    applying.application_save(
        acting_user=world.officer, application=application, draft=full_draft(world)
    )
    twice = full_draft(
        world, preferences=[world.visits[0].pk, world.visits[0].pk], motivation="Changed"
    )

    with pytest.raises(applying.ApplicationInvalid) as refusal:
        applying.application_save(acting_user=world.officer, application=application, draft=twice)

    assert refusal.value.errors == {
        "choice_2": "You ranked “Visit to Mannheim” twice (choices 1 and 2): rank each visit "
        "at most once."
    }
    application.refresh_from_db()
    assert application.motivation == "We want to learn how Mannheim cools its streets."
    assert application.preferences.count() == 2


def test_save_too_many_delegates_is_refused(world):
    application = applying.application_start(acting_user=world.officer, call=world.call)
    # Mannheim takes 2 delegates per city: ranking it limits the city to 2.
    three = [DelegateEntry(f"Person {n}", "", f"p{n}@lisboa.example") for n in range(3)]

    with pytest.raises(applying.ApplicationInvalid) as refusal:
        applying.application_save(
            acting_user=world.officer,
            application=application,
            draft=full_draft(world, delegates=three),
        )

    assert refusal.value.errors == {
        "delegates": "A city may send at most 2 delegates to the visits you ranked: you named 3."
    }
    assert application.delegates.count() == 0


def test_save_three_delegates_fit_visits_that_take_three(world):
    application = applying.application_start(acting_user=world.officer, call=world.call)
    three = [DelegateEntry(f"Person {n}", "", f"p{n}@lisboa.example") for n in range(3)]

    applying.application_save(
        acting_user=world.officer,
        application=application,
        draft=full_draft(world, preferences=[world.visits[2].pk], delegates=three),
    )

    assert application.delegates.count() == 3


def test_save_a_bad_email_is_refused(world):
    application = applying.application_start(acting_user=world.officer, call=world.call)
    bad = [DelegateEntry("Ana Silva", "", "ana-at-lisboa")]

    with pytest.raises(applying.ApplicationInvalid) as refusal:
        applying.application_save(
            acting_user=world.officer,
            application=application,
            draft=full_draft(world, delegates=bad),
        )

    assert refusal.value.errors == {"delegate-0-email": "“ana-at-lisboa” is not an email address."}


def test_save_by_an_officer_of_another_city_is_refused(world):
    application = applying.application_start(acting_user=world.officer, call=world.call)

    with pytest.raises(PermissionRefused):
        applying.application_save(
            acting_user=world.other_officer, application=application, draft=full_draft(world)
        )


def test_submit_lists_what_is_missing_and_keeps_the_draft(world):
    application = applying.application_start(acting_user=world.officer, call=world.call)

    with pytest.raises(applying.ApplicationIncomplete) as refusal:
        applying.application_submit(acting_user=world.officer, application=application)

    assert refusal.value.missing == [
        "At least one visit ranked by preference",
        "Motivation",
        "At least one delegate",
        "Who pays the travel?",
    ]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_submit_sends_the_signal_once_and_refuses_a_second_submit(world):
    application = applying.application_start(acting_user=world.officer, call=world.call)
    applying.application_save(
        acting_user=world.officer, application=application, draft=full_draft(world)
    )
    sent = []

    def receiver(sender, application, **kwargs):
        sent.append(application.pk)

    signals.application_submitted.connect(receiver, dispatch_uid="test-submitted")
    try:
        applying.application_submit(acting_user=world.officer, application=application)
        with pytest.raises(ApplicationError) as refusal:
            applying.application_submit(acting_user=world.officer, application=application)
    finally:
        signals.application_submitted.disconnect(dispatch_uid="test-submitted")

    assert sent == [application.pk]
    assert refusal.value.code == "already_submitted"
    application.refresh_from_db()
    assert (application.status, application.submitted_by) == (
        ApplicationStatus.SUBMITTED,
        world.officer,
    )


def test_submit_after_the_deadline_is_refused(world):
    application = applying.application_start(acting_user=world.officer, call=world.call)
    applying.application_save(
        acting_user=world.officer, application=application, draft=full_draft(world)
    )

    closed = world.call.closes_at
    with time_machine.travel(closed, tick=False), pytest.raises(ApplicationError) as refusal:
        applying.application_submit(acting_user=world.officer, application=application)

    assert refusal.value.code == "closed"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_withdraw_sends_the_signal(world):
    application = applying.application_start(acting_user=world.officer, call=world.call)
    sent = []

    def receiver(sender, application, **kwargs):
        sent.append(application.pk)

    signals.application_withdrawn.connect(receiver, dispatch_uid="test-withdrawn")
    try:
        applying.application_withdraw(acting_user=world.officer, application=application)
    finally:
        signals.application_withdrawn.disconnect(dispatch_uid="test-withdrawn")

    assert sent == [application.pk]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    with pytest.raises(ApplicationError) as refusal:
        applying.application_withdraw(acting_user=world.officer, application=application)
    assert refusal.value.message == "This application is already withdrawn."


def test_unique_constraint_still_holds(world):
    factories.ApplicationFactory(call=world.call, city=world.city)
    with pytest.raises(IntegrityError):
        factories.ApplicationFactory(call=world.call, city=world.city)


def test_roadmap_completed_for(world):
    assert applying.roadmap_completed_for(call=world.call, city=world.city) is False
    world.roadmap.status = RoadmapStatus.ACCEPTED
    world.roadmap.save()

    assert applying.roadmap_completed_for(call=world.call, city=world.city) is True


def test_open_calls_for_lists_the_call_with_the_application(world, django_assert_num_queries):
    cohorts_of = {world.city.pk: {world.cohort.pk}}
    now = timezone.now()
    with django_assert_num_queries(1):
        before = applying.open_calls_for(cities=[world.city], cohorts_of=cohorts_of, now=now)
    application = applying.application_start(acting_user=world.officer, call=world.call)
    with django_assert_num_queries(1):
        after = applying.open_calls_for(cities=[world.city], cohorts_of=cohorts_of, now=now)

    assert [(c.call_id, c.city, c.application_id) for c in before] == [
        (world.call.pk, world.city, None)
    ]
    assert [(c.call_id, c.application_id, c.application_status) for c in after] == [
        (world.call.pk, application.pk, "draft")
    ]
    assert after[0].action_url == f"/visits/applications/{application.pk}/"
    assert before[0].action_url == f"/visits/calls/{world.call.pk}/apply/"


def test_open_calls_for_leaves_out_a_city_type_the_call_does_not_take(world):
    world.call.eligible_city_types = ["mission"]
    world.call.save()

    found = applying.open_calls_for(
        cities=[world.city], cohorts_of={world.city.pk: {world.cohort.pk}}, now=timezone.now()
    )

    assert found == []
