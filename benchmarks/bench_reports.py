"""The programme dashboard (issue 14) on EU-scale data: 200 cohorts, 10,000 cities, 2,000
sessions and their registrations, roadmaps, the scale survey and the scale call.

The page keeps its figures for FIGURES_MAX_AGE (reports/dashboard.py), so the rows measure it as
most requests meet it; the `empty cache:` row reads every figure afresh, as the first request of
each period does (reported, not held to 3x)."""

from django.core.cache import cache

from benchmarks.bench_cohorts import lead_facilitator
from benchmarks.bench_cold import COLD
from benchmarks.harness import benchmark, page, signed_in_client
from devdata.scale import busiest_scale_cohort, scale_cohorts, scale_users

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


COHORT_REPORT = "cohort report: lead facilitator, busiest cohort"


def _lead_of_busiest():
    cohort = busiest_scale_cohort()
    return cohort, lead_facilitator(cohort)


@benchmark("cohort reports list: programme admin, 200 cohorts")
def cohort_list():
    return page(signed_in_client(_admin()), "/reports/cohorts/")


@benchmark(COHORT_REPORT)
def cohort_report():
    cohort, lead = _lead_of_busiest()
    return page(signed_in_client(lead), f"/reports/cohorts/{cohort.pk}/")


@benchmark(COLD + COHORT_REPORT)
def cohort_report_cold():
    cohort, lead = _lead_of_busiest()
    get = page(signed_in_client(lead), f"/reports/cohorts/{cohort.pk}/")

    def run():
        cache.clear()
        return get()

    return run


@benchmark("cohort comparison: programme admin, the busiest cohort and two more")
def cohort_comparison():
    busiest = busiest_scale_cohort()
    others = scale_cohorts().exclude(pk=busiest.pk).order_by("pk")[:2]
    query = "&".join(f"cohort={pk}" for pk in [busiest.pk, *(c.pk for c in others)])
    return page(signed_in_client(_admin()), f"/reports/cohorts/compare/?{query}")
