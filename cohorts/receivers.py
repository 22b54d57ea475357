"""How cohorts answers the lower apps' hooks (connected in CohortsConfig.ready).

cities never imports cohorts (ARCHITECTURE.md): a city's profile asks, and this answers.
"""

from django.dispatch import receiver

from cities import signals as city_signals
from cohorts import selectors
from cohorts.models import Enrolment


@receiver(city_signals.city_profile, dispatch_uid="cohorts.city_profile_cohorts")
def city_profile_cohorts(sender, city, user, **kwargs):
    # The "Cohorts" part of the city profile.
    return {"enrolments": selectors.cohort_enrolments_of_city(city=city)}


@receiver(city_signals.facilitated_cities, dispatch_uid="cohorts.facilitated_cities")
def facilitated_cities(sender, user, **kwargs):
    # The cities with an enrolment, of any status, in a cohort this person leads or where they
    # facilitate a thematic group: those a facilitator invites officers to.
    return Enrolment.objects.filter(
        cohort__in=selectors.cohorts_facilitated_by(user=user).values("pk")
    ).values("city")
