"""Who may do what, for roles and accounts. Each app's rules.py builds on these predicates."""

import rules


@rules.predicate
def is_city_officer(user):
    return user.is_authenticated and user.city_memberships.exists()


@rules.predicate
def is_facilitator(user):
    return user.is_authenticated and user.is_facilitator


@rules.predicate
def is_reviewer(user):
    return user.is_authenticated and user.is_reviewer


@rules.predicate
def is_programme_admin(user):
    """The one "is an admin" question of the portal (rules, selectors, services, views)."""
    return bool(user is not None and user.is_authenticated and user.has_admin_role)


is_staff_member = is_facilitator | is_programme_admin

# Inviting a city officer to a city. Which cities (a facilitator: only those of their cohorts)
# is decided by accounts.services.invitation_cities_for, which needs the city, not only the user.
rules.add_perm("accounts.add_invitation", is_staff_member)
rules.add_perm("accounts.view_invitation", is_staff_member)
