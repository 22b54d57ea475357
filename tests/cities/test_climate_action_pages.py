"""The pages that write climate actions: who may, what is stored, and bad input."""

import pytest

from cities.models import ClimateAction
from tests import factories
from tests.portal_pages.helpers import sign_in


def form_data(factors, **overrides) -> dict:
    data = {
        "title": "Heat pumps for social housing",
        "sector": "",
        "implementation_stage": "piloting",
        "context": "Gas boilers in 3,000 flats.",
        "description": "Replace boilers block by block.",
        "lessons_learned": "Tenants need a contact person.",
        "recommendation_1": "Start with one block",
        "recommendation_2": "",
        "recommendation_3": "Measure the bills",
        "recommendation_4": "",
        "recommendation_5": "",
        f"lever_{factors[3].pk}": "on",
        f"lever_{factors[3].pk}_drivers": "Trained installers",
        f"lever_{factors[3].pk}_barriers": "Few engineers",
    }
    data.update(overrides)
    return data


@pytest.fixture
def data(factors, buildings):
    return form_data(factors, sector=buildings.pk)


def new_url(city) -> str:
    return f"/cities/{city.pk}/actions/new/"


def edit_url(action) -> str:
    return f"/cities/actions/{action.pk}/edit/"


def test_new_page_offers_five_recommendations_and_the_eight_levers(
    client, mission_officer, mission_city
):
    sign_in(client, mission_officer)

    response = client.get(new_url(mission_city))

    assert response.status_code == 200
    html = response.content.decode()
    for number in range(1, 6):
        assert f'<label for="id_recommendation_{number}">Recommendation {number}:</label>' in html
    assert "recommendation_6" not in html
    assert html.count('<input type="checkbox" name="lever_') == 8
    assert "<legend>Funding and financing</legend>" in html


@pytest.mark.parametrize("role", ["officer", "facilitator", "programme_admin"])
def test_allowed_people_create_an_action(
    client, mission_officer, mission_city, factors, data, role
):
    user = mission_officer if role == "officer" else factories.UserFactory(**{f"is_{role}": True})
    sign_in(client, user)

    response = client.post(new_url(mission_city), data)

    action = ClimateAction.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cities/{mission_city.pk}/#action-{action.pk}"
    assert (action.city, action.title, action.implementation_stage) == (
        mission_city,
        "Heat pumps for social housing",
        "piloting",
    )
    assert action.recommendations == ["Start with one block", "Measure the bills"]
    assert [(lv.factor.slug, lv.key_drivers, lv.key_barriers) for lv in action.levers.all()] == [
        ("knowledge-capacities", "Trained installers", "Few engineers")
    ]
    assert (action.created_by, action.updated_by) == (user, user)


def test_a_sixth_recommendation_posted_anyway_is_ignored(
    client, mission_officer, mission_city, data
):
    sign_in(client, mission_officer)
    data.update({f"recommendation_{n}": f"tip {n}" for n in range(1, 7)})

    client.post(new_url(mission_city), data)

    assert ClimateAction.objects.get().recommendations == [f"tip {n}" for n in range(1, 6)]


@pytest.mark.parametrize("role", ["other_city_officer", "reviewer"])
def test_other_people_get_403_on_the_new_page(client, mission_city, data, role):
    user = (
        factories.city_officer(city=factories.CityFactory(is_mission_city=True))
        if role == "other_city_officer"
        else factories.UserFactory(is_reviewer=True)
    )
    sign_in(client, user)

    assert client.get(new_url(mission_city)).status_code == 403
    assert client.post(new_url(mission_city), data).status_code == 403
    assert not ClimateAction.objects.exists()


def test_new_page_of_a_city_that_is_not_a_mission_city_is_404(client, facilitator, reference_data):
    lisbon = factories.CityFactory(name="Lisbon")
    sign_in(client, facilitator)

    assert client.get(new_url(lisbon)).status_code == 404


def test_new_page_needs_sign_in(client, mission_city):
    response = client.get(new_url(mission_city))

    assert (response.status_code, response["Location"]) == (
        302,
        f"/accounts/login/?next={new_url(mission_city)}",
    )


def test_duplicate_title_is_shown_at_the_field_and_the_typed_values_are_kept(
    client, mission_officer, mission_city, solar_roofs, data
):
    sign_in(client, mission_officer)
    data["title"] = "SOLAR roofs on schools"

    response = client.post(new_url(mission_city), data)

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "title": ["Guimaraes already has a climate action called “SOLAR roofs on schools”."]
    }
    html = response.content.decode()
    assert (
        '<ul class="errorlist" id="id_title_error"><li>Guimaraes already has a climate action '
        "called “SOLAR roofs on schools”.</li></ul>" in html
    )
    assert 'name="title" value="SOLAR roofs on schools"' in html
    assert ">\nReplace boilers block by block.</textarea>" in html
    assert 'name="recommendation_3" value="Measure the bills"' in html
    assert ">\nTrained installers</textarea>" in html
    assert ClimateAction.objects.count() == 1


def test_lever_text_without_its_box_ticked_is_refused_not_dropped(
    client, mission_officer, mission_city, factors, data
):
    sign_in(client, mission_officer)
    data[f"lever_{factors[4].pk}_barriers"] = "Lowest-price rules"

    response = client.post(new_url(mission_city), data)

    assert response.context["form"].errors == {
        f"lever_{factors[4].pk}": [
            "You wrote drivers or barriers for “Procurement practices”: tick it to keep them, "
            "or clear the text."
        ]
    }
    assert ">\nLowest-price rules</textarea>" in response.content.decode()
    assert not ClimateAction.objects.exists()


def test_missing_title_is_refused_at_the_field(client, mission_officer, mission_city, data):
    sign_in(client, mission_officer)
    data["title"] = ""

    response = client.post(new_url(mission_city), data)

    assert response.context["form"].errors == {"title": ["This field is required."]}
    assert not ClimateAction.objects.exists()


def test_edit_page_shows_the_current_values(client, mission_officer, solar_roofs, factors):
    sign_in(client, mission_officer)

    response = client.get(edit_url(solar_roofs))

    html = response.content.decode()
    assert 'name="title" value="Solar roofs on schools"' in html
    assert 'name="recommendation_2" value="Involve the pupils"' in html
    assert f'name="lever_{factors[0].pk}" id="id_lever_{factors[0].pk}" checked' in html
    assert ">\nCouncil mandate</textarea>" in html


@pytest.mark.parametrize("role", ["officer", "facilitator", "programme_admin"])
def test_allowed_people_edit_an_action(client, mission_officer, solar_roofs, data, role):
    user = mission_officer if role == "officer" else factories.UserFactory(**{f"is_{role}": True})
    sign_in(client, user)
    data["title"] = "Solar roofs on all schools"

    response = client.post(edit_url(solar_roofs), data)

    assert (response.status_code, response["Location"]) == (
        302,
        f"/cities/{solar_roofs.city_id}/#action-{solar_roofs.pk}",
    )
    action = ClimateAction.objects.get(pk=solar_roofs.pk)
    assert (action.title, action.implementation_stage) == ("Solar roofs on all schools", "piloting")
    assert action.recommendations == ["Start with one block", "Measure the bills"]
    assert [lever.factor.slug for lever in action.levers.all()] == ["knowledge-capacities"]
    # The author stays; the editor is whoever saved last.
    assert (action.created_by, action.updated_by) == (solar_roofs.created_by, user)


@pytest.mark.parametrize("role", ["other_city_officer", "reviewer"])
def test_other_people_get_404_on_the_edit_page(client, solar_roofs, data, role):
    user = (
        factories.city_officer(city=factories.CityFactory(is_mission_city=True))
        if role == "other_city_officer"
        else factories.UserFactory(is_reviewer=True)
    )
    sign_in(client, user)

    assert client.get(edit_url(solar_roofs)).status_code == 404
    assert client.post(edit_url(solar_roofs), data).status_code == 404
    assert ClimateAction.objects.get(pk=solar_roofs.pk).title == "Solar roofs on schools"


def test_edit_page_of_unknown_action_is_404(client, facilitator):
    sign_in(client, facilitator)

    assert client.get("/cities/actions/999999/edit/").status_code == 404
