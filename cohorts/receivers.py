"""How cohorts answers the lower apps' hooks (connected in CohortsConfig.ready).

cities never imports cohorts (ARCHITECTURE.md): a city's profile asks, and this answers.
"""

from django.dispatch import receiver

from cities import signals as city_signals
from cohorts import selectors


@receiver(city_signals.city_profile, dispatch_uid="cohorts.city_profile_cohorts")
def city_profile_cohorts(sender, city, user, **kwargs):
    # The "Cohorts" part of the city profile.
    return {"enrolments": selectors.cohort_enrolments_of_city(city=city)}
