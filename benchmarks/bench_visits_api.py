"""Group Study Visits (issue 12): the API's lists (visits/api.py), one row per list and reader,
on the calls the page benchmarks make, held to 3x the floor like every page:

- the calls of an officer of an eligible city (bench_visits_calls' call among the scale calls);
- the applications of a programme admin (every call's: the first page of 50 of the scale
  call's 20,000 and the other benchmark calls'), of the benchmark reviewer (the 100 assigned
  to them in bench_visits_reviewing's call) and of an officer of an eligible city;
- the reviews of the benchmark reviewer (the same 100).

Measured on 2 December 2026, 14:47-14:54 UTC, PostgreSQL, portal_bench_scale (with the
20,000-application scale call), 20 runs after 3 warm-ups, each paired with the floor, on a
shared machine under load (load average 8 to 15, two test suites running beside it: only the
ratios mean anything): calls 3.28x the floor, applications 5.08x (admin), 5.57x (reviewer),
4.40x (officer), reviews 1.37x (kept in the cache; 6.38x read afresh in an earlier run).

Issue 12, 2 December 2026, 18:32 UTC, PostgreSQL, portal_bench_api, 10 runs after 2
warm-ups, the machine quiet (load average 2 to 5; floor 2.0 ms): applications 1.19x (admin),
1.31x (reviewer), 1.11x (officer). They are kept in the cache (visits/api.py, under
visits/versions.py's APPLICATIONS and the decisions', reviews', calls' and cities' versions),
as the reviews are. Read afresh (the applications' version raised before each of 20 runs, as
after any application's save, each paired with the floor): 4.85x, 7.59x and 5.72x, NOT at 3x:
their five queries (versions, count, page, preferences, delegates) against the floor's two
are what remains. What made the afresh reading faster than before (6.3x, 10.1x-11.7x, 5.7x
on a quiet machine): the visibility as a UNION of the person's ids (`IN ... OR IN ...` made
PostgreSQL test every application), the page read as values, counted without its joins.

The rows named `afresh: ...` measure that case in the harness: the applications' version is
raised (untimed, harness.EachRun) before each run. 3 December 2026, PostgreSQL,
portal_bench_apifresh, 20 runs after 3 warm-ups, on a shared machine under load (load average
6 to 17; only the ratios to the floor of the same run mean anything): before 4.59x (admin),
6.32x (reviewer), 5.93x (officer); after 2.46x-2.86x, 2.66x-3.30x, 1.89x-2.21x (three runs;
the reviewer's is at the edge of 3x).
What the profile showed and what changed (visits/api.py, visits/selectors.py): building and
compiling the visibility's UNION with the ORM, twice (count and page), was a third of the
time: it is SQL built once (selectors._visible_applications_sql); the page query joined the
city and the call for every visible row before its sort (a reviewer's 220, four times over
under the calls' stale statistics): they are subqueries evaluated after the LIMIT;
preferences and delegates are gathered in the page's query as JSON; a first page shorter than
a page is its own count. Five queries to two (three when the first page is full).
"""

from benchmarks.bench_cohorts import busiest_cohort, enrolled_officer
from benchmarks.bench_visits_calls import benchmark_call
from benchmarks.bench_visits_reviewing import reviewing_call
from benchmarks.harness import EachRun, benchmark, page, signed_in_client
from devdata.scale import scale_users
from portal.fragments import bump
from visits.versions import APPLICATIONS


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


# Read afresh: the same lists with the applications' version (visits/versions.py) raised,
# untimed, before each run, as every save of an application (the autosave's included) raises
# it: the kept list is never found, and the list is read and drawn as after a change.
AFRESH = "afresh: "


def _afresh(setup):
    def prepared():
        return EachRun(run=setup(), before=lambda: bump(APPLICATIONS))

    return prepared


for _name, _setup in (
    (
        "API: GET /api/v1/visit-applications/ (programme admin, every call's)",
        api_visit_applications_admin,
    ),
    (
        "API: GET /api/v1/visit-applications/ (reviewer with 100 assigned applications)",
        api_visit_applications_reviewer,
    ),
    (
        "API: GET /api/v1/visit-applications/ (officer of an eligible city)",
        api_visit_applications_officer,
    ),
):
    benchmark(AFRESH + _name)(_afresh(_setup))
