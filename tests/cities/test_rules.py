"""cities/rules.py for climate actions, by role: the table the pages and the API rely on."""

import pytest
from django.contrib.auth.models import AnonymousUser

from cities import services
from tests import factories

ROLES = ["anonymous", "own_officer", "other_officer", "facilitator", "reviewer", "admin"]

# fmt: off
PERMISSIONS = {
    #                             anon   own    other  facil. review admin
    "cities.view_climateaction":  (False, True,  True,  True,  True,  True),
    "cities.add_climateaction":   (False, True,  False, True,  False, True),
    "cities.change_climateaction": (False, True, False, True,  False, True),
    "cities.view_city_officers":  (False, True,  False, True,  False, True),
}
# fmt: on


def person(role, city):
    return {
        "anonymous": lambda: AnonymousUser(),
        "own_officer": lambda: factories.city_officer(city=city),
        "other_officer": lambda: factories.city_officer(),
        "facilitator": lambda: factories.UserFactory(is_facilitator=True),
        "reviewer": lambda: factories.UserFactory(is_reviewer=True),
        "admin": lambda: factories.UserFactory(is_programme_admin=True),
    }[role]()


@pytest.mark.parametrize(
    ("permission", "role", "expected"),
    [
        pytest.param(permission, role, expected, id=f"{permission} {role}")
        for permission, row in PERMISSIONS.items()
        for role, expected in zip(ROLES, row, strict=True)
    ],
)
def test_climate_action_rule_by_role(mission_city, buildings, permission, role, expected):
    action = services.climate_action_create(
        acting_user=factories.UserFactory(is_programme_admin=True),
        city=mission_city,
        title="Trees",
        sector=buildings,
    )
    user = person(role, mission_city)
    # add_* and view_city_officers are asked about the city, change_* about the action.
    obj = action if permission == "cities.change_climateaction" else mission_city

    assert user.has_perm(permission, obj) is expected
