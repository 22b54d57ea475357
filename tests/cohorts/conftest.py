import datetime

import pytest

from cohorts import services
from cohorts.services import GroupSpec
from tests import factories


@pytest.fixture
def sectors(db):
    return {
        "energy": factories.ThematicSectorFactory(slug="energy", name="Energy", position=1),
        "buildings": factories.ThematicSectorFactory(
            slug="buildings", name="Buildings (Built Environment)", position=2
        ),
        "mobility": factories.ThematicSectorFactory(
            slug="sustainable-mobility", name="Sustainable mobility", position=3
        ),
    }


@pytest.fixture
def lead(db):
    return factories.UserFactory(is_facilitator=True, full_name="Lea Lead")


@pytest.fixture
def group_facilitator(db):
    return factories.UserFactory(is_facilitator=True, full_name="Gus Group")


@pytest.fixture
def cohort(db, sectors, lead, group_facilitator):
    """Online Discussion Groups cohort 1 with Energy and Sustainable mobility groups."""
    return services.cohort_create(
        programme="odg",
        number=1,
        name="Online Discussion Groups cohort 1",
        starts_on=datetime.date(2024, 9, 1),
        ends_on=datetime.date(2025, 2, 28),
        acting_user=lead,
        groups=[
            GroupSpec(sector=sectors["energy"], facilitators=[group_facilitator]),
            GroupSpec(sector=sectors["mobility"], facilitators=[]),
        ],
    )


@pytest.fixture
def lisbon(db):
    return factories.CityFactory(name="Lisbon", country=factories.CountryFactory(iso_code="PT"))


@pytest.fixture
def lisbon_officer(lisbon):
    return factories.city_officer(city=lisbon, email="ana@lisboa.pt", full_name="Ana Silva")
