"""Reads of cities. Every list a person sees comes from a `*_visible_to` selector."""

from django.db.models import QuerySet

from cities.models import City, Country


def cities_visible_to(*, user) -> QuerySet[City]:
    """Cities whose public profile a signed-in person may see: all of them.

    Officers, private notes and city data beyond the public profile have their own selectors.
    """
    if not user.is_authenticated:
        return City.objects.none()
    return City.objects.select_related("country").prefetch_related("thematic_interests")


def cities_of_officer(*, user) -> QuerySet[City]:
    """The cities this person is an officer of."""
    if not user.is_authenticated:
        return City.objects.none()
    return City.objects.filter(memberships__user=user).select_related("country").order_by("name")


def countries_visible_to(*, user) -> QuerySet[Country]:
    if not user.is_authenticated:
        return Country.objects.none()
    return Country.objects.all()
