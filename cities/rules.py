"""Who may do what with cities and their climate actions.

Decisions:
- Every signed-in person sees every city's public profile and every climate action: the actions
  are case studies Mission Cities present to their peers.
- A city's officers (names and emails) are visible to facilitators, programme admins and the
  city's own officers; officers of other cities see only the public profile.
- Climate actions are written by the officers of that city and by facilitators and programme
  admins. That the city must be a Mission City is a domain rule held by cities.services.
"""

import rules

from accounts.rules import is_programme_admin, is_staff_member


@rules.predicate
def is_officer_of_city(user, city):
    return (
        city is not None and user.is_authenticated and city.memberships.filter(user=user).exists()
    )


@rules.predicate
def is_officer_of_action_city(user, action):
    return (
        action is not None
        and user.is_authenticated
        and action.city.memberships.filter(user=user).exists()
    )


rules.add_perm("cities.view_city", rules.is_authenticated)
rules.add_perm("cities.view_country", rules.is_authenticated)
rules.add_perm("cities.view_city_officers", is_staff_member | is_officer_of_city)
rules.add_perm("cities.change_city", is_programme_admin)
rules.add_perm("cities.view_climateaction", rules.is_authenticated)
# The object is the city the action is for.
rules.add_perm("cities.add_climateaction", is_staff_member | is_officer_of_city)
# The object is the action.
rules.add_perm("cities.change_climateaction", is_staff_member | is_officer_of_action_city)
