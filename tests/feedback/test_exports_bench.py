"""The exports' benchmarks (benchmarks/bench_feedback_export.py) on small scale data: the rows
download whole files, the surveys are made once by the scale generator under their own keys,
and the figures' table prints a row per export and size."""

import io

import pytest
from django.core.management import call_command

from benchmarks import bench_feedback_export, harness
from feedback.models import Answer, Response, Survey


@pytest.mark.django_db
def test_export_rows_and_figures_on_small_scale_data(settings, monkeypatch):
    settings.ROOT_URLCONF = "benchmarks.urls"
    call_command(
        "seed_scale",
        *["--cities", "50", "--users", "300", "--cohorts", "3", "--survey-responses", "30"],
        verbosity=0,
    )
    monkeypatch.setattr(bench_feedback_export, "ROW_RESPONSES", 45)

    survey = bench_feedback_export.survey_of(45)
    assert Response.objects.filter(survey=survey, status="submitted").count() == 45
    assert Answer.objects.filter(response__survey=survey).count() == 45 * 20
    assert bench_feedback_export.survey_of(45) == survey
    assert Survey.objects.filter(template_key="bench:export:45").count() == 1

    harness.discover()
    sizes = {}
    for name in (
        "survey export CSV: lead facilitator, 5,000 responses of 20 questions",
        "survey export XLSX: lead facilitator, 5,000 responses of 20 questions",
        "survey report PDF: lead facilitator, 100,000 responses, repeat download (kept)",
        "survey chart PNG: lead facilitator, a multiple-choice question",
    ):
        sizes[name] = harness.REGISTRY[name].setup()()
    # The CSV's header and 45 lines of 20 questions' columns at least.
    assert sizes["survey export CSV: lead facilitator, 5,000 responses of 20 questions"] > 45 * 20
    # Only the scale survey and the rows' own: nothing made twice.
    assert Survey.objects.count() == 2

    out = io.StringIO()
    bench_feedback_export.memory_table([45], out)
    lines = out.getvalue().splitlines()
    assert lines[1].split() == ["export", "answers", "peak", "MiB", "traced", "s"]
    assert [line.split()[:2] for line in lines[2:]] == [["CSV", "900"], ["XLSX", "900"]]
