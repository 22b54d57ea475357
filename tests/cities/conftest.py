"""Cities in three countries, a cohort with enrolments, and helpers to read the pages."""

import re
from html import unescape

import pytest

from cities import services
from cohorts.enums import EnrolmentStatus
from taxonomy.models import EnablingFactor, ThematicSector
from tests import factories


@pytest.fixture
def places(db):
    """Four cities in three countries, with types and thematic interests."""
    portugal = factories.CountryFactory(iso_code="PT")
    germany = factories.CountryFactory(iso_code="DE")
    spain = factories.CountryFactory(iso_code="ES")
    energy = factories.ThematicSectorFactory(slug="energy", name="Energy")
    mobility = factories.ThematicSectorFactory(slug="mobility", name="Sustainable mobility")
    cities = {
        "Guimaraes": factories.CityFactory(
            name="Guimaraes",
            country=portugal,
            population=156_000,
            is_mission_city=True,
            is_mission_minded=False,
            contract_status="mission_label",
        ),
        "Lisbon": factories.CityFactory(name="Lisbon", country=portugal, population=545_000),
        "Mannheim": factories.CityFactory(
            name="Mannheim",
            country=germany,
            population=315_000,
            is_mission_city=True,
            is_mission_minded=False,
            is_pilot_city=True,
            contract_status="submitted",
        ),
        "Valencia": factories.CityFactory(
            name="Valencia", country=spain, population=790_000, is_twin_city=True
        ),
    }
    cities["Guimaraes"].thematic_interests.set([energy, mobility])
    cities["Lisbon"].thematic_interests.set([mobility])
    cities["Mannheim"].thematic_interests.set([energy])
    return cities


@pytest.fixture
def cohort(places):
    """Cohort 1 with Guimaraes and Lisbon enrolled, Valencia still asking, Mannheim declined.

    The enrolment rows are written directly: the cohorts services belong to another part of
    the issue and only the resulting rows matter to the directory.
    """
    cohort = factories.CohortFactory(number=1, name="Online Discussion Groups cohort 1")
    for name, status in [
        ("Guimaraes", EnrolmentStatus.ACCEPTED),
        ("Lisbon", EnrolmentStatus.ACCEPTED),
        ("Valencia", EnrolmentStatus.REQUESTED),
        ("Mannheim", EnrolmentStatus.DECLINED),
    ]:
        factories.EnrolmentFactory(cohort=cohort, city=places[name], status=status)
    return cohort


@pytest.fixture
def cohort_lead(cohort):
    """A lead facilitator of the cohort: the cohort filter offers the cohorts a person may see."""
    lead = factories.UserFactory(is_facilitator=True, full_name="Lea Lead")
    cohort.facilitators.add(lead)
    return lead


@pytest.fixture
def factors(reference_data):
    """The eight enabling factors, in their seeded order."""
    return list(EnablingFactor.objects.order_by("position"))


@pytest.fixture
def buildings(reference_data):
    return ThematicSector.objects.get(slug="buildings")


@pytest.fixture
def mission_city(reference_data):
    return factories.CityFactory(
        name="Guimaraes",
        country=factories.CountryFactory(iso_code="PT"),
        is_mission_city=True,
        is_mission_minded=False,
        contract_status="mission_label",
    )


@pytest.fixture
def mission_officer(mission_city):
    return factories.city_officer(
        city=mission_city, email="ana@guimaraes.example.org", full_name="Ana Costa"
    )


@pytest.fixture
def author(db):
    """A facilitator who writes the climate actions the tests start from."""
    return factories.UserFactory(is_facilitator=True, full_name="Carla Author")


@pytest.fixture
def solar_roofs(author, mission_city, buildings, factors):
    return services.climate_action_create(
        acting_user=author,
        city=mission_city,
        title="Solar roofs on schools",
        sector=buildings,
        context="Old schools with flat roofs.",
        description="Install PV on 20 school roofs.",
        implementation_stage="implementing",
        lessons_learned="Start with the structural survey.",
        recommendations=["Map the roofs first", "", "Involve the pupils"],
        levers=[
            services.LeverInput(
                factor=factors[0], key_drivers="Council mandate", key_barriers="Slow permits"
            ),
            services.LeverInput(factor=factors[7], key_drivers="EU grant"),
        ],
    )


ROW_NAME = re.compile(r'<th scope="row"><a href="/cities/\d+/">(.*?)</a></th>')


def directory_names(response) -> list[str]:
    """The city names the directory page lists, in order."""
    return [unescape(name) for name in ROW_NAME.findall(response.content.decode())]
