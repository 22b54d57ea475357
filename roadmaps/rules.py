"""Who may do what with Reflection Roadmaps.

- A roadmap is seen by the officers of its city, the facilitators of its cohort (lead or
  thematic group) and programme admins; nobody else (reviewers of study visits, facilitators of
  other cohorts, officers of other cities) - the pages and the API answer 404.
- The city's officers write it while it is a draft or returned; nobody changes a submitted or
  accepted roadmap (roadmaps.services refuses it whatever the permission says, since programme
  admins hold every permission through accounts.backends.ProgrammeAdminBackend).
- The cohort's facilitators and admins comment, return and accept.
"""

import rules

from accounts.rules import is_programme_admin
from cohorts.rules import is_cohort_facilitator
from roadmaps.enums import RoadmapStatus


@rules.predicate
def is_roadmap_officer(user, roadmap):
    return (
        roadmap is not None
        and user is not None
        and user.is_authenticated
        and roadmap.city.memberships.filter(user=user).exists()
    )


@rules.predicate
def is_roadmap_facilitator(user, roadmap):
    return roadmap is not None and user is not None and is_cohort_facilitator(user, roadmap.cohort)


@rules.predicate
def is_roadmap_open(user, roadmap):
    return roadmap is not None and roadmap.status in (RoadmapStatus.DRAFT, RoadmapStatus.RETURNED)


def is_roadmap_editor(user, roadmap) -> bool:
    """May write the roadmap's content and submit it (its status is checked by the services)."""
    return (user is not None and is_programme_admin(user)) or is_roadmap_officer(user, roadmap)


def is_roadmap_reviewer(user, roadmap) -> bool:
    """May comment on, return and accept the roadmap."""
    return (user is not None and is_programme_admin(user)) or is_roadmap_facilitator(user, roadmap)


rules.add_perm(
    "roadmaps.view_roadmap", is_programme_admin | is_roadmap_officer | is_roadmap_facilitator
)
rules.add_perm(
    "roadmaps.change_roadmap", (is_programme_admin | is_roadmap_officer) & is_roadmap_open
)
rules.add_perm("roadmaps.review_roadmap", is_programme_admin | is_roadmap_facilitator)
# The object is the cohort whose roadmaps are exported.
rules.add_perm("roadmaps.export_cohort_roadmaps", is_programme_admin | is_cohort_facilitator)
