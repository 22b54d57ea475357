"""Scoring's and allocation's writes on PostgreSQL (portal/bulk.py: each column as one array,
one statement whatever the number of rows) against Django's bulk methods (the path SQLite
takes): the same calls scored and allocated both ways give the same rows."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal import bulk
from tests import factories
from tests.conftest import require
from tests.visits.test_scoring import review, scored_call, submitted_application
from visits import allocation, scoring
from visits.enums import Aggregation, ApplicationStatus, CriterionKind
from visits.models import Application, Criterion, ScoreLine

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

D = Decimal


@pytest.fixture(autouse=True)
def _postgresql():
    require(
        connection.vendor == "postgresql", f"the database is {connection.vendor}, not PostgreSQL"
    )


def rows(call) -> tuple:
    """The call's lines (by application and criterion: the two paths number new rows alike,
    but the key is what the pages read) and its applications' scores and placements."""
    lines = sorted(
        ScoreLine.objects.filter(application__call=call).values_list(
            "application",
            "criterion",
            "points",
            "weighted",
            "reviewers",
            "deviation",
            "disagreement",
        )
    )
    applications = list(
        Application.objects.filter(call=call)
        .order_by("pk")
        .values_list(
            "pk",
            "total",
            "rank",
            "decision",
            "allocated_visit",
            "waitlist_position",
            "allocated_by_hand",
        )
    )
    return lines, applications


def undo(call) -> None:
    ScoreLine.objects.filter(application__call=call).delete()
    Application.objects.filter(call=call).update(
        total=None, rank=None, decision="", allocated_visit=None, waitlist_position=None
    )


def awkward_call():
    """A call whose lines take every kind of value: a median of an even count, a criterion
    nobody scored (no points, no deviation), a disagreement, an independent criterion, the
    automatic rules, a withdrawn application (no lines), ties in the ranking."""
    call = scored_call(7)
    call.aggregation = Aggregation.MEDIAN
    call.save()
    factories.CriterionFactory(call=call, weight=D("1.5"), independent=True)
    unscored = factories.CriterionFactory(call=call, weight=D("0.75"))
    first = Application.objects.filter(call=call).order_by("pk").first()
    review(first, {unscored: 0})
    review(first, {unscored: 5})
    submitted_application(call, at=datetime.datetime(2025, 3, 1, 9, 0, tzinfo=datetime.UTC))
    return call


def score_and_allocate(call, monkeypatch, *, portable: bool) -> tuple:
    """Score, reweight and score again, withdraw one and score again, allocating after each:
    first lines inserted, then updated, then deleted. The rows after each step."""
    monkeypatch.setattr(scoring, "PORTABLE_WRITES", portable)
    monkeypatch.setattr(allocation, "PORTABLE_WRITES", portable)
    steps = []

    def step():
        scoring.call_score(call_id=call.pk)
        allocation.allocate(call)
        steps.append(rows(call))

    step()
    Criterion.objects.filter(call=call, kind=CriterionKind.MANUAL).update(weight=D("2.5"))
    step()
    last = Application.objects.filter(call=call).order_by("pk").last()
    Application.objects.filter(pk=last.pk).update(status=ApplicationStatus.WITHDRAWN)
    step()
    return steps


def test_both_paths_give_the_same_lines_totals_ranks_and_placements(monkeypatch):
    call = awkward_call()
    weights = dict(Criterion.objects.filter(call=call).values_list("pk", "weight"))
    statuses = dict(Application.objects.filter(call=call).values_list("pk", "status"))

    portable = score_and_allocate(call, monkeypatch, portable=True)
    undo(call)
    for pk, weight in weights.items():
        Criterion.objects.filter(pk=pk).update(weight=weight)
    for pk, status in statuses.items():
        Application.objects.filter(pk=pk).update(status=status)
    in_sql = score_and_allocate(call, monkeypatch, portable=False)

    assert in_sql == portable
    lines, applications = portable[0]
    assert len(lines) == 8 * 7
    # The values the arrays must carry: no points, a median of two, a disagreement.
    assert {line[2] for line in lines} >= {None, D("2.500")}
    assert any(line[6] for line in lines)
    assert sorted(rank for _pk, _total, rank, *_ in applications) == list(range(1, 9))
    # Reweighting changed lines in place; the withdrawn application lost its lines and rank.
    assert portable[1][0] != lines
    assert len(portable[2][0]) == 7 * 7


def test_whole_call_scoring_writes_in_one_statement_past_the_portable_batches(monkeypatch):
    # Batches of 5 rows: the portable path would send 21 statements for the 105 lines.
    monkeypatch.setattr(bulk, "PORTABLE_BATCH", 5)
    call = scored_call(21)

    with CaptureQueriesContext(connection) as queries:
        scoring.call_score(call_id=call.pk)

    assert len(queries) == 15  # as in test_scoring's count, whatever the rows
    assert ScoreLine.objects.filter(application__call=call).count() == 21 * 5


def test_rows_update_carries_text_dates_and_nulls_as_they_are():
    texts = [
        'a "quote"',
        "back\\slash",
        "{braces}, commas",
        "NULL",
        "",
        "two\nlines",
        "Ação climática — São João",
        "  spaces  ",
    ]
    applications = [factories.ApplicationFactory() for _ in texts]
    at = datetime.datetime(2025, 3, 1, 9, 30, 15, tzinfo=datetime.UTC)

    bulk.rows_update(
        Application,
        ["motivation", "submitted_at", "total"],
        [
            (application.pk, text, at if n % 2 else None, D("1.250") if n % 3 else None)
            for n, (application, text) in enumerate(zip(applications, texts, strict=True))
        ],
    )

    assert [
        Application.objects.values_list("motivation", "submitted_at", "total").get(pk=a.pk)
        for a in applications
    ] == [
        (text, at if n % 2 else None, D("1.250") if n % 3 else None) for n, text in enumerate(texts)
    ]
