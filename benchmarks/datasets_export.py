"""The analysts' data set of survey answers (issue 14: "a CSV export of 1,000,000 survey answers
within 2x of PostgreSQL COPY of the same rows in the same run"): `python -m
benchmarks.dataset_figures` runs this module's `main`. It registers no row of the harness.

What is measured, on the scale survey of `seed_scale` (devdata/scale_surveys.py: 100,000
responses of 20 questions, one answer row each, 2,000,000 answers):

1. The `survey-answers` CSV (reports/dataset_feedback.py, written by PostgreSQL through
   reports/database_csv.py) as a programme admin gets it: `GET /api/v1/datasets/survey-answers/
   ?cohort=<the survey's cohort>` with a signed-in client, every byte of the streamed file
   read (header and lines), against `COPY (<the same rows>) TO STDOUT WITH (FORMAT csv)` read
   to its end, the SELECT being the data set's own query (its eleven columns, its order) with
   its parameters. Also printed: the COPY of the statement that writes the data set's lines
   (database_csv.line_statement), which is what the export runs, to show what the process
   adds. JIT is off for every COPY, as the export has it. They are timed in turn, the order
   rotated each round, at 100,000 and at 1,000,000 answers; the medians and their ratios are
   printed (target: the CSV within 2x of the COPY of the rows).
2. The peak memory (tracemalloc) of the data set's CSV (`Dataset.csv_lines`) and of its XLSX
   (`portal.spreadsheets.xlsx_write` of its header and `rows_for`), at the same sizes.

The narrowing (the filters cannot pick an exact number of answers: the cohort filter keeps the
whole scale survey, and the date range keeps whole days in Brussels, whose ends fall between
responses): the cohort filter chosen as the API reads it, then one condition more on the data
set's query, the scale survey's first N responses by id (`response__survey = the scale survey
AND response_id <= the N-th one's id`), N = answers / 20. The narrowed data set replaces
`survey-answers` in reports.datasets.DATASETS only while it is measured (`narrowed`); its rows
and its lines are the data set's own definitions with that condition added. The number of
answers is counted before anything is timed, and the first download's lines are counted too.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator

from django.db import connection, transaction
from django.http import QueryDict
from django.urls import reverse

from benchmarks.harness import signed_in_client
from devdata.scale import scale_users
from devdata.scale_surveys import QUESTIONS as SCALE_QUESTIONS
from devdata.scale_surveys import SCALE_SURVEY_KEY, scale_survey
from feedback.enums import ResponseStatus
from feedback.models import Response, Survey
from portal.spreadsheets import xlsx_write
from reports import database_csv
from reports.dataset_feedback import ANSWER_COLUMNS, SURVEY_ANSWERS, _answers
from reports.dataset_rows import read
from reports.datasets import DATASETS, Dataset
from reports.filters import ReportFilterForm, ReportFilters

QUESTIONS = len(SCALE_QUESTIONS)  # 20: an answer row per question and response
# seed_scale's survey: two responses per generated user (100,000 at the default 50,000 users).
SCALE_RESPONSES = 100_000
SIZES = (100_000, 1_000_000)  # answers


def the_survey() -> Survey:
    """The scale survey of seed_scale (found by its key)."""
    return scale_survey(responses=SCALE_RESPONSES, key=SCALE_SURVEY_KEY)


def programme_admin():
    """The generated programme admin the reports' benchmarks sign in as."""
    return scale_users().filter(is_programme_admin=True).order_by("email").first()


def query_string(survey: Survey) -> str:
    """The filters chosen: the survey's cohort."""
    return f"cohort={survey.cohort_id}"


def admin_filters(admin, survey: Survey) -> ReportFilters:
    """The filters as the API reads them from `query_string` (reports/api.py)."""
    form = ReportFilterForm(QueryDict(query_string(survey)), user=admin)
    if not form.is_valid():
        raise RuntimeError(f"The filters are refused: {form.errors.as_json()}")
    return form.report_filters()


@dataclasses.dataclass(frozen=True)
class Narrowing:
    """The scale survey's first `answers / 20` responses by id: a condition on the data set's
    query (the module docstring says why)."""

    survey: Survey
    answers: int

    @property
    def responses(self) -> int:
        return self.answers // QUESTIONS

    def last_response_id(self) -> int:
        submitted = Response.objects.filter(survey=self.survey, status=ResponseStatus.SUBMITTED)
        ids = submitted.order_by("pk").values_list("pk", flat=True)
        last = ids[self.responses - 1 : self.responses]
        if not last:
            raise ValueError(
                f"The scale survey has fewer than {self.responses:,} submitted responses."
            )
        return last[0]

    def queryset_narrowed(self, filters: ReportFilters, last_id: int):
        """The data set's query (reports.dataset_feedback._answers) with the condition added."""
        return _answers(filters).filter(
            response__survey_id=self.survey.pk, response_id__lte=last_id
        )

    def dataset(self, last_id: int) -> Dataset:
        """survey-answers, its rows and its lines of the narrowed query (else the same)."""
        return dataclasses.replace(
            SURVEY_ANSWERS,
            rows=lambda filters: read(self.queryset_narrowed(filters, last_id), ANSWER_COLUMNS),
            csv_body=lambda filters, positions: database_csv.body(
                self.queryset_narrowed(filters, last_id), ANSWER_COLUMNS, positions
            ),
        )


@contextlib.contextmanager
def narrowed(narrowing: Narrowing) -> Iterator[Dataset]:
    """The narrowed data set, in DATASETS under its key while inside (the API reads it there)."""
    if narrowing.answers % QUESTIONS:
        raise ValueError(f"{narrowing.answers:,} answers are not whole responses of {QUESTIONS}.")
    dataset = narrowing.dataset(narrowing.last_response_id())
    original = DATASETS[SURVEY_ANSWERS.key]
    DATASETS[SURVEY_ANSWERS.key] = dataset
    try:
        yield dataset
    finally:
        DATASETS[SURVEY_ANSWERS.key] = original


def answers_count(narrowing: Narrowing, admin) -> int:
    """The narrowed data set's number of rows, counted by the database."""
    filters = admin_filters(admin, narrowing.survey)
    return narrowing.queryset_narrowed(filters, narrowing.last_response_id()).count()


# --- The CSV as a programme admin downloads it ------------------------------------------------


def download(client, path: str, *, lines: list | None = None) -> Callable[[], int]:
    """A callable that GETs the file at `path` and reads every byte of the stream; the bytes
    read. With `lines`, the lines (CRLF) read are appended to it too."""

    def get() -> int:
        response = client.get(path, secure=True)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}, not 200.")
        size = newlines = 0
        for part in response.streaming_content:
            size += len(part)
            if lines is not None:
                newlines += part.count(b"\r\n")
        if lines is not None:
            lines.append(newlines)
        return size

    return get


def dataset_path(survey: Survey) -> str:
    return f"{reverse('api-dataset', kwargs={'key': SURVEY_ANSWERS.key})}?{query_string(survey)}"


# --- COPY of the same rows --------------------------------------------------------------------


def _copy(sql: str, params, options: str = "") -> int:
    """PostgreSQL's COPY of `sql` read to its end into a buffer, JIT off as the export has it
    (reports.database_csv.copied_lines); the bytes written."""
    buffer = io.BytesIO()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        statement = cursor.cursor.mogrify(sql, params).decode()
        cursor.cursor.copy_expert(f"COPY ({statement}) TO STDOUT {options}", buffer)
    return buffer.tell()


def copy_rows(narrowing: Narrowing, filters: ReportFilters, last_id: int) -> int:
    """`COPY (<the data set's query, narrowed>) TO STDOUT WITH (FORMAT csv)`."""
    sql, params = narrowing.queryset_narrowed(filters, last_id).query.sql_with_params()
    return _copy(sql, params, "WITH (FORMAT csv)")


def copy_lines(narrowing: Narrowing, filters: ReportFilters, last_id: int, positions) -> int:
    """COPY of the statement the export runs: one CSV line per row, written in SQL."""
    queryset = narrowing.queryset_narrowed(filters, last_id)
    sql, params = database_csv.line_statement(queryset, ANSWER_COLUMNS, positions)
    return _copy(sql, params)


def csv_against_copy(narrowing: Narrowing, admin, *, repeat: int, out) -> dict:
    """Time the download and the two COPYs in turn (rotated each round); print a line."""
    filters = admin_filters(admin, narrowing.survey)
    positions = SURVEY_ANSWERS.visible_columns(user=admin)
    expected = answers_count(narrowing, admin)
    if expected != narrowing.answers:
        raise RuntimeError(f"The narrowing keeps {expected:,} answers, not {narrowing.answers:,}.")
    client = signed_in_client(admin)
    lines: list[int] = []
    with narrowed(narrowing):
        last_id = narrowing.last_response_id()
        runs = [
            download(client, dataset_path(narrowing.survey), lines=lines),
            lambda: copy_rows(narrowing, filters, last_id),
            lambda: copy_lines(narrowing, filters, last_id, positions),
        ]
        sizes = [run() for run in runs]  # warm-up
        if lines[0] != expected + 1:  # the header and a line per answer
            raise RuntimeError(f"The CSV has {lines[0]:,} lines, not {expected + 1:,}.")
        runs[0] = download(client, dataset_path(narrowing.survey))
        times: list[list[float]] = [[] for _ in runs]
        for round_number in range(repeat):
            order = list(range(len(runs)))
            shift = round_number % len(runs)
            for index in order[shift:] + order[:shift]:
                started = time.perf_counter()
                runs[index]()
                times[index].append((time.perf_counter() - started) * 1000)
    csv_ms, rows_ms, lines_ms = (statistics.median(each) for each in times)
    out.write(
        f"survey-answers CSV of {expected:,} answers (API download, {sizes[0]:,} bytes): "
        f"{csv_ms:.1f} ms; COPY of the same rows WITH (FORMAT csv) ({sizes[1]:,} bytes): "
        f"{rows_ms:.1f} ms; ratio {csv_ms / rows_ms:.2f}. COPY of the statement the export "
        f"runs ({sizes[2]:,} bytes): {lines_ms:.1f} ms; ratio {csv_ms / lines_ms:.2f} "
        f"(median of {repeat} each)\n"
    )
    return {"csv_ms": csv_ms, "copy_ms": rows_ms, "lines_ms": lines_ms, "times": times}


# --- Peak memory ------------------------------------------------------------------------------


def _csv_export(dataset: Dataset, admin, filters: ReportFilters) -> int:
    return sum(len(chunk.encode()) for chunk in dataset.csv_lines(user=admin, filters=filters))


def _xlsx_export(dataset: Dataset, admin, filters: ReportFilters) -> int:
    rows = dataset.rows_for(user=admin, filters=filters)
    with tempfile.TemporaryFile() as file:
        xlsx_write(dataset.header(user=admin), rows, file, title=str(dataset.title))
        return file.tell()


def peak_memory(export, *args) -> tuple[int, float]:
    """(the peak of memory traced while `export` ran, in bytes; its time in seconds)."""
    connection.ensure_connection()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        export(*args)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, time.perf_counter() - started


MEMORY_TITLE = "Peak memory (tracemalloc) of the survey-answers data set, by its number of answers"


def memory_table(survey: Survey, admin, sizes, out) -> None:
    """A row per file and size: the peak memory traced, and the time it took while traced
    (tracemalloc slows every allocation)."""
    # What is loaded once per process (openpyxl's modules) is not the export's memory.
    import openpyxl.cell
    import openpyxl.styles
    import openpyxl.writer.excel  # noqa: F401

    filters = admin_filters(admin, survey)
    out.write(MEMORY_TITLE + "\n")
    out.write(f"{'file':<6}  {'answers':>9}  {'peak MiB':>8}  {'traced s':>8}\n")
    for answers in sizes:
        with narrowed(Narrowing(survey, answers)) as dataset:
            for name, export in (("CSV", _csv_export), ("XLSX", _xlsx_export)):
                peak, seconds = peak_memory(export, dataset, admin, filters)
                out.write(f"{name:<6}  {answers:>9,}  {peak / 2**20:>8.2f}  {seconds:>8.1f}\n")


def main(argv=None, out=None) -> int:
    """The CSV-to-COPY ratios and the memory table (module docstring); Django is set up on the
    benchmark database by benchmarks.dataset_figures."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.dataset_figures", description=__doc__
    )
    parser.add_argument("--repeat", type=int, default=10, help="timed runs of CSV and COPY")
    parser.add_argument(
        "--sizes",
        default=",".join(str(size) for size in SIZES),
        help="answers (multiples of 20) of the narrowed data set, comma-separated",
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the memory table")
    args = parser.parse_args(argv)
    out = out or sys.stdout
    sizes = [int(size) for size in args.sizes.split(",")]
    survey, admin = the_survey(), programme_admin()
    out.write(
        f"Database: {connection.vendor} {connection.settings_dict['NAME']}; the scale survey "
        f"{survey.pk}, cohort {survey.cohort_id}, as {admin.email}\n"
    )
    if connection.vendor == "postgresql":
        for answers in sizes:
            csv_against_copy(Narrowing(survey, answers), admin, repeat=args.repeat, out=out)
    else:
        out.write("No COPY on this database: the data set's CSV is written from its rows.\n")
    if not args.no_memory:
        memory_table(survey, admin, sizes, out)
    return 0
