"""Group Study Visits (issue 12, "Outputs and API"): the exports of a call's ranking and
allocation (visits.views_exports), on the scale call of devdata/scale_visits.py (20,000
submitted applications with 3 reviews each, scored once before timing: 140,000 score lines;
allocated once, so that the allocation's file has decisions).

Rows of the harness (`python -m benchmarks --only "visits export"`), each downloading a whole
file as a programme admin: the ranking with every score line and the allocation, as CSV and as
XLSX. The files are not pages and are not held to 3x the floor (as the survey exports and the
roadmap PDF are not); their ratio to the floor is printed all the same.

`python -m benchmarks.visits_export_figures` runs `main` below for the figures:
1. Each CSV export of the scale call against PostgreSQL's `COPY (SELECT ...) TO STDOUT WITH
   (FORMAT csv)` of the same rows, in the same run: the SELECT is the one query the export
   reads (visits.exports.ranking_rows_queryset, allocation_rows_queryset: a row per score line,
   or per preference), so COPY reads and writes every value the CSV holds. Timed in turn,
   alternating, and the ratio of their medians printed. On SQLite there is no COPY: the
   harness's ratio to the floor is the figure.
2. The peak memory (tracemalloc) of each export of the scale call (20,000 applications) and of
   the allocation benchmark's call (400 applications, benchmarks/bench_visits_allocation.py),
   which should be about the same: the rows are read in chunks and written one application at
   a time.

Measured: see the README ("Benchmarks", issue 12's exports).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
import tracemalloc

from django.db import connection, transaction
from django.urls import reverse

from benchmarks.bench_feedback_export import download
from benchmarks.bench_visits_allocation import allocation_call
from benchmarks.bench_visits_scoring import _admin, scored_call
from benchmarks.harness import benchmark, signed_in_client
from visits import exports
from visits.allocation import allocate
from visits.enums import ApplicationStatus
from visits.models import Application, Call, ScoreLine


def allocated_call() -> Call:
    """The scale call, scored and allocated (the first time: allocation keeps what it wrote,
    so the ranking page and the files read the same decisions after)."""
    call = scored_call()
    undecided = Application.objects.filter(
        call=call, status=ApplicationStatus.SUBMITTED, decision=""
    )
    if undecided.exists():
        with transaction.atomic():
            allocate(Call.objects.select_for_update().get(pk=call.pk))
    return call


def _download(route: str, call: Call):
    return download(signed_in_client(_admin()), reverse(route, args=[call.pk]))


@benchmark("visits export: ranking CSV, programme admin, 20,000 applications, every score line")
def ranking_csv():
    return _download("visit_call_ranking_csv", allocated_call())


@benchmark("visits export: ranking XLSX, programme admin, 20,000 applications, every score line")
def ranking_xlsx():
    return _download("visit_call_ranking_xlsx", allocated_call())


@benchmark("visits export: allocation CSV, programme admin, 20,000 applications")
def allocation_csv():
    return _download("visit_call_allocation_csv", allocated_call())


@benchmark("visits export: allocation XLSX, programme admin, 20,000 applications")
def allocation_xlsx():
    return _download("visit_call_allocation_xlsx", allocated_call())


# --- CSV against COPY ----------------------------------------------------------------------------


def copy_rows(queryset) -> int:
    """COPY of `queryset`'s rows (its SQL with its parameters) to a buffer, as CSV; the bytes."""
    sql, params = queryset.query.sql_with_params()
    buffer = io.BytesIO()
    with transaction.atomic(), connection.cursor() as cursor:
        statement = cursor.mogrify(sql, params).decode()
        cursor.copy_expert(f"COPY ({statement}) TO STDOUT WITH (FORMAT csv)", buffer)
    return buffer.tell()


def _median_pair(first, second, repeat: int) -> tuple[float, float]:
    first(), second()  # warm-up
    times: tuple[list, list] = ([], [])
    for round_number in range(repeat):
        pair = [(first, times[0]), (second, times[1])]
        if round_number % 2:
            pair.reverse()
        for run, into in pair:
            started = time.perf_counter()
            run()
            into.append((time.perf_counter() - started) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


def csv_against_copy(call: Call, *, repeat: int, out) -> None:
    for label, route, queryset in (
        ("ranking", "visit_call_ranking_csv", exports.ranking_rows_queryset(call)),
        ("allocation", "visit_call_allocation_csv", exports.allocation_rows_queryset(call)),
    ):
        csv_ms, copy_ms = _median_pair(
            _download(route, call), lambda queryset=queryset: copy_rows(queryset), repeat
        )
        out.write(
            f"{label} CSV export: {csv_ms:.1f} ms; COPY of the same rows: {copy_ms:.1f} ms; "
            f"ratio {csv_ms / copy_ms:.2f} (median of {repeat} each)\n"
        )


# --- Peak memory ---------------------------------------------------------------------------------


def _csv(table_of, call: Call) -> int:
    return sum(len(line) for line in exports.csv_lines(table_of(call=call)))


def _xlsx(table_of, call: Call) -> int:
    with tempfile.TemporaryFile() as file:
        exports.xlsx_write(table_of(call=call), file)
        return file.tell()


def memory_table(calls: list[Call], out) -> None:
    """A row per export and call: the peak memory traced while it ran, and its time while
    traced (tracemalloc slows every allocation: the harness's rows give the real times)."""
    import openpyxl.cell
    import openpyxl.styles
    import openpyxl.writer.excel  # noqa: F401  (loaded once per process: not the export's)

    out.write("Peak memory (tracemalloc) of an export, by the call's applications\n")
    out.write(
        f"{'export':<16}  {'applications':>12}  {'lines':>9}  {'peak MiB':>8}  {'traced s':>8}\n"
    )
    for call in calls:
        applications = Application.objects.filter(call=call).count()
        lines = ScoreLine.objects.filter(application__call=call).count()
        for name, write, table_of in (
            ("ranking CSV", _csv, exports.ranking_table),
            ("ranking XLSX", _xlsx, exports.ranking_table),
            ("allocation CSV", _csv, exports.allocation_table),
            ("allocation XLSX", _xlsx, exports.allocation_table),
        ):
            connection.ensure_connection()
            tracemalloc.start()
            started = time.perf_counter()
            try:
                write(table_of, call)
                _current, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
            seconds = time.perf_counter() - started
            out.write(
                f"{name:<16}  {applications:>12,}  {lines:>9,}  {peak / 2**20:>8.2f}  "
                f"{seconds:>8.1f}\n"
            )


def main(argv=None, out=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.visits_export_figures", description=__doc__
    )
    parser.add_argument("--repeat", type=int, default=10, help="timed runs of CSV and COPY")
    args = parser.parse_args(argv)
    out = out or sys.stdout
    out.write(f"Database: {connection.vendor} {connection.settings_dict['NAME']}\n")
    call = allocated_call()
    small = allocation_call()
    if connection.vendor == "postgresql":
        csv_against_copy(call, repeat=args.repeat, out=out)
    else:
        out.write(
            "No COPY on this database: the harness's CSV rows give their ratio to the floor.\n"
        )
    memory_table([small, call], out)
    return 0
