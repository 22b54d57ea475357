"""Who may do what with Reflection Roadmaps: the one place that says it, programme admins
included (accounts.backends grants them nothing here).

- A roadmap is seen by the officers of its city, the facilitators of its cohort (lead or
  thematic group) and programme admins; nobody else (reviewers of study visits, facilitators of
  other cohorts, officers of other cities) - the pages and the API answer 404.
- The city's officers and programme admins write it and submit it while it is open (a draft, or
  returned to the city); once submitted or accepted nobody changes it, admins neither.
- The cohort's facilitators and admins comment on it, and return or accept it (only a submitted
  roadmap is returned or accepted: roadmaps.services says so, with its own message).
- The cohort's facilitators and admins export the cohort's roadmaps.

The services ask these permissions (portal.permissions.permission_check); the pages read them
with `user.has_perm` to show only what the services will allow.
"""

import rules

from accounts.rules import is_programme_admin
from roadmaps.enums import OPEN_STATUSES
from sessions.selectors import session_access_of

# Both ask the person's kept facts (sessions.selectors.session_access_of), as
# roadmaps.selectors.roadmap_for_user does: a page asks up to three of these rules, and each
# was a query of its own.


@rules.predicate
def is_roadmap_officer(user, roadmap):
    return (
        roadmap is not None
        and user is not None
        and user.is_authenticated
        and roadmap.city_id in session_access_of(user).cities
    )


@rules.predicate
def is_roadmap_facilitator(user, roadmap):
    """Lead facilitator of the roadmap's cohort or facilitator of one of its thematic groups
    (cohorts.rules.is_cohort_facilitator)."""
    return (
        roadmap is not None
        and user is not None
        and user.is_authenticated
        and roadmap.cohort_id in session_access_of(user).facilitated_cohorts
    )


@rules.predicate
def is_roadmap_cohort_facilitator(user, cohort):
    """cohorts.rules.is_cohort_facilitator, from the person's kept facts."""
    return (
        cohort is not None
        and user is not None
        and user.is_authenticated
        and cohort.pk in session_access_of(user).facilitated_cohorts
    )


@rules.predicate
def is_roadmap_open(user, roadmap):
    """A draft or returned to the city: the only states in which a roadmap changes."""
    return roadmap is not None and roadmap.status in OPEN_STATUSES


rules.add_perm(
    "roadmaps.view_roadmap", is_programme_admin | is_roadmap_officer | is_roadmap_facilitator
)
rules.add_perm(
    "roadmaps.change_roadmap", (is_programme_admin | is_roadmap_officer) & is_roadmap_open
)
rules.add_perm(
    "roadmaps.submit_roadmap", (is_programme_admin | is_roadmap_officer) & is_roadmap_open
)
rules.add_perm("roadmaps.comment_roadmap", is_programme_admin | is_roadmap_facilitator)
# Return or accept. A rule of people only: the page offers the decision on a submitted roadmap,
# and roadmaps.services refuses any other with "Only a submitted roadmap can be reviewed".
rules.add_perm("roadmaps.review_roadmap", is_programme_admin | is_roadmap_facilitator)
# The object is the cohort whose roadmaps are exported.
rules.add_perm(
    "roadmaps.export_cohort_roadmaps", is_programme_admin | is_roadmap_cohort_facilitator
)
