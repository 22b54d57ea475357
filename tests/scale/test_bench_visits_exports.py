"""The exports' benchmark (benchmarks/bench_visits_exports.py) on small scale data: its rows
download whole files of the scale call, scored and allocated once, and its figures print the
COPY ratios (PostgreSQL) and a memory row per export and call."""

import csv
import io

import pytest
from django.core.management import call_command

from benchmarks import bench_visits_allocation, bench_visits_exports, harness
from visits.enums import Decision
from visits.models import Application

pytestmark = pytest.mark.django_db

ROWS = (
    "visits export: ranking CSV, programme admin, 20,000 applications, every score line",
    "visits export: ranking XLSX, programme admin, 20,000 applications, every score line",
    "visits export: allocation CSV, programme admin, 20,000 applications",
    "visits export: allocation XLSX, programme admin, 20,000 applications",
)


@pytest.fixture
def seeded(settings, monkeypatch):
    settings.ROOT_URLCONF = "benchmarks.urls"  # as harness.configure_django() sets it
    monkeypatch.setattr(bench_visits_allocation, "APPLICATIONS", 20)
    call_command(
        "seed_scale", "--cities", "50", "--users", "300", "--cohorts", "3",
        "--survey-responses", "0", "--visit-applications", "40", verbosity=0,
    )  # fmt: skip


def test_rows_download_the_scale_calls_files(seeded):
    harness.discover()
    sizes = {name: harness.REGISTRY[name].setup()() for name in ROWS}

    call = bench_visits_exports.allocated_call()
    decisions = set(Application.objects.filter(call=call).values_list("decision", flat=True))
    assert Decision.SELECTED in decisions
    assert "" not in decisions
    # Allocated once: a second setup writes nothing.
    assert bench_visits_exports.allocated_call() == call
    assert all(size > 40 * 10 for size in sizes.values()), sizes


def test_figures_print_the_copy_ratios_and_the_memory_table(seeded):
    from django.db import connection

    out = io.StringIO()
    assert bench_visits_exports.main(["--repeat", "1"], out=out) == 0
    lines = out.getvalue().splitlines()
    if connection.vendor == "postgresql":
        assert lines[1].startswith("ranking CSV export: ")
        assert lines[2].startswith("allocation CSV export: ")
        assert " ratio " in lines[1]
    table = lines[
        lines.index("Peak memory (tracemalloc) of an export, by the call's applications") :
    ]
    rows = list(csv.reader(io.StringIO("\n".join(table[2:])), delimiter=" ", skipinitialspace=True))
    assert [" ".join(row[:2]) for row in rows] == [
        "ranking CSV", "ranking XLSX", "allocation CSV", "allocation XLSX"
    ] * 2  # fmt: skip
    assert [row[2] for row in rows] == ["20"] * 4 + ["40"] * 4
