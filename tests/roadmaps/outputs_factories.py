"""Roadmap data for the tests of the outputs (PDF, ZIP, cohort overview and summary).

Roadmaps are built as rows here (tests/factories.py's RoadmapFactory, not roadmap_field_save)
so that these tests describe only what the outputs do with saved fields, whatever the phase
dates of the cohort.
"""

from roadmaps.enums import RoadmapStatus
from taxonomy.reference import ENABLING_FACTORS
from tests import factories

SPOTLIGHT = (
    "Heating the historic centre without fossil gas: most buildings in the UNESCO area are "
    "heated by individual gas boilers and cannot take external insulation or rooftop panels."
)

# A typical roadmap: every field filled in with the length cities wrote in cohort 1.
TYPICAL = {
    "representative.first_name": "Inês",
    "representative.last_name": "Araújo",
    "representative.role": "Head of the climate unit",
    "representative.email": "ines.araujo@example.org",
    "phase1.overview": (
        "Climate neutrality by 2030 for the municipal buildings and by 2040 for the city. The "
        "action plan covers energy (renewable energy communities, district heating studies), "
        "buildings (renovation of schools and social housing), mobility (bus fleet, cycling "
        "network) and nature-based solutions, with governance, funding and citizen "
        "engagement as the main levers of change."
    ),
    "phase1.challenge": SPOTLIGHT,
    "phase1.cause_1": "Listed buildings limit insulation and visible equipment.",
    "phase1.cause_2": "Owners lack the money and advice to renovate.",
    "phase1.cause_3": "No heat network reaches the historic centre.",
    "phase1.consequence_1": "High emissions from the residential sector.",
    "phase1.consequence_2": "Energy poverty among older residents.",
    "phase1.consequence_3": "The centre loses residents to newer districts.",
    "phase1.in_place": (
        "A heritage office that advises owners, a renewable energy community pilot on two "
        "public buildings and a municipal energy agency."
    ),
    "phase1.missing": (
        "A financing scheme for private owners, technical guidance for heat pumps in listed "
        "buildings and a heat plan for the centre."
    ),
    "phase2_1.desirability": "high",
    "phase2_1.explanation": (
        "A similar energy community would let owners in the centre share the output of panels "
        "placed on public roofs outside the protected area, which our strategy already plans."
    ),
    "phase3.note": "We would start with the heat planning guidance and then ask for a mentor.",
}
REASONING = (
    "The city has a dedicated team and the political support of the mayor, but the national "
    "rules for listed buildings are strict and the procedures take long; we need to work with "
    "the regional heritage authority from the start."
)


def climate_action(*, cohort, title="Renewable energy communities", city_name="Guimarães"):
    """A climate action of a Mission City, presented in a session of `cohort`."""
    city = factories.CityFactory(
        name=city_name,
        country=factories.CountryFactory(iso_code="PT"),
        is_mission_city=True,
        is_mission_minded=False,
    )
    action = factories.ClimateActionFactory(
        city=city, title=title, sector=factories.ThematicSectorFactory(slug="energy")
    )
    factories.SessionPresentationFactory(
        session=factories.SessionFactory(cohort=cohort), city=city, climate_actions=[action]
    )
    return action


def netzerocities_services():
    return [
        factories.NetZeroCitiesServiceFactory(name="Climate Transition Map", position=1),
        factories.NetZeroCitiesServiceFactory(name="Heat planning guidance", position=2),
    ]


def typical_values(*, action=None, services=(), score=3) -> dict[str, str]:
    values = dict(TYPICAL)
    if action is not None:
        values["phase2_1.climate_action"] = str(action.pk)
    values["phase3.services"] = ",".join(str(service.pk) for service in services)
    for factor in ENABLING_FACTORS:
        values[f"phase2_2.score.{factor['slug']}"] = str(score)
    values["phase2_2.reasoning"] = REASONING
    return values


def roadmap_with(*, cohort, city, values=None, status=RoadmapStatus.DRAFT, percent=0):
    """A roadmap of `city` in `cohort` holding `values` (field key -> text)."""
    return factories.RoadmapFactory(
        cohort=cohort, city=city, status=status, percent_complete=percent, values=values
    )


def city_named(name: str, iso_code: str, country_name: str):
    country = factories.CountryFactory(iso_code=iso_code, name=country_name)
    return factories.CityFactory(name=name, country=country)
