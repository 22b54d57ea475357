"""Who may do what with cohorts and enrolments.

This file alone says it, programme admins included: each rule names them
(`accounts.rules.is_programme_admin`), since accounts.backends.ProgrammeAdminBackend grants them
only the Django admin's model permissions. What a cohort's state forbids (asking to join a cohort
that has ended, deciding an enrolment twice) is refused by cohorts.services, to admins as well.
"""

import rules

from accounts.rules import is_city_officer, is_facilitator, is_programme_admin
from cities.models import CityMembership
from cities.rules import is_officer_of_city
from cohorts.enums import EnrolmentStatus
from cohorts.models import Cohort, Enrolment, ThematicGroup

# The predicates read the facilitator tables directly: `cohort.facilitators` builds a related
# manager class on every access, which cost more than the query itself on every cohort page.


def _leads(user, cohort) -> bool:
    return Cohort.facilitators.through.objects.filter(cohort_id=cohort.pk, user_id=user.pk).exists()


@rules.predicate
def is_cohort_facilitator(user, cohort):
    """Lead facilitator of the cohort, or facilitator of one of its thematic groups."""
    if cohort is None or not user.is_authenticated:
        return False
    return (
        _leads(user, cohort)
        or ThematicGroup.objects.filter(cohort_id=cohort.pk, facilitators=user.pk).exists()
    )


@rules.predicate
def is_cohort_lead(user, cohort):
    if cohort is None or not user.is_authenticated:
        return False
    return _leads(user, cohort)


@rules.predicate
def is_officer_of_enrolled_city(user, cohort):
    """An officer of a city whose enrolment in the cohort is accepted (a request still waiting
    counts for nothing: cohorts.selectors.cohort_pages_visible_to says why)."""
    if cohort is None or not user.is_authenticated:
        return False
    return Enrolment.objects.filter(
        cohort_id=cohort.pk,
        status=EnrolmentStatus.ACCEPTED,
        city__in=CityMembership.objects.filter(user=user).values("city_id"),
    ).exists()


@rules.predicate
def is_officer_of(user, city):
    """An officer of this city; without a city (a menu, a list), an officer of any city."""
    if city is None:
        return is_city_officer(user)
    return is_officer_of_city(user, city)


rules.add_perm("cohorts.add_cohort", is_facilitator | is_programme_admin)
# Lead facilitators change the cohort's dates, phases and groups; a group facilitator runs a
# group inside it but does not reshape the cohort.
rules.add_perm("cohorts.change_cohort", is_programme_admin | is_cohort_lead)
# The facilitator's cohort page (cities, registrations, attendance). The list of cohorts an
# officer may join comes from cohorts.selectors.cohorts_visible_to instead.
rules.add_perm("cohorts.view_cohort", is_programme_admin | is_cohort_facilitator)
# The cohort's page as its participants see it: its phases, thematic groups and facilitators,
# its session programme, and their own cities' enrolment and roadmap; not the other cities'
# rows, requests or numbers, which stay with `cohorts.view_cohort`. The page finds the cohort
# with cohorts.selectors.cohort_pages_visible_to, which holds the same people.
rules.add_perm(
    "cohorts.view_cohort_programme",
    is_programme_admin | is_cohort_facilitator | is_officer_of_enrolled_city,
)
# The object is the cohort whose enrolments are decided (or where a city is enrolled directly).
rules.add_perm("cohorts.decide_enrolment", is_programme_admin | is_cohort_facilitator)
# The object is the city asking to join. Asking is the city's own act, so only its officers
# ask; programme admins (and the cohort's facilitators) enrol a city directly instead
# (decide_enrolment), so the request page, which offers the person's own cities, is not theirs.
rules.add_perm("cohorts.request_enrolment", is_officer_of)
