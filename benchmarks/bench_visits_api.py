"""Group Study Visits (issue 12): the API's lists (visits/api.py), one row per list and reader,
on the calls the page benchmarks make, held to 3x the floor like every page:

- the calls of an officer of an eligible city (bench_visits_calls' call among the scale calls);
- the applications of a programme admin (every call's: the first page of 50 of the scale
  call's 20,000 and the other benchmark calls'), of the benchmark reviewer (the 100 assigned
  to them in bench_visits_reviewing's call) and of an officer of an eligible city;
- the reviews of the benchmark reviewer (the same 100).
"""

from benchmarks.bench_cohorts import busiest_cohort, enrolled_officer
from benchmarks.bench_visits_calls import benchmark_call
from benchmarks.bench_visits_reviewing import reviewing_call
from benchmarks.harness import benchmark, page, signed_in_client
from devdata.scale import scale_users


def _admin():
    return scale_users().filter(is_programme_admin=True).order_by("email").first()


@benchmark("API: GET /api/v1/visit-calls/ (officer of an eligible city)")
def api_visit_calls():
    benchmark_call()
    return page(signed_in_client(enrolled_officer(busiest_cohort())), "/api/v1/visit-calls/")


@benchmark("API: GET /api/v1/visit-applications/ (programme admin, every call's)")
def api_visit_applications_admin():
    reviewing_call()
    return page(signed_in_client(_admin()), "/api/v1/visit-applications/")


@benchmark("API: GET /api/v1/visit-applications/ (reviewer with 100 assigned applications)")
def api_visit_applications_reviewer():
    _call, reviewer = reviewing_call()
    return page(signed_in_client(reviewer), "/api/v1/visit-applications/")


@benchmark("API: GET /api/v1/visit-applications/ (officer of an eligible city)")
def api_visit_applications_officer():
    benchmark_call()
    return page(signed_in_client(enrolled_officer(busiest_cohort())), "/api/v1/visit-applications/")


@benchmark("API: GET /api/v1/visit-reviews/ (reviewer with 100 assigned applications)")
def api_visit_reviews():
    _call, reviewer = reviewing_call()
    return page(signed_in_client(reviewer), "/api/v1/visit-reviews/")
