"""Reviewing's services, rules and selectors (visits/reviewing.py): assignment by hand and
automatic, conflicts, reviews, recusal, the deadline, and who sees others' scores."""

import datetime
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import OutboundEmail
from portal.errors import ApplicationError
from portal.permissions import PermissionRefused
from tests import factories
from tests.visits.reviewing_world import past_deadline, review_world, submitted_application
from visits import reviewing, signals
from visits.enums import ApplicationStatus, ReviewStatus
from visits.models import Review, Score
from visits.selectors import applications_visible_to

pytestmark = pytest.mark.django_db


def _loads(call) -> dict[int, int]:
    return dict(
        Counter(Review.objects.filter(application__call=call).values_list("reviewer_id", flat=True))
    )


# --- Automatic assignment -----------------------------------------------------------------------


def test_automatic_assignment_gives_each_application_n_reviewers_spread_evenly():
    world = review_world(applications=7, reviewers=3, reviewers_per_application=2)

    made = reviewing.reviewers_assign_automatically(acting_user=world.admin, call=world.call)

    assert made == 14
    for application in world.applications:
        assert application.reviews.count() == 2
    # 14 reviews over 3 reviewers: 5, 5, 4, the lowest ids first.
    assert sorted(_loads(world.call).values()) == [4, 5, 5]
    assert _loads(world.call) == {
        world.reviewers[0].pk: 5,
        world.reviewers[1].pk: 5,
        world.reviewers[2].pk: 4,
    }


def test_automatic_assignment_is_deterministic_and_running_it_again_adds_nothing():
    world = review_world(applications=5, reviewers=4, reviewers_per_application=2)
    reviewing.reviewers_assign_automatically(acting_user=world.admin, call=world.call)
    first = sorted(Review.objects.values_list("application_id", "reviewer_id"))

    again = reviewing.reviewers_assign_automatically(acting_user=world.admin, call=world.call)

    assert again == 0
    assert sorted(Review.objects.values_list("application_id", "reviewer_id")) == first
    Review.objects.all().delete()
    reviewing.reviewers_assign_automatically(acting_user=world.admin, call=world.call)
    assert sorted(Review.objects.values_list("application_id", "reviewer_id")) == first


def test_automatic_assignment_never_gives_an_officer_their_own_city():
    world = review_world(applications=4, reviewers=3, reviewers_per_application=3)
    conflicted = world.reviewers[0]
    factories.CityMembershipFactory(user=conflicted, city=world.applications[0].city)

    reviewing.reviewers_assign_automatically(acting_user=world.admin, call=world.call)

    assert set(world.applications[0].reviews.values_list("reviewer_id", flat=True)) == {
        world.reviewers[1].pk,
        world.reviewers[2].pk,
    }
    assert world.applications[1].reviews.filter(reviewer=conflicted).exists()


def test_automatic_assignment_leaves_out_the_same_country_when_the_call_says_so():
    world = review_world(applications=2, reviewers=2, reviewers_per_application=2)
    world.call.exclude_same_country = True
    world.call.save()
    same_country = factories.CityFactory(country=world.applications[0].city.country)
    factories.CityMembershipFactory(user=world.reviewers[0], city=same_country)

    reviewing.reviewers_assign_automatically(acting_user=world.admin, call=world.call)

    assert list(world.applications[0].reviews.values_list("reviewer_id", flat=True)) == [
        world.reviewers[1].pk
    ]


def test_automatic_assignment_skips_drafts_and_withdrawn_and_replaces_a_recusal():
    world = review_world(applications=1, reviewers=3, reviewers_per_application=2)
    draft = factories.ApplicationFactory(call=world.call)
    withdrawn = factories.ApplicationFactory(call=world.call, status=ApplicationStatus.WITHDRAWN)
    application = world.applications[0]
    factories.ReviewFactory(
        application=application, reviewer=world.reviewers[0], status=ReviewStatus.RECUSED
    )

    made = reviewing.reviewers_assign_automatically(acting_user=world.admin, call=world.call)

    assert made == 2
    assert set(application.reviews.values_list("reviewer_id", "status")) == {
        (world.reviewers[0].pk, ReviewStatus.RECUSED),
        (world.reviewers[1].pk, ReviewStatus.ASSIGNED),
        (world.reviewers[2].pk, ReviewStatus.ASSIGNED),
    }
    assert not draft.reviews.exists() and not withdrawn.reviews.exists()


def test_automatic_assignment_query_count_does_not_grow_with_applications():
    def measure(count):
        world = review_world(applications=count, reviewers=4, reviewers_per_application=2)
        with CaptureQueriesContext(connection) as queries:
            reviewing.reviewers_assign_automatically(acting_user=world.admin, call=world.call)
        return len(queries)

    # Savepoint, the call locked, reviewers, applications, reviews, memberships, the insert,
    # the data version, savepoint released.
    assert measure(2) == measure(30)


def test_automatic_assignment_tells_each_reviewer_once_in_their_language(
    django_capture_on_commit_callbacks,
):
    world = review_world(applications=3, reviewers=2, reviewers_per_application=1)
    world.reviewers[0].language = "fr"
    world.reviewers[0].save()

    with django_capture_on_commit_callbacks(execute=True):
        reviewing.reviewers_assign_automatically(acting_user=world.admin, call=world.call)

    emails = {email.to: email for email in OutboundEmail.objects.all()}
    assert set(emails) == {world.reviewers[0].email, world.reviewers[1].email}
    # Three applications, one reviewer each: the lowest id gets two.
    # The first reviewer reads French.
    assert emails[world.reviewers[0].email].body.startswith(
        f"2 candidatures de l'appel à candidatures « {world.call.title} » (visites d'étude de "
        "groupe) vous ont été confiées pour évaluation."
    )
    second = emails[world.reviewers[1].email]
    assert second.subject == f"Applications to review: {world.call.title}"
    assert second.body.startswith(
        f'You have been given 1 Group Study Visit application of "{world.call.title}" to review.'
    )
    assert second.body.endswith("/visits/reviews/\n")


def test_automatic_assignment_is_for_admins_only():
    world = review_world()

    with pytest.raises(PermissionRefused):
        reviewing.reviewers_assign_automatically(acting_user=world.reviewers[0], call=world.call)
    assert not Review.objects.exists()


def test_automatic_assignment_without_reviewers_says_so():
    world = review_world(reviewers=0)

    with pytest.raises(ApplicationError, match="no reviewer to assign"):
        reviewing.reviewers_assign_automatically(acting_user=world.admin, call=world.call)


# --- Manual assignment --------------------------------------------------------------------------


def test_manual_assignment_twice_keeps_one_row(django_capture_on_commit_callbacks):
    world = review_world()
    application, reviewer = world.applications[0], world.reviewers[0]

    with django_capture_on_commit_callbacks(execute=True):
        first = reviewing.reviewers_assign(
            acting_user=world.admin, application=application, reviewers=[reviewer]
        )
        second = reviewing.reviewers_assign(
            acting_user=world.admin, application=application, reviewers=[reviewer, reviewer]
        )

    assert len(first) == 1 and second == []
    assert list(application.reviews.values_list("reviewer_id", "assigned_by")) == [
        (reviewer.pk, world.admin.pk)
    ]
    assert OutboundEmail.objects.filter(to=reviewer.email).count() == 1


def test_manual_assignment_of_an_officer_of_the_city_is_refused():
    world = review_world()
    application, reviewer = world.applications[0], world.reviewers[0]
    factories.CityMembershipFactory(user=reviewer, city=application.city)

    with pytest.raises(ApplicationError) as refusal:
        reviewing.reviewers_assign(
            acting_user=world.admin, application=application, reviewers=[reviewer]
        )

    assert refusal.value.message == (
        f"Reviewer 0 cannot review {application.city.name}: they are an officer of the city."
    )
    assert not Review.objects.exists()


def test_manual_assignment_from_the_same_country_is_refused_when_the_call_says_so():
    world = review_world(exclude_same_country=True)
    application, reviewer = world.applications[0], world.reviewers[1]
    factories.CityMembershipFactory(
        user=reviewer, city=factories.CityFactory(country=application.city.country)
    )

    with pytest.raises(ApplicationError, match="same country"):
        reviewing.reviewers_assign(
            acting_user=world.admin, application=application, reviewers=[reviewer]
        )


def test_manual_assignment_refuses_a_person_who_is_not_a_reviewer_and_a_draft():
    world = review_world()
    officer = factories.UserFactory(full_name="Olga Officer")

    with pytest.raises(ApplicationError, match="Olga Officer is not one"):
        reviewing.reviewers_assign(
            acting_user=world.admin, application=world.applications[0], reviewers=[officer]
        )
    draft = factories.ApplicationFactory(call=world.call)
    with pytest.raises(ApplicationError, match="Only submitted applications are reviewed"):
        reviewing.reviewers_assign(
            acting_user=world.admin, application=draft, reviewers=[world.reviewers[0]]
        )


def test_unassign_removes_an_assigned_review_but_keeps_a_submitted_one():
    world = review_world()
    assigned = factories.ReviewFactory(
        application=world.applications[0], reviewer=world.reviewers[0]
    )
    submitted = factories.ReviewFactory(
        application=world.applications[0],
        reviewer=world.reviewers[1],
        status=ReviewStatus.SUBMITTED,
    )

    reviewing.review_unassign(acting_user=world.admin, review=assigned)
    with pytest.raises(ApplicationError, match="submitted: it stays"):
        reviewing.review_unassign(acting_user=world.admin, review=submitted)

    assert list(Review.objects.values_list("pk", flat=True)) == [submitted.pk]


# --- Reviewing ----------------------------------------------------------------------------------


@pytest.fixture
def assigned():
    world = review_world()
    review = factories.ReviewFactory(application=world.applications[0], reviewer=world.reviewers[0])
    world.extra["review"] = review
    return world


def _scores(review) -> dict[int, int]:
    return dict(Score.objects.filter(review=review).values_list("criterion_id", "points"))


def test_save_draft_keeps_the_scores_and_sends_nothing(assigned):
    review = assigned.extra["review"]
    first, second = assigned.criteria
    heard = []
    signals.review_changed.connect(heard.append, dispatch_uid="test-heard", weak=False)
    try:
        reviewing.review_save(
            acting_user=review.reviewer,
            review=review,
            points={first.pk: "2", second.pk: ""},
            comment=" Good ",
        )
    finally:
        signals.review_changed.disconnect(dispatch_uid="test-heard")

    review.refresh_from_db()
    assert (review.status, review.comment, review.submitted_at) == (
        ReviewStatus.ASSIGNED,
        "Good",
        None,
    )
    assert _scores(review) == {first.pk: 2}
    assert heard == []


def test_submit_lists_what_is_missing_and_saves_nothing(assigned):
    review = assigned.extra["review"]
    first, second = assigned.criteria

    with pytest.raises(reviewing.ReviewIncomplete) as refusal:
        reviewing.review_submit(acting_user=review.reviewer, review=review, points={first.pk: "3"})

    assert refusal.value.criteria == [second]
    assert refusal.value.message == (
        "Score every criterion before you submit. Not scored yet: Criterion 2."
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.ASSIGNED and _scores(review) == {}


def test_submit_and_change_send_review_changed_inside_the_transaction(assigned):
    review = assigned.extra["review"]
    first, second = assigned.criteria
    heard = []

    def listener(sender, review, **kwargs):
        heard.append((review.pk, review.status, connection.in_atomic_block))

    signals.review_changed.connect(listener, dispatch_uid="test-listener", weak=False)
    try:
        reviewing.review_submit(
            acting_user=review.reviewer, review=review, points={first.pk: 3, second.pk: 1}
        )
        reviewing.review_save(
            acting_user=review.reviewer, review=review, points={first.pk: 2, second.pk: 1}
        )
    finally:
        signals.review_changed.disconnect(dispatch_uid="test-listener")

    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED and review.submitted_at is not None
    assert _scores(review) == {first.pk: 2, second.pk: 1}
    assert heard == [(review.pk, ReviewStatus.SUBMITTED, True)] * 2


def test_changing_a_submitted_review_keeps_it_complete(assigned):
    review = assigned.extra["review"]
    first, second = assigned.criteria
    reviewing.review_submit(
        acting_user=review.reviewer, review=review, points={first.pk: 3, second.pk: 1}
    )

    with pytest.raises(reviewing.ReviewIncomplete):
        reviewing.review_save(
            acting_user=review.reviewer, review=review, points={first.pk: 3, second.pk: ""}
        )

    assert _scores(review) == {first.pk: 3, second.pk: 1}


@pytest.mark.parametrize("points", ["4", "-1", "three", 99])
def test_a_score_outside_the_scale_is_refused_and_nothing_stored_is_lost(assigned, points):
    review = assigned.extra["review"]
    first, second = assigned.criteria
    reviewing.review_save(
        acting_user=review.reviewer, review=review, points={first.pk: "1"}, comment="Kept"
    )

    with pytest.raises(ApplicationError) as refusal:
        reviewing.review_save(
            acting_user=review.reviewer,
            review=review,
            points={first.pk: "2", second.pk: points},
            comment="New",
        )

    assert refusal.value.message == "Criterion 2 is scored from 0 to 3 points."
    review.refresh_from_db()
    assert review.comment == "Kept" and _scores(review) == {first.pk: 1}


def test_a_score_for_another_calls_criterion_is_refused(assigned):
    review = assigned.extra["review"]
    other = factories.CriterionFactory()

    with pytest.raises(ApplicationError, match="criterion this call does not have"):
        reviewing.review_save(acting_user=review.reviewer, review=review, points={other.pk: "1"})


def test_nobody_changes_a_submitted_review_after_the_deadline(assigned):
    review = assigned.extra["review"]
    first, second = assigned.criteria
    reviewing.review_submit(
        acting_user=review.reviewer, review=review, points={first.pk: 3, second.pk: 1}
    )
    past_deadline(assigned.call)

    for change in (
        lambda: reviewing.review_save(
            acting_user=review.reviewer, review=review, points={first.pk: 0}
        ),
        lambda: reviewing.review_recuse(acting_user=review.reviewer, review=review, reason="Late"),
    ):
        with pytest.raises(ApplicationError, match="can no longer be changed") as refusal:
            change()
        assert refusal.value.code == "closed"
    with pytest.raises(PermissionRefused):
        reviewing.review_save(acting_user=assigned.admin, review=review, points={first.pk: 0})
    assert _scores(review) == {first.pk: 3, second.pk: 1}


def test_only_the_reviewer_changes_their_review(assigned):
    review = assigned.extra["review"]

    for person in (assigned.reviewers[1], assigned.admin):
        with pytest.raises(PermissionRefused):
            reviewing.review_save(acting_user=person, review=review, points={})


def test_recusal_needs_a_reason_and_records_it(assigned):
    review = assigned.extra["review"]
    first, second = assigned.criteria
    reviewing.review_submit(
        acting_user=review.reviewer, review=review, points={first.pk: 3, second.pk: 1}
    )

    with pytest.raises(ApplicationError, match="Say why"):
        reviewing.review_recuse(acting_user=review.reviewer, review=review, reason="   ")
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED

    reviewing.review_recuse(
        acting_user=review.reviewer, review=review, reason=" My cousin works there "
    )

    review.refresh_from_db()
    assert (review.status, review.recusal_reason) == (ReviewStatus.RECUSED, "My cousin works there")
    assert review.recused_at is not None
    with pytest.raises(ApplicationError, match="recused yourself"):
        reviewing.review_save(acting_user=review.reviewer, review=review, points={first.pk: 1})


def test_a_withdrawn_application_is_no_longer_reviewed(assigned):
    review = assigned.extra["review"]
    type(review.application).objects.filter(pk=review.application_id).update(
        status=ApplicationStatus.WITHDRAWN
    )

    with pytest.raises(ApplicationError, match="withdrew"):
        reviewing.review_save(acting_user=review.reviewer, review=review, points={})


# --- Who sees what ------------------------------------------------------------------------------


def test_others_scores_are_hidden_until_one_submits_or_recuses(assigned):
    review = assigned.extra["review"]
    application = review.application
    first, second = assigned.criteria
    other = factories.ReviewFactory(application=application, reviewer=assigned.reviewers[1])
    reviewing.review_submit(
        acting_user=other.reviewer, review=other, points={first.pk: 1, second.pk: 1}
    )
    third = factories.ReviewFactory(application=application, reviewer=assigned.reviewers[2])

    assert not review.reviewer.has_perm("visits.view_other_scores", application)
    assert reviewing.other_reviews(user=review.reviewer, application=application) is None
    assert assigned.admin.has_perm("visits.view_other_scores", application)
    assert [
        r.pk for r in reviewing.other_reviews(user=assigned.admin, application=application)
    ] == [
        review.pk,
        other.pk,
        third.pk,
    ]

    reviewing.review_submit(
        acting_user=review.reviewer, review=review, points={first.pk: 2, second.pk: 2}
    )
    assert [
        r.pk for r in reviewing.other_reviews(user=review.reviewer, application=application)
    ] == [
        other.pk,
        third.pk,
    ]
    reviewing.review_recuse(acting_user=third.reviewer, review=third, reason="Conflict")
    assert assigned.reviewers[2].has_perm("visits.view_other_scores", application)
    # A reviewer of another application sees nothing of this one.
    outsider = factories.ReviewFactory(application=assigned.applications[1]).reviewer
    assert not outsider.has_perm("visits.view_other_scores", application)


def test_a_reviewer_never_sees_an_application_they_are_in_conflict_with(assigned):
    review = assigned.extra["review"]
    reviewer, application = review.reviewer, review.application
    assert set(applications_visible_to(user=reviewer)) == {application}
    assert set(reviewing.applications_under_review_visible_to(user=reviewer)) == {application}

    factories.CityMembershipFactory(user=reviewer, city=application.city)

    # They see it as an officer of the city now, never as its reviewer.
    assert not reviewing.applications_under_review_visible_to(user=reviewer).exists()
    assert not reviewing.reviews_of_reviewer(user=reviewer).exists()
    assert not reviewer.has_perm("visits.change_review", review)
    assert not reviewer.has_perm("visits.view_other_scores", application)


def test_same_country_conflict_hides_the_application_only_when_the_call_says_so(assigned):
    review = assigned.extra["review"]
    reviewer, application = review.reviewer, review.application
    factories.CityMembershipFactory(
        user=reviewer, city=factories.CityFactory(country=application.city.country)
    )
    assert reviewing.applications_under_review_visible_to(user=reviewer).exists()

    assigned.call.exclude_same_country = True
    assigned.call.save()

    assert not applications_visible_to(user=reviewer).exists()
    assert not reviewer.has_perm("visits.view_application", application)
    assert not reviewing.applications_under_review_visible_to(user=reviewer).exists()
    assert not reviewer.has_perm("visits.change_review", review)


def test_reviews_of_reviewer_counts_progress(assigned):
    review = assigned.extra["review"]
    first, _second = assigned.criteria
    reviewing.review_save(acting_user=review.reviewer, review=review, points={first.pk: 2})
    later_call = review_world(applications=1, reviewers=0, criteria=5).call
    type(later_call).objects.filter(pk=later_call.pk).update(
        review_deadline=assigned.call.review_deadline + __import__("datetime").timedelta(days=1)
    )
    later = factories.ReviewFactory(
        application=submitted_application(later_call), reviewer=review.reviewer
    )

    rows = list(reviewing.reviews_of_reviewer(user=review.reviewer))

    assert [(r.pk, r.scored, r.to_score) for r in rows] == [(review.pk, 1, 2), (later.pk, 0, 5)]


def test_reviews_of_reviewer_lists_what_is_still_to_score_before_what_is_done(assigned):
    review = assigned.extra["review"]
    first, second = assigned.criteria
    later_call = review_world(applications=1, reviewers=0, criteria=1).call
    type(later_call).objects.filter(pk=later_call.pk).update(
        review_deadline=assigned.call.review_deadline + datetime.timedelta(days=30)
    )
    later = factories.ReviewFactory(
        application=submitted_application(later_call), reviewer=review.reviewer
    )
    assert [r.pk for r in reviewing.reviews_of_reviewer(user=review.reviewer)] == [
        review.pk,
        later.pk,
    ]

    # Submitted, the earlier call's review moves behind the one still to score.
    reviewing.review_submit(
        acting_user=review.reviewer, review=review, points={first.pk: 2, second.pk: 3}
    )

    assert [r.pk for r in reviewing.reviews_of_reviewer(user=review.reviewer)] == [
        later.pk,
        review.pk,
    ]
