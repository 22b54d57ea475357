"""Reads of cities. Every list a person sees comes from a `*_visible_to` selector."""

from django.db.models import Case, Prefetch, Q, QuerySet, Value, When

from accounts.rules import is_programme_admin, is_staff_member
from cities import signals
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


def cities_facilitated_by(*, user) -> QuerySet[City]:
    """The cities this person works with as a facilitator, as the apps above answer the
    `facilitated_cities` hook (cohorts: cities enrolled in the cohorts they facilitate); none
    when no app answers. Whether the person is a facilitator is the caller's question."""
    if not user.is_authenticated:
        return City.objects.none()
    answers = [
        Q(pk__in=city_ids)
        for _receiver, city_ids in signals.facilitated_cities.send(sender=City, user=user)
    ]
    if not answers:
        return City.objects.none()
    condition = answers[0]
    for answer in answers[1:]:
        condition |= answer
    return City.objects.filter(condition)


def invitation_cities_for(*, user) -> QuerySet[City]:
    """The cities this person may invite officers to: every city for an admin; for a
    facilitator, the cities with an enrolment (of any status) in a cohort they lead or where
    they facilitate a thematic group; none for anyone else. The same rule as
    `cities.add_invitation` asked about a city, as a query.

    A facilitator already sees and works with these cities in their cohorts; any other city
    would give them (through the invitee's account) a way into cohorts run by someone else.
    """
    if is_programme_admin(user):
        return City.objects.all()
    if not (user.is_authenticated and user.is_facilitator):
        return City.objects.none()
    return cities_facilitated_by(user=user)


def cities_profile_editable_by(*, user) -> QuerySet[City]:
    """The cities whose profile this person may edit: every city for an admin, their own cities
    for an officer. The same rule as `cities.change_city_profile`, as a query."""
    if not user.is_authenticated:
        return City.objects.none()
    cities = City.objects.select_related("country")
    if is_programme_admin(user):
        return cities
    return cities.filter(memberships__user=user)


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
