"""templates/visits/_apply_button.html: the "Apply" action the call's page includes."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory

from tests import factories
from tests.visits.applying_world import applying_world
from visits import applying


@pytest.fixture
def world(db):
    return applying_world()


def button(world, user) -> str:
    request = RequestFactory().get(f"/visits/calls/{world.call.pk}/")
    request.user = user
    return render_to_string(
        "visits/_apply_button.html", {"call": world.call}, request=request
    ).strip()


def test_officer_gets_apply_then_continue(world):
    before = button(world, world.officer)
    application = applying.application_start(acting_user=world.officer, call=world.call)
    after = button(world, world.officer)

    assert f'action="/visits/calls/{world.call.pk}/apply/"' in before
    assert f'name="city" value="{world.city.pk}"' in before
    assert ">Apply</button>" in before
    assert f'href="/visits/applications/{application.pk}/"' in after
    assert "Continue the application of Lisbon" in after


def test_nobody_else_gets_a_button(world):
    facilitator = factories.UserFactory(is_facilitator=True)

    assert button(world, facilitator) == ""
    assert button(world, AnonymousUser()) == ""


def test_an_officer_of_two_eligible_cities_gets_one_button_each(world):
    factories.CityMembershipFactory(user=world.officer, city=world.other_city)

    content = button(world, world.officer)

    assert "Apply for Lisbon" in content
    assert "Apply for Porto" in content
