"""The survey-answers data set's figures (benchmarks/datasets_export.py) on small scale data:
the narrowing keeps exactly the answers asked for, the API download is the narrowed data set
only while measured, and the figures print the COPY ratios (PostgreSQL) and a memory row per
file and size."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from benchmarks import datasets_export
from reports.dataset_feedback import SURVEY_ANSWERS
from reports.datasets import DATASETS

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.ROOT_URLCONF = "benchmarks.urls"  # as harness.configure_django() sets it
    call_command(
        "seed_scale", "--cities", "50", "--users", "300", "--cohorts", "3",
        "--survey-responses", "30", verbosity=0,
    )  # fmt: skip


def test_the_narrowing_keeps_the_answers_asked_for(seeded):
    survey, admin = datasets_export.the_survey(), datasets_export.programme_admin()
    narrowing = datasets_export.Narrowing(survey, 200)
    assert datasets_export.answers_count(narrowing, admin) == 200

    filters = datasets_export.admin_filters(admin, survey)
    with datasets_export.narrowed(narrowing) as dataset:
        assert DATASETS[SURVEY_ANSWERS.key] is dataset
        lines = []
        client = datasets_export.signed_in_client(admin)
        size = datasets_export.download(client, datasets_export.dataset_path(survey), lines=lines)()
        rows = list(dataset.rows_for(user=admin, filters=filters))
    assert DATASETS[SURVEY_ANSWERS.key] is SURVEY_ANSWERS
    assert lines == [201]  # the header and a line per answer
    assert size > 200 * 10
    assert len(rows) == 200
    assert {row[0] for row in rows} == {survey.pk}
    assert len({row[1] for row in rows}) == 10  # ten responses of twenty answers
    # The whole survey unnarrowed: its thirty responses.
    assert len(list(SURVEY_ANSWERS.rows_for(user=admin, filters=filters))) == 30 * 20


def test_figures_print_the_copy_ratios_and_the_memory_table(seeded):
    out = io.StringIO()
    assert datasets_export.main(["--repeat", "1", "--sizes", "100,200"], out=out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"Database: {connection.vendor} ")
    if connection.vendor == "postgresql":
        assert lines[1].startswith("survey-answers CSV of 100 answers (API download, ")
        assert lines[2].startswith("survey-answers CSV of 200 answers (API download, ")
        assert " ratio " in lines[1]
    else:
        assert lines[1].startswith("No COPY on this database")
    table = lines[lines.index(datasets_export.MEMORY_TITLE) :]
    assert table[1].split() == ["file", "answers", "peak", "MiB", "traced", "s"]
    assert [row.split()[:2] for row in table[2:]] == [
        ["CSV", "100"], ["XLSX", "100"], ["CSV", "200"], ["XLSX", "200"]
    ]  # fmt: skip
