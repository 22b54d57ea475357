"""seed_demo gives cities thematic interests: the enrolled cities the sectors of the groups they
picked, the Mission Cities the sectors of the climate actions they present."""

from accounts.models import User
from cities.models import City
from devdata.demo_cities import cohort_1_enrolled_cities, cohort_1_groups_of
from taxonomy.models import ThematicSector
from tests.cities.conftest import directory_names
from tests.portal_pages.helpers import sign_in
from tests.seeds.snapshots import seed_demo, snapshot

ENERGY = "energy"
BUILDINGS = "buildings"
MOBILITY = "sustainable-mobility"
CIRCULAR = "circular-economy"
NATURE = "nature-based-solutions"


def interests() -> dict[str, list[str]]:
    by_city = {}
    for city, slug in City.thematic_interests.through.objects.values_list(
        "city__name", "thematicsector__slug"
    ):
        by_city.setdefault(city, []).append(slug)
    return {city: sorted(slugs) for city, slugs in by_city.items()}


def test_seed_demo_gives_each_enrolled_and_presenting_city_its_thematic_interests(demo_data):
    # The other 38 cities enrolled in cohort 1 (after the first 20 by position) have the
    # groups they joined.
    others = {
        name: sorted(cohort_1_groups_of(index))
        for index, (name, _) in enumerate(cohort_1_enrolled_cities())
        if index >= 20 and name not in {"Limerick", "Porto", "Strasbourg"}
    }
    assert len(others) == 38
    assert others["Waterford"] == [MOBILITY]
    assert interests() == others | {
        # Cohort 1: the i-th enrolled city by name joined group i mod 5, and i+2 mod 5 when i
        # is even (energy, buildings, mobility, circular economy, nature-based solutions).
        "Adana": sorted([ENERGY, MOBILITY]),
        "Bruges": [BUILDINGS],
        "Bursa": sorted([MOBILITY, NATURE]),
        # Coimbra joined the Energy group of cohort 2.
        "Coimbra": sorted([CIRCULAR, ENERGY]),
        "Enschede": sorted([NATURE, BUILDINGS]),
        "Eskişehir": [ENERGY],
        "Gaziantep": sorted([BUILDINGS, CIRCULAR]),
        "Istanbul": [MOBILITY],
        "Karatay": sorted([CIRCULAR, ENERGY]),
        "Liepāja": [NATURE],
        "Ljubljana": sorted([ENERGY, MOBILITY]),
        "Maia": [BUILDINGS],
        "Munich": sorted([MOBILITY, NATURE]),
        "Pisa": [CIRCULAR],
        "Saray (Tekirdağ)": sorted([NATURE, BUILDINGS]),
        "Sunderland": [ENERGY],
        "União das Freguesias de A dos Cunhados e Maceira": sorted([BUILDINGS, CIRCULAR]),
        "Vantaa": [MOBILITY],
        "Vienna": sorted([CIRCULAR, ENERGY]),
        "Ústí nad Labem": [NATURE],
        # The officer's city, in cohorts 1 and 2.
        "Braga": sorted([BUILDINGS, ENERGY]),
        # The requests still waiting in cohort 2 add to the groups of cohort 1.
        "Porto": sorted([BUILDINGS, CIRCULAR, ENERGY, MOBILITY]),
        "Strasbourg": [NATURE],
        "Limerick": sorted([CIRCULAR, BUILDINGS, ENERGY]),
        # The Mission Cities, by the sectors of the actions they present.
        "Guimarães": [BUILDINGS],
        "Mannheim": [ENERGY],
        "Valencia": [ENERGY],
        "Lahti": [NATURE],
        "Leuven": [NATURE],
        "Aachen": sorted([CIRCULAR, MOBILITY]),
        "Umeå": [CIRCULAR],
        "Stockholm": [MOBILITY],
    }
    # No group ran on industry, so no city is given it.
    assert ThematicSector.objects.get(slug="industry").interested_cities.count() == 0


def test_demo_directory_filtered_by_energy_lists_the_energy_cities(client, demo_data):
    sign_in(client, User.objects.get(email="officer@example.org"))

    response = client.get("/cities/", {"thematic_interest": "energy"})

    assert response.status_code == 200
    assert directory_names(response) == [
        "Adana",
        "Aix-Marseille-Provence Metropolis",
        "Braga",
        "Clermont-Ferrand",
        "Coimbra",
        "Ermesinde",
        "Eskişehir",
        "Essen",
        "Karaman",
        "Karatay",
        "Limerick",
        "Ljubljana",
        "Lorquí",
        "Mannheim",
        "Nuremberg",
        "Porto",
        "Sintra",
        "Sunderland",
        "Torres Vedras",
        "Valencia",
        "Viana do Castelo",
        "Vienna",
        "Üsküdar (Istanbul)",
        "Şanlıurfa",  # noqa: RUF001 - Turkish dotless i, the real spelling
    ]
    assert response.context["page_obj"].paginator.count == 24


def test_seed_demo_counts_the_thematic_interest_links(db):
    lines = seed_demo(verbosity=2).splitlines()

    assert "  cities.City.thematic_interests: 107 created, 0 updated, 0 unchanged" in lines


def test_seed_demo_keeps_an_interest_an_admin_added_and_restores_a_removed_one(demo_data):
    braga = City.objects.get(name="Braga")
    sectors = {sector.slug: sector for sector in ThematicSector.objects.all()}
    braga.thematic_interests.add(sectors[CIRCULAR])
    City.objects.get(name="Mannheim").thematic_interests.remove(sectors[ENERGY])

    output = seed_demo()

    # Mannheim's energy link is back, Braga keeps circular economy and nothing else moved.
    assert output.splitlines()[1] == "Demo data: 1 created, 0 updated, 717 unchanged."
    assert sorted(braga.thematic_interests.values_list("slug", flat=True)) == sorted(
        [BUILDINGS, CIRCULAR, ENERGY]
    )
    assert interests()["Mannheim"] == [ENERGY]
    before = snapshot()

    assert seed_demo().splitlines()[1] == "Demo data: 0 created, 0 updated, 718 unchanged."
    assert snapshot() == before
