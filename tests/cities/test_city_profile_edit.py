"""The city profile edit page /cities/<id>/edit/ and its service: who may edit, what an officer
may change (population, description, thematic interests) and what stays the admins', bad input,
and what the page costs in queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cities import services
from cities.models import City
from portal.errors import ApplicationError
from portal.permissions import PermissionRefused
from taxonomy.models import ThematicSector
from tests import factories
from tests.cities.test_profile import text_of
from tests.portal_pages.helpers import sign_in
from tests.queries import session_queries


def edit_url(city) -> str:
    return f"/cities/{city.pk}/edit/"


@pytest.fixture
def mobility(reference_data):
    return ThematicSector.objects.get(slug="sustainable-mobility")


@pytest.fixture
def data(buildings, mobility) -> dict:
    return {
        "population": "156789",
        "description": "A UNESCO World Heritage city\nthat is greening its historic centre.",
        "thematic_interests": [buildings.pk, mobility.pk],
    }


def sector_slugs(city) -> list[str]:
    return sorted(city.thematic_interests.values_list("slug", flat=True))


def test_officer_edits_the_profile_of_their_city(client, mission_officer, mission_city, data):
    sign_in(client, mission_officer)

    response = client.post(edit_url(mission_city), data)

    assert (response.status_code, response["Location"]) == (302, f"/cities/{mission_city.pk}/")
    mission_city.refresh_from_db()
    assert (mission_city.population, mission_city.description) == (
        156789,
        "A UNESCO World Heritage city\nthat is greening its historic centre.",
    )
    assert sector_slugs(mission_city) == ["buildings", "sustainable-mobility"]


def test_the_profile_shows_the_edit_at_once_with_a_message(
    client, mission_officer, mission_city, data
):
    mission_city.population = None
    mission_city.save()
    sign_in(client, mission_officer)
    # The profile is drawn, and kept, before the edit.
    assert "Population Not known" in text_of(client.get(f"/cities/{mission_city.pk}/"))

    response = client.post(edit_url(mission_city), data, follow=True)

    text = text_of(response)
    assert "Profile of Guimaraes saved." in text
    assert "Population 156,789" in text
    assert "A UNESCO World Heritage city that is greening its historic centre." in text
    assert "<br>that is greening" in response.content.decode()


def test_edit_page_shows_the_current_values(client, mission_officer, mission_city, buildings):
    mission_city.population = 156000
    mission_city.description = "Cradle of Portugal."
    mission_city.save()
    mission_city.thematic_interests.set([buildings])
    sign_in(client, mission_officer)

    response = client.get(edit_url(mission_city))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="population" value="156000"' in html
    assert ">\nCradle of Portugal.</textarea>" in html
    assert f'name="thematic_interests" value="{buildings.pk}"' in html
    checked = [sector for sector in ThematicSector.objects.all() if f'value="{sector.pk}"' in html]
    assert len(checked) == ThematicSector.objects.count()
    assert html.count(" checked>") == 1


@pytest.mark.parametrize("role", ["programme_admin", "officer_and_facilitator"])
def test_admin_and_an_officer_who_facilitates_edit_the_profile(
    client, mission_city, mission_officer, data, role
):
    if role == "programme_admin":
        user = factories.UserFactory(is_programme_admin=True)
    else:
        user = mission_officer
        user.is_facilitator = True
        user.save()
    sign_in(client, user)

    assert (
        f'href="/cities/{mission_city.pk}/edit/"'
        in client.get(f"/cities/{mission_city.pk}/").content.decode()
    )
    response = client.post(edit_url(mission_city), data)

    assert response.status_code == 302
    mission_city.refresh_from_db()
    assert mission_city.population == 156789


@pytest.mark.parametrize("role", ["other_city_officer", "facilitator", "reviewer"])
def test_other_people_get_404_and_no_edit_link(client, mission_city, data, role):
    if role == "other_city_officer":
        user = factories.city_officer(city=factories.CityFactory(is_mission_city=True))
    else:
        user = factories.UserFactory(**{f"is_{role}": True})
    sign_in(client, user)

    assert client.get(edit_url(mission_city)).status_code == 404
    assert client.post(edit_url(mission_city), data).status_code == 404
    assert "/edit/" not in client.get(f"/cities/{mission_city.pk}/").content.decode()
    mission_city.refresh_from_db()
    assert (mission_city.population, mission_city.description) == (100000, "")
    assert sector_slugs(mission_city) == []


def test_edit_page_needs_sign_in(client, mission_city):
    response = client.get(edit_url(mission_city))

    assert (response.status_code, response["Location"]) == (
        302,
        f"/accounts/login/?next={edit_url(mission_city)}",
    )


def test_officer_form_has_no_admin_fields_and_posting_them_changes_nothing(
    client, mission_officer, mission_city, data
):
    sign_in(client, mission_officer)
    html = client.get(edit_url(mission_city)).content.decode()
    data.update(
        {
            "name": "Renamed",
            "country": factories.CountryFactory(iso_code="ES").pk,
            "is_mission_city": "",
            "is_mission_minded": "on",
            "is_pilot_city": "on",
            "is_twin_city": "on",
            "contract_status": "signed",
        }
    )

    client.post(edit_url(mission_city), data)

    for field in ["name", "country", "is_mission", "is_pilot", "is_twin", "contract_status"]:
        assert f'name="{field}' not in html
    city = City.objects.get(pk=mission_city.pk)
    assert (
        city.name,
        city.country.iso_code,
        city.is_mission_city,
        city.is_mission_minded,
        city.is_pilot_city,
        city.is_twin_city,
        city.contract_status,
        city.population,
    ) == ("Guimaraes", "PT", True, False, False, False, "mission_label", 156789)


@pytest.mark.parametrize(
    ("population", "message"),
    [
        ("0", "Ensure this value is greater than or equal to 1."),
        ("-5", "Ensure this value is greater than or equal to 1."),
        ("50000001", "Ensure this value is less than or equal to 50000000."),
        ("12.5", "Give the population as a whole number, such as 156000."),
        ("about 150k", "Give the population as a whole number, such as 156000."),
        ("99999999999999999999999", "Ensure this value is less than or equal to 50000000."),
    ],
)
def test_bad_population_is_refused_at_the_field_and_nothing_saved_is_lost(
    client, mission_officer, mission_city, buildings, data, population, message
):
    mission_city.population = 150000
    mission_city.description = "Saved before."
    mission_city.save()
    mission_city.thematic_interests.set([buildings])
    sign_in(client, mission_officer)
    data["population"] = population

    response = client.post(edit_url(mission_city), data)

    assert response.status_code == 200
    assert response.context["form"].errors == {"population": [message]}
    html = response.content.decode()
    # What was typed is shown again, to correct it.
    assert ">\nA UNESCO World Heritage city\nthat is greening its historic centre.</textarea>" in (
        html
    )
    mission_city.refresh_from_db()
    assert (mission_city.population, mission_city.description) == (150000, "Saved before.")
    assert sector_slugs(mission_city) == ["buildings"]


def test_a_too_long_description_is_refused_at_the_field(
    client, mission_officer, mission_city, data
):
    sign_in(client, mission_officer)
    data["description"] = "x" * 2001

    response = client.post(edit_url(mission_city), data)

    assert response.context["form"].errors == {
        "description": ["Ensure this value has at most 2000 characters (it has 2001)."]
    }
    mission_city.refresh_from_db()
    assert mission_city.description == ""


def test_an_unknown_sector_is_refused_at_the_field(client, mission_officer, mission_city, data):
    sign_in(client, mission_officer)
    data["thematic_interests"] = ["999999"]

    response = client.post(edit_url(mission_city), data)

    assert response.context["form"].errors == {
        "thematic_interests": ["Select a valid choice. 999999 is not one of the available choices."]
    }


def test_empty_population_and_description_clear_them(
    client, mission_officer, mission_city, buildings
):
    mission_city.population = 150000
    mission_city.description = "Old text."
    mission_city.save()
    mission_city.thematic_interests.set([buildings])
    sign_in(client, mission_officer)

    client.post(edit_url(mission_city), {"population": "", "description": "  "})

    mission_city.refresh_from_db()
    assert (mission_city.population, mission_city.description) == (None, "")
    assert sector_slugs(mission_city) == []


# The service, for callers other than the page.


def test_service_refuses_people_who_may_not_edit(mission_city, facilitator):
    with pytest.raises(PermissionRefused) as refused:
        services.city_profile_update(
            acting_user=facilitator,
            city=mission_city,
            population=1000,
            description="",
            thematic_interests=[],
        )

    assert refused.value.message == "You may not edit the profile of this city."
    mission_city.refresh_from_db()
    assert mission_city.population == 100000


@pytest.mark.parametrize(
    ("population", "description", "field", "message"),
    [
        (0, "", "population", "The population must be a whole number between 1 and 50,000,000."),
        ("12", "", "population", "Give the population as a whole number, such as 156000."),
        (True, "", "population", "Give the population as a whole number, such as 156000."),
        (
            10,
            "y" * 2001,
            "description",
            "The description can be at most 2000 characters long (it has 2001).",
        ),
    ],
)
def test_service_validates_and_leaves_the_city_as_it_was(
    mission_city, mission_officer, population, description, field, message
):
    with pytest.raises(ApplicationError) as refused:
        services.city_profile_update(
            acting_user=mission_officer,
            city=mission_city,
            population=population,
            description=description,
            thematic_interests=[],
        )

    assert (refused.value.field, refused.value.message) == (field, message)
    assert (mission_city.population, mission_city.description) == (100000, "")
    mission_city.refresh_from_db()
    assert (mission_city.population, mission_city.description) == (100000, "")


# Queries.


def test_edit_page_query_count(client, mission_officer, mission_city, buildings, mobility):
    mission_city.thematic_interests.set([buildings, mobility])
    sign_in(client, mission_officer)
    url = edit_url(mission_city)

    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))

    # Cold: (session,) user, the city among those the officer may edit, the cities' data
    # version, the city's interests (the form's initial), the sectors offered.
    # Kept: the form is neither built nor drawn.
    assert counts == [session_queries() + 5, session_queries() + 3]


def test_edit_form_kept_shows_the_profile_as_last_saved(
    client, mission_officer, mission_city, buildings, data
):
    sign_in(client, mission_officer)
    client.get(edit_url(mission_city))
    services.city_profile_update(
        acting_user=mission_officer,
        city=mission_city,
        population=157000,
        description="Saved elsewhere.",
        thematic_interests=[buildings],
    )

    html = client.get(edit_url(mission_city)).content.decode()

    assert 'name="population" value="157000"' in html
    assert ">\nSaved elsewhere.</textarea>" in html
    assert html.count(" checked>") == 1


def test_a_renamed_sector_shows_on_the_kept_form(client, mission_officer, mission_city, buildings):
    sign_in(client, mission_officer)
    client.get(edit_url(mission_city))
    buildings.name = "Buildings and districts"
    buildings.save()

    assert "Buildings and districts" in client.get(edit_url(mission_city)).content.decode()


def test_profile_page_asks_no_more_queries_for_the_edit_link(
    client, mission_officer, reviewer, mission_city
):
    """The edit link is decided from the rule the page already asks (who works with the city):
    the officer's kept profile costs what the reviewer's does, who gets no link."""
    pages = {}
    for user in (reviewer, mission_officer):
        sign_in(client, user)
        client.get(f"/cities/{mission_city.pk}/")  # draws and keeps the parts
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/cities/{mission_city.pk}/")
        pages[user] = (len(queries), response.content.decode().count("/edit/"))

    # (session,) user, the city, is the person an officer of it, the data versions.
    assert pages == {
        reviewer: (session_queries() + 4, 0),
        mission_officer: (session_queries() + 4, 1),
    }
