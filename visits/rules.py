"""Who may do what with Group Study Visits: the one place that says it (issue 12).

- Programme admins run calls: they open and edit them, their visits and criteria, assign
  reviewers, run scoring, allocate and publish decisions; they see every application.
- City officers apply for their city to a call their city is eligible for (visits.selectors.
  eligible_cities), edit, submit and withdraw their city's application, and after a visit
  write its action plan. They see only their cities' applications.
- Reviewers score the applications assigned to them, never one of a city they are an officer
  of (nor of the same country when the call says so: assignment leaves those out), and may
  recuse. They see other reviewers' scores of an application only once they have submitted
  their own (or recused).
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


@rules.predicate
def is_officer_of_application_city(user, application):
    if application is None or not _authenticated(user):
        return False
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
    return (
        application.reviews.filter(reviewer=user).exists()
        and not application.city.memberships.filter(user=user).exists()
    )


rules.add_perm("visits.manage_call", is_programme_admin)
rules.add_perm("visits.apply", is_eligible_officer)
rules.add_perm(
    "visits.view_application",
    is_programme_admin | is_officer_of_application_city | is_assigned_reviewer,
)
rules.add_perm("visits.change_application", is_officer_of_application_city)


@rules.predicate
def decisions_published(user, application):
    from visits.enums import CallStatus

    return application is not None and application.call.status == CallStatus.PUBLISHED


rules.add_perm(
    "visits.view_application_score",
    is_programme_admin | (is_officer_of_application_city & decisions_published),
)
