"""The search-select widgets in a real browser: a facilitator enrols a city directly by typing
part of its name and choosing it with the keyboard, and gives a thematic group facilitators
by searching, removing one before saving."""

import datetime
import re

import pytest

from cohorts.enums import EnrolmentStatus
from cohorts.models import Enrolment
from cohorts.services import GroupSpec, cohort_create
from tests import factories
from tests.browser.conftest import sign_in_as
from tests.browser.test_pages import assert_accessible_and_csp_clean

pytestmark = pytest.mark.browser


def texts(locator) -> list[str]:
    """The text of each element, whitespace collapsed (the layout puts buttons on new lines)."""
    return [" ".join(text.split()) for text in locator.all_inner_texts()]


@pytest.fixture
def world(transactional_db):
    lead = factories.UserFactory(is_facilitator=True, full_name="Lea Lead")
    energy = factories.ThematicSectorFactory(slug="energy", name="Energy", position=1)
    today = datetime.date.today()
    cohort = cohort_create(
        programme="odg",
        number=5,
        name="Online Discussion Groups cohort 5",
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=170),
        acting_user=lead,
        groups=[GroupSpec(sector=energy)],
    )
    finland = factories.CountryFactory(iso_code="FI")
    espoo = factories.CityFactory(name="Espoo", country=finland)
    # Cities the search must leave out, or list after Espoo.
    factories.CityFactory(name="Vantaa", country=finland)
    factories.CityFactory(name="Esposende", country=factories.CountryFactory(iso_code="PT"))
    return {"lead": lead, "cohort": cohort, "espoo": espoo, "energy": energy}


def test_facilitator_enrols_a_city_by_searching_for_it(page, world):
    cohort, espoo = world["cohort"], world["espoo"]
    sign_in_as(page, world["lead"], factories.PASSWORD)
    page.goto(f"/cohorts/{cohort.pk}/enrolments/")

    search = page.get_by_role("searchbox", name="Search for a city")
    search.fill("Esp")
    results = page.locator("#id_city_results button")
    results.first.wait_for()
    assert results.all_inner_texts() == ["Espoo (FI)", "Esposende (PT)"]
    assert page.get_by_role("status").filter(has_text="found").inner_text() == "2 cities found."
    # The page with its results showing passes axe.
    assert_accessible_and_csp_clean(page)

    # Tab reaches the first result; Enter chooses it.
    search.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Espoo (FI)"
    page.keyboard.press("Enter")

    chosen = page.locator("#id_city_chosen li")
    assert texts(chosen) == ["Espoo (FI) Remove Espoo (FI)"]
    assert results.count() == 0
    assert page.locator("#id_city").input_value() == str(espoo.pk)
    assert_accessible_and_csp_clean(page)

    page.get_by_label("Energy", exact=True).check()
    page.get_by_role("button", name="Enrol the city").click()
    page.wait_for_url(re.compile(rf"/cohorts/{cohort.pk}/enrolments/$"))

    enrolment = Enrolment.objects.get(cohort=cohort)
    assert (enrolment.city, enrolment.status) == (espoo, EnrolmentStatus.ACCEPTED)
    assert page.locator(".messages").inner_text() == (
        "Espoo is enrolled in Online Discussion Groups cohort 5."
    )


def test_facilitator_gives_a_group_facilitators_by_searching(page, world):
    cohort, energy = world["cohort"], world["energy"]
    maria = factories.UserFactory(
        is_facilitator=True, full_name="Maria Rossi", organisation="Eurocities"
    )
    mario = factories.UserFactory(is_facilitator=True, full_name="Mario Bianchi")
    sign_in_as(page, world["lead"], factories.PASSWORD)
    page.goto(f"/cohorts/{cohort.pk}/edit/")

    search = page.get_by_role("searchbox", name="Search for a facilitator")
    for text, label in [("Maria", "Maria Rossi, Eurocities"), ("Bianchi", "Mario Bianchi")]:
        search.fill(text)
        page.get_by_role("button", name=label).click()
    chosen = page.locator(f"#id_facilitators_{energy.pk}_chosen li")
    assert texts(chosen) == [
        "Maria Rossi, Eurocities Remove Maria Rossi, Eurocities",
        "Mario Bianchi Remove Mario Bianchi",
    ]
    page.get_by_role("button", name="Remove Maria Rossi, Eurocities").click()
    assert texts(chosen) == ["Mario Bianchi Remove Mario Bianchi"]
    assert_accessible_and_csp_clean(page)

    page.get_by_role("button", name="Save the cohort").click()
    page.wait_for_url(re.compile(rf"/cohorts/{cohort.pk}/$"))

    group = cohort.thematic_groups.get(sector=energy)
    assert list(group.facilitators.all()) == [mario]
    assert maria not in group.facilitators.all()
