"""Hooks of cities, answered by the apps above (ARCHITECTURE.md, "Telling a higher app").

cities never imports cohorts or sessions: a city's profile shows its cohorts and sessions, and a
facilitator invites officers to the cities of their cohorts, because those apps answer these
hooks from their own `receivers.py`.
"""

from dataclasses import dataclass

from django.dispatch import Signal


@dataclass(frozen=True)
class ProfilePart:
    """An app's answer to `city_profile`: its part of a city's profile page.

    The page keeps these parts drawn (a cached fragment, templates/cities/city_detail.html), so
    the answer says what they show besides the variables themselves:
    - `context`: template variables, lazy (querysets), read only when the part is drawn afresh;
    - `scopes`: the data-version scopes (portal/fragments.py) of everything the variables show;
      the answering app raises them on every change of those rows;
    - `key`: whatever else changes what the part shows: the facts about `user` it depends on, or
      the time zone its times are written in. The city is in the page's path.
    """

    context: dict
    scopes: tuple[str, ...] = ()
    key: str = ""


# Hook: a city's profile page is being shown. Sent with `city` and `user` (who looks); each
# receiver returns a `ProfilePart` for its part of the page (cohorts.receivers: `enrolments`;
# sessions.receivers: `sessions`).
city_profile = Signal()

# Hook: which cities does this person work with as a facilitator? Sent with `user`; each
# receiver returns a queryset of city ids (a `values("city")` subquery, not evaluated), and
# cities.selectors.cities_facilitated_by takes the cities in any of them (cohorts.receivers:
# the cities enrolled, in any status, in the cohorts the person facilitates). A facilitator
# invites officers only to these cities (cities/rules.py).
facilitated_cities = Signal()
