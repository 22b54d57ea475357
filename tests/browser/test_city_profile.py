"""A city officer edits their city's profile from the city page, through links only: axe on
the edit page (empty, with an error, saved) and the profile showing what was saved."""

import pytest
from django.core.management import call_command

from taxonomy.models import ThematicSector
from tests import factories
from tests.browser.conftest import sign_in_as
from tests.browser.test_pages import assert_accessible_and_csp_clean

pytestmark = pytest.mark.browser


@pytest.fixture
def lisbon(transactional_db):
    call_command("seed_reference", verbosity=0)
    city = factories.CityFactory(
        name="Lisbon",
        country=factories.CountryFactory(iso_code="PT"),
        population=None,
        is_mission_city=True,
    )
    city.thematic_interests.set([ThematicSector.objects.get(slug="energy")])
    return city


def test_officer_edits_the_profile_of_their_city(page, lisbon):
    officer = factories.city_officer(city=lisbon, full_name="Luísa Lisbon")
    sign_in_as(page, officer, factories.PASSWORD)
    page.goto(f"/cities/{lisbon.pk}/")
    assert page.locator('[data-field="population"]').inner_text() == "Not known"

    page.get_by_role("link", name="Edit the profile").click()
    page.wait_for_url(f"**/cities/{lisbon.pk}/edit/")
    assert page.get_by_label("Energy").is_checked()
    assert_accessible_and_csp_clean(page)

    # A slip is refused at the field, with what was typed kept.
    page.get_by_label("Population").fill("0")
    page.get_by_label("Description").fill("Capital of Portugal, on the Tagus estuary.")
    page.get_by_role("button", name="Save the profile").click()
    page.wait_for_load_state()
    assert page.locator("#id_population_error").inner_text() == (
        "Ensure this value is greater than or equal to 1."
    )
    assert page.get_by_label("Description").input_value() == (
        "Capital of Portugal, on the Tagus estuary."
    )
    assert_accessible_and_csp_clean(page)

    page.get_by_label("Population").fill("545796")
    page.get_by_label("Buildings (Built Environment)").check()
    page.get_by_role("button", name="Save the profile").click()
    page.wait_for_url(f"**/cities/{lisbon.pk}/")

    assert page.locator('[data-field="population"]').inner_text() == "545,796"
    assert page.locator('[data-field="description"]').inner_text() == (
        "Capital of Portugal, on the Tagus estuary."
    )
    assert page.locator('[data-field="thematic_interests"]').inner_text() == (
        "Energy, Buildings (Built Environment)"
    )
    assert_accessible_and_csp_clean(page)
