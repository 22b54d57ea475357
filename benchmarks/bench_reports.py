"""The programme dashboard (issue 14) on EU-scale data: 200 cohorts, 10,000 cities, 2,000
sessions and their registrations, roadmaps, the scale survey and the scale call.

The page keeps its figures for FIGURES_MAX_AGE (reports/dashboard.py), so the rows measure it as
most requests meet it; the `empty cache:` row reads every figure afresh, as the first request of
each period does (reported, not held to 3x)."""

from django.core.cache import cache

from benchmarks.bench_cold import COLD
from benchmarks.harness import benchmark, page, signed_in_client
from devdata.scale import scale_users

DASHBOARD = "programme dashboard: programme admin, every cohort"


def _admin():
    return scale_users().filter(is_programme_admin=True).order_by("email").first()


@benchmark(DASHBOARD)
def dashboard():
    return page(signed_in_client(_admin()), "/reports/")


@benchmark("programme dashboard: programme admin, one country and city type")
def dashboard_filtered():
    from cities.models import Country

    country = Country.objects.order_by("name").first()
    return page(signed_in_client(_admin()), f"/reports/?country={country.pk}&city_type=mission")


@benchmark("programme dashboard chart SVG: programme admin, sessions by month")
def dashboard_chart():
    return page(signed_in_client(_admin()), "/reports/charts/sessions.svg")


@benchmark(COLD + DASHBOARD)
def dashboard_cold():
    get = page(signed_in_client(_admin()), "/reports/")

    def run():
        cache.clear()
        return get()

    return run
