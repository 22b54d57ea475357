"""Reads of cities. Every list a person sees comes from a `*_visible_to` selector."""

from django.db.models import Case, Prefetch, QuerySet, Value, When

from accounts.rules import is_staff_member
from cities.models import City, CityMembership, ClimateAction, ClimateActionLever, Country


def cities_visible_to(*, user) -> QuerySet[City]:
    """Cities whose public profile a signed-in person may see: all of them.

    Officers, private notes and city data beyond the public profile have their own selectors.
    """
    if not user.is_authenticated:
        return City.objects.none()
    return City.objects.select_related("country").prefetch_related("thematic_interests")


def city_directory(*, user) -> QuerySet[City]:
    """The city directory: every visible city in a stable order, so pages never overlap."""
    return cities_visible_to(user=user).order_by("name", "country__name", "pk")


def cities_matching(*, user, query: str) -> QuerySet[City]:
    """Visible cities whose name contains `query` (in any case), for the city search boxes.

    Names that start with it come first (typing "Lis" should offer Lisbon before Bilisht), each
    part ordered by name.
    """
    return (
        cities_visible_to(user=user)
        .prefetch_related(None)  # a label needs the name and country only
        .filter(name__icontains=query)
        .annotate(
            starts_with_query=Case(When(name__istartswith=query, then=Value(0)), default=Value(1))
        )
        .order_by("starts_with_query", "name", "country__iso_code", "pk")
    )


def cities_of_officer(*, user) -> QuerySet[City]:
    """The cities this person is an officer of."""
    if not user.is_authenticated:
        return City.objects.none()
    return City.objects.filter(memberships__user=user).select_related("country").order_by("name")


def city_officers(*, city: City) -> QuerySet[CityMembership]:
    """The officers of a city. Show them only to people with `cities.view_city_officers`."""
    return city.memberships.select_related("user").order_by("user__full_name", "user__email")


def _climate_actions_with_details() -> QuerySet[ClimateAction]:
    return ClimateAction.objects.select_related("city__country", "sector").prefetch_related(
        Prefetch("levers", queryset=ClimateActionLever.objects.select_related("factor"))
    )


def climate_actions_visible_to(*, user) -> QuerySet[ClimateAction]:
    """Climate actions a signed-in person may read: all of them (they are shared case studies)."""
    if not user.is_authenticated:
        return ClimateAction.objects.none()
    return _climate_actions_with_details().order_by("city__name", "title", "pk")


def climate_actions_editable_by(*, user) -> QuerySet[ClimateAction]:
    """Climate actions this person may edit: facilitators and admins all, officers their
    cities' ones. The same rule as `cities.change_climateaction`, as a query."""
    if not user.is_authenticated:
        return ClimateAction.objects.none()
    actions = _climate_actions_with_details().order_by("city__name", "title", "pk")
    if is_staff_member(user):
        return actions
    return actions.filter(city__memberships__user=user)


def countries_visible_to(*, user) -> QuerySet[Country]:
    if not user.is_authenticated:
        return Country.objects.none()
    return Country.objects.all()
