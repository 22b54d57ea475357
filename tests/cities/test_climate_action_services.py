"""cities.services.climate_action_create / climate_action_update: what they store and refuse."""

import pytest

from cities import services
from cities.models import ClimateAction
from portal.errors import ApplicationError
from portal.permissions import PermissionRefused
from taxonomy.models import ThematicSector
from tests import factories


def levers_of(action):
    return [
        (lever.factor.slug, lever.key_drivers, lever.key_barriers)
        for lever in action.levers.order_by("factor__position")
    ]


def test_create_stores_the_action_dropping_blank_recommendations(solar_roofs, mission_city):
    action = ClimateAction.objects.get(pk=solar_roofs.pk)

    assert (action.city, action.title, action.sector.slug) == (
        mission_city,
        "Solar roofs on schools",
        "buildings",
    )
    assert action.implementation_stage == "implementing"
    assert action.recommendations == ["Map the roofs first", "Involve the pupils"]
    assert levers_of(action) == [
        ("internal-governance", "Council mandate", "Slow permits"),
        ("funding-financing", "EU grant", ""),
    ]


def test_create_refuses_a_sixth_recommendation(author, mission_city, buildings):
    with pytest.raises(ApplicationError) as raised:
        services.climate_action_create(
            acting_user=author,
            city=mission_city,
            title="Heat pumps",
            sector=buildings,
            recommendations=["one", "two", "three", "four", "five", "six"],
        )

    assert raised.value.field == "recommendations"
    assert raised.value.message == ("A climate action has at most 5 recommendations; you gave 6.")
    assert not ClimateAction.objects.exists()


def test_create_accepts_five_recommendations_among_blanks(author, mission_city, buildings):
    action = services.climate_action_create(
        acting_user=author,
        city=mission_city,
        title="Heat pumps",
        sector=buildings,
        recommendations=["one", " ", "two", "three", "", "four", "five"],
    )

    assert action.recommendations == ["one", "two", "three", "four", "five"]


def test_create_refuses_a_title_the_city_already_uses(author, solar_roofs, mission_city, buildings):
    with pytest.raises(ApplicationError) as raised:
        services.climate_action_create(
            acting_user=author,
            city=mission_city,
            title="  solar ROOFS on schools ",
            sector=buildings,
        )

    assert raised.value.field == "title"
    assert raised.value.message == (
        "Guimaraes already has a climate action called “solar ROOFS on schools”."
    )
    assert ClimateAction.objects.count() == 1


def test_create_allows_the_same_title_in_another_city(author, solar_roofs, buildings):
    mannheim = factories.CityFactory(name="Mannheim", is_mission_city=True)

    action = services.climate_action_create(
        acting_user=author, city=mannheim, title="Solar roofs on schools", sector=buildings
    )

    assert action.city == mannheim


def test_create_refuses_a_blank_title(author, mission_city, buildings):
    with pytest.raises(ApplicationError) as raised:
        services.climate_action_create(
            acting_user=author, city=mission_city, title="   ", sector=buildings
        )

    assert (raised.value.field, raised.value.message) == (
        "title",
        "Give the climate action a title.",
    )


def test_create_refuses_a_city_that_is_not_a_mission_city(author, buildings):
    lisbon = factories.CityFactory(name="Lisbon", is_mission_city=False)

    with pytest.raises(ApplicationError) as raised:
        services.climate_action_create(
            acting_user=author, city=lisbon, title="Bike lanes", sector=buildings
        )

    assert (raised.value.field, raised.value.code, raised.value.message) == (
        "city",
        "not_mission_city",
        "Only Mission Cities present climate actions; Lisbon is not a Mission City.",
    )
    assert not ClimateAction.objects.exists()


def test_create_refuses_an_unknown_stage_and_a_repeated_lever(
    author, mission_city, buildings, factors
):
    with pytest.raises(ApplicationError) as stage:
        services.climate_action_create(
            acting_user=author,
            city=mission_city,
            title="A",
            sector=buildings,
            implementation_stage="dreaming",
        )
    with pytest.raises(ApplicationError) as lever:
        services.climate_action_create(
            acting_user=author,
            city=mission_city,
            title="B",
            sector=buildings,
            levers=[services.LeverInput(factor=factors[1]), services.LeverInput(factor=factors[1])],
        )

    assert stage.value.field == "implementation_stage"
    assert (lever.value.field, lever.value.message) == (
        "levers",
        "Give each lever of change only once.",
    )
    assert not ClimateAction.objects.exists()


def test_update_replaces_fields_and_levers(author, solar_roofs, factors, reference_data):
    energy = ThematicSector.objects.get(slug="energy")

    services.climate_action_update(
        acting_user=author,
        action=solar_roofs,
        title="Solar roofs on schools",
        sector=energy,
        context="",
        description="Now 40 roofs.",
        implementation_stage="scaling",
        lessons_learned="",
        recommendations=["Talk to the grid operator"],
        levers=[services.LeverInput(factor=factors[2], key_barriers="Low trust")],
    )

    action = ClimateAction.objects.get(pk=solar_roofs.pk)
    assert (action.sector.slug, action.description, action.implementation_stage) == (
        "energy",
        "Now 40 roofs.",
        "scaling",
    )
    assert action.recommendations == ["Talk to the grid operator"]
    assert levers_of(action) == [("citizen-engagement", "", "Low trust")]


def test_update_refuses_another_actions_title_and_changes_nothing(
    author, solar_roofs, mission_city, buildings
):
    heat = services.climate_action_create(
        acting_user=author, city=mission_city, title="Heat pumps", sector=buildings
    )

    with pytest.raises(ApplicationError) as raised:
        services.climate_action_update(
            acting_user=author,
            action=heat,
            title="Solar roofs on schools",
            sector=buildings,
            context="",
            description="changed",
            implementation_stage="planned",
            lessons_learned="",
            recommendations=[],
            levers=[],
        )

    assert raised.value.field == "title"
    assert heat.title == "Heat pumps"
    assert ClimateAction.objects.get(pk=heat.pk).description == ""


def test_update_refuses_a_sixth_recommendation(author, solar_roofs, buildings):
    with pytest.raises(ApplicationError) as raised:
        services.climate_action_update(
            acting_user=author,
            action=solar_roofs,
            title=solar_roofs.title,
            sector=buildings,
            context="",
            description="",
            implementation_stage="implementing",
            lessons_learned="",
            recommendations=["a", "b", "c", "d", "e", "f"],
            levers=[],
        )

    assert raised.value.field == "recommendations"
    assert ClimateAction.objects.get(pk=solar_roofs.pk).recommendations == [
        "Map the roofs first",
        "Involve the pupils",
    ]


def someone(role):
    """A person who may not write the climate actions of the `mission_city` fixture."""
    return {
        "nobody": lambda: None,
        "other_officer": lambda: factories.city_officer(
            city=factories.CityFactory(is_mission_city=True)
        ),
        "reviewer": lambda: factories.UserFactory(is_reviewer=True),
        "inactive_facilitator": lambda: factories.UserFactory(is_facilitator=True, is_active=False),
    }[role]()


@pytest.mark.parametrize("role", ["nobody", "other_officer", "reviewer", "inactive_facilitator"])
def test_create_without_permission_is_refused_and_stores_nothing(mission_city, buildings, role):
    with pytest.raises(PermissionRefused) as raised:
        services.climate_action_create(
            acting_user=someone(role), city=mission_city, title="Heat pumps", sector=buildings
        )

    assert raised.value.message == "You may not write climate actions for this city."
    assert not ClimateAction.objects.exists()


@pytest.mark.parametrize("role", ["nobody", "other_officer", "reviewer", "inactive_facilitator"])
def test_update_without_permission_is_refused_and_changes_nothing(
    author, solar_roofs, buildings, role
):
    with pytest.raises(PermissionRefused) as raised:
        services.climate_action_update(
            acting_user=someone(role),
            action=solar_roofs,
            title="Hijacked",
            sector=buildings,
            context="",
            description="",
            implementation_stage="planned",
            lessons_learned="",
            recommendations=[],
            levers=[],
        )

    assert raised.value.message == "You do not have permission to do this."
    assert solar_roofs.title == "Solar roofs on schools"
    stored = ClimateAction.objects.get(pk=solar_roofs.pk)
    assert (stored.title, stored.updated_by, stored.levers.count()) == (
        "Solar roofs on schools",
        author,
        2,
    )


def test_create_records_the_author_and_update_the_editor(
    mission_officer, facilitator, mission_city, buildings
):
    action = services.climate_action_create(
        acting_user=mission_officer, city=mission_city, title="Heat pumps", sector=buildings
    )
    created = ClimateAction.objects.get(pk=action.pk)

    services.climate_action_update(
        acting_user=facilitator,
        action=action,
        title="Heat pumps in schools",
        sector=buildings,
        context="",
        description="",
        implementation_stage="planned",
        lessons_learned="",
        recommendations=[],
        levers=[],
    )

    updated = ClimateAction.objects.get(pk=action.pk)
    assert (created.created_by, created.updated_by) == (mission_officer, mission_officer)
    assert (updated.created_by, updated.updated_by) == (mission_officer, facilitator)


def test_an_admin_writes_no_action_for_a_city_that_is_not_a_mission_city(
    programme_admin, buildings
):
    # The Mission City rule is a state of the city: it holds for programme admins too.
    lisbon = factories.CityFactory(name="Lisbon", is_mission_city=False)

    with pytest.raises(ApplicationError) as raised:
        services.climate_action_create(
            acting_user=programme_admin, city=lisbon, title="Bike lanes", sector=buildings
        )

    assert (raised.value.field, raised.value.code) == ("city", "not_mission_city")
    assert not ClimateAction.objects.exists()
