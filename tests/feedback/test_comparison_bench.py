"""The comparison benchmark's second survey (benchmarks/bench_feedback_compare.py), on small
scale data: seed_scale's survey's questions again, matched by their words, made once."""

import pytest
from django.core.management import call_command

from benchmarks import bench_feedback, bench_feedback_compare, harness
from feedback.models import Answer, Question, Survey

NAME = "survey comparison: lead facilitator, 2,000,000 answers beside 20,000"


@pytest.mark.django_db
def test_second_survey_is_made_once_and_the_page_compares_both(settings, monkeypatch):
    settings.ROOT_URLCONF = "benchmarks.urls"
    call_command("seed_scale", "--cities", "50", "--users", "300", "--cohorts", "3", verbosity=0)
    monkeypatch.setattr(bench_feedback_compare, "SECOND_RESPONSES", 10)

    first = bench_feedback.results_survey()
    second = bench_feedback_compare.second_survey(first)
    assert Question.objects.filter(section__survey=second).count() == 20
    assert Answer.objects.filter(response__survey=second).count() == 10 * 20
    assert bench_feedback_compare.second_survey(first) == second
    # The first is still the one the results rows read.
    assert bench_feedback.results_survey() == first
    assert Survey.objects.filter(template_key=first.template_key).count() == 2
    # seed_scale's survey: two responses per generated user.
    assert first.responses.count() == 600

    harness.discover()
    page = harness.REGISTRY[NAME].setup()()
    assert page.status_code == 200
    comparison = page.context["content"]()["comparison"]
    # Both open at the generator's moment: the first made first.
    assert [c.results.responses for c in comparison.columns] == [600, 10]
    # Every question matched by its words: 20 compared, none left over.
    assert (len(comparison.questions), comparison.unmatched) == (20, [])
