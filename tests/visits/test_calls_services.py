"""The services of calls, visits and criteria (visits/calls.py): what they write, what they
refuse with which message, and that criteria changes are announced to scoring."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from cities.enums import CityType
from portal.errors import ApplicationError
from portal.permissions import PermissionRefused
from tests import factories
from visits import calls, signals
from visits.enums import AutomaticRule, CallStatus, CriterionKind
from visits.models import Anchor, Call, Criterion, Visit

NOW = timezone.now()


@pytest.fixture
def admin(db):
    return factories.UserFactory(is_programme_admin=True)


@pytest.fixture
def call(admin):
    return factories.CallFactory(created_by=admin)


@pytest.fixture
def host(db):
    return factories.CityFactory(name="Mannheim", is_mission_city=True, is_mission_minded=False)


@pytest.fixture
def sector(db):
    return factories.ThematicSectorFactory(name="Energy")


@pytest.fixture
def changes():
    """The calls criteria_changed was sent for, in order."""
    sent = []

    def receive(sender, call, **kwargs):
        sent.append(call.pk)

    signals.criteria_changed.connect(receive, dispatch_uid="tests.criteria_changed")
    yield sent
    signals.criteria_changed.disconnect(dispatch_uid="tests.criteria_changed")


def settings(**fields) -> calls.CallSettings:
    values = {
        "title": "Group Study Visits 2025",
        "opens_at": NOW,
        "closes_at": NOW + datetime.timedelta(days=30),
        "review_deadline": NOW + datetime.timedelta(days=40),
    }
    values.update(fields)
    return calls.CallSettings(**values)


def manual(**fields) -> calls.CriterionData:
    values = {
        "name": "Relevance of the challenge",
        "kind": CriterionKind.MANUAL,
        "scale_max": 2,
        "anchors": ["Not addressed", "Partly", "Fully"],
    }
    values.update(fields)
    return calls.CriterionData(**values)


def automatic(rule=AutomaticRule.ROADMAP_COMPLETED, **fields) -> calls.CriterionData:
    return calls.CriterionData(
        name="Completed roadmap", kind=CriterionKind.AUTOMATIC, rule=rule, **fields
    )


# --- Calls ------------------------------------------------------------------------------------


def test_call_create_writes_a_draft_with_its_settings_and_keyed_questions(admin):
    cohort = factories.CohortFactory()
    data = settings(
        description="Three Mission Cities host",
        eligible_cohorts=[cohort],
        eligible_city_types=[CityType.MISSION_MINDED, CityType.PILOT],
        aggregation="median",
        reviewers_per_application=3,
        exclude_same_country=True,
        disagreement_threshold=Decimal("1.5"),
        questions=calls.questions_parse("*Who leads the team?\n\n  Any other remark? \n"),
    )

    call = calls.call_create(acting_user=admin, data=data)

    call = Call.objects.get(pk=call.pk)
    assert (call.status, call.title, call.created_by) == (CallStatus.DRAFT, data.title, admin)
    assert list(call.eligible_cohorts.all()) == [cohort]
    assert call.eligible_city_types == ["mission_minded", "pilot"]
    assert (call.aggregation, call.reviewers_per_application) == ("median", 3)
    assert (call.exclude_same_country, call.disagreement_threshold) == (True, Decimal("1.50"))
    assert call.questions == [
        {"key": "q1", "text": "Who leads the team?", "required": True},
        {"key": "q2", "text": "Any other remark?", "required": False},
    ]


def test_questions_keep_their_keys_when_reordered_and_new_ones_get_the_next(admin, call):
    call.questions = [
        {"key": "q1", "text": "Who leads?", "required": True},
        {"key": "q2", "text": "Budget?", "required": False},
    ]
    call.save()

    calls.call_update(
        acting_user=admin,
        call=call,
        data=settings(questions=calls.questions_parse("Budget?\nPartners?\n*who  leads?")),
    )

    call.refresh_from_db()
    assert call.questions == [
        {"key": "q2", "text": "Budget?", "required": False},
        {"key": "q3", "text": "Partners?", "required": False},
        {"key": "q1", "text": "who leads?", "required": True},
    ]
    assert calls.questions_text(call.questions) == "Budget?\nPartners?\n*who leads?"


def test_an_answered_question_cannot_be_removed_and_nothing_is_saved(admin, call):
    call.questions = [{"key": "q1", "text": "Who leads?", "required": True}]
    call.save()
    factories.ApplicationFactory(call=call, answers={"q1": "Our mayor"})

    with pytest.raises(ApplicationError) as refused:
        calls.call_update(
            acting_user=admin, call=call, data=settings(title="Renamed", questions=[])
        )

    assert refused.value.message == (
        "Applications have already answered “Who leads?”: it cannot be removed or reworded."
    )
    assert refused.value.field == "questions"
    call.refresh_from_db()
    assert (call.title, len(call.questions)) != ("Renamed", 0)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": "  "}, "title", "Give the call a title."),
        ({"closes_at": NOW}, "closes_at", "Applications must close after they open."),
        (
            {"review_deadline": NOW + datetime.timedelta(days=1)},
            "review_deadline",
            "Reviews can only be due once applications have closed.",
        ),
        (
            {"reviewers_per_application": 0},
            "reviewers_per_application",
            "Each application needs from 1 to 20 reviewers.",
        ),
        (
            {"disagreement_threshold": Decimal("-1")},
            "disagreement_threshold",
            "The disagreement threshold cannot be negative.",
        ),
        (
            {"questions": [{"text": "Why?", "required": False}] * 2},
            "questions",
            "The question “Why?” is asked twice.",
        ),
    ],
)
def test_call_create_refuses_bad_settings_with_a_message(admin, fields, field, message):
    with pytest.raises(ApplicationError) as refused:
        calls.call_create(acting_user=admin, data=settings(**fields))

    assert (refused.value.field, refused.value.message) == (field, message)
    assert not Call.objects.exists()


def test_only_programme_admins_manage_calls(call, host, sector):
    officer = factories.city_officer()

    with pytest.raises(PermissionRefused):
        calls.call_create(acting_user=officer, data=settings())
    with pytest.raises(PermissionRefused):
        calls.visit_add(
            acting_user=officer,
            call=call,
            data=calls.VisitData(
                host_city=host, starts_on=datetime.date(2025, 5, 12), sector=sector
            ),
        )
    with pytest.raises(PermissionRefused):
        calls.call_open(acting_user=officer, call=call)


def test_call_open_needs_a_visit_and_a_criterion(admin, call, host, sector):
    with pytest.raises(ApplicationError) as refused:
        calls.call_open(acting_user=admin, call=call)
    assert refused.value.message == (
        "The call cannot open yet. Add at least one visit on offer. Add at least one criterion."
    )

    factories.VisitFactory(call=call, host_city=host, sector=sector)
    with pytest.raises(ApplicationError) as refused:
        calls.call_open(acting_user=admin, call=call)
    assert refused.value.message == "The call cannot open yet. Add at least one criterion."
    call.refresh_from_db()
    assert call.status == CallStatus.DRAFT

    factories.CriterionFactory(call=call)
    calls.call_open(acting_user=admin, call=call)

    call.refresh_from_db()
    assert call.status == CallStatus.OPEN
    with pytest.raises(ApplicationError, match="already open"):
        calls.call_open(acting_user=admin, call=call)


def test_a_published_call_no_longer_changes(admin, call, host, sector):
    Call.objects.filter(pk=call.pk).update(status=CallStatus.PUBLISHED)
    visit = factories.VisitFactory(call=call, host_city=host, sector=sector)

    with pytest.raises(ApplicationError) as refused:
        calls.visit_remove(acting_user=admin, visit=visit)

    assert refused.value.message == (
        "The decisions of this call are published: it can no longer change."
    )
    assert Visit.objects.filter(pk=visit.pk).exists()


# --- Visits -----------------------------------------------------------------------------------


def test_visit_add_ends_the_day_after_by_default(admin, call, host, sector):
    visit = calls.visit_add(
        acting_user=admin,
        call=call,
        data=calls.VisitData(
            host_city=host,
            starts_on=datetime.date(2025, 5, 12),
            sector=sector,
            title="Mannheim: district heating",
            capacity_cities=4,
            delegates_per_city=3,
        ),
    )

    visit = Visit.objects.get(pk=visit.pk)
    assert (visit.call, visit.host_city, visit.sector) == (call, host, sector)
    assert (visit.starts_on, visit.ends_on) == (
        datetime.date(2025, 5, 12),
        datetime.date(2025, 5, 13),
    )
    assert (visit.title, visit.capacity_cities, visit.delegates_per_city) == (
        "Mannheim: district heating",
        4,
        3,
    )


@pytest.mark.parametrize(
    ("ends_on", "message"),
    [
        (datetime.date(2025, 5, 11), "The visit cannot end before it starts."),
        (datetime.date(2025, 5, 14), "A study visit lasts at most two days."),
    ],
)
def test_visit_add_refuses_dates_that_are_not_two_days(admin, call, host, sector, ends_on, message):
    data = calls.VisitData(
        host_city=host, starts_on=datetime.date(2025, 5, 12), ends_on=ends_on, sector=sector
    )

    with pytest.raises(ApplicationError) as refused:
        calls.visit_add(acting_user=admin, call=call, data=data)

    assert (refused.value.field, refused.value.message) == ("ends_on", message)
    assert not Visit.objects.exists()


def test_visit_add_refuses_a_host_that_is_not_a_mission_city(admin, call, sector):
    porto = factories.CityFactory(name="Porto", is_mission_city=False)

    with pytest.raises(ApplicationError) as refused:
        calls.visit_add(
            acting_user=admin,
            call=call,
            data=calls.VisitData(
                host_city=porto, starts_on=datetime.date(2025, 5, 12), sector=sector
            ),
        )

    assert refused.value.message == (
        "Porto is not a Mission City: only Mission Cities host study visits."
    )
    assert not Visit.objects.exists()


def test_visit_update_changes_the_visit_and_keeps_the_call(admin, call, host, sector):
    visit = factories.VisitFactory(call=call, host_city=host, sector=sector)
    other_sector = factories.ThematicSectorFactory(name="Buildings")

    calls.visit_update(
        acting_user=admin,
        visit=visit,
        data=calls.VisitData(
            host_city=host,
            starts_on=datetime.date(2025, 6, 2),
            ends_on=datetime.date(2025, 6, 2),
            sector=other_sector,
            capacity_cities=2,
        ),
    )

    visit.refresh_from_db()
    assert (visit.call, visit.sector, visit.starts_on, visit.ends_on, visit.capacity_cities) == (
        call,
        other_sector,
        datetime.date(2025, 6, 2),
        datetime.date(2025, 6, 2),
        2,
    )


def test_a_visit_that_applications_ask_for_is_not_removed(admin, call, host, sector):
    visit = factories.VisitFactory(call=call, host_city=host, sector=sector)
    for _ in range(2):
        factories.PreferenceFactory(application__call=call, visit=visit)

    with pytest.raises(ApplicationError) as refused:
        calls.visit_remove(acting_user=admin, visit=visit)

    assert refused.value.message == (
        "2 applications ask for this visit: it cannot be removed. "
        "You can still change its dates, sector and capacity."
    )
    assert visit.preferences.count() == 2


def test_visit_remove_deletes_a_visit_nobody_asked_for(admin, call, host, sector):
    visit = factories.VisitFactory(call=call, host_city=host, sector=sector)
    kept = factories.VisitFactory(call=call, host_city=host, sector=sector)

    calls.visit_remove(acting_user=admin, visit=visit)

    assert list(Visit.objects.all()) == [kept]


# --- Criteria ---------------------------------------------------------------------------------


def test_criterion_add_manual_writes_its_anchors_and_announces_the_change(admin, call, changes):
    criterion = calls.criterion_add(
        acting_user=admin, call=call, data=manual(weight=Decimal("2.5"), independent=True)
    )

    criterion = Criterion.objects.get(pk=criterion.pk)
    assert (criterion.kind, criterion.rule, criterion.weight, criterion.scale_max) == (
        CriterionKind.MANUAL,
        "",
        Decimal("2.50"),
        2,
    )
    assert (criterion.independent, criterion.position) == (True, 1)
    assert list(criterion.anchors.values_list("points", "description")) == [
        (0, "Not addressed"),
        (1, "Partly"),
        (2, "Fully"),
    ]
    assert changes == [call.pk]


def test_criterion_add_automatic_takes_each_rule_once(admin, call, changes):
    first = calls.criterion_add(acting_user=admin, call=call, data=automatic())

    with pytest.raises(ApplicationError) as refused:
        calls.criterion_add(acting_user=admin, call=call, data=automatic())

    assert refused.value.message == (
        "The call already has a criterion computed by “Completed Reflection Roadmap”."
    )
    assert list(Criterion.objects.values_list("pk", "rule", "independent")) == [
        (first.pk, "roadmap_completed", False)
    ]
    assert not Anchor.objects.exists()
    assert changes == [call.pk]


def test_criterion_add_refuses_a_negative_weight_and_saves_nothing(admin, call, changes):
    with pytest.raises(ApplicationError) as refused:
        calls.criterion_add(acting_user=admin, call=call, data=manual(weight=Decimal("-1")))

    assert refused.value.message == (
        "A weight cannot be negative: use 0 to leave a criterion out of the total."
    )
    assert (refused.value.field, Criterion.objects.count(), changes) == ("weight", 0, [])


def test_criterion_add_needs_one_anchor_per_point(admin, call):
    with pytest.raises(ApplicationError) as refused:
        calls.criterion_add(acting_user=admin, call=call, data=manual(anchors=["None", "All"]))

    assert refused.value.message == "Describe each point of the scale, from 0 to 2."
    assert not Criterion.objects.exists()


def test_criterion_update_rewrites_anchors_and_keeps_its_kind(admin, call, changes):
    criterion = calls.criterion_add(acting_user=admin, call=call, data=manual())
    changes.clear()

    calls.criterion_update(
        acting_user=admin,
        criterion=criterion,
        data=manual(name="Fit", kind=CriterionKind.AUTOMATIC, scale_max=1, anchors=["No", "Yes"]),
    )

    criterion.refresh_from_db()
    assert (criterion.name, criterion.kind, criterion.scale_max) == ("Fit", "manual", 1)
    assert list(criterion.anchors.values_list("points", "description")) == [(0, "No"), (1, "Yes")]
    assert changes == [call.pk]


def test_criterion_update_keeps_the_scale_above_points_already_given(admin, call):
    criterion = calls.criterion_add(acting_user=admin, call=call, data=manual())
    factories.ScoreFactory(review__application__call=call, criterion=criterion, points=2)

    with pytest.raises(ApplicationError) as refused:
        calls.criterion_update(
            acting_user=admin, criterion=criterion, data=manual(scale_max=1, anchors=["No", "Yes"])
        )

    assert refused.value.message == (
        "Reviewers have already given 2 points: the scale cannot end below that."
    )
    criterion.refresh_from_db()
    assert (criterion.scale_max, criterion.anchors.count()) == (2, 3)


def test_criteria_reweight_sets_every_weight_at_once_with_one_announcement(admin, call, changes):
    first = factories.CriterionFactory(call=call, weight=1)
    second = factories.CriterionFactory(call=call, weight=1)

    calls.criteria_reweight(
        acting_user=admin, call=call, weights={first.pk: Decimal("3"), second.pk: Decimal(0)}
    )

    assert dict(Criterion.objects.values_list("pk", "weight")) == {
        first.pk: Decimal("3.00"),
        second.pk: Decimal("0.00"),
    }
    assert changes == [call.pk]


def test_criteria_reweight_refuses_a_negative_weight_and_changes_none(admin, call, changes):
    first = factories.CriterionFactory(call=call, weight=1)
    second = factories.CriterionFactory(call=call, weight=1)

    with pytest.raises(ApplicationError, match="cannot be negative"):
        calls.criteria_reweight(
            acting_user=admin, call=call, weights={first.pk: Decimal(5), second.pk: Decimal(-2)}
        )

    assert set(Criterion.objects.values_list("weight", flat=True)) == {Decimal(1)}
    assert changes == []


def test_criteria_can_change_while_the_call_is_open(admin, call, changes):
    Call.objects.filter(pk=call.pk).update(status=CallStatus.OPEN)

    criterion = calls.criterion_add(acting_user=admin, call=call, data=automatic())
    calls.criteria_reweight(acting_user=admin, call=call, weights={criterion.pk: Decimal(2)})
    calls.criterion_remove(acting_user=admin, criterion=criterion)

    assert changes == [call.pk] * 3
    assert not Criterion.objects.exists()


def test_a_scored_criterion_is_not_removed(admin, call, changes):
    criterion = factories.CriterionFactory(call=call)
    factories.ScoreFactory(review__application__call=call, criterion=criterion)

    with pytest.raises(ApplicationError) as refused:
        calls.criterion_remove(acting_user=admin, criterion=criterion)

    assert refused.value.message == (
        "Reviewers have given 1 score on this criterion: it cannot be removed. "
        "Set its weight to 0 to leave it out of the total."
    )
    assert Criterion.objects.filter(pk=criterion.pk).exists()
    assert changes == []


def test_the_announcement_is_rolled_back_with_the_change(admin, call):
    """criteria_changed is sent inside the service's transaction: a receiver that fails undoes
    the change, as scoring's writes would be undone with it."""

    def fail(sender, call, **kwargs):
        raise RuntimeError("scoring failed")

    signals.criteria_changed.connect(fail, dispatch_uid="tests.fail")
    try:
        with pytest.raises(RuntimeError):
            calls.criterion_add(acting_user=admin, call=call, data=automatic())
    finally:
        signals.criteria_changed.disconnect(dispatch_uid="tests.fail")

    assert not Criterion.objects.exists()


# --- Reads ------------------------------------------------------------------------------------


def test_eligibility_in_words(call):
    first = factories.CohortFactory(name="Cohort 1")
    second = factories.CohortFactory(name="Cohort 2")
    assert calls.eligibility_in_words(call) == ("No city may apply yet: the call names no cohort.")

    call.eligible_cohorts.set([first, second])
    assert calls.eligibility_in_words(call) == "Cities enrolled in Cohort 1 or Cohort 2."

    call.eligible_city_types = [CityType.MISSION_MINDED, CityType.PILOT, CityType.TWIN]
    assert calls.eligibility_in_words(call) == (
        "Cities enrolled in Cohort 1 or Cohort 2 that are of the type Mission-minded city, "
        "Pilot City or Twin City."
    )
