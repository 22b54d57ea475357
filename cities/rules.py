"""Who may do what with cities, their climate actions and the invitations of their officers.

Programme admins are named in each rule: the admins' backend grants them only the Django
admin's model permissions (accounts/backends.py).

Decisions:
- Every signed-in person sees every city's public profile and every climate action: the actions
  are case studies Mission Cities present to their peers.
- A city's officers (names and emails) are visible to facilitators, programme admins and the
  city's own officers; officers of other cities see only the public profile.
- Climate actions are written by the officers of that city and by facilitators and programme
  admins. That the city must be a Mission City is a domain rule held by cities.services, for
  admins too.
- A city's profile (population, description, thematic interests) is edited by the city's own
  officers and by programme admins (`cities.change_city_profile`): it is how the city presents
  itself. Facilitators do not edit it (they write climate actions with the city, but what the
  city says of itself is the city's). What the programme decides about a city stays with
  programme admins, in the Django admin (`cities.change_city`): its name and country, its types
  (Mission City, mission-minded, Pilot City, Twin City) and its Climate City Contract status.
- Officers are invited to a city by programme admins (any city) and facilitators (the cities of
  the cohorts they facilitate, which cohorts tells through the `facilitated_cities` hook).
  An invitation is accepted by a signed-in account only when it was sent to that account's
  address; a new address accepts through the link alone (the link is the credential).
"""

import rules

from accounts.rules import is_facilitator, is_programme_admin
from cities import selectors


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


@rules.predicate
def is_facilitator_of_city_or_no_city(user, city):
    """Asked without a city (the invitation page, the menu): yes. Asked about a city: whether it
    is one of the cities of the cohorts the person facilitates."""
    if city is None:
        return True
    return selectors.cities_facilitated_by(user=user).filter(pk=city.pk).exists()


@rules.predicate
def is_invitee(user, invitation):
    return (
        invitation is not None and user.is_authenticated and user.email.lower() == invitation.email
    )


# Who works with a city: the programme's staff and the city's own officers. They see its
# officers and write its climate actions (one rule, so a city's profile asks it once).
works_with_city = is_programme_admin | is_facilitator | is_officer_of_city

rules.add_perm("cities.view_city", rules.is_authenticated)
rules.add_perm("cities.view_country", rules.is_authenticated)
rules.add_perm("cities.view_city_officers", works_with_city)
rules.add_perm("cities.change_city", is_programme_admin)
# The object is the city: the fields its officers edit (cities.services.city_profile_update;
# cities.selectors.cities_profile_editable_by is the same rule as a query).
rules.add_perm("cities.change_city_profile", is_programme_admin | is_officer_of_city)
rules.add_perm("cities.view_climateaction", rules.is_authenticated)
# The object is the city the action is for.
rules.add_perm("cities.add_climateaction", works_with_city)
# The object is the action.
rules.add_perm(
    "cities.change_climateaction", is_programme_admin | is_facilitator | is_officer_of_action_city
)
# Without an object: whether the person invites officers at all. With a city: whether they may
# invite to that city (cities.selectors.invitation_cities_for is the same rule as a query).
rules.add_perm(
    "cities.add_invitation",
    is_programme_admin | (is_facilitator & is_facilitator_of_city_or_no_city),
)
rules.add_perm("cities.view_invitation", is_programme_admin | is_facilitator)
# The object is the invitation: only the account it was sent to accepts it with a signed-in
# account; nobody accepts for someone else, programme admins included.
rules.add_perm("cities.accept_invitation", is_invitee)
