"""/api/v1/climate-actions/ and the cohort filter of /api/v1/cities/."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers

from cities import services
from cities.models import ClimateAction
from taxonomy.models import ThematicSector
from tests import factories
from tests.queries import session_queries

LIST = "/api/v1/climate-actions/"


def detail(action) -> str:
    return f"{LIST}{action.pk}/"


def payload(action) -> dict:
    action.refresh_from_db()
    return {
        "id": action.pk,
        "city": action.city_id,
        "city_name": action.city.name,
        "title": action.title,
        "sector": action.sector.slug,
        "implementation_stage": action.implementation_stage,
        "context": action.context,
        "description": action.description,
        "levers": [
            {
                "factor": lv.factor.slug,
                "key_drivers": lv.key_drivers,
                "key_barriers": lv.key_barriers,
            }
            for lv in action.levers.order_by("factor__position")
        ],
        "lessons_learned": action.lessons_learned,
        "recommendations": action.recommendations,
        # DRF writes times in the current time zone, as every endpoint does.
        "created_at": serializers.DateTimeField().to_representation(action.created_at),
        "updated_at": serializers.DateTimeField().to_representation(action.updated_at),
    }


def test_list_is_exact(client, reviewer, solar_roofs, mission_city):
    client.force_login(reviewer)

    response = client.get(LIST)

    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": solar_roofs.pk,
                "city": mission_city.pk,
                "city_name": "Guimaraes",
                "title": "Solar roofs on schools",
                "sector": "buildings",
                "implementation_stage": "implementing",
                "context": "Old schools with flat roofs.",
                "description": "Install PV on 20 school roofs.",
                "levers": [
                    {
                        "factor": "internal-governance",
                        "key_drivers": "Council mandate",
                        "key_barriers": "Slow permits",
                    },
                    {"factor": "funding-financing", "key_drivers": "EU grant", "key_barriers": ""},
                ],
                "lessons_learned": "Start with the structural survey.",
                "recommendations": ["Map the roofs first", "Involve the pupils"],
                "created_at": payload(solar_roofs)["created_at"],
                "updated_at": payload(solar_roofs)["updated_at"],
            }
        ],
    }


def test_list_filters_by_city_and_sector(
    client, reviewer, author, solar_roofs, mission_city, buildings
):
    energy = ThematicSector.objects.get(slug="energy")
    mannheim = factories.CityFactory(name="Mannheim", is_mission_city=True)
    heat = services.climate_action_create(
        acting_user=author, city=mannheim, title="Heat network", sector=energy
    )
    grid = services.climate_action_create(
        acting_user=author, city=mission_city, title="Smart grid", sector=energy
    )
    client.force_login(reviewer)

    def titles(query):
        return [row["title"] for row in client.get(LIST, query).json()["results"]]

    # By city name, then title.
    assert titles({}) == ["Smart grid", "Solar roofs on schools", "Heat network"]
    assert titles({"city": mission_city.pk}) == ["Smart grid", "Solar roofs on schools"]
    assert titles({"sector": "energy"}) == ["Smart grid", "Heat network"]
    assert titles({"city": mannheim.pk, "sector": "energy"}) == ["Heat network"]
    assert titles({"city": mannheim.pk, "sector": "buildings"}) == []
    assert titles({"city": 2**63 - 1}) == []
    energy_ids = [row["id"] for row in client.get(LIST, {"sector": "energy"}).json()["results"]]
    assert energy_ids == [grid.pk, heat.pk]


def _list_queries(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    return len(queries), response.json()["count"]


def test_list_query_count_does_not_grow(
    client, reviewer, author, solar_roofs, mission_city, factors
):
    client.force_login(reviewer)
    one, count_one = _list_queries(client)
    for number in range(12):
        services.climate_action_create(
            acting_user=author,
            city=factories.CityFactory(is_mission_city=True),
            title=f"Action {number}",
            sector=solar_roofs.sector,
            levers=[services.LeverInput(factor=factor) for factor in factors[:3]],
        )

    many, count_many = _list_queries(client)

    assert (count_one, count_many) == (1, 13)
    # (Session,) user, the actions' data version (the cached page's key: cities/api.py), count,
    # the page, and its levers with their factors.
    assert one == many == session_queries() + 5
    # The page kept: (session,) user and the data version.
    assert _list_queries(client) == (session_queries() + 2, 13)


def test_retrieve_is_exact(client, officer, solar_roofs):
    client.force_login(officer)

    response = client.get(detail(solar_roofs))

    assert response.json() == payload(solar_roofs)


def test_anonymous_gets_401(client, solar_roofs):
    assert client.get(LIST).status_code == 401
    assert client.post(LIST, {}, content_type="application/json").status_code == 401


def new_action(city, **overrides) -> dict:
    body = {
        "city": city.pk,
        "title": "Cycle streets",
        "sector": "buildings",
        "implementation_stage": "planned",
        "description": "Streets where bikes come first.",
        "levers": [{"factor": "citizen-engagement", "key_barriers": "Parking fights"}],
        "recommendations": ["Start near schools", ""],
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize("role", ["officer", "facilitator"])
def test_create_by_allowed_people(client, mission_officer, mission_city, buildings, role):
    user = mission_officer if role == "officer" else factories.UserFactory(is_facilitator=True)
    client.force_login(user)

    response = client.post(LIST, new_action(mission_city), content_type="application/json")

    assert response.status_code == 201
    action = ClimateAction.objects.get()
    assert response.json() == payload(action)
    assert (action.title, action.recommendations) == ("Cycle streets", ["Start near schools"])
    assert (action.created_by, action.updated_by) == (user, user)
    assert response.json()["levers"] == [
        {"factor": "citizen-engagement", "key_drivers": "", "key_barriers": "Parking fights"}
    ]


@pytest.mark.parametrize("role", ["other_city_officer", "reviewer"])
def test_create_by_other_people_is_403(client, mission_city, buildings, role):
    user = (
        factories.city_officer(city=factories.CityFactory(is_mission_city=True))
        if role == "other_city_officer"
        else factories.UserFactory(is_reviewer=True)
    )
    client.force_login(user)

    response = client.post(LIST, new_action(mission_city), content_type="application/json")

    assert response.status_code == 403
    assert response.json()["error"]["message"] == "You may not write climate actions for this city."
    assert not ClimateAction.objects.exists()


def test_create_refusals_come_from_the_service(client, facilitator, mission_city, solar_roofs):
    lisbon = factories.CityFactory(name="Lisbon")
    client.force_login(facilitator)

    six = client.post(
        LIST,
        new_action(mission_city, recommendations=["a", "b", "c", "d", "e", "f"]),
        content_type="application/json",
    )
    duplicate = client.post(
        LIST,
        new_action(mission_city, title="Solar roofs on schools"),
        content_type="application/json",
    )
    not_mission = client.post(LIST, new_action(lisbon), content_type="application/json")

    assert (six.status_code, six.json()["error"]["fields"]) == (
        400,
        {"recommendations": ["A climate action has at most 5 recommendations; you gave 6."]},
    )
    assert (duplicate.status_code, duplicate.json()["error"]["fields"]) == (
        400,
        {"title": ["Guimaraes already has a climate action called “Solar roofs on schools”."]},
    )
    assert (not_mission.status_code, not_mission.json()["error"]["code"]) == (
        400,
        "not_mission_city",
    )
    assert ClimateAction.objects.count() == 1


def test_patch_by_the_city_officer_keeps_what_it_does_not_mention(
    client, mission_officer, solar_roofs
):
    client.force_login(mission_officer)

    response = client.patch(
        detail(solar_roofs),
        {"implementation_stage": "completed", "city": 999},
        content_type="application/json",
    )

    assert response.status_code == 200
    action = ClimateAction.objects.get(pk=solar_roofs.pk)
    assert response.json() == payload(action)
    assert (action.implementation_stage, action.city_id, action.title) == (
        "completed",
        solar_roofs.city_id,
        "Solar roofs on schools",
    )
    assert (action.created_by, action.updated_by) == (solar_roofs.created_by, mission_officer)
    assert action.recommendations == ["Map the roofs first", "Involve the pupils"]
    assert action.levers.count() == 2


def test_put_by_a_facilitator_replaces_everything(client, facilitator, solar_roofs):
    client.force_login(facilitator)

    response = client.put(
        detail(solar_roofs),
        {"title": "Solar roofs", "sector": "energy", "implementation_stage": "scaling"},
        content_type="application/json",
    )

    assert response.status_code == 200
    action = ClimateAction.objects.get(pk=solar_roofs.pk)
    assert (action.title, action.sector.slug, action.context, action.recommendations) == (
        "Solar roofs",
        "energy",
        "",
        [],
    )
    assert action.levers.count() == 0


@pytest.mark.parametrize("role", ["other_city_officer", "reviewer"])
def test_update_by_other_people_is_404(client, solar_roofs, role):
    user = (
        factories.city_officer(city=factories.CityFactory(is_mission_city=True))
        if role == "other_city_officer"
        else factories.UserFactory(is_reviewer=True)
    )
    client.force_login(user)

    response = client.patch(
        detail(solar_roofs), {"title": "Hijacked"}, content_type="application/json"
    )

    assert response.status_code == 404
    assert ClimateAction.objects.get(pk=solar_roofs.pk).title == "Solar roofs on schools"


def test_delete_is_not_offered(client, facilitator, solar_roofs):
    client.force_login(facilitator)

    assert client.delete(detail(solar_roofs)).status_code == 405


def test_cities_api_cohort_filter_uses_accepted_enrolments(client, cohort_lead, cohort):
    client.force_login(cohort_lead)

    response = client.get("/api/v1/cities/", {"cohort": cohort.pk})

    assert [city["name"] for city in response.json()["results"]] == ["Guimaraes", "Lisbon"]


INVALID_COHORT = {
    "error": {
        "status": 400,
        "code": "invalid",
        "message": "Some of the data is not valid.",
        "fields": {
            "cohort": ["Select a valid choice. That choice is not one of the available choices."]
        },
    }
}


@pytest.mark.parametrize("cohort_id", ["999999", "99999999999999999999999", "-1"])
def test_cities_api_unknown_cohort_is_400_at_the_field(client, cohort_lead, cohort, cohort_id):
    client.force_login(cohort_lead)

    response = client.get("/api/v1/cities/", {"cohort": cohort_id})

    assert (response.status_code, response.json()) == (400, INVALID_COHORT)


def test_cities_api_cohort_the_person_may_not_see_is_refused_like_an_unknown_one(
    client, reviewer, cohort
):
    client.force_login(reviewer)

    response = client.get("/api/v1/cities/", {"cohort": cohort.pk})

    assert (response.status_code, response.json()) == (400, INVALID_COHORT)


def test_cities_api_query_count_does_not_grow_and_skips_the_form_lists(client, cohort_lead, cohort):
    client.force_login(cohort_lead)
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/cities/", {"cohort": cohort.pk})
    for number in range(10):
        city = factories.CityFactory(name=f"Comune {number}")
        cohort.enrolments.create(city=city, status="accepted")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/v1/cities/", {"cohort": cohort.pk})

    assert response.json()["count"] == 12
    # (Session,) user, the cohort check, count, page, interests: no country or sector list.
    assert len(one) == len(many) == session_queries() + 5


@pytest.mark.parametrize(
    ("city_id", "message"),
    [
        ("99999999999999999999999",
         "Ensure this value is less than or equal to 9223372036854775807."),
        ("0", "Ensure this value is greater than or equal to 1."),
        ("Lisbon", "Enter a whole number."),
    ],
)  # fmt: skip
def test_list_city_filter_out_of_range_is_400_at_the_field(
    client, reviewer, solar_roofs, city_id, message
):
    client.force_login(reviewer)

    response = client.get(LIST, {"city": city_id})

    assert (response.status_code, response.json()) == (
        400,
        {
            "error": {
                "status": 400,
                "code": "invalid",
                "message": "Some of the data is not valid.",
                "fields": {"city": [message]},
            }
        },
    )
