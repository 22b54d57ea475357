"""Who may do what with Group Study Visits: the one place that says it (issue 12).

- Programme admins run calls: they open and edit them, their visits and criteria, assign
  reviewers, run scoring, allocate and publish decisions; they see every application.
- City officers apply for their city to a call their city is eligible for (visits.selectors.
  eligible_cities), edit, submit and withdraw their city's application, and after a visit
  write its action plan. They see only their cities' applications.
- Reviewers score the applications assigned to them, never one of a city they are an officer
  of (nor of the same country when the call says so: assignment leaves those out), and may
  recuse (visits.change_review). They see other reviewers' scores of an application only once
  they have submitted their own (or recused): visits.view_other_scores; admins see them all.
- Facilitators see the calls open to their cohorts (not the applications).
- Scores ("why this score", visits/scoring.py; `visits.view_application_score`): admins see
  every application's lines, with the reviewers' names, and the ranking. A city's officers see
  their application's lines only once the call's decisions are published: before that the
  scores still move (reviews come in, criteria are reweighted) and would be read as a decision;
  they see the reviewers' points without their names. Reviewers see neither: the page shows
  every reviewer's points, which a reviewer may see only once their own is in, and the ranking
  of other cities is not theirs to read.
Whether a call is open (its dates and status) is the services' to say, with its own message.
"""

import rules

from accounts.rules import is_programme_admin


def _authenticated(user) -> bool:
    return user is not None and user.is_authenticated


# The names under which a page's query of applications also says whether the person is an
# officer of each one's city (`with_officer_answer`), so that the rule answers without asking.
OFFICER_ANSWER = "officer_of_city"
OFFICER_ASKED_FOR = "officer_of_city_asked_for"


def with_officer_answer(applications, user):
    """`applications` (a queryset) annotated with whether `user` is an officer of each
    application's city, in the same query: `is_officer_of_application_city` then answers for
    that person from the row read rather than with a query of its own."""
    from django.db.models import Value

    from visits.selectors import officer_of_application_city

    return applications.annotate(
        **{OFFICER_ANSWER: officer_of_application_city(user), OFFICER_ASKED_FOR: Value(user.pk)}
    )


@rules.predicate
def is_officer_of_application_city(user, application):
    if application is None or not _authenticated(user):
        return False
    # Read with the application for this very person (with_officer_answer): no second query.
    if getattr(application, OFFICER_ASKED_FOR, None) == user.pk:
        return getattr(application, OFFICER_ANSWER)
    return application.city.memberships.filter(user=user).exists()


@rules.predicate
def is_eligible_officer(user, call):
    """An officer of a city that may apply to the call."""
    if call is None or not _authenticated(user):
        return False
    from visits.selectors import eligible_cities

    return eligible_cities(call).filter(memberships__user=user).exists()


@rules.predicate
def is_assigned_reviewer(user, application):
    if application is None or not _authenticated(user):
        return False
    return application.reviews.filter(reviewer=user).exists() and not _conflicted(user, application)


rules.add_perm("visits.manage_call", is_programme_admin)
rules.add_perm("visits.apply", is_eligible_officer)
rules.add_perm(
    "visits.view_application",
    is_programme_admin | is_officer_of_application_city | is_assigned_reviewer,
)
rules.add_perm("visits.change_application", is_officer_of_application_city)


# --- The allocation's decisions and the action plan (visits/allocation.py, decisions.py,
# action_plans.py) ---
# Running the allocation, moving a city by hand and publishing are `visits.manage_call`.
# After its visit (its second day over), a city selected in a published call writes its action
# plan: its officers only (admins read it, and do not write it for the city).


@rules.predicate
def is_selected_after_visit(user, application):
    from django.utils import timezone

    from visits.enums import ApplicationStatus, CallStatus, Decision

    if application is None:
        return False
    visit = application.allocated_visit
    return (
        application.status == ApplicationStatus.SUBMITTED
        and application.decision == Decision.SELECTED
        and application.call.status == CallStatus.PUBLISHED
        and visit is not None
        and visit.ends_on < timezone.localdate()
    )


rules.add_perm("visits.write_action_plan", is_officer_of_application_city & is_selected_after_visit)
rules.add_perm("visits.view_action_plan", is_programme_admin | is_officer_of_application_city)


def _conflicted(user, application) -> bool:
    from visits.selectors import reviewer_conflicts

    return reviewer_conflicts(user=user, application=application)


@rules.predicate
def is_own_review(user, review):
    """The review is the person's own, of an application they are not in conflict with (a
    membership that came after the assignment makes one)."""
    if review is None or not _authenticated(user):
        return False
    return review.reviewer_id == user.pk and not _conflicted(user, review.application)


@rules.predicate
def has_reviewed_application(user, application):
    """The person submitted their review of the application, or recused from it: only then are
    the other reviewers' scores shown to them, so that they score without being swayed."""
    from visits.enums import ReviewStatus

    if application is None or not _authenticated(user):
        return False
    return application.reviews.filter(
        reviewer=user, status__in=[ReviewStatus.SUBMITTED, ReviewStatus.RECUSED]
    ).exists() and not _conflicted(user, application)


# Whether the review can still be changed (the call's review deadline, a recusal) is the
# services' to say, with its own message (visits/reviewing.py).
rules.add_perm("visits.change_review", is_own_review)
rules.add_perm("visits.view_other_scores", is_programme_admin | has_reviewed_application)


@rules.predicate
def decisions_published(user, application):
    from visits.enums import CallStatus

    return application is not None and application.call.status == CallStatus.PUBLISHED


rules.add_perm(
    "visits.view_application_score",
    is_programme_admin | (is_officer_of_application_city & decisions_published),
)
