"""GET /cities/search/?q=: the cities a search box offers, as JSON."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.portal_pages.helpers import sign_in


def search(client, query: str):
    response = client.get("/cities/search/", {"q": query})
    assert response.status_code == 200
    return response.json()


def test_city_search_finds_names_containing_the_text_those_starting_with_it_first(
    client, officer, places
):
    sign_in(client, officer)
    germany = places["Mannheim"].country
    heim = factories.CityFactory(name="Heimbach", country=germany)

    # "heim" starts Heimbach and is inside Mannheim; any case matches.
    assert search(client, "HEIM") == {
        "results": [
            {"id": heim.pk, "label": "Heimbach (DE)"},
            {"id": places["Mannheim"].pk, "label": "Mannheim (DE)"},
        ],
        "more": False,
    }


def test_city_search_same_name_in_two_countries_is_ordered_by_country(client, officer, places):
    sign_in(client, officer)
    spanish = factories.CityFactory(name="Lisbon", country=places["Valencia"].country)

    assert [row["label"] for row in search(client, "lisb")["results"]] == [
        "Lisbon (ES)",
        "Lisbon (PT)",
    ]
    assert search(client, "lisb")["results"][0]["id"] == spanish.pk


@pytest.mark.parametrize("query", ["", "a", " b ", "   "])
def test_city_search_shorter_than_two_characters_finds_nothing(client, officer, places, query):
    sign_in(client, officer)

    assert search(client, query) == {"results": [], "more": False}


def test_city_search_lists_twenty_and_says_there_are_more(client, officer):
    sign_in(client, officer)
    country = factories.CountryFactory(iso_code="FI")
    cities = [factories.CityFactory(name=f"Town {n:02d}", country=country) for n in range(21)]

    found = search(client, "town")

    assert found["results"] == [{"id": c.pk, "label": f"{c.name} (FI)"} for c in cities[:20]]
    assert found["more"] is True
    assert search(client, "town 2") == {
        "results": [{"id": cities[20].pk, "label": "Town 20 (FI)"}],
        "more": False,
    }


def test_city_search_is_for_signed_in_people(client, places):
    response = client.get("/cities/search/", {"q": "Lis"})

    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/login/?next=/cities/search/%3Fq%3DLis",
    )


def test_city_search_refuses_post(client, officer, places):
    sign_in(client, officer)

    assert client.post("/cities/search/", {"q": "Lis"}).status_code == 405


def test_city_search_queries_do_not_grow_with_matches(client, officer):
    sign_in(client, officer)
    country = factories.CountryFactory(iso_code="SE")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            search(client, "place")
        return len(captured)

    factories.CityFactory(name="Place 0", country=country)
    one = queries()
    for n in range(1, 30):
        factories.CityFactory(name=f"Place {n}", country=country)
    assert queries() == one
