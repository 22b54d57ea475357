"""Scoring and ranking of Group Study Visit applications (issue 12, "Scoring").

Scoring recomputes an application's score lines (visits.models.ScoreLine) and its total, and
the call's ranking, from the source rows only: the reviewers' Score rows of SUBMITTED reviews,
the call's Criterion rows, and the portal's own data for the automatic criteria. A line is never
edited by hand, so running scoring twice gives the same rows, and two runs at once are made one
after the other by a lock on the call's row (`select_for_update`) held while they write.

Set-based: a whole call is read in a fixed number of queries whatever its number of applications
(the criteria; the applications with their automatic facts as annotations; the reviewers'
points; the lines as they stand; the ranking's facts), and only the lines and applications that
changed are written: on PostgreSQL the new lines in one insert, the changed ones in one update
and the totals and ranks in one update, whatever their number (portal/bulk.py: each column
sent as one array); elsewhere through Django's bulk methods, one statement per 2,000 rows. A
second run over unchanged data writes nothing.

Each line (`Line` below):
- A manual criterion: the reviewers' points combined by the call's setting, the MEAN or the
  MEDIAN (of an even count: the mean of the two middle points), the number of reviewers counted,
  their standard deviation, and a disagreement flag when that deviation reaches the call's
  `disagreement_threshold` (two reviewers or more). Only SUBMITTED reviews count: a recused
  review, or one not yet submitted, leaves the averages. No submitted review yet: no points.
- An automatic criterion: its rule's points (`RULE_SENTENCES`, shown on the pages).
- Weighted points: weight x points, 0 for an independent criterion (shown, not counted) and for
  a line without points. The total is the sum of the weighted points.

Decision: the deviation is the POPULATION standard deviation (divided by n, not n - 1). The
reviewers of an application are all the people who scored it, not a sample drawn to estimate
some wider population of possible reviewers; and it is defined for one reviewer (0), where the
sample deviation is not, so a single review shows "0" rather than nothing.

Ranking (`RANKING_ORDER`): only SUBMITTED applications are ranked, 1 to n with no shared rank:
by total, highest first; on equal totals the completed Reflection Roadmap's line first (000
§2.2 makes it the programme's own tie-worthy point), then the earlier submission, then the
lower id (always distinct). Draft and withdrawn applications have no lines, total or rank.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohorts.enums import EnrolmentStatus
from cohorts.models import EnrolmentGroup
from portal.bulk import rows_insert, rows_update
from portal.fragments import bump
from portal.permissions import permission_check
from roadmaps.enums import RoadmapStatus
from roadmaps.models import Roadmap
from sessions.enums import Attendance, SessionStatus
from sessions.models import Registration
from visits.enums import (
    Aggregation,
    ApplicationStatus,
    AutomaticRule,
    CriterionKind,
    ReviewStatus,
)
from visits.models import Application, Call, Criterion, Preference, Score, ScoreLine
from visits.versions import APPLICATIONS

# The score lines' columns as written (portal.bulk), keyed by the first two.
LINE_FIELDS = [
    "application_id",
    "criterion_id",
    "points",
    "weighted",
    "reviewers",
    "deviation",
    "disagreement",
]
# True: write through Django's bulk methods on PostgreSQL too (portal/bulk.py), as on SQLite.
# Only tests set it, to show both paths give the same rows.
PORTABLE_WRITES = False
THOUSANDTH = Decimal("0.001")

# What each automatic criterion computes, in the words the pages show (the why-page, the
# ranking page).
RULE_SENTENCES = {
    AutomaticRule.ROADMAP_COMPLETED: _(
        "1 point when the city's Reflection Roadmap in one of the call's cohorts is completed "
        "(accepted by its facilitators); otherwise 0. A completed roadmap gives one "
        "additional point in the selection."
    ),
    AutomaticRule.SESSIONS_ATTENDED: _(
        "1 point for each session of the call's cohorts that someone from the city attended "
        "(recorded as attended, walk-ins included); cancelled sessions do not count."
    ),
    AutomaticRule.SECTOR_MATCH: _(
        "1 point when the city takes part in a thematic group of the call's cohorts whose "
        "sector is the sector of the visit the city ranks first; otherwise 0."
    ),
}
# Decisions behind the rules:
# - SESSIONS_ATTENDED counts sessions, not a share: the sessions open to a city differ (the
#   cohort's own and those of the groups it joined), so a share would have a different
#   denominator for each city; the number is what the city did, and the weight scales it.
# - SECTOR_MATCH looks at the first preference only: it is the visit the city asks for most
#   and the allocation tries first; a match with a later choice says little.

RANKING_ORDER = _(
    "Ranked by total, highest first; on equal totals a completed Reflection Roadmap first, then "
    "the earlier submission, then the earlier application."
)


def rule_sentence(rule: str) -> str:
    return RULE_SENTENCES.get(rule, "")


# --- The arithmetic --------------------------------------------------------------------------


def _exact(value: Decimal) -> Decimal:
    return value.quantize(THOUSANDTH, rounding=ROUND_HALF_UP)


def combine(points: list[int], aggregation: str) -> Decimal | None:
    """The reviewers' points as one: their mean or median (of an even count, the mean of the
    two middle points); None without points."""
    if not points:
        return None
    if aggregation == Aggregation.MEDIAN:
        ordered = sorted(points)
        middle = len(ordered) // 2
        if len(ordered) % 2:
            return _exact(Decimal(ordered[middle]))
        return _exact(Decimal(ordered[middle - 1] + ordered[middle]) / 2)
    return _exact(Decimal(sum(points)) / len(points))


def deviation(points: list[int]) -> Decimal | None:
    """The population standard deviation of the points (module docstring); None without any."""
    if not points:
        return None
    n = len(points)
    # (n·Σx² - (Σx)²) / n² is exact in integers: no rounding before the square root.
    variance = Decimal(n * sum(p * p for p in points) - sum(points) ** 2) / (n * n)
    return _exact(variance.sqrt())


class Line(NamedTuple):
    """A score line as scoring computes it: the ScoreLine row's values in the order of
    LINE_FIELDS. (A named tuple, not a dataclass: a call makes 140,000 of them, and a tuple is
    what the write sends.)"""

    application_id: int
    criterion_id: int
    points: Decimal | None
    weighted: Decimal
    reviewers: int = 0
    deviation: Decimal | None = None
    disagreement: bool = False

    def key(self) -> tuple:
        """The values scoring writes, as the stored lines are read to compare."""
        return self[2:]


def _manual_values(
    points: tuple[int, ...],
    aggregation: str,
    weight: Decimal,
    independent: bool,
    threshold: Decimal,
) -> tuple:
    """(points, weighted, reviewers, deviation, disagreement) of sorted reviewers' points."""
    combined = combine(list(points), aggregation)
    spread = deviation(list(points))
    weighted = _exact(Decimal(0)) if combined is None or independent else _exact(weight * combined)
    return (
        combined,
        weighted,
        len(points),
        spread,
        len(points) >= 2 and spread >= threshold,
    )


def _automatic_values(points: int, weight: Decimal, independent: bool) -> tuple:
    value = _exact(Decimal(points))
    weighted = _exact(Decimal(0)) if independent else _exact(weight * value)
    return (value, weighted, 0, None, False)


def line_values(call: Call, criterion: Criterion):
    """The function giving a line's values (all but its two keys) of `criterion` from its
    input: the sorted tuple of the reviewers' points (manual), or the rule's points
    (automatic). Cached: a call of 20,000 applications has only a few dozen different inputs
    per criterion, and the Decimal arithmetic was most of a whole call's scoring time. One
    cache per criterion and run, keyed by the input alone: no weight or threshold (Decimals,
    slow to hash) is hashed again for each line, and nothing outlives the run."""
    if criterion.kind == CriterionKind.MANUAL:
        return functools.cache(
            functools.partial(
                _manual_values,
                aggregation=call.aggregation,
                weight=criterion.weight,
                independent=criterion.independent,
                threshold=call.disagreement_threshold,
            )
        )
    return functools.cache(
        functools.partial(
            _automatic_values, weight=criterion.weight, independent=criterion.independent
        )
    )


# --- The portal's data behind the automatic rules -----------------------------------------------


def _automatic_facts(call: Call, rules: set[str], scoped: QuerySet) -> dict[str, object]:
    """What the automatic `rules` need about the submitted applications of `scoped` (a
    queryset of the call's applications), each read in ONE query over all their cities:
    the cities with a completed roadmap, each city's number of sessions attended, and the
    (city, sector) pairs of its thematic groups with each application's first sector.

    Set-based on purpose: the same facts as annotations (a correlated subquery per rule and
    application) took PostgreSQL 20,000 index lookups per rule on the scale call, and their
    estimated cost made it compile the query to machine code first (JIT), about half of the
    query's time (EXPLAIN ANALYZE, 2 December 2026); these reads join once, by hash."""
    cohorts = call.eligible_cohorts.values("pk")
    submitted = scoped.filter(status=ApplicationStatus.SUBMITTED)
    cities = submitted.values("city_id")
    facts: dict[str, object] = {}
    if AutomaticRule.ROADMAP_COMPLETED in rules:
        facts["roadmap_cities"] = set(
            Roadmap.objects.filter(
                city__in=cities, cohort__in=cohorts, status=RoadmapStatus.ACCEPTED
            )
            .order_by()
            .values_list("city_id", flat=True)
        )
    if AutomaticRule.SESSIONS_ATTENDED in rules:
        facts["sessions_of_city"] = dict(
            Registration.objects.filter(
                city__in=cities, session__cohort__in=cohorts, attendance=Attendance.ATTENDED
            )
            .exclude(session__status=SessionStatus.CANCELLED)
            .order_by()
            .values("city_id")
            .annotate(sessions=Count("session", distinct=True))
            .values_list("city_id", "sessions")
        )
    if AutomaticRule.SECTOR_MATCH in rules:
        facts["city_sectors"] = set(
            EnrolmentGroup.objects.filter(
                enrolment__city__in=cities,
                enrolment__cohort__in=cohorts,
                enrolment__status=EnrolmentStatus.ACCEPTED,
            )
            .order_by()
            .values_list("enrolment__city_id", "thematic_group__sector_id")
            .distinct()
        )
        # The sector of each application's first preference (its lowest rank).
        facts["first_sector"] = dict(
            Preference.objects.filter(application__in=submitted.values("pk"))
            .annotate(
                place=Window(RowNumber(), partition_by=F("application_id"), order_by=F("rank"))
            )
            .filter(place=1)
            .order_by()
            .values_list("application_id", "visit__sector_id")
        )
    return facts


def _rule_points(application: dict, facts: dict) -> dict[str, int]:
    """Each automatic rule's points for `application` (a dict with `pk` and `city_id`), by the
    rule's name in `_FACT_OF_RULE`, from the facts `_automatic_facts` read."""
    city = application["city_id"]
    points = {}
    if "roadmap_cities" in facts:
        points["roadmap_completed"] = int(city in facts["roadmap_cities"])
    if "sessions_of_city" in facts:
        points["sessions_attended"] = facts["sessions_of_city"].get(city, 0)
    if "first_sector" in facts:
        sector = facts["first_sector"].get(application["pk"])
        # No preference, no first sector: no match.
        points["sector_match"] = int(sector is not None and (city, sector) in facts["city_sectors"])
    return points


_FACT_OF_RULE = {
    AutomaticRule.ROADMAP_COMPLETED: "roadmap_completed",
    AutomaticRule.SESSIONS_ATTENDED: "sessions_attended",
    AutomaticRule.SECTOR_MATCH: "sector_match",
}


# --- Scoring ----------------------------------------------------------------------------------


def compute_lines(
    *, call: Call, criteria: list[Criterion], applications: list[dict], scores: list[tuple]
) -> list[Line]:
    """Every line of the submitted `applications` (dicts with `pk`, `status` and the
    automatic facts): pure arithmetic over rows already read. (The loop runs once per line,
    140,000 times in a call of 20,000 applications: what it can, it works out per criterion
    before.)"""
    points_of: dict[tuple[int, int], list[int]] = defaultdict(list)
    for application_id, criterion_id, points in scores:
        points_of[(application_id, criterion_id)].append(points)
    per_criterion = [
        (
            criterion.pk,
            criterion.kind == CriterionKind.MANUAL,
            _FACT_OF_RULE.get(criterion.rule, ""),
            line_values(call, criterion),
        )
        for criterion in criteria
    ]
    no_points: list[int] = []
    lines = []
    # Line(pk, criterion_id, *values) runs the named tuple's Python constructor; this builds
    # the same Line from one tuple, in C (half the time over 140,000 lines).
    make = tuple.__new__
    for application in applications:
        if application["status"] != ApplicationStatus.SUBMITTED:
            continue
        pk = application["pk"]
        for criterion_id, manual, fact, values_of in per_criterion:
            if manual:
                values = values_of(tuple(sorted(points_of.get((pk, criterion_id), no_points))))
            else:
                values = values_of(int(application.get(fact, 0)))
            lines.append(make(Line, (pk, criterion_id, *values)))
    return lines


def _score(call: Call, scope: Q) -> tuple[list[dict], list[Line], list[Criterion]]:
    """Write the lines of the applications of `call` matching `scope`; return the
    applications as read (with their stored total and rank), their new lines and the call's
    criteria."""
    criteria = list(Criterion.objects.filter(call=call).order_by("position", "pk"))
    rules = {criterion.rule for criterion in criteria if criterion.rule}
    scoped = Application.objects.filter(scope, call=call)
    # In the model's order (by id): the new lines are inserted, and numbered, in this order.
    applications = list(scoped.values("pk", "status", "total", "rank", "submitted_at", "city_id"))
    facts = _automatic_facts(call, rules, scoped)
    for application in applications:
        if application["status"] == ApplicationStatus.SUBMITTED:
            application.update(_rule_points(application, facts))
    scored_reviews = Q(
        review__status=ReviewStatus.SUBMITTED,
        review__application__call=call,
        review__application__status=ApplicationStatus.SUBMITTED,
        criterion__call=call,
        criterion__kind=CriterionKind.MANUAL,
    )
    application_scope = Q(
        review__application__in=Application.objects.filter(scope, call=call).values("pk")
    )
    # order_by(): the models' default orders would sort 240,000 scores and 140,000 lines
    # (joining the criteria) for nothing.
    scores = list(
        Score.objects.filter(scored_reviews & application_scope)
        .order_by()
        .values_list("review__application_id", "criterion_id", "points")
    )
    lines = compute_lines(call=call, criteria=criteria, applications=applications, scores=scores)

    # The lines as they stand: (application, criterion) -> (the line's id, its values).
    stored = {
        (row[1], row[2]): (row[0], row[3:])
        for row in ScoreLine.objects.filter(
            application__in=Application.objects.filter(scope, call=call).values("pk")
        )
        .order_by()
        .values_list("pk", *LINE_FIELDS)
    }
    # New lines are inserted and changed ones updated by id, never upserted: lines are written
    # only under the call's lock, by a run that read them after taking it, so a line it finds
    # missing is missing. (Measured on the scale call's 140,000 lines, a plain insert took about
    # a fifth less than the same with PostgreSQL's ON CONFLICT, which tries each row's key
    # first; and an update by id sets no key column, so PostgreSQL may update in place.)
    new, changed = _new_and_changed(lines, stored)
    rows_insert(ScoreLine, LINE_FIELDS, new, portable=PORTABLE_WRITES)
    rows_update(ScoreLine, LINE_FIELDS[2:], changed, portable=PORTABLE_WRITES)
    # The lines of applications no longer submitted (withdrawn): the criteria of the call are
    # all computed above, and a removed criterion's lines went with it (on delete cascade).
    if stored and _stale(stored, lines):
        ScoreLine.objects.filter(
            application__in=Application.objects.filter(scope, call=call)
            .exclude(status=ApplicationStatus.SUBMITTED)
            .values("pk")
        )._raw_delete(ScoreLine.objects.db)

    return applications, lines, criteria


def _new_and_changed(lines: list[Line], stored: dict) -> tuple[list[Line], list[tuple]]:
    """The `lines` not stored yet, and (id, *values) of the stored ones whose values changed."""
    if not stored:
        # A first scoring: every line is new, nothing to compare.
        return lines, []
    new, changed = [], []
    for line in lines:
        before = stored.get((line.application_id, line.criterion_id))
        if before is None:
            new.append(line)
        elif before[1] != line.key():
            changed.append((before[0], *line.key()))
    return new, changed


def _stale(stored: dict, lines: list[Line]) -> bool:
    """Whether a stored line is of none of the computed `lines`."""
    computed = {(line.application_id, line.criterion_id) for line in lines}
    return any(key not in computed for key in stored)


def _totals(applications: list[dict], lines: list[Line]) -> dict[int, Decimal | None]:
    """The new total of each application read (None for those not submitted)."""
    totals: dict[int, Decimal | None] = {
        application["pk"]: (
            _exact(Decimal(0)) if application["status"] == ApplicationStatus.SUBMITTED else None
        )
        for application in applications
    }
    for line in lines:
        totals[line.application_id] += line.weighted
    return totals


def ranking_key(row: dict):
    """The ranking's order (module docstring) as a sort key of a row with `total`,
    `roadmap_points`, `submitted_at` and `pk`."""
    total = row["total"] if row["total"] is not None else Decimal("-Infinity")
    roadmap = row["roadmap_points"] or Decimal(0)
    submitted = row["submitted_at"] or datetime.datetime.max.replace(tzinfo=datetime.UTC)
    return (-total, -roadmap, submitted, row["pk"])


def _rank_and_write(rows: list[dict], totals: dict, roadmap_points: dict) -> None:
    """Rank the submitted applications among `rows` (every application of a call, with its
    stored `total` and `rank`) by the new `totals` and `roadmap_points` (those not given: as
    stored), and write the totals and ranks that changed."""
    new_total = {row["pk"]: totals.get(row["pk"], row["total"]) for row in rows}
    submitted = [
        {
            "pk": row["pk"],
            "total": new_total[row["pk"]],
            "roadmap_points": roadmap_points.get(row["pk"], row.get("roadmap_points")),
            "submitted_at": row["submitted_at"],
        }
        for row in rows
        if row["status"] == ApplicationStatus.SUBMITTED
    ]
    new_rank = {row["pk"]: None for row in rows}
    for rank, row in enumerate(sorted(submitted, key=ranking_key), start=1):
        new_rank[row["pk"]] = rank
    changed = [
        (row["pk"], new_total[row["pk"]], new_rank[row["pk"]])
        for row in rows
        if (row["total"], row["rank"]) != (new_total[row["pk"]], new_rank[row["pk"]])
    ]
    rows_update(Application, ["total", "rank"], changed, portable=PORTABLE_WRITES)
    if changed:
        bump(APPLICATIONS)  # a bulk update sends no signal (visits/versions.py)


def _roadmap_points_of(criteria: list[Criterion], lines: list[Line]) -> dict:
    """The roadmap line's points of each application in `lines` (the ranking's tie-break)."""
    roadmap_ids = {c.pk for c in criteria if c.rule == AutomaticRule.ROADMAP_COMPLETED}
    return {line.application_id: line.points for line in lines if line.criterion_id in roadmap_ids}


def call_score(*, call_id: int) -> Call | None:
    """Recompute every line, total and rank of the call (module docstring); None when the call
    is gone."""
    with transaction.atomic():
        call = Call.objects.select_for_update().filter(pk=call_id).first()
        if call is None:
            return None
        applications, lines, criteria = _score(call, Q())
        # Every application of the call was read: ranked from what is in hand.
        _rank_and_write(
            applications, _totals(applications, lines), _roadmap_points_of(criteria, lines)
        )
        call.scored_at = timezone.now()
        Call.objects.filter(pk=call.pk).update(scored_at=call.scored_at)
    return call


def application_score(*, application_id: int) -> Application | None:
    """Recompute one application's lines and total, and its call's ranking (which the new
    total may change); None when the application is gone."""
    call_id = Application.objects.filter(pk=application_id).values_list("call_id", flat=True)
    with transaction.atomic():
        # The call's lock first, as call_score takes it: two runs never interleave their writes.
        call = Call.objects.select_for_update().filter(pk__in=call_id).first()
        if call is None:
            return None
        applications, lines, criteria = _score(call, Q(pk=application_id))
        # The others as stored, with their roadmap line (the tie-break).
        roadmap = ScoreLine.objects.filter(
            application=OuterRef("pk"), criterion__rule=AutomaticRule.ROADMAP_COMPLETED
        ).values("points")[:1]
        rows = list(
            Application.objects.filter(call=call)
            .annotate(roadmap_points=Subquery(roadmap))
            .values("pk", "status", "total", "rank", "submitted_at", "roadmap_points")
        )
        _rank_and_write(rows, _totals(applications, lines), _roadmap_points_of(criteria, lines))
        call.scored_at = timezone.now()
        Call.objects.filter(pk=call.pk).update(scored_at=call.scored_at)
    return Application.objects.filter(pk=application_id).first()


# --- Queuing ----------------------------------------------------------------------------------


def call_scoring_queue(*, call_id: int) -> None:
    """Score the whole call in the background once the current transaction commits."""
    from visits.tasks import score_call

    # robust: a broker that is down must not undo the change that asked for scoring; the
    # admin's "Run scoring" queues it again.
    transaction.on_commit(lambda: score_call.delay(call_id), robust=True)


def application_scoring_queue(*, application_id: int) -> None:
    """Score one application in the background once the current transaction commits."""
    from visits.tasks import score_application

    transaction.on_commit(lambda: score_application.delay(application_id), robust=True)


def call_scoring_run(*, acting_user, call: Call) -> None:
    """The admin's "Run scoring": queue the whole call's scoring."""
    permission_check(acting_user, "visits.manage_call", call)
    with transaction.atomic():
        call_scoring_queue(call_id=call.pk)


# --- Reads for the pages --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewerPoints:
    review_id: int
    name: str
    points: int


def ranking_lines(*, applications: list[int]) -> dict[tuple[int, int], tuple]:
    """(points, disagreement) of the lines of `applications` (one page of the ranking), by
    (application, criterion): one query."""
    return {
        (application_id, criterion_id): (points, disagreement)
        for application_id, criterion_id, points, disagreement in ScoreLine.objects.filter(
            application__in=applications
        )
        .order_by()
        .values_list("application_id", "criterion_id", "points", "disagreement")
    }


def ranked_applications(*, call: Call):
    """The call's submitted applications in rank order (unscored ones last), as rows with
    their city's and country's names."""
    return (
        Application.objects.filter(call=call, status=ApplicationStatus.SUBMITTED)
        .order_by(F("rank").asc(nulls_last=True), "pk")
        .values("pk", "rank", "total", "status", "decision", "city__name", "city__country__name")
    )


def reviewers_points(*, application: Application) -> dict[int, list[ReviewerPoints]]:
    """The points of the SUBMITTED reviews of `application`, by criterion, with each reviewer's
    name, in review order: one query."""
    by_criterion: dict[int, list[ReviewerPoints]] = defaultdict(list)
    scores = (
        Score.objects.filter(review__application=application, review__status=ReviewStatus.SUBMITTED)
        .order_by("review_id", "pk")
        .values_list(
            "review_id",
            "criterion_id",
            "points",
            "review__reviewer__full_name",
            "review__reviewer__email",
        )
    )
    for review_id, criterion_id, points, full_name, email in scores:
        by_criterion[criterion_id].append(
            ReviewerPoints(review_id=review_id, name=full_name or email, points=points)
        )
    return by_criterion
