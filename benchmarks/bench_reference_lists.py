"""The programme's reference lists in the API (issue 14), for every signed-in person: thematic
sectors, enabling factors and themes (taxonomy.api) and the NetZeroCities services
(roadmaps.api), as an officer reads them. They are the programme's own short lists, the same on
EU-scale data as on a small one: the rows hold them to what any API list costs."""

from benchmarks.harness import benchmark, page, signed_in_client
from devdata.scale import scale_users

LISTS = [
    "/api/v1/sectors/",
    "/api/v1/enabling-factors/",
    "/api/v1/enabling-themes/",
    "/api/v1/netzerocities-services/",
]


def _officer():
    return scale_users().filter(city_memberships__isnull=False).order_by("email").first()


def _register(path: str) -> None:
    @benchmark(f"API: GET {path} (officer)")
    def reference_list():
        return page(signed_in_client(_officer()), path)


for _path in LISTS:
    _register(_path)
