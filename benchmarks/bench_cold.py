"""The main pages with an empty cache: what the first person to open a page after a change
waits for. Every other row measures a page as most requests meet it, with its cached fragments
(portal/fragments.py) warm; these rows say what the caching saves and are not held to 3x."""

from django.core.cache import cache

from benchmarks.harness import REGISTRY, benchmark

COLD = "empty cache: "
WARM_ROWS = (
    "city directory: officer, no filter",
    "cohort page: lead facilitator, busiest cohort",
    "enrolments page: lead facilitator, busiest cohort",
    "home page: facilitator",
    "roadmap overview: facilitator, GET /roadmaps/cohort/<id>/",
)


def _cold(name: str):
    def setup():
        # Looked up when the row runs: every benchmark module is imported by then.
        warm = REGISTRY[name].setup()

        def run():
            cache.clear()
            return warm()

        return run

    return setup


for _name in WARM_ROWS:
    benchmark(COLD + _name)(_cold(_name))
