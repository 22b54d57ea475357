import io

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cities.models import Country
from devdata.demo_cities import ANNEX_1_CITIES, MISSION_CITIES
from roadmaps.models import NetZeroCitiesService
from taxonomy.models import EnablingFactor, EnablingTheme, ThematicSector
from tests.seeds.snapshots import snapshot


def run(command: str, **options) -> str:
    out = io.StringIO()
    call_command(command, stdout=out, **options)
    return out.getvalue()


def test_seed_reference_loads_six_sectors_with_industry_offered_only(db):
    run("seed_reference")

    assert list(ThematicSector.objects.values_list("position", "slug", "name", "offered_only")) == [
        (1, "energy", "Energy", False),
        (2, "buildings", "Buildings (Built Environment)", False),
        (3, "sustainable-mobility", "Sustainable mobility", False),
        (4, "circular-economy", "Circular economy", False),
        (5, "nature-based-solutions", "Nature-based solutions", False),
        (6, "industry", "Industry", True),
    ]


def test_seed_reference_loads_eight_enabling_factors_in_roadmap_order(db):
    run("seed_reference")

    assert list(EnablingFactor.objects.values_list("name", flat=True)) == [
        "Internal governance and regulatory framework",
        "Stakeholder engagement",
        "Citizen engagement",
        "Knowledge/capacities",
        "Procurement practices",
        "Data and digitalisation",
        "Technology and industry",
        "Funding and financing",
    ]
    assert list(EnablingFactor.objects.values_list("position", flat=True)) == list(range(1, 9))


def test_seed_reference_loads_five_enabling_themes_in_order(db):
    run("seed_reference")

    assert list(EnablingTheme.objects.values_list("name", flat=True)) == [
        "Policy and governance",
        "Implementation practices",
        "Culture, social innovation and participation",
        "Finance and business models",
        "Strategic learning",
    ]


def test_seed_reference_gives_every_taxon_a_description(db):
    run("seed_reference")

    for model in (ThematicSector, EnablingFactor, EnablingTheme):
        assert list(model.objects.filter(description="")) == []


def test_seed_reference_loads_countries_with_iso_codes_and_diacritics(db):
    run("seed_reference")

    codes = dict(Country.objects.values_list("iso_code", "name"))
    assert len(codes) == 38
    assert {code: codes[code] for code in ("TR", "GB", "MD", "UA", "RS", "GR", "CZ", "BA")} == {
        "TR": "Türkiye",
        "GB": "United Kingdom",
        "MD": "Moldova",
        "UA": "Ukraine",
        "RS": "Serbia",
        "GR": "Greece",
        "CZ": "Czechia",
        "BA": "Bosnia and Herzegovina",
    }


def test_seed_reference_has_a_country_for_every_city_of_the_core_document(db):
    run("seed_reference")

    cited = {iso_code for _, iso_code in [*ANNEX_1_CITIES, *MISSION_CITIES]}
    assert len(cited) == 23
    assert cited <= set(Country.objects.values_list("iso_code", flat=True))


def test_seed_reference_loads_the_netzerocities_services_in_order(db):
    run("seed_reference")

    assert list(NetZeroCitiesService.objects.values_list("position", "name", "is_active")) == [
        (1, "Climate Transition Map", True),
        (2, "NetZeroCities Portal knowledge repository", True),
        (3, "Climate City Contract guidance", True),
        (4, "City Support Groups", True),
        (5, "City Advisors", True),
        (6, "Capital Hub / financing advisory", True),
        (7, "Pilot Cities Programme", True),
        (8, "Twinning Learning Programme", True),
        (9, "Peer Learning Online Discussion Groups", True),
        (10, "Group Study Visits", True),
    ]
    assert NetZeroCitiesService.objects.get(name="Group Study Visits").description == (
        "Two-day in-person visits to a Mission City ending with an action plan."
    )
    assert list(NetZeroCitiesService.objects.filter(description="")) == []


def test_seed_reference_keeps_a_service_an_admin_retired_or_linked(db):
    run("seed_reference")
    NetZeroCitiesService.objects.filter(name="City Advisors").update(
        is_active=False, url="https://netzerocities.eu/city-advisors"
    )
    NetZeroCitiesService.objects.filter(name="Group Study Visits").update(position=42)

    output = run("seed_reference")

    assert output == "Reference data: 0 created, 1 updated, 66 unchanged.\n"
    assert list(
        NetZeroCitiesService.objects.filter(position__in=[5, 10]).values_list(
            "name", "is_active", "url"
        )
    ) == [
        ("City Advisors", False, "https://netzerocities.eu/city-advisors"),
        ("Group Study Visits", True, ""),
    ]


def test_seed_reference_first_run_reports_what_it_created(db):
    assert run("seed_reference") == "Reference data: 67 created, 0 updated, 0 unchanged.\n"


def test_seed_reference_second_run_writes_nothing(db):
    run("seed_reference")
    before = snapshot()

    with CaptureQueriesContext(connection) as queries:
        output = run("seed_reference")

    assert output == "Reference data: 0 created, 0 updated, 67 unchanged.\n"
    assert snapshot() == before
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []


def test_seed_reference_puts_back_an_edited_row_by_its_natural_key(db):
    run("seed_reference")
    Country.objects.filter(iso_code="TR").update(name="Turkey")

    output = run("seed_reference")

    assert output == "Reference data: 0 created, 1 updated, 66 unchanged.\n"
    assert Country.objects.get(iso_code="TR").name == "Türkiye"
    assert Country.objects.count() == 38
