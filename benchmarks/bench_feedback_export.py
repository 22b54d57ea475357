"""Feedback surveys (issue 11): the exports of the results (feedback.views_exports).

Rows of the harness (`python -m benchmarks --only "survey export"`, "survey report", "survey
chart PNG"), each downloading a whole file as the survey's lead facilitator:
- the CSV and the XLSX of the responses of a survey of 5,000 responses of 20 questions
  (100,000 answers), made once by devdata/scale_surveys.py's generator under its own key; the
  100,000 responses of the scale survey would make each timed run last tens of seconds (the
  figures below measure the CSV on it);
- the PDF report and a chart's PNG of the scale survey (100,000 responses, bench_feedback's):
  they read the results' aggregations, as the results page does.
The files are not pages and are not held to 3x the floor (as the roadmap PDF is not); the PNG
is (it is kept in the cache as the SVG is).

`python -m benchmarks.export_figures` runs this module's `main` for the two figures issue 11
asks of the CSV and XLSX exports:

1. The CSV export of the scale survey (100,000 responses, 2,000,000 answers) against
   PostgreSQL's `COPY (SELECT ...) TO STDOUT` of the same rows, in the same run: the SELECT is
   the query of a row per answer the export reads on SQLite and for the XLSX
   (feedback.exports.response_rows_queryset, its SQL with its parameters), so COPY reads and
   writes every answer the CSV holds. (On PostgreSQL the CSV reads a statement of a row per
   response instead, feedback.exports._lines_statement; its COPY is printed too, to show
   what the process adds.) They are timed in turn, rotated each round, with JIT off for all
   as the export has it, and the ratios of their medians printed (target: within 2x of the
   first). On SQLite there is no COPY: the harness's ratio to the floor is the figure.
2. The peak memory (tracemalloc) of the CSV and of the XLSX export of surveys of 100,000 and of
   1,000,000 answers (5,000 and 50,000 responses), which should be the same: the rows are read
   with `.iterator(chunk_size=...)` and written one response at a time.

Every survey is made (devdata.scale_surveys.scale_survey, under its own key) before anything is
timed or measured, and kept in the benchmark database.
"""

import argparse
import io
import statistics
import sys
import time
import tracemalloc

from django.db import connection, transaction
from django.urls import reverse

from benchmarks.bench_feedback import RESPONSES, _lead, results_survey
from benchmarks.harness import benchmark, signed_in_client
from devdata.scale_surveys import QUESTIONS as SCALE_QUESTIONS
from devdata.scale_surveys import scale_survey
from feedback.enums import QuestionKind
from feedback.exports import csv_lines, response_rows_queryset, response_table, xlsx_write
from feedback.models import Answer, Question, Survey

QUESTIONS = len(SCALE_QUESTIONS)  # 20
# The responses of the surveys the CSV and XLSX rows download (100,000 answers).
ROW_RESPONSES = 5_000


def download(client, path: str):
    """A callable that GETs `path` and reads the whole file (a streamed one too), failing
    unless it answers 200."""

    def get():
        response = client.get(path, secure=True)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}, not 200.")
        # The test client closes the response itself (a streamed one once read to its end,
        # removing the XLSX's temporary file), without the request_finished receiver that
        # closes the database connection: closing it again here closed the test's connection
        # on PostgreSQL.
        if response.streaming:
            return sum(len(part) for part in response.streaming_content)
        return len(response.content)

    return get


@benchmark("survey export CSV: lead facilitator, 5,000 responses of 20 questions")
def export_csv():
    survey = survey_of(ROW_RESPONSES)
    path = reverse("survey_export_csv", args=[survey.pk])
    return download(signed_in_client(_lead(survey)), path)


@benchmark("survey export XLSX: lead facilitator, 5,000 responses of 20 questions")
def export_xlsx():
    survey = survey_of(ROW_RESPONSES)
    path = reverse("survey_export_xlsx", args=[survey.pk])
    return download(signed_in_client(_lead(survey)), path)


@benchmark("survey report PDF: lead facilitator, 100,000 responses, repeat download (kept)")
def export_pdf():
    survey = results_survey()
    path = reverse("survey_report", args=[survey.pk])
    return download(signed_in_client(_lead(survey)), path)


@benchmark("survey chart PNG: lead facilitator, a multiple-choice question")
def export_png():
    survey = results_survey()
    question = Question.objects.filter(
        section__survey=survey, kind=QuestionKind.MULTIPLE_CHOICE
    ).first()
    path = reverse("survey_results_png", args=[survey.pk, question.pk])
    return download(signed_in_client(_lead(survey)), path)


# --- Surveys of any size ------------------------------------------------------------------------


def survey_of(responses: int) -> Survey:
    """A survey of the busiest cohort with `responses` submitted responses of 20 questions (one
    answer row each): the scale survey for its own size, else one made by the same generator
    under its own key, the first time."""
    if responses == RESPONSES:
        return results_survey()
    return scale_survey(responses=responses, key=f"bench:export:{responses}")


# --- CSV against COPY ----------------------------------------------------------------------------


def _copy(sql: str, params, options: str = "") -> int:
    """PostgreSQL's COPY of `sql` to a buffer, with JIT off as the export has it
    (feedback.exports._without_jit: it made the COPY slower too); the bytes written."""
    buffer = io.BytesIO()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        statement = cursor.mogrify(sql, params).decode()
        cursor.copy_expert(f"COPY ({statement}) TO STDOUT {options}", buffer)
    return buffer.tell()


def copy_rows(survey: Survey) -> int:
    """COPY of the survey's rows as the export reads them elsewhere (SQLite, the XLSX): a
    row per answer with the response's identity (feedback.exports.response_rows_queryset),
    written as CSV."""
    sql, params = response_rows_queryset(survey).query.sql_with_params()
    return _copy(sql, params, "WITH (FORMAT csv)")


def copy_statement(survey: Survey) -> int:
    """COPY of the statement the export reads on PostgreSQL (a row per response with its
    fields, feedback.exports._lines_statement)."""
    statement = response_table(survey=survey).database_lines.args[0]
    return _copy(statement.sql, statement.params)


def csv_against_copy(survey: Survey, *, repeat: int, out) -> None:
    csv_run = download(
        signed_in_client(_lead(survey)), reverse("survey_export_csv", args=[survey.pk])
    )
    runs = [csv_run, lambda: copy_rows(survey), lambda: copy_statement(survey)]
    for run in runs:
        run()  # warm-up
    times = [[] for _ in runs]
    for round_number in range(repeat):
        # Each in turn, the order rotated each round: none always follows another.
        order = list(range(len(runs)))
        shift = round_number % len(runs)
        for index in order[shift:] + order[:shift]:
            started = time.perf_counter()
            runs[index]()
            times[index].append((time.perf_counter() - started) * 1000)
    csv_ms, copy_ms, lines_ms = (statistics.median(each) for each in times)
    answers = Answer.objects.filter(response__survey=survey).count()
    out.write(
        f"CSV export of {answers:,} answers: {csv_ms:.1f} ms; COPY of the same rows (a row "
        f"per answer): {copy_ms:.1f} ms; ratio {csv_ms / copy_ms:.2f}. COPY of the statement "
        f"the export reads (a row per response): {lines_ms:.1f} ms; ratio "
        f"{csv_ms / lines_ms:.2f} (median of {repeat} each)\n"
    )


# --- Peak memory ---------------------------------------------------------------------------------


def _csv_export(survey: Survey) -> int:
    return sum(len(line) for line in csv_lines(response_table(survey=survey)))


def _xlsx_export(survey: Survey) -> int:
    import tempfile

    with tempfile.TemporaryFile() as file:
        xlsx_write(response_table(survey=survey), file, title=survey.title)
        return file.tell()


def peak_memory(export, survey: Survey) -> tuple[int, float]:
    """(the peak of memory traced while `export` ran, in bytes; its time in seconds)."""
    connection.ensure_connection()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        export(survey)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, time.perf_counter() - started


def memory_table(sizes: list[int], out) -> None:
    """A row per export and size: the peak memory traced, and the time it took while traced
    (tracemalloc slows every allocation: the harness's rows give the real times)."""
    # What is loaded once per process (openpyxl's modules) is not the export's memory.
    import openpyxl.cell
    import openpyxl.styles
    import openpyxl.writer.excel  # noqa: F401

    out.write("Peak memory (tracemalloc) of an export, by the survey's number of answers\n")
    out.write(f"{'export':<6}  {'answers':>9}  {'peak MiB':>8}  {'traced s':>8}\n")
    for responses in sizes:
        survey = survey_of(responses)
        for name, export in (("CSV", _csv_export), ("XLSX", _xlsx_export)):
            peak, seconds = peak_memory(export, survey)
            out.write(
                f"{name:<6}  {responses * QUESTIONS:>9,}  {peak / 2**20:>8.2f}  {seconds:>8.1f}\n"
            )


def main(argv=None, out=None) -> int:
    """The CSV-to-COPY ratio and the memory table (module docstring); Django is set up on the
    benchmark database by benchmarks.export_figures."""
    from benchmarks.harness import prepare_database

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.export_figures", description=__doc__
    )
    parser.add_argument("--repeat", type=int, default=10, help="timed runs of CSV and COPY")
    parser.add_argument(
        "--sizes",
        default=f"{ROW_RESPONSES},50000",
        help="responses (of 20 answers) of the surveys whose peak memory is measured",
    )
    parser.add_argument(
        "--copy-responses",
        type=int,
        default=RESPONSES,
        help="responses (of 20 answers) of the survey whose CSV is timed against COPY",
    )
    args = parser.parse_args(argv)
    out = out or sys.stdout
    prepare_database(reseed=False, out=out)
    out.write(f"Database: {connection.vendor} {connection.settings_dict['NAME']}\n")
    sizes = [int(size) for size in args.sizes.split(",")]
    for responses in [args.copy_responses, *sizes]:
        survey_of(responses)  # made first: never inside a measure
    if connection.vendor == "postgresql":
        csv_against_copy(survey_of(args.copy_responses), repeat=args.repeat, out=out)
    else:
        out.write("No COPY on this database: the harness's CSV row gives its ratio to the floor.\n")
    memory_table(sizes, out)
    return 0
