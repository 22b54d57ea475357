"""A Group Study Visits call at scale (issue 12: "a call with 20,000 applications and 3 reviews
each"), for the scoring benchmark (benchmarks/bench_visits_scoring.py) and the ranking pages.

`seed_scale` makes it as its step "visits" (`--visit-applications`; by default two per generated
city: 20,000 at the default 10,000 cities); `scale_visits_call()` finds it again by its title,
or makes it in a benchmark database seeded before the step existed.

What the rows are:
- One open call whose eligible cohorts are every generated cohort, with three visits hosted by
  generated Mission Cities (the first three sectors; one city hosts two when the programme
  has fewer than three), four manual criteria scored 0 to 5 (one
  independent) and the three automatic ones (roadmap completed, sessions attended, sector
  match), each with a weight.
- One SUBMITTED application per city: the generated cities that are not Mission Cities first,
  in id order. Decision: one call needs as many cities as applications (one application per
  city and call), and the default generated programme has 10,000 cities; the step makes the
  cities it lacks, named "Scale applicant 00001" (not "Scaleville", so the city directory's
  generated cities and their tests keep their numbers), spread over the generated countries.
  They are not enrolled anywhere: their automatic lines are 0, the enrolled cities' are not.
- Each application ranks the three visits (a random order) and has three SUBMITTED reviews by
  three different generated reviewers (taken in turn, so the load is even; fewer when fewer
  reviewers exist), each with points on every manual criterion.

Speed: the applications, preferences, reviews and scores are written without building models
(COPY on PostgreSQL, one executemany elsewhere: devdata.scale_surveys.bulk_insert), in the
caller's transaction; the call is left unscored (the benchmark scores it).
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import connection, transaction

from cities.models import City, Country
from devdata.scale import (
    AS_OF,
    CITY_PREFIX,
    ScaleContext,
    scale_cohorts,
    scale_step,
    scale_users,
)
from devdata.scale_surveys import bulk_insert
from taxonomy.models import ThematicSector
from visits.enums import (
    Aggregation,
    ApplicationStatus,
    AutomaticRule,
    CallStatus,
    CriterionKind,
    ReviewStatus,
)
from visits.models import (
    Application,
    Call,
    Criterion,
    Preference,
    Review,
    Score,
    ScoreLine,
    Visit,
)

SCALE_CALL_TITLE = "Scale call: Group Study Visits"
APPLICANT_PREFIX = "Scale applicant "
# seed_scale's default: two applications per generated city (20,000 at 10,000 cities).
APPLICATIONS_PER_CITY = 2
REVIEWS_PER_APPLICATION = 3
OPENS_AT = AS_OF - datetime.timedelta(days=60)
CLOSES_AT = AS_OF - datetime.timedelta(days=30)
REVIEWS_DUE = AS_OF + datetime.timedelta(days=30)
MANUAL_CRITERIA = [
    ("Relevance of the spotlight challenge", Decimal("2"), False),
    ("Transferability of what the city would learn", Decimal("1.5"), False),
    ("The delegation's capacity to act", Decimal("1"), False),
    ("Gender balance of the delegation", Decimal("1"), True),
]
AUTOMATIC_CRITERIA = [
    ("Completed Reflection Roadmap", AutomaticRule.ROADMAP_COMPLETED, Decimal("1")),
    ("Sessions attended", AutomaticRule.SESSIONS_ATTENDED, Decimal("0.25")),
    ("Thematic group matches the first visit", AutomaticRule.SECTOR_MATCH, Decimal("0.5")),
]


def scale_calls():
    return Call.objects.filter(title=SCALE_CALL_TITLE)


def applicant_name(index: int) -> str:
    return f"{APPLICANT_PREFIX}{index:05d}"


def scale_visits_call(*, applications: int, seed: int = 1) -> Call:
    """The scale call, found again by its title, or made now with `applications`."""
    call = scale_calls().order_by("pk").first()
    if call is not None:
        return call
    with transaction.atomic():
        call = visits_generate(applications=applications, seed=seed)
    analyze()
    return call


def visits_generate(*, applications: int, seed: int = 1) -> Call:
    """Make the call and its rows (module docstring), inside the caller's transaction."""
    rng = random.Random(f"{seed}:visits")
    mission = list(
        City.objects.filter(name__startswith=CITY_PREFIX, is_mission_city=True).order_by("pk")[:3]
    )
    sectors = list(ThematicSector.objects.order_by("position", "name")[:3])
    if not mission or not sectors:
        raise ValueError("No generated Mission City or sector: run seed_scale first.")
    call = Call.objects.create(
        title=SCALE_CALL_TITLE,
        description="Two-day visits to Mission Cities, 20,000 applicants.",
        status=CallStatus.OPEN,
        opens_at=OPENS_AT,
        closes_at=CLOSES_AT,
        review_deadline=REVIEWS_DUE,
        aggregation=Aggregation.MEAN,
        reviewers_per_application=REVIEWS_PER_APPLICATION,
        disagreement_threshold=Decimal("1.5"),
    )
    call.eligible_cohorts.set(scale_cohorts())
    visits = Visit.objects.bulk_create(
        [
            Visit(
                call=call,
                host_city=mission[n % len(mission)],
                title=f"Study visit {n + 1} to {mission[n % len(mission)].name}",
                starts_on=(AS_OF + datetime.timedelta(days=60 + 14 * n)).date(),
                ends_on=(AS_OF + datetime.timedelta(days=61 + 14 * n)).date(),
                sector=sectors[n % len(sectors)],
                capacity_cities=10,
            )
            # A small generated programme has fewer Mission Cities: one may host twice.
            for n in range(3)
        ]
    )
    criteria = Criterion.objects.bulk_create(
        [
            Criterion(
                call=call,
                name=name,
                kind=CriterionKind.MANUAL,
                weight=weight,
                independent=independent,
                position=position,
            )
            for position, (name, weight, independent) in enumerate(MANUAL_CRITERIA, start=1)
        ]
        + [
            Criterion(
                call=call,
                name=name,
                kind=CriterionKind.AUTOMATIC,
                rule=rule,
                weight=weight,
                position=len(MANUAL_CRITERIA) + position,
            )
            for position, (name, rule, weight) in enumerate(AUTOMATIC_CRITERIA, start=1)
        ]
    )
    manual = [criterion for criterion in criteria if criterion.kind == CriterionKind.MANUAL]

    city_ids = _applicant_cities(applications, rng)
    window = (CLOSES_AT - OPENS_AT).total_seconds()
    bulk_insert(
        Application,
        [
            "call_id",
            "city_id",
            "status",
            "motivation",
            "spotlight_challenge",
            "answers",
            "created_at",
            "updated_at",
            "submitted_at",
            "decision",
            "allocated_by_hand",
            "action_plan",
            "action_plan_file",
        ],
        [
            (
                call.pk,
                city_id,
                ApplicationStatus.SUBMITTED.value,
                "We want to learn how a Mission City financed its renovation wave.",
                "Renovating the social housing stock by 2030.",
                "{}",
                OPENS_AT + datetime.timedelta(seconds=window * n / len(city_ids)),
                OPENS_AT + datetime.timedelta(seconds=window * n / len(city_ids)),
                OPENS_AT + datetime.timedelta(seconds=window * n / len(city_ids), hours=1),
                "",
                False,
                "",
                "",
            )
            for n, city_id in enumerate(city_ids)
        ],
    )
    application_ids = list(
        Application.objects.filter(call=call).order_by("pk").values_list("pk", flat=True)
    )
    preferences = []
    for application_id in application_ids:
        order = rng.sample(visits, len(visits))
        preferences += [
            (application_id, visit.pk, rank) for rank, visit in enumerate(order, start=1)
        ]
    bulk_insert(Preference, ["application_id", "visit_id", "rank"], preferences)

    reviewers = list(
        scale_users().filter(is_reviewer=True).order_by("pk").values_list("pk", flat=True)
    )
    per_application = min(REVIEWS_PER_APPLICATION, len(reviewers))
    reviewed = CLOSES_AT + datetime.timedelta(days=7)
    reviews = [
        (
            application_id,
            reviewers[(n * per_application + k) % len(reviewers)],
            ReviewStatus.SUBMITTED.value,
            "",
            "",
            CLOSES_AT,
            reviewed,
        )
        for n, application_id in enumerate(application_ids)
        for k in range(per_application)
    ]
    bulk_insert(
        Review,
        [
            "application_id",
            "reviewer_id",
            "status",
            "comment",
            "recusal_reason",
            "assigned_at",
            "submitted_at",
        ],
        reviews,
    )
    # Each reviewer leans a little higher or lower; each application has a merit of its own.
    lean = {reviewer: rng.choice([-1, 0, 0, 1]) for reviewer in reviewers}
    merit = {application_id: rng.randint(1, 4) for application_id in application_ids}
    scores = [
        (
            review_id,
            criterion.pk,
            max(0, min(5, merit[application_id] + lean[reviewer_id] + rng.choice([-1, 0, 1]))),
        )
        for review_id, application_id, reviewer_id in Review.objects.filter(application__call=call)
        .order_by("pk")
        .values_list("pk", "application_id", "reviewer_id")
        for criterion in manual
    ]
    bulk_insert(Score, ["review_id", "criterion_id", "points"], scores)
    return call


def _applicant_cities(count: int, rng: random.Random) -> list[int]:
    """The ids of `count` cities to apply: the generated cities that are not Mission Cities,
    then the applicant cities made now for the rest (module docstring)."""
    generated = list(
        City.objects.filter(name__startswith=CITY_PREFIX, is_mission_city=False)
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )
    missing = count - len(generated)
    if missing <= 0:
        return generated
    countries = list(Country.objects.order_by("iso_code"))
    made = City.objects.bulk_create(
        [
            City(
                name=applicant_name(n),
                country=rng.choice(countries),
                population=rng.randint(20_000, 400_000),
                is_mission_minded=True,
            )
            for n in range(1, missing + 1)
        ],
        batch_size=5_000,
    )
    return generated + [city.pk for city in made]


def analyze() -> None:
    """Fresh planner statistics of the tables written in bulk."""
    with connection.cursor() as cursor:
        for model in (Application, Preference, Review, Score):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _flush_visits():
    """Delete the scale call's rows, largest first in single statements (no models loaded,
    no signals), then the call and the applicant cities."""
    calls = scale_calls()
    for queryset in (
        Score.objects.filter(review__application__call__in=calls),
        ScoreLine.objects.filter(application__call__in=calls),
        Review.objects.filter(application__call__in=calls),
        Preference.objects.filter(application__call__in=calls),
        Application.objects.filter(call__in=calls),
    ):
        queryset._raw_delete(queryset.db)
    calls.delete()
    City.objects.filter(name__startswith=APPLICANT_PREFIX).delete()


@scale_step("visits", flush=_flush_visits)
def generate_visits(ctx: ScaleContext) -> int:
    """The scale call (module docstring)."""
    count = ctx.config.visit_applications
    if count is None:
        count = APPLICATIONS_PER_CITY * ctx.config.cities
    if count == 0 or not ctx.cohorts or not ctx.mission_cities:
        return 0
    call = visits_generate(applications=count, seed=ctx.config.seed)
    return (
        Application.objects.filter(call=call).count()
        + Review.objects.filter(application__call=call).count()
        + Score.objects.filter(review__application__call=call).count()
    )
