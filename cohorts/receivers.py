"""How cohorts answers the lower apps' hooks (connected in CohortsConfig.ready).

cities never imports cohorts (ARCHITECTURE.md): a city's profile asks, and this answers.
"""

from django.dispatch import receiver
from django.utils.functional import SimpleLazyObject

from cities import signals as city_signals
from cohorts import selectors
from cohorts.models import Enrolment
from cohorts.versions import COHORTS


@receiver(city_signals.city_profile, dispatch_uid="cohorts.city_profile_cohorts")
def city_profile_cohorts(sender, city, user, **kwargs):
    # The "Cohorts" part of the city profile: the city's accepted enrolments, with their
    # cohorts' names and dates, the same for everyone. Every change of an enrolment or a
    # cohort raises COHORTS (cohorts/versions.py). The names link to the cohorts' pages the
    # person may open: `cohort_pages`, which sessions.receivers adds to the same fragment's
    # context and key (the facts it comes from are kept by sessions); without it, no links.
    return city_signals.ProfilePart(
        context={
            "enrolments": SimpleLazyObject(lambda: selectors.cohort_enrolments_of_city(city=city))
        },
        scopes=(COHORTS,),
    )


@receiver(city_signals.facilitated_cities, dispatch_uid="cohorts.facilitated_cities")
def facilitated_cities(sender, user, **kwargs):
    # The cities with an enrolment, of any status, in a cohort this person leads or where they
    # facilitate a thematic group: those a facilitator invites officers to.
    return Enrolment.objects.filter(
        cohort__in=selectors.cohorts_facilitated_by(user=user).values("pk")
    ).values("city")
