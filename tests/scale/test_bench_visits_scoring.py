"""The scoring benchmark (benchmarks/bench_visits_scoring.py) on small scale data: its rows
answer their pages, and its one SQL query computes the totals scoring computes."""

import io
import re

import pytest
from django.core.management import call_command

from benchmarks import bench_visits_scoring, harness
from visits.models import Application

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.ROOT_URLCONF = "benchmarks.urls"  # as harness.configure_django() sets it
    call_command(
        "seed_scale", "--cities", "60", "--users", "400", "--cohorts", "3",
        "--survey-responses", "0", verbosity=0,
    )  # fmt: skip


def test_rows_answer_the_ranking_and_the_why_page_of_the_first(seeded):
    harness.discover()
    call = bench_visits_scoring.scored_call()
    first = Application.objects.get(call=call, rank=1)

    ranking = harness.REGISTRY[
        "visits ranking page: programme admin, 20,000 applications (first 50)"
    ].setup()()
    why = harness.REGISTRY[
        "visits why-this-score page: programme admin, the application ranked first"
    ].setup()()

    assert ranking.wsgi_request.path == f"/visits/calls/{call.pk}/ranking/"
    assert ranking.content.decode().count('<tr data-application="') == 50
    assert why.wsgi_request.path == f"/visits/applications/{first.pk}/score/"
    assert f"Why this score: {first.city.name}" in why.content.decode()


def test_the_sql_query_gives_scorings_totals_and_the_figure_is_printed(seeded):
    call = bench_visits_scoring.scored_call()
    sql, params = bench_visits_scoring.totals_sql(call)
    by_query = bench_visits_scoring.run_totals_query(sql, params)
    stored = dict(Application.objects.filter(call=call).values_list("pk", "total"))

    assert len(by_query) == len(stored) == 120
    # Scoring rounds each line to the thousandth it shows; the query keeps every digit.
    differences = [abs(float(total) - float(stored[pk])) for pk, total in by_query]
    assert max(differences) <= float(bench_visits_scoring.TOLERANCE)
    assert sorted(differences)[len(differences) // 2] < 0.001
    # Some lines come from the automatic rules: the query adds them as scoring does.
    assert len({round(float(total), 3) for _, total in by_query}) > 5

    out = io.StringIO()
    assert bench_visits_scoring.main(["--repeat", "1"], out=out) == 0
    printed = out.getvalue()
    assert "120 submitted applications, totals agree" in printed
    for label in (r"first \(every line written\)", r"again \(nothing changed\)"):
        assert re.search(
            rf"scoring, ranking and allocation {label}: \d+ ms \(scoring and ranking \d+ ms, "
            rf"allocation \d+ ms\); one SQL aggregate query: \d+ ms; ratio [\d.]+x",
            printed,
        )
    # The rounds leave the call scored and allocated.
    assert Application.objects.filter(call=call, rank__isnull=True).count() == 0
    assert Application.objects.filter(call=call, decision="").count() == 0
