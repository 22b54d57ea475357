"""The benchmark's survey generator (benchmarks/bench_feedback.py), on small scale data: 20
questions, one answer row per question and response, made once and found again."""

import pytest
from django.core.management import call_command

from benchmarks import bench_feedback, harness
from feedback.models import Answer, Question, Survey


@pytest.mark.django_db
def test_generator_makes_the_survey_once_and_the_pages_answer(settings, monkeypatch):
    settings.ROOT_URLCONF = "benchmarks.urls"
    call_command("seed_scale", "--cities", "50", "--users", "300", "--cohorts", "3", verbosity=0)
    monkeypatch.setattr(bench_feedback, "RESPONSES", 30)

    survey = bench_feedback.results_survey()
    assert Question.objects.filter(section__survey=survey).count() == 20
    assert Answer.objects.filter(response__survey=survey).count() == 30 * 20
    assert bench_feedback.results_survey() == survey
    assert Survey.objects.filter(template_key=bench_feedback.BENCH_KEY).count() == 1

    harness.discover()
    for name in (
        "survey results: lead facilitator, 100,000 answers of 20 questions",
        "survey results: lead facilitator, 100,000 answers, filtered by country",
        "survey results chart SVG: lead facilitator, a multiple-choice question",
        "survey reminder confirmation: lead facilitator, busiest cohort",
    ):
        assert harness.REGISTRY[name].setup()().status_code == 200
