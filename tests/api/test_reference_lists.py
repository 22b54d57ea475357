"""/api/v1/sectors/, /api/v1/enabling-factors/, /api/v1/enabling-themes/ and
/api/v1/netzerocities-services/: the programme's reference lists, for every signed-in person,
read-only, in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from roadmaps.models import NetZeroCitiesService
from taxonomy.models import EnablingFactor, EnablingTheme, ThematicSector
from tests import factories
from tests.queries import session_queries

LISTS = [
    ("/api/v1/sectors/", factories.ThematicSectorFactory),
    ("/api/v1/enabling-factors/", factories.EnablingFactorFactory),
    ("/api/v1/enabling-themes/", factories.EnablingThemeFactory),
    ("/api/v1/netzerocities-services/", factories.NetZeroCitiesServiceFactory),
]


@pytest.fixture
def officer(db):
    return factories.city_officer(city=factories.CityFactory(), full_name="Ana Silva")


def test_sector_list_is_exact_in_the_programmes_order(client, officer):
    ThematicSector.objects.all().delete()
    energy = factories.ThematicSectorFactory(
        slug="energy", name="Energy", description="Heat and power.", position=2
    )
    industry = factories.ThematicSectorFactory(
        slug="industry", name="Industry", position=1, offered_only=True
    )
    client.force_login(officer)

    response = client.get("/api/v1/sectors/")

    assert (response.status_code, response.json()["results"]) == (
        200,
        [
            {"id": industry.pk, "slug": "industry", "name": "Industry", "description": "",
             "position": 1, "offered_only": True},
            {"id": energy.pk, "slug": "energy", "name": "Energy",
             "description": "Heat and power.", "position": 2, "offered_only": False},
        ],
    )  # fmt: skip
    assert client.get(f"/api/v1/sectors/{energy.pk}/").json()["slug"] == "energy"


def test_enabling_factor_and_theme_lists_are_exact(client, officer):
    EnablingFactor.objects.all().delete()
    EnablingTheme.objects.all().delete()
    factor = factories.EnablingFactorFactory(slug="governance", name="Governance", position=1)
    theme = factories.EnablingThemeFactory(slug="capacity", name="Capacity", position=1)
    client.force_login(officer)

    factors = client.get("/api/v1/enabling-factors/").json()["results"]
    themes = client.get("/api/v1/enabling-themes/?search=capa").json()["results"]

    assert factors == [
        {"id": factor.pk, "slug": "governance", "name": "Governance", "description": "",
         "position": 1}
    ]  # fmt: skip
    assert themes == [
        {"id": theme.pk, "slug": "capacity", "name": "Capacity", "description": "", "position": 1}
    ]


@pytest.mark.parametrize(("url", "_factory"), LISTS)
def test_reference_list_anonymous_is_401_and_writes_are_refused(client, officer, url, _factory):
    anonymous = client.get(url)
    client.force_login(officer)
    write = client.post(url, {"slug": "new", "name": "New"}, content_type="application/json")

    assert anonymous.status_code == 401
    assert (write.status_code, write.json()["error"]["code"]) == (405, "method_not_allowed")


@pytest.mark.parametrize(("url", "factory"), LISTS)
def test_reference_list_queries_do_not_grow(client, officer, url, factory):
    client.force_login(officer)
    factory()

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    one = count()
    factory.create_batch(10)
    many = count()

    # The session (maybe), the person, the count, the page.
    assert one == many == session_queries() + 3


def test_netzerocities_service_list_is_exact_with_those_no_longer_offered(client, officer):
    NetZeroCitiesService.objects.all().delete()
    kept = factories.NetZeroCitiesServiceFactory(
        name="Climate Transition Map", url="https://netzerocities.eu/map", position=1
    )
    retired = factories.NetZeroCitiesServiceFactory(
        name="Old helpdesk", position=2, is_active=False
    )
    client.force_login(officer)

    response = client.get("/api/v1/netzerocities-services/")

    assert (response.status_code, response.json()["results"]) == (
        200,
        [
            {"id": kept.pk, "name": "Climate Transition Map", "description": "",
             "url": "https://netzerocities.eu/map", "position": 1, "is_active": True},
            {"id": retired.pk, "name": "Old helpdesk", "description": "", "url": "",
             "position": 2, "is_active": False},
        ],
    )  # fmt: skip
