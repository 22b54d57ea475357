"""Group Study Visits (issue 12): the allocation page (visits.views_allocation.call_allocation).

A call of three visits hosted by Mission Cities (10 cities each) with APPLICATIONS submitted
applications of the scale data's cities, ranked 1..n with three preferences each, made once
in the benchmark database under CALL_TITLE (found again by it) and allocated: 30 selected,
a waitlist of 30, the rest not selected; the programme admin reads it: every selected and
waitlisted city and the first page (visits.allocation.OVERVIEW_PAGE_SIZE, 50) of the cities not
selected, whatever their number.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from benchmarks.harness import EachRun, benchmark, page, signed_in_client
from cities.models import City
from devdata.scale import scale_cities, scale_users
from portal.fragments import bump
from taxonomy.models import ThematicSector
from visits.allocation import DECISIONS, allocate
from visits.enums import ApplicationStatus, CallStatus
from visits.models import Application, Call, Preference, Visit

CALL_TITLE = "Benchmark: Group Study Visits allocation"
APPLICATIONS = 400
VISITS = 3


def programme_admin():
    return scale_users().filter(is_programme_admin=True).order_by("email").first()


def allocation_call() -> Call:
    """The benchmark's call, made and allocated on the first run."""
    call = Call.objects.filter(title=CALL_TITLE).first()
    if call is not None:
        return call
    now = timezone.now()
    with transaction.atomic():
        call = Call.objects.create(
            title=CALL_TITLE,
            status=CallStatus.OPEN,
            opens_at=now - datetime.timedelta(days=60),
            closes_at=now - datetime.timedelta(days=30),
            review_deadline=now - datetime.timedelta(days=10),
        )
        # Mission Cities host; a small database with fewer of them takes other cities.
        hosts = list(City.objects.filter(is_mission_city=True).order_by("pk")[:VISITS])
        hosts += list(
            scale_cities()
            .exclude(pk__in=[h.pk for h in hosts])
            .order_by("pk")[: VISITS - len(hosts)]
        )
        sector = ThematicSector.objects.order_by("pk").first()
        visits = [
            Visit.objects.create(
                call=call,
                host_city=host,
                starts_on=datetime.date(2025, 5, 12 + 7 * number),
                ends_on=datetime.date(2025, 5, 13 + 7 * number),
                sector=sector,
                capacity_cities=10,
            )
            for number, host in enumerate(hosts)
        ]
        cities = scale_cities().exclude(pk__in=[host.pk for host in hosts]).order_by("pk")
        applications = Application.objects.bulk_create(
            Application(
                call=call,
                city=city,
                status=ApplicationStatus.SUBMITTED,
                submitted_at=now - datetime.timedelta(days=31),
                rank=rank,
                total=Decimal(10_000 - rank) / 100,
            )
            for rank, city in enumerate(cities[:APPLICATIONS], start=1)
        )
        Preference.objects.bulk_create(
            Preference(
                application=application,
                visit=visits[(index + shift) % len(visits)],
                rank=shift + 1,
            )
            for index, application in enumerate(applications)
            for shift in range(len(visits))
        )
        allocate(call)
    return call


@benchmark("visit allocation page: programme admin, 400 ranked applications")
def allocation_page():
    call = allocation_call()
    return page(
        signed_in_client(programme_admin()), reverse("visit_call_allocation", args=[call.pk])
    )


@benchmark("visit publish confirmation: programme admin, 400 ranked applications")
def publish_confirmation_page():
    call = allocation_call()
    return page(signed_in_client(programme_admin()), reverse("visit_call_publish", args=[call.pk]))


@benchmark("afresh: visit allocation page: programme admin, 400 ranked applications, after a move")
def allocation_page_afresh():
    """The allocation page as drawn after a city was moved by hand (visits.allocation.
    application_place raises DECISIONS; raised here, untimed, before each run): its lists
    are not found in the cache and are read and drawn again.

    3 December 2026, PostgreSQL, 20 runs after 3 warm-ups, the machine loaded (load average
    6 to 17): 6.64x and 6.26x the floor (not at 3x; nothing changed yet). The profile: the
    overview's four queries (the visits, the selected and waitlisted rows, the counts with
    FILTER, the page of those not selected) about a third, the template the rest."""
    return EachRun(run=allocation_page(), before=lambda: bump(DECISIONS))
