"""Hooks of cities, answered by the apps above (ARCHITECTURE.md, "Telling a higher app").

cities never imports cohorts or sessions: a city's profile shows its cohorts and sessions, and a
facilitator invites officers to the cities of their cohorts, because those apps answer these
hooks from their own `receivers.py`.
"""

from django.dispatch import Signal

# Hook: a city's profile page is being shown. Sent with `city` and `user` (who looks); each
# receiver returns a dict of template variables for its part of the page (cohorts.receivers:
# `enrolments`; sessions.receivers: `sessions`).
city_profile = Signal()

# Hook: which cities does this person work with as a facilitator? Sent with `user`; each
# receiver returns a queryset of city ids (a `values("city")` subquery, not evaluated), and
# cities.selectors.cities_facilitated_by takes the cities in any of them (cohorts.receivers:
# the cities enrolled, in any status, in the cohorts the person facilitates). A facilitator
# invites officers only to these cities (cities/rules.py).
facilitated_cities = Signal()
