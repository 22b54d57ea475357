"""The pages and API lists of the cities app: the city directory (whole and filtered), a city's
profile and its edit form, the city search box, the climate action forms, the invitation form,
and the API lists of cities, countries and climate actions."""

from django.db.models import Count

from benchmarks.harness import benchmark, page, signed_in_client
from cities.enums import CityType
from cities.models import City, ClimateAction
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


def busiest_action_city() -> City:
    """The generated Mission City with the most climate actions, then the most officers: the
    longest profile (its officers, sessions and actions)."""
    return (
        scale_cities()
        .filter(is_mission_city=True)
        .annotate(
            action_count=Count("climate_actions", distinct=True),
            officer_count=Count("memberships", distinct=True),
        )
        .filter(officer_count__gt=0)
        .order_by("-action_count", "-officer_count", "pk")
        .first()
    )


def officer_of(city: City):
    """The first officer of `city` by email."""
    return city.officers.order_by("email").first()


def richest_action(city: City) -> ClimateAction:
    """The action of `city` with the most levers of change (the fullest edit form)."""
    return (
        city.climate_actions.annotate(lever_count=Count("levers"))
        .order_by("-lever_count", "pk")
        .first()
    )


def busiest_facilitator():
    """The generated facilitator who leads the cohorts with the most enrolments: the longest
    list of cities to invite officers to."""
    return (
        scale_users()
        .filter(is_facilitator=True)
        .annotate(enrolment_count=Count("facilitated_cohorts__enrolments"))
        .order_by("-enrolment_count", "email")
        .first()
    )


@benchmark("city directory: officer, no filter")
def city_directory():
    return page(signed_in_client(directory_officer()), "/cities/")


@benchmark("city directory: officer, country + type + name")
def city_directory_filtered():
    return page(signed_in_client(directory_officer()), filtered_path())


@benchmark("city detail: officer, city with the most climate actions")
def city_detail():
    city = busiest_action_city()
    return page(signed_in_client(officer_of(city)), f"/cities/{city.pk}/")


@benchmark("city profile form: officer, city with the most climate actions")
def city_profile_edit():
    city = busiest_action_city()
    return page(signed_in_client(officer_of(city)), f"/cities/{city.pk}/edit/")


@benchmark("city search: officer, ?q=<search term>")
def city_search():
    return page(signed_in_client(directory_officer()), f"/cities/search/?q={SEARCH_TERM}")


@benchmark("climate action form: officer, new action")
def climate_action_new():
    city = busiest_action_city()
    return page(signed_in_client(officer_of(city)), f"/cities/{city.pk}/actions/new/")


@benchmark("climate action form: officer, edit the action with the most levers")
def climate_action_edit():
    city = busiest_action_city()
    action = richest_action(city)
    return page(signed_in_client(officer_of(city)), f"/cities/actions/{action.pk}/edit/")


@benchmark("invitation form: programme admin")
def invitation_form_admin():
    admin = scale_users().filter(is_programme_admin=True).order_by("email").first()
    return page(signed_in_client(admin), "/invitations/new/")


@benchmark("invitation form: facilitator with the most enrolled cities")
def invitation_form_facilitator():
    return page(signed_in_client(busiest_facilitator()), "/invitations/new/")


@benchmark("API: GET /api/v1/countries/")
def api_countries():
    return page(signed_in_client(directory_officer()), "/api/v1/countries/")


@benchmark("API: GET /api/v1/climate-actions/")
def api_climate_actions():
    return page(signed_in_client(directory_officer()), "/api/v1/climate-actions/")
