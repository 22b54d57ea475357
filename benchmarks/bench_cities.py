"""The city directory (/cities/), whole and filtered, as a city officer sees it."""

from django.db.models import Count

from benchmarks.harness import benchmark, page, signed_in_client
from cities.enums import CityType
from devdata.scale import scale_cities, scale_users

# A search term as typed into the name box: it matches about one generated name in twenty.
SEARCH_TERM = "42"


def directory_officer():
    """The first generated city officer (a user with no other role who represents a city)."""
    return (
        scale_users()
        .filter(
            is_programme_admin=False,
            is_facilitator=False,
            is_reviewer=False,
            city_memberships__isnull=False,
        )
        .order_by("email")
        .first()
    )


def busiest_country() -> str:
    """The ISO code of the country with the most generated cities (the longest filtered list)."""
    return (
        scale_cities()
        .values("country__iso_code")
        .annotate(total=Count("pk"))
        .order_by("-total", "country__iso_code")
        .values_list("country__iso_code", flat=True)
        .first()
    )


def filtered_path() -> str:
    return (
        f"/cities/?country={busiest_country()}&type={CityType.MISSION_MINDED.value}"
        f"&name={SEARCH_TERM}"
    )


@benchmark("city directory: officer, no filter")
def city_directory():
    return page(signed_in_client(directory_officer()), "/cities/")


@benchmark("city directory: officer, country + type + name")
def city_directory_filtered():
    return page(signed_in_client(directory_officer()), filtered_path())
