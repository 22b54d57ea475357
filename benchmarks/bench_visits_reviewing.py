"""Group Study Visits (issue 12), reviewing: the reviewer's list and a review page, for the first
generated reviewer, on a call of up to 400 submitted applications from the scale cities, each
with three preferences and three delegates, five manual criteria of six anchored points, and
three reviewers each (the benchmark reviewer has up to 100 of them, 60 submitted).

The scale data has no call of its own yet: the setup makes this one (once; found again by its
title on later runs), with bulk inserts as seed_scale does.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from benchmarks.harness import EachRun, benchmark, page, signed_in_client
from cities.models import CityMembership
from devdata.scale import scale_cities, scale_users
from portal.fragments import bump
from taxonomy.models import ThematicSector
from visits.enums import ApplicationStatus, CallStatus, ReviewStatus
from visits.models import (
    Anchor,
    Application,
    Call,
    Criterion,
    Delegate,
    Preference,
    Review,
    Score,
    Visit,
)
from visits.reviewing import REVIEWS

REVIEWING_TITLE = "Benchmark: reviewing (400 applications, 3 reviewers each)"
APPLICATIONS = 400
OWN_REVIEWS = 100
OWN_SUBMITTED = 60
CRITERIA = 5
ANCHORS = ["Not addressed", "Very weak", "Weak", "Fair", "Good", "Excellent"]


def benchmark_reviewer():
    return scale_users().filter(is_reviewer=True).order_by("email").first()


def _scores(reviews, criteria, seed) -> list[Score]:
    return [
        Score(review=review, criterion=criterion, points=(seed + index + review.pk) % 6)
        for review in reviews
        for index, criterion in enumerate(criteria)
    ]


@transaction.atomic
def _make_call(reviewer) -> Call:
    now = timezone.now()
    call = Call.objects.create(
        title=REVIEWING_TITLE,
        status=CallStatus.OPEN,
        opens_at=now - datetime.timedelta(days=60),
        closes_at=now - datetime.timedelta(days=30),
        # Open for years: the benchmark database is kept and run again.
        review_deadline=now + datetime.timedelta(days=3650),
        reviewers_per_application=3,
    )
    own_cities = CityMembership.objects.filter(user=reviewer).values("city")
    cities = list(scale_cities().exclude(pk__in=own_cities).order_by("pk")[: APPLICATIONS + 3])
    hosts, applicants = cities[:3], cities[3:]
    sector = ThematicSector.objects.order_by("pk").first()
    visits = Visit.objects.bulk_create(
        [
            Visit(
                call=call,
                host_city=host,
                starts_on=datetime.date(2027, 5, 10 + 7 * n),
                ends_on=datetime.date(2027, 5, 11 + 7 * n),
                sector=sector,
            )
            for n, host in enumerate(hosts)
        ]
    )
    criteria = Criterion.objects.bulk_create(
        [
            Criterion(call=call, name=f"Criterion {n}", kind="manual", position=n)
            for n in range(1, CRITERIA + 1)
        ]
    )
    Anchor.objects.bulk_create(
        [
            Anchor(criterion=criterion, points=points, description=words)
            for criterion in criteria
            for points, words in enumerate(ANCHORS)
        ]
    )
    applications = Application.objects.bulk_create(
        [
            Application(
                call=call,
                city=city,
                status=ApplicationStatus.SUBMITTED,
                submitted_at=now - datetime.timedelta(days=31),
                motivation="We want to learn how peers fund deep renovation. " * 20,
                spotlight_challenge="Old housing stock and energy poverty. " * 10,
            )
            for city in applicants
        ]
    )
    Preference.objects.bulk_create(
        [
            Preference(application=application, visit=visit, rank=rank)
            for application in applications
            for rank, visit in enumerate(visits, start=1)
        ]
    )
    Delegate.objects.bulk_create(
        [
            Delegate(
                application=application,
                name=f"Delegate {n}",
                role="Energy officer",
                email=f"delegate{n}.{application.pk}@example.org",
                position=n,
            )
            for application in applications
            for n in range(3)
        ]
    )
    others = list(scale_users().filter(is_reviewer=True).exclude(pk=reviewer.pk).order_by("pk"))
    # No reviewer is given a city they are an officer of (visits.reviewing's rule).
    officer_of = set(
        CityMembership.objects.filter(user__in=others).values_list("user_id", "city_id")
    )
    reviews = []
    for index, application in enumerate(applications):
        people = [reviewer] if index < OWN_REVIEWS else []
        free = [p for p in others if (p.pk, application.city_id) not in officer_of]
        # Spread over the other reviewers in turn.
        start = index % len(free) if free else 0
        people += (free[start:] + free[:start])[: 3 - len(people)]
        for person in people:
            own = person.pk == reviewer.pk
            submitted = not own or index < OWN_SUBMITTED
            reviews.append(
                Review(
                    application=application,
                    reviewer=person,
                    status=ReviewStatus.SUBMITTED if submitted else ReviewStatus.ASSIGNED,
                    submitted_at=now - datetime.timedelta(days=1) if submitted else None,
                    comment="A clear motivation." if submitted else "",
                )
            )
    reviews = Review.objects.bulk_create(reviews, batch_size=2000)
    Score.objects.bulk_create(
        _scores([r for r in reviews if r.status == ReviewStatus.SUBMITTED], criteria, 1),
        batch_size=5000,
    )
    return call


def reviewing_call():
    """The call and the reviewer whose pages are measured."""
    reviewer = benchmark_reviewer()
    call = Call.objects.filter(title=REVIEWING_TITLE).first()
    if call is None:
        call = _make_call(reviewer)
    return call, reviewer


@benchmark("reviewer's list: reviewer with 100 assigned applications")
def review_list_reviewer():
    _call, reviewer = reviewing_call()
    return page(signed_in_client(reviewer), "/visits/reviews/")


@benchmark("review page: reviewer, submitted review, others' scores of 5 criteria")
def review_page_reviewer():
    call, reviewer = reviewing_call()
    review = (
        Review.objects.filter(
            application__call=call, reviewer=reviewer, status=ReviewStatus.SUBMITTED
        )
        .order_by("pk")
        .first()
    )
    return page(signed_in_client(reviewer), f"/visits/reviews/{review.application_id}/")


@benchmark("reviewer assignment page: programme admin, scale call of 20,000 applications")
def assignment_page():
    """The admin's assignment page of the scale call (devdata/scale_visits.py): 20,000
    submitted applications with 3 reviewers each, shown a page at a time."""
    from devdata.scale_visits import scale_visits_call

    call = scale_visits_call(applications=20_000)
    admin = scale_users().filter(is_programme_admin=True).order_by("email").first()
    return page(signed_in_client(admin), f"/visits/calls/{call.pk}/reviewers/")


@benchmark(
    "afresh: reviewer assignment page: programme admin, scale call of 20,000 applications, "
    "after a change of the reviews"
)
def assignment_page_afresh():
    """The assignment page as drawn after any review changed (an assignment, a score, a
    recusal: visits.reviewing.REVIEWS raised, untimed, before each run): its body is not
    found in the cache; the reviewers' menu, kept under REVIEWERS alone, is.

    3 December 2026, PostgreSQL, 20 runs after 3 warm-ups, the machine loaded (load average
    6 to 17): 11.26x the floor before, 4.42x-6.25x after (two runs; not at 3x): the rows
    written by visits.templatetags.visits_reviewing, the count of submitted applications
    kept under the call's applications' version, the page's rows read with only what it
    shows. What remains is mostly the application menu's 50 options drawn by the form's
    widget templates, and the page's two queries."""
    return EachRun(run=assignment_page(), before=lambda: bump(REVIEWS))
