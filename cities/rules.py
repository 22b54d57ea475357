import rules

from accounts.rules import is_programme_admin, is_staff_member


@rules.predicate
def is_officer_of_city(user, city):
    return (
        city is not None and user.is_authenticated and city.memberships.filter(user=user).exists()
    )


rules.add_perm("cities.view_city", rules.is_authenticated)
rules.add_perm("cities.view_country", rules.is_authenticated)
rules.add_perm("cities.view_city_officers", is_staff_member | is_officer_of_city)
rules.add_perm("cities.change_city", is_programme_admin)
