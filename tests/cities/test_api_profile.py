"""PATCH /api/v1/cities/<id>/: a city's officers and programme admins change its population,
description and thematic interests, as on its edit page, through the same service."""

import pytest

from cities.models import City
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def lisbon():
    city = factories.CityFactory(name="Lisbon", population=545_000, description="Before.")
    city.thematic_interests.set([factories.ThematicSectorFactory(slug="energy")])
    factories.ThematicSectorFactory(slug="mobility")
    return city


def _patch(client, user, city, body):
    client.force_login(user)
    return client.patch(f"/api/v1/cities/{city.pk}/", body, content_type="application/json")


def _profile(city) -> tuple:
    city = City.objects.get(pk=city.pk)
    return (
        city.population,
        city.description,
        sorted(city.thematic_interests.values_list("slug", flat=True)),
    )


def test_an_officer_changes_what_is_sent_and_keeps_the_rest(client, lisbon):
    officer = factories.city_officer(city=lisbon)

    response = _patch(client, officer, lisbon, {"description": "A port city on the Tagus."})

    assert response.status_code == 200
    assert response.json()["description"] == "A port city on the Tagus."
    assert _profile(lisbon) == (545_000, "A port city on the Tagus.", ["energy"])

    response = _patch(
        client, officer, lisbon, {"population": None, "thematic_interests": ["mobility"]}
    )

    assert response.status_code == 200
    assert _profile(lisbon) == (None, "A port city on the Tagus.", ["mobility"])


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"population": 0}, "population", "Ensure this value is greater than or equal to 1."),
        ({"population": "many"}, "population", "A valid integer is required."),
        (
            {"population": 60_000_000},
            "population",
            "Ensure this value is less than or equal to 50000000.",
        ),
        (
            {"thematic_interests": ["tourism"]},
            "thematic_interests",
            "There is no thematic sector “tourism”.",
        ),
        (
            {"description": "x" * 5_000},
            "description",
            "Ensure this field has no more than 2000 characters.",
        ),
    ],
    ids=["zero", "not-a-number", "too-many", "unknown-sector", "too-long"],
)
def test_bad_input_is_refused_and_changes_nothing(client, lisbon, body, field, message):
    officer = factories.city_officer(city=lisbon)

    response = _patch(client, officer, lisbon, body)

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {field: [message]}
    assert _profile(lisbon) == (545_000, "Before.", ["energy"])


def test_others_get_404_and_put_is_not_offered(client, lisbon):
    other_officer = factories.city_officer(city=factories.CityFactory(name="Porto"))
    facilitator = factories.UserFactory(is_facilitator=True)
    for person in (other_officer, facilitator):
        response = _patch(client, person, lisbon, {"description": "Not theirs."})
        assert response.status_code == 404
    admin = factories.UserFactory(is_programme_admin=True)
    client.force_login(admin)
    put = client.put(
        f"/api/v1/cities/{lisbon.pk}/", {"description": "x"}, content_type="application/json"
    )

    assert put.status_code == 405
    assert _profile(lisbon) == (545_000, "Before.", ["energy"])
