"""Group Study Visits (issue 12). Applying: the application's page for the officer with the
most enrolments, on an open call to one of their cohorts with three visits, the application
ranking all three and naming three delegates.

The scale data has no call of its own: the setup makes this one (once; found again by its
title on later runs), through the applying services.
"""

import datetime

from django.utils import timezone

from benchmarks.bench_cohorts import busiest_officer
from benchmarks.harness import benchmark, page, signed_in_client
from cities.models import City
from cohorts.enums import EnrolmentStatus
from cohorts.models import Enrolment
from taxonomy.models import ThematicSector
from visits import applying
from visits.enums import CallStatus
from visits.models import Application, Call, Visit

APPLYING_TITLE = "Benchmark: applying (three visits)"


def applying_application():
    """The application and the officer who writes it."""
    officer = busiest_officer()
    found = Application.objects.filter(call__title=APPLYING_TITLE).first()
    if found is not None:
        return found, officer
    enrolment = (
        Enrolment.objects.filter(city__memberships__user=officer, status=EnrolmentStatus.ACCEPTED)
        .select_related("city")
        .order_by("pk")
        .first()
    )
    now = timezone.now()
    call = Call.objects.create(
        title=APPLYING_TITLE,
        status=CallStatus.OPEN,
        opens_at=now - datetime.timedelta(days=1),
        # Open for years: the benchmark database is kept and run again.
        closes_at=now + datetime.timedelta(days=3650),
        review_deadline=now + datetime.timedelta(days=3660),
        questions=[{"key": "travel", "text": "Who pays the travel?", "required": True}],
    )
    call.eligible_cohorts.add(enrolment.cohort_id)
    hosts = City.objects.exclude(pk=enrolment.city_id).order_by("pk")[:3]
    sector = ThematicSector.objects.order_by("pk").first()
    visits = [
        Visit.objects.create(
            call=call,
            host_city=host,
            starts_on=datetime.date(2030, 5, 12 + 7 * n),
            ends_on=datetime.date(2030, 5, 13 + 7 * n),
            sector=sector,
            delegates_per_city=3,
        )
        for n, host in enumerate(hosts)
    ]
    application = applying.application_start(acting_user=officer, call=call, city=enrolment.city)
    applying.application_save(
        acting_user=officer,
        application=application,
        draft=applying.ApplicationDraft(
            preferences=[visit.pk for visit in visits],
            motivation="We want to learn how our peers cool their streets. " * 20,
            spotlight_challenge=application.spotlight_challenge or "Heat in the old town.",
            delegates=[
                applying.DelegateEntry(f"Delegate {n}", "Climate officer", f"d{n}@example.org")
                for n in range(3)
            ],
            answers={"travel": "The city"},
        ),
    )
    return application, officer


@benchmark("visit application page: officer, three visits ranked, three delegates")
def application_page_officer():
    application, officer = applying_application()
    return page(signed_in_client(officer), f"/visits/applications/{application.pk}/")
