"""Group Study Visits: the list of calls and a call's page (visits.views_calls).

The scale data has no call of its own: the first run makes one through the services, keyed by
its title so later runs find it again in the benchmark database: a call open to the busiest
cohort's cities, with three visits hosted by Mission Cities and six criteria (three scored by
reviewers on a 0-4 scale with an anchor per point, three computed by the portal). That call has
no application; the call page is also timed on the scale call of devdata/scale_visits.py
(20,000 applications asking for its three visits, open to every generated cohort, seven
criteria), as a programme admin (each visit with the applications asking for it) and as an
officer of an eligible city (whose city applied).
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from benchmarks.bench_cohorts import busiest_cohort, enrolled_officer
from benchmarks.harness import benchmark, page, signed_in_client
from cities.models import City
from devdata.scale import scale_users
from devdata.scale_visits import scale_visits_call
from taxonomy.models import ThematicSector
from visits import calls
from visits.enums import AutomaticRule, CriterionKind
from visits.models import Call

CALL_TITLE = "Benchmark: Group Study Visits call"
VISITS = 3
MANUAL_CRITERIA = 3
SCALE = 4
# The scale call's applications (as benchmarks/bench_visits_scoring.py makes it).
SCALE_CALL_APPLICATIONS = 20_000


def _admin():
    return scale_users().filter(is_programme_admin=True).order_by("email").first()


def benchmark_call() -> Call:
    """The benchmark's call (made on the first run)."""
    call = Call.objects.filter(title=CALL_TITLE).first()
    if call is not None:
        return call
    admin = _admin()
    now = timezone.now()
    call = calls.call_create(
        acting_user=admin,
        data=calls.CallSettings(
            title=CALL_TITLE,
            description="Two-day visits hosted by Mission Cities.",
            eligible_cohorts=[busiest_cohort()],
            opens_at=now - datetime.timedelta(days=1),
            closes_at=now + datetime.timedelta(days=3650),
            review_deadline=now + datetime.timedelta(days=3660),
            questions=calls.questions_parse("*Who leads the delegation?\nAnything else?"),
        ),
    )
    hosts = City.objects.filter(is_mission_city=True).order_by("name", "pk")[:VISITS]
    sectors = list(ThematicSector.objects.order_by("position", "name"))
    for number, host in enumerate(hosts):
        calls.visit_add(
            acting_user=admin,
            call=call,
            data=calls.VisitData(
                host_city=host,
                starts_on=datetime.date(2030, 5, 12) + datetime.timedelta(weeks=number),
                sector=sectors[number % len(sectors)],
                capacity_cities=4,
            ),
        )
    for number in range(MANUAL_CRITERIA):
        calls.criterion_add(
            acting_user=admin,
            call=call,
            data=calls.CriterionData(
                name=f"Reviewed criterion {number + 1}",
                kind=CriterionKind.MANUAL,
                weight=Decimal(2),
                scale_max=SCALE,
                anchors=[f"{points} points: what it takes" for points in range(SCALE + 1)],
            ),
        )
    for rule in AutomaticRule:
        calls.criterion_add(
            acting_user=admin,
            call=call,
            data=calls.CriterionData(name=rule.label, kind=CriterionKind.AUTOMATIC, rule=rule),
        )
    return calls.call_open(acting_user=admin, call=call)


@benchmark("visits: list of calls, programme admin")
def call_list_admin():
    benchmark_call()
    return page(signed_in_client(_admin()), "/visits/")


@benchmark("visits: list of calls, officer of an eligible city")
def call_list_officer():
    benchmark_call()
    return page(signed_in_client(enrolled_officer(busiest_cohort())), "/visits/")


@benchmark("visits: call page, officer, 3 visits and 6 criteria")
def call_detail_officer():
    call = benchmark_call()
    return page(signed_in_client(enrolled_officer(busiest_cohort())), f"/visits/calls/{call.pk}/")


@benchmark("visits: call page, programme admin (edit buttons, weights form)")
def call_detail_admin():
    call = benchmark_call()
    return page(signed_in_client(_admin()), f"/visits/calls/{call.pk}/")


@benchmark("visits: call edit form, programme admin")
def call_edit_admin():
    call = benchmark_call()
    return page(signed_in_client(_admin()), f"/visits/calls/{call.pk}/edit/")


@benchmark("visits: call page, officer, scale call of 20,000 applications")
def call_detail_officer_scale():
    call = scale_visits_call(applications=SCALE_CALL_APPLICATIONS)
    return page(signed_in_client(enrolled_officer(busiest_cohort())), f"/visits/calls/{call.pk}/")


@benchmark("visits: call page, programme admin, scale call of 20,000 applications")
def call_detail_admin_scale():
    call = scale_visits_call(applications=SCALE_CALL_APPLICATIONS)
    return page(signed_in_client(_admin()), f"/visits/calls/{call.pk}/")
