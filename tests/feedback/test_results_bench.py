"""The results benchmark's rows (benchmarks/bench_feedback.py) on small scale data: they read
seed_scale's survey (devdata/scale_surveys.py) and answer their pages."""

import pytest
from django.core.management import call_command

from benchmarks import bench_feedback, harness
from feedback.models import Answer, Survey


@pytest.mark.django_db
def test_results_rows_use_the_seed_scale_survey_and_the_pages_answer(settings):
    settings.ROOT_URLCONF = "benchmarks.urls"
    call_command(
        "seed_scale",
        *["--cities", "50", "--users", "300", "--cohorts", "3", "--survey-responses", "30"],
        verbosity=0,
    )

    survey = bench_feedback.results_survey()
    assert Survey.objects.get() == survey
    assert Answer.objects.filter(response__survey=survey).count() == 30 * 20

    harness.discover()
    for name in (
        "survey results: lead facilitator, 100,000 responses of 20 questions",
        "survey results: lead facilitator, 100,000 responses, filtered by country",
        "survey results chart SVG: lead facilitator, a multiple-choice question",
        "survey reminder confirmation: lead facilitator, busiest cohort",
    ):
        assert harness.REGISTRY[name].setup()().status_code == 200
    assert Survey.objects.get() == survey
