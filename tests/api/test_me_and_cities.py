"""GET /api/v1/me/, /api/v1/cities/ and /api/v1/countries/: exact payloads, filters, pagination."""

from datetime import timedelta

import pytest

from accounts.models import ApiToken
from cities.models import Country
from tests import factories
from tests.queries import session_queries


@pytest.fixture
def places(db):
    """Four cities in three countries, with thematic interests."""
    portugal = factories.CountryFactory(iso_code="PT")
    germany = factories.CountryFactory(iso_code="DE")
    spain = factories.CountryFactory(iso_code="ES")
    energy = factories.ThematicSectorFactory(slug="energy", name="Energy")
    mobility = factories.ThematicSectorFactory(slug="mobility", name="Sustainable mobility")
    cities = {
        "Guimaraes": factories.CityFactory(
            name="Guimaraes",
            country=portugal,
            population=156_000,
            is_mission_city=True,
            is_mission_minded=False,
            contract_status="mission_label",
        ),
        "Lisbon": factories.CityFactory(name="Lisbon", country=portugal, population=545_000),
        "Mannheim": factories.CityFactory(
            name="Mannheim",
            country=germany,
            population=315_000,
            is_mission_city=True,
            is_mission_minded=False,
            is_pilot_city=True,
        ),
        "Valencia": factories.CityFactory(name="Valencia", country=spain, population=790_000),
    }
    cities["Guimaraes"].thematic_interests.set([energy, mobility])
    cities["Lisbon"].thematic_interests.set([mobility])
    cities["Mannheim"].thematic_interests.set([energy])
    return cities


def names(response):
    return [city["name"] for city in response.json()["results"]]


def test_me_for_officer_of_two_cities_is_exact(client, places):
    user = factories.city_officer(
        city=places["Lisbon"], email="ana@example.org", full_name="Ana Silva"
    )
    user.organisation = "Câmara Municipal de Lisboa"
    user.save()
    factories.CityMembershipFactory(user=user, city=places["Guimaraes"])
    client.force_login(user)

    response = client.get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "email": "ana@example.org",
        "full_name": "Ana Silva",
        "organisation": "Câmara Municipal de Lisboa",
        "roles": ["city_officer"],
        "cities": [
            {"id": places["Guimaraes"].pk, "name": "Guimaraes", "country": "PT"},
            {"id": places["Lisbon"].pk, "name": "Lisbon", "country": "PT"},
        ],
    }


def test_me_for_facilitator_and_reviewer_lists_both_roles_and_no_city(client, db):
    user = factories.UserFactory(
        email="fac@example.org", full_name="Fa Cilitator", is_facilitator=True, is_reviewer=True
    )
    client.force_login(user)

    response = client.get("/api/v1/me/")

    assert response.json() == {
        "id": user.pk,
        "email": "fac@example.org",
        "full_name": "Fa Cilitator",
        "organisation": "",
        "roles": ["facilitator", "reviewer"],
        "cities": [],
    }


def test_me_with_token_authentication(client, officer):
    _token, secret = ApiToken.objects.create(user=officer, expiry=timedelta(days=1), name="me")

    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {secret}")

    assert response.status_code == 200
    assert response.json()["email"] == officer.email


def test_cities_list_is_exact_and_paginated(client, officer, places):
    client.force_login(officer)

    response = client.get("/api/v1/cities/", {"name": "guim"})

    assert response.status_code == 200
    guimaraes = places["Guimaraes"]
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": guimaraes.pk,
                "name": "Guimaraes",
                "country": {"id": guimaraes.country_id, "iso_code": "PT", "name": "Portugal"},
                "population": 156_000,
                "description": "",
                "types": ["mission"],
                "contract_status": "mission_label",
                "thematic_interests": ["energy", "mobility"],
            }
        ],
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["Guimaraes", "Lisbon", "Mannheim", "Valencia"]),
        ({"country": "pt"}, ["Guimaraes", "Lisbon"]),
        ({"country": "DE"}, ["Mannheim"]),
        ({"type": "mission"}, ["Guimaraes", "Mannheim"]),
        ({"type": "pilot"}, ["Mannheim"]),
        ({"type": "mission_minded"}, ["Lisbon", "Valencia"]),
        ({"type": "twin"}, []),
        ({"name": "an"}, ["Mannheim"]),
        ({"thematic_interest": "energy"}, ["Guimaraes", "Mannheim"]),
        ({"thematic_interest": "mobility", "country": "PT"}, ["Guimaraes", "Lisbon"]),
        ({"thematic_interest": "mobility", "type": "mission"}, ["Guimaraes"]),
        ({"ordering": "-population"}, ["Valencia", "Lisbon", "Mannheim", "Guimaraes"]),
        ({"search": "lis"}, ["Lisbon"]),
    ],
)
def test_cities_list_filters(client, facilitator, places, query, expected):
    client.force_login(facilitator)

    response = client.get("/api/v1/cities/", query)

    assert response.status_code == 200
    assert names(response) == expected


def test_cities_list_pages(client, facilitator, places):
    client.force_login(facilitator)

    first = client.get("/api/v1/cities/", {"page_size": 2}).json()
    second = client.get("/api/v1/cities/", {"page_size": 2, "page": 2}).json()
    assert second["next"] is None
    third = client.get("/api/v1/cities/", {"page_size": 2, "page": 3}).json()

    assert sorted(first) == ["count", "next", "previous", "results"]
    assert first["count"] == 4
    assert (first["previous"], first["next"]) == (
        None,
        "http://testserver/api/v1/cities/?page=2&page_size=2",
    )
    assert second["previous"] == "http://testserver/api/v1/cities/?page_size=2"
    assert third == {"error": {"status": 404, "code": "not_found", "message": "Invalid page."}}
    assert [c["name"] for c in first["results"] + second["results"]] == [
        "Guimaraes",
        "Lisbon",
        "Mannheim",
        "Valencia",
    ]


def test_city_detail_and_countries(client, officer, places):
    client.force_login(officer)
    lisbon = places["Lisbon"]

    detail = client.get(f"/api/v1/cities/{lisbon.pk}/").json()
    countries = client.get("/api/v1/countries/", {"iso_code": "pt"}).json()

    assert detail["name"] == "Lisbon"
    assert detail["thematic_interests"] == ["mobility"]
    assert countries == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [{"id": lisbon.country_id, "iso_code": "PT", "name": "Portugal"}],
    }


def test_countries_list_is_ordered_by_name(client, officer, places):
    client.force_login(officer)

    response = client.get("/api/v1/countries/")

    assert [c["name"] for c in response.json()["results"]] == sorted(
        Country.objects.values_list("name", flat=True)
    )


def make_cities(count: int):
    sectors = [factories.ThematicSectorFactory(slug=f"s{i}", name=f"S{i}") for i in range(3)]
    for index in range(count):
        city = factories.CityFactory(name=f"Town {index:02}")
        city.thematic_interests.set(sectors[: 1 + index % 3])


# (Session,) user, the cities' data version (the key of the cached page: cities/api.py), count,
# cities with their countries, and one prefetch of thematic interests.
CITIES_LIST_QUERIES = 5
# A page already kept: (session,) user and the data version only.
CACHED_CITIES_LIST_QUERIES = 2


@pytest.mark.parametrize("city_count", [1, 30])
def test_cities_list_query_count_does_not_grow(client, db, django_assert_num_queries, city_count):
    user = factories.UserFactory(is_facilitator=True)
    make_cities(city_count)
    client.force_login(user)

    with django_assert_num_queries(session_queries() + CITIES_LIST_QUERIES):
        response = client.get("/api/v1/cities/")

    assert response.json()["count"] == city_count
    assert len(response.json()["results"][-1]["thematic_interests"]) == 1 + (city_count - 1) % 3
    with django_assert_num_queries(session_queries() + CACHED_CITIES_LIST_QUERIES):
        again = client.get("/api/v1/cities/")
    assert again.content == response.content
