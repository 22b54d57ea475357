"""Scoring (visits/scoring.py): each rule and aggregation with exact numbers, the ranking's
tie-break, idempotence, and a query count that does not grow with the applications."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cohorts.enums import EnrolmentStatus
from roadmaps.enums import RoadmapStatus
from sessions.enums import Attendance, SessionStatus
from tests import factories
from visits import scoring
from visits.enums import (
    Aggregation,
    ApplicationStatus,
    AutomaticRule,
    CallStatus,
    CriterionKind,
    ReviewStatus,
)
from visits.models import Application, ScoreLine

pytestmark = pytest.mark.django_db

D = Decimal
SUBMITTED_AT = datetime.datetime(2025, 3, 1, 9, 0, tzinfo=datetime.UTC)


def submitted_application(call, *, city=None, at=SUBMITTED_AT):
    return factories.ApplicationFactory(
        call=call,
        city=city or factories.CityFactory(),
        status=ApplicationStatus.SUBMITTED,
        submitted_at=at,
    )


def review(application, points: dict, *, status=ReviewStatus.SUBMITTED, reviewer=None):
    """A review of `application` with `points` by criterion."""
    row = factories.ReviewFactory(
        application=application,
        reviewer=reviewer or factories.UserFactory(is_reviewer=True),
        status=status,
        submitted_at=timezone.now() if status == ReviewStatus.SUBMITTED else None,
    )
    for criterion, value in points.items():
        factories.ScoreFactory(review=row, criterion=criterion, points=value)
    return row


def line(application, criterion) -> tuple:
    row = ScoreLine.objects.get(application=application, criterion=criterion)
    return (row.points, row.weighted, row.reviewers, row.deviation, row.disagreement)


@pytest.fixture
def call():
    call = factories.CallFactory(status=CallStatus.OPEN, disagreement_threshold=D("1.5"))
    call.eligible_cohorts.add(factories.CohortFactory())
    return call


# --- The arithmetic ----------------------------------------------------------------------------


def test_combine_mean_and_median_of_odd_and_even_counts():
    assert scoring.combine([1, 2, 4], Aggregation.MEAN) == D("2.333")
    assert scoring.combine([1, 2, 4], Aggregation.MEDIAN) == D("2.000")
    # An even count: the mean of the two middle points.
    assert scoring.combine([5, 1, 2, 4], Aggregation.MEDIAN) == D("3.000")
    assert scoring.combine([1, 2], Aggregation.MEDIAN) == D("1.500")
    assert scoring.combine([], Aggregation.MEAN) is None


def test_deviation_is_the_population_standard_deviation():
    # Mean 5, squared deviations 9+1+1+1+0+0+4+16 = 32 over 8: variance 4, deviation 2.
    assert scoring.deviation([2, 4, 4, 4, 5, 5, 7, 9]) == D("2.000")
    assert scoring.deviation([1, 2]) == D("0.500")  # the sample deviation would be 0.707
    assert scoring.deviation([3]) == D("0.000")
    assert scoring.deviation([]) is None


# --- Manual criteria ---------------------------------------------------------------------------


def test_manual_line_mean_deviation_and_weight(call):
    relevance = factories.CriterionFactory(call=call, weight=D("2"))
    application = submitted_application(call)
    review(application, {relevance: 1})
    review(application, {relevance: 2})
    review(application, {relevance: 4})

    scoring.call_score(call_id=call.pk)

    # Mean 7/3 = 2.333; population deviation sqrt(14/9) = 1.247 (under the 1.5 threshold).
    assert line(application, relevance) == (D("2.333"), D("4.666"), 3, D("1.247"), False)
    application.refresh_from_db()
    assert (application.total, application.rank) == (D("4.666"), 1)


def test_manual_line_median_of_an_even_count_and_disagreement(call):
    call.aggregation = Aggregation.MEDIAN
    call.save()
    relevance = factories.CriterionFactory(call=call, weight=D("1.5"))
    application = submitted_application(call)
    for points in (0, 1, 4, 5):
        review(application, {relevance: points})

    scoring.call_score(call_id=call.pk)

    # Median (1 + 4) / 2 = 2.5; mean 2.5, deviation sqrt((6.25+2.25+2.25+6.25)/4) = 2.062.
    assert line(application, relevance) == (D("2.500"), D("3.750"), 4, D("2.062"), True)


def test_disagreement_is_flagged_from_the_threshold_itself(call):
    call.disagreement_threshold = D("1")
    call.save()
    relevance = factories.CriterionFactory(call=call)
    application = submitted_application(call)
    review(application, {relevance: 1})
    review(application, {relevance: 3})

    scoring.call_score(call_id=call.pk)

    assert line(application, relevance) == (D("2.000"), D("2.000"), 2, D("1.000"), True)


def test_recused_and_unsubmitted_reviews_leave_the_averages(call):
    relevance = factories.CriterionFactory(call=call)
    application = submitted_application(call)
    review(application, {relevance: 4})
    review(application, {relevance: 0}, status=ReviewStatus.RECUSED)
    review(application, {relevance: 1}, status=ReviewStatus.ASSIGNED)

    scoring.call_score(call_id=call.pk)

    assert line(application, relevance) == (D("4.000"), D("4.000"), 1, D("0.000"), False)


def test_a_criterion_without_a_submitted_review_has_no_points_and_counts_nothing(call):
    relevance = factories.CriterionFactory(call=call)
    application = submitted_application(call)

    scoring.call_score(call_id=call.pk)

    assert line(application, relevance) == (None, D("0.000"), 0, None, False)
    assert Application.objects.get(pk=application.pk).total == D("0.000")


def test_an_independent_criterion_is_shown_and_weighted_zero(call):
    relevance = factories.CriterionFactory(call=call, weight=D("2"))
    gender_balance = factories.CriterionFactory(call=call, weight=D("3"), independent=True)
    application = submitted_application(call)
    review(application, {relevance: 3, gender_balance: 5})

    scoring.call_score(call_id=call.pk)

    assert line(application, gender_balance) == (D("5.000"), D("0.000"), 1, D("0.000"), False)
    assert Application.objects.get(pk=application.pk).total == D("6.000")


def test_total_is_the_weighted_sum_of_manual_and_automatic_lines(call):
    cohort = call.eligible_cohorts.get()
    relevance = factories.CriterionFactory(call=call, weight=D("2"))
    feasibility = factories.CriterionFactory(call=call, weight=D("0.5"))
    roadmap = factories.CriterionFactory(
        call=call,
        kind=CriterionKind.AUTOMATIC,
        rule=AutomaticRule.ROADMAP_COMPLETED,
        weight=D("1.25"),
    )
    application = submitted_application(call)
    factories.RoadmapFactory(cohort=cohort, city=application.city, status=RoadmapStatus.ACCEPTED)
    review(application, {relevance: 3, feasibility: 4})
    review(application, {relevance: 4, feasibility: 5})

    scoring.call_score(call_id=call.pk)

    # 2 x 3.5 + 0.5 x 4.5 + 1.25 x 1 = 7 + 2.25 + 1.25
    assert line(application, roadmap) == (D("1.000"), D("1.250"), 0, None, False)
    assert Application.objects.get(pk=application.pk).total == D("10.500")


def test_scores_of_another_calls_criteria_are_not_counted(call):
    relevance = factories.CriterionFactory(call=call)
    elsewhere = factories.CriterionFactory()
    application = submitted_application(call)
    review(application, {relevance: 2, elsewhere: 5})

    scoring.call_score(call_id=call.pk)

    assert ScoreLine.objects.filter(application=application).count() == 1
    assert line(application, relevance)[0] == D("2.000")


# --- Automatic criteria ------------------------------------------------------------------------


def automatic(call, rule, weight="1"):
    return factories.CriterionFactory(
        call=call, kind=CriterionKind.AUTOMATIC, rule=rule, weight=D(weight)
    )


@pytest.mark.parametrize(
    ("status", "in_call_cohort", "points"),
    [
        (RoadmapStatus.ACCEPTED, True, D("1.000")),
        (RoadmapStatus.SUBMITTED, True, D("0.000")),
        (RoadmapStatus.DRAFT, True, D("0.000")),
        (RoadmapStatus.ACCEPTED, False, D("0.000")),  # completed in a cohort the call does not name
    ],
)
def test_roadmap_completed_rule(call, status, in_call_cohort, points):
    criterion = automatic(call, AutomaticRule.ROADMAP_COMPLETED)
    application = submitted_application(call)
    cohort = call.eligible_cohorts.get() if in_call_cohort else factories.CohortFactory()
    factories.RoadmapFactory(cohort=cohort, city=application.city, status=status)

    scoring.call_score(call_id=call.pk)

    assert line(application, criterion) == (points, points, 0, None, False)


def test_sessions_attended_counts_sessions_the_city_attended_once_each(call):
    cohort = call.eligible_cohorts.get()
    criterion = automatic(call, AutomaticRule.SESSIONS_ATTENDED, weight="0.5")
    application = submitted_application(call)
    city = application.city
    first, second, third, cancelled = (factories.SessionFactory(cohort=cohort) for _ in range(4))
    cancelled.status = SessionStatus.CANCELLED
    cancelled.save()
    elsewhere = factories.SessionFactory()  # of a cohort the call does not name
    # Two people at the first session count once; a walk-in counts; a no-show does not.
    factories.RegistrationFactory(session=first, city=city, attendance=Attendance.ATTENDED)
    factories.RegistrationFactory(session=first, city=city, attendance=Attendance.ATTENDED)
    factories.RegistrationFactory(
        session=second, city=city, attendance=Attendance.ATTENDED, is_walk_in=True
    )
    factories.RegistrationFactory(session=third, city=city, attendance=Attendance.NO_SHOW)
    factories.RegistrationFactory(session=cancelled, city=city, attendance=Attendance.ATTENDED)
    factories.RegistrationFactory(session=elsewhere, city=city, attendance=Attendance.ATTENDED)
    # Another city's attendance is not this city's.
    factories.RegistrationFactory(session=third, attendance=Attendance.ATTENDED)

    scoring.call_score(call_id=call.pk)

    assert line(application, criterion) == (D("2.000"), D("1.000"), 0, None, False)


@pytest.mark.parametrize(
    ("joined_sector", "enrolment_status", "points"),
    [
        ("first", EnrolmentStatus.ACCEPTED, D("1.000")),
        ("second", EnrolmentStatus.ACCEPTED, D("0.000")),  # only the first preference counts
        ("first", EnrolmentStatus.DECLINED, D("0.000")),  # not a member of that group
    ],
)
def test_sector_match_rule_looks_at_the_first_preference(
    call, joined_sector, enrolment_status, points
):
    cohort = call.eligible_cohorts.get()
    criterion = automatic(call, AutomaticRule.SECTOR_MATCH)
    energy = factories.ThematicSectorFactory(name="Energy")
    mobility = factories.ThematicSectorFactory(name="Sustainable mobility")
    application = submitted_application(call)
    # Ranked second, then first: the order of the rows is not the order of the preferences.
    factories.PreferenceFactory(
        application=application, visit=factories.VisitFactory(call=call, sector=mobility), rank=2
    )
    factories.PreferenceFactory(
        application=application, visit=factories.VisitFactory(call=call, sector=energy), rank=1
    )
    enrolment = factories.EnrolmentFactory(
        cohort=cohort, city=application.city, status=enrolment_status
    )
    group_sector = energy if joined_sector == "first" else mobility
    factories.EnrolmentGroupFactory(
        enrolment=enrolment,
        thematic_group=factories.ThematicGroupFactory(cohort=cohort, sector=group_sector),
    )

    scoring.call_score(call_id=call.pk)

    assert line(application, criterion) == (points, points, 0, None, False)


def test_sector_match_needs_a_first_preference_and_a_group_of_the_calls_cohorts(call):
    cohort = call.eligible_cohorts.get()
    criterion = automatic(call, AutomaticRule.SECTOR_MATCH)
    energy = factories.ThematicSectorFactory(name="Energy")
    # A city in an energy group of the call's cohort, but with no preference: no first sector.
    without_preference = submitted_application(call)
    factories.EnrolmentGroupFactory(
        enrolment=factories.EnrolmentFactory(
            cohort=cohort, city=without_preference.city, status=EnrolmentStatus.ACCEPTED
        ),
        thematic_group=factories.ThematicGroupFactory(cohort=cohort, sector=energy),
    )
    # A city asking for an energy visit first, in an energy group of another cohort only.
    elsewhere = submitted_application(call)
    factories.PreferenceFactory(
        application=elsewhere, visit=factories.VisitFactory(call=call, sector=energy), rank=1
    )
    other_cohort = factories.CohortFactory()
    factories.EnrolmentGroupFactory(
        enrolment=factories.EnrolmentFactory(
            cohort=other_cohort, city=elsewhere.city, status=EnrolmentStatus.ACCEPTED
        ),
        thematic_group=factories.ThematicGroupFactory(cohort=other_cohort, sector=energy),
    )

    scoring.call_score(call_id=call.pk)

    assert line(without_preference, criterion) == (D("0.000"), D("0.000"), 0, None, False)
    assert line(elsewhere, criterion) == (D("0.000"), D("0.000"), 0, None, False)


def test_rule_sentences_say_each_rule():
    assert set(scoring.RULE_SENTENCES) == set(AutomaticRule)
    assert str(scoring.rule_sentence(AutomaticRule.ROADMAP_COMPLETED)).startswith(
        "1 point when the city's Reflection Roadmap"
    )


# --- Ranking -----------------------------------------------------------------------------------


def test_ranking_tie_break_total_then_roadmap_then_submission_then_id(call):
    cohort = call.eligible_cohorts.get()
    relevance = factories.CriterionFactory(call=call, weight=D("1"))
    automatic(call, AutomaticRule.ROADMAP_COMPLETED, weight="1")
    early = SUBMITTED_AT
    late = SUBMITTED_AT + datetime.timedelta(hours=1)
    # Totals: best 5; the four others 3, made of 3 + 0 or of 2 + the roadmap's 1.
    best = submitted_application(call, at=late)
    review(best, {relevance: 5})
    no_roadmap_early = submitted_application(call, at=early)
    review(no_roadmap_early, {relevance: 3})
    with_roadmap_late = submitted_application(call, at=late)
    review(with_roadmap_late, {relevance: 2})
    factories.RoadmapFactory(
        cohort=cohort, city=with_roadmap_late.city, status=RoadmapStatus.ACCEPTED
    )
    same_a = submitted_application(call, at=late)
    review(same_a, {relevance: 3})
    same_b = submitted_application(call, at=late)
    review(same_b, {relevance: 3})
    draft = factories.ApplicationFactory(call=call)
    withdrawn = factories.ApplicationFactory(call=call, status=ApplicationStatus.WITHDRAWN)

    scoring.call_score(call_id=call.pk)

    ranked = list(
        Application.objects.filter(call=call, rank__isnull=False)
        .order_by("rank")
        .values_list("pk", "total", "rank")
    )
    assert ranked == [
        (best.pk, D("5.000"), 1),
        (with_roadmap_late.pk, D("3.000"), 2),
        (no_roadmap_early.pk, D("3.000"), 3),
        (same_a.pk, D("3.000"), 4),
        (same_b.pk, D("3.000"), 5),
    ]
    for unranked in (draft, withdrawn):
        unranked.refresh_from_db()
        assert (unranked.total, unranked.rank) == (None, None)
        assert not ScoreLine.objects.filter(application=unranked).exists()


def test_a_withdrawn_application_loses_its_lines_total_and_rank(call):
    relevance = factories.CriterionFactory(call=call)
    first = submitted_application(call)
    review(first, {relevance: 5})
    second = submitted_application(call)
    review(second, {relevance: 1})
    scoring.call_score(call_id=call.pk)

    Application.objects.filter(pk=first.pk).update(status=ApplicationStatus.WITHDRAWN)
    scoring.call_score(call_id=call.pk)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.total, first.rank) == (None, None)
    assert not ScoreLine.objects.filter(application=first).exists()
    assert (second.total, second.rank) == (D("1.000"), 1)


def test_scoring_one_application_ranks_the_call_again(call):
    relevance = factories.CriterionFactory(call=call)
    leader = submitted_application(call)
    review(leader, {relevance: 3})
    challenger = submitted_application(call)
    scoring.call_score(call_id=call.pk)
    assert Application.objects.get(pk=challenger.pk).rank == 2

    review(challenger, {relevance: 5})
    scoring.application_score(application_id=challenger.pk)

    ranks = dict(Application.objects.filter(call=call).values_list("pk", "rank"))
    assert ranks == {leader.pk: 2, challenger.pk: 1}
    assert line(challenger, relevance)[0] == D("5.000")


def test_criteria_changes_show_on_the_next_scoring(call):
    relevance = factories.CriterionFactory(call=call, weight=D("1"))
    application = submitted_application(call)
    review(application, {relevance: 4})
    scoring.call_score(call_id=call.pk)

    relevance.weight = D("2.5")
    relevance.save()
    roadmap = automatic(call, AutomaticRule.ROADMAP_COMPLETED, weight="3")
    scoring.call_score(call_id=call.pk)

    assert line(application, relevance)[1] == D("10.000")
    assert line(application, roadmap) == (D("0.000"), D("0.000"), 0, None, False)
    assert Application.objects.get(pk=application.pk).total == D("10.000")

    relevance.delete()
    scoring.call_score(call_id=call.pk)
    assert ScoreLine.objects.filter(application=application).count() == 1
    assert Application.objects.get(pk=application.pk).total == D("0.000")


# --- Idempotence and the query count ------------------------------------------------------------


def scored_call(applications: int):
    call = factories.CallFactory(status=CallStatus.OPEN)
    cohort = factories.CohortFactory()
    call.eligible_cohorts.add(cohort)
    manual = [factories.CriterionFactory(call=call) for _ in range(2)]
    for rule in AutomaticRule:
        automatic(call, rule)
    reviewers = [factories.UserFactory(is_reviewer=True) for _ in range(3)]
    visit = factories.VisitFactory(call=call)
    for n in range(applications):
        application = submitted_application(call, at=SUBMITTED_AT + datetime.timedelta(minutes=n))
        factories.PreferenceFactory(application=application, visit=visit, rank=1)
        if n % 2:
            factories.RoadmapFactory(
                cohort=cohort, city=application.city, status=RoadmapStatus.ACCEPTED
            )
        for r, reviewer in enumerate(reviewers):
            review(
                application, {c: (n + r + i) % 6 for i, c in enumerate(manual)}, reviewer=reviewer
            )
    return call


def stored(call) -> tuple:
    lines = list(
        ScoreLine.objects.filter(application__call=call)
        .order_by("pk")
        .values_list(
            "pk",
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
        Application.objects.filter(call=call).order_by("pk").values_list("pk", "total", "rank")
    )
    return lines, applications


def test_scoring_twice_gives_the_same_rows_and_writes_nothing_the_second_time():
    call = scored_call(4)
    scoring.call_score(call_id=call.pk)
    first = stored(call)

    with CaptureQueriesContext(connection) as queries:
        scoring.call_score(call_id=call.pk)

    assert stored(call) == first
    assert len(first[0]) == 4 * 5
    writes = [
        q["sql"]
        for q in queries
        if q["sql"].startswith(("INSERT", "DELETE"))
        or (q["sql"].startswith("UPDATE") and "visits_call" not in q["sql"])
    ]
    assert writes == []


def test_whole_call_then_one_application_agree():
    call = scored_call(3)
    scoring.call_score(call_id=call.pk)
    first = stored(call)
    ScoreLine.objects.filter(application__call=call).update(points=None, weighted=0)
    Application.objects.filter(call=call).update(total=None, rank=None)

    for application in Application.objects.filter(call=call):
        scoring.application_score(application_id=application.pk)

    lines, applications = stored(call)
    assert (lines, applications) == first


def _scoring_queries(applications: int) -> int:
    call = scored_call(applications)
    with CaptureQueriesContext(connection) as queries:
        scoring.call_score(call_id=call.pk)
    return len(queries)


def test_whole_call_scoring_queries_do_not_grow_with_applications():
    # The lock, the criteria, the applications (with their stored totals and ranks: the
    # ranking needs no other read), the automatic rules' facts over all their cities (four:
    # the completed roadmaps, the sessions attended, the thematic groups' sectors, the first
    # preferences' sectors; read apart rather than as a subquery per application, which cost
    # PostgreSQL far more: visits/scoring.py's _automatic_facts), the reviewers' points, the
    # stored lines, the insert of the new lines, the totals' and ranks' update with the
    # applications' data version (visits/versions.py: the API's kept lists show totals), the
    # call's scored time; and the savepoint with its release. (On PostgreSQL each write is one
    # statement whatever the number of rows: test_scoring_writes.py.)
    assert _scoring_queries(2) == _scoring_queries(20) == 15


def test_whole_call_scoring_reads_the_call_row_first_locked():
    call = scored_call(1)
    with CaptureQueriesContext(connection) as queries:
        scoring.call_score(call_id=call.pk)
    first_select = next(q["sql"] for q in queries if q["sql"].startswith("SELECT"))
    assert first_select.startswith('SELECT "visits_call"."id"')
    # SQLite has no row locks (a writer holds the whole database); PostgreSQL locks the row.
    assert first_select.endswith(" FOR UPDATE") == (connection.vendor == "postgresql")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_scorings_at_once_give_the_rows_of_one():
    """Two threads score the same call at the same moment, each on its own connection: the
    second waits for the first's lock on the call, then finds nothing to change."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    from tests.conftest import require

    require(connection.vendor == "postgresql", "DATABASE_URL is not PostgreSQL")
    call = scored_call(6)

    def run(_):
        try:
            scoring.call_score(call_id=call.pk)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(run, range(2)))
    together = stored(call)
    scoring.call_score(call_id=call.pk)

    assert stored(call) == together
    assert len(together[0]) == 6 * 5
    assert sorted(rank for _pk, _total, rank in together[1]) == [1, 2, 3, 4, 5, 6]


def test_scoring_a_call_or_application_that_is_gone_does_nothing():
    assert scoring.call_score(call_id=999_999) is None
    assert scoring.application_score(application_id=999_999) is None
