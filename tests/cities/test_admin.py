"""The Django admin of cities: who changed a climate action, invitations, a person's cities."""

from django.urls import reverse

from cities.models import ClimateAction
from tests import factories


def test_a_climate_action_corrected_in_the_admin_records_the_admin_as_editor(
    client, programme_admin, author, solar_roofs
):
    client.force_login(programme_admin)

    response = client.post(
        reverse("admin:cities_climateaction_change", args=[solar_roofs.pk]),
        {
            "city": solar_roofs.city_id,
            "title": "Solar roofs on every school",
            "sector": solar_roofs.sector_id,
            "context": "",
            "description": "",
            "implementation_stage": "implementing",
            "lessons_learned": "",
            "recommendations": '["Map the roofs first"]',
            "created_at_0": "2026-11-30",
            "created_at_1": "10:00:00",
            "levers-TOTAL_FORMS": "0",
            "levers-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    action = ClimateAction.objects.get(pk=solar_roofs.pk)
    assert (action.title, action.created_by, action.updated_by) == (
        "Solar roofs on every school",
        author,
        programme_admin,
    )


def test_the_admin_lists_climate_actions_with_their_editor(client, programme_admin, solar_roofs):
    client.force_login(programme_admin)

    response = client.get(reverse("admin:cities_climateaction_changelist"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<th scope="col" class="sortable column-updated_by">' in html
    assert '<td class="field-updated_by nowrap">Carla Author</td>' in html


def test_the_admin_lists_invitations_under_cities(client, programme_admin):
    city = factories.CityFactory(name="Lisbon")
    client.force_login(programme_admin)
    client.post(reverse("invitation_create"), {"email": "ana@lisboa.example", "city": city.pk})

    response = client.get("/admin/cities/invitation/")

    assert response.status_code == 200
    assert [str(invitation) for invitation in response.context["cl"].result_list] == [
        f"ana@lisboa.example → {city}"
    ]


def test_a_persons_admin_page_lists_their_cities(client, programme_admin):
    lisbon = factories.CityFactory(name="Lisbon")
    officer = factories.city_officer(city=lisbon)
    client.force_login(programme_admin)

    response = client.get(reverse("admin:accounts_user_change", args=[officer.pk]))

    (memberships,) = [
        formset
        for formset in response.context["inline_admin_formsets"]
        if formset.formset.prefix == "city_memberships"
    ]
    assert [form.instance.city for form in memberships.formset.forms] == [lisbon]
