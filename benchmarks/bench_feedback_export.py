"""Feedback surveys (issue 11): the exports of the results (feedback.views_exports).

Rows of the harness (`python -m benchmarks --only export`), on bench_feedback's survey of
100,000 answers (5,000 submitted responses of 20 questions, made once by its setup and kept in
the benchmark database): the CSV and the XLSX of the responses, the PDF report and a chart's
PNG, each downloaded whole by the survey's lead facilitator. The files of 100,000 answers are
not pages and are not held to 3x the floor (as the roadmap PDF and the empty-cache rows are
not); the PNG is (it is kept in the cache as the SVG is).

`python -m benchmarks.export_figures` runs this module's `main` for the two figures issue 11
asks of the CSV and XLSX exports:

1. The CSV export against PostgreSQL's `COPY (SELECT ...) TO STDOUT` of the same rows, in the
   same run: the SELECT is the export's own query (feedback.exports.response_rows_queryset,
   its SQL with its parameters), so COPY reads and writes exactly the answer rows the export
   turns into lines. The two are timed in alternation and the ratio of their medians printed
   (target: within 2x). On SQLite there is no COPY: the harness's ratio to the floor is the
   figure.
2. The peak memory (tracemalloc) of the CSV and of the XLSX export of a survey of 100,000 and
   of 1,000,000 answers (50,000 responses), which should be the same: the rows are read with
   `.iterator(chunk_size=...)` and written one response at a time.

The survey of 100,000 answers is bench_feedback's; the one of 1,000,000 answers is made by this
module (`survey_of`) before anything is timed or measured, with the same generator of answers
(bench_feedback's `_answer`), and kept in the benchmark database under its own template key.
"""

import argparse
import io
import statistics
import sys
import time
import tracemalloc

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from benchmarks.bench_cohorts import busiest_cohort
from benchmarks.bench_feedback import KINDS, OPTIONS, RESPONSES, _answer, _lead, results_survey
from benchmarks.harness import benchmark, signed_in_client
from cohorts.enums import EnrolmentStatus
from cohorts.models import Enrolment
from feedback.enums import OPTION_KINDS, QuestionKind, ResponseStatus
from feedback.exports import csv_lines, response_rows_queryset, response_table, xlsx_write
from feedback.models import Answer, Option, Question, Response, Section, Survey

QUESTIONS = sum(times for _kind, times in KINDS)  # 20


def download(client, path: str):
    """A callable that GETs `path` and reads the whole file (a streamed one too), failing
    unless it answers 200."""

    def get():
        response = client.get(path, secure=True)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}, not 200.")
        if response.streaming:
            size = sum(len(part) for part in response.streaming_content)
        else:
            size = len(response.content)
        response.close()
        return size

    return get


@benchmark("survey export CSV: lead facilitator, 100,000 answers of 20 questions")
def export_csv():
    survey = results_survey()
    path = reverse("survey_export_csv", args=[survey.pk])
    return download(signed_in_client(_lead(survey)), path)


@benchmark("survey export XLSX: lead facilitator, 100,000 answers of 20 questions")
def export_xlsx():
    survey = results_survey()
    path = reverse("survey_export_xlsx", args=[survey.pk])
    return download(signed_in_client(_lead(survey)), path)


@benchmark("survey report PDF: lead facilitator, 100,000 answers of 20 questions")
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


# --- Surveys of any size, for the memory figures -------------------------------------------------


def survey_of(responses: int) -> Survey:
    """A named survey of the busiest cohort with `responses` submitted responses of 20
    questions (one answer row each), made the first time and found again by its key
    (bench_feedback's survey for its own number of responses)."""
    if responses == RESPONSES:
        return results_survey()
    key = f"bench:export:{responses}"
    survey = Survey.objects.filter(template_key=key).first()
    if survey is not None:
        return survey
    cohort = busiest_cohort()
    now = timezone.now()
    with transaction.atomic():
        survey = Survey.objects.create(
            title=f"Benchmark survey of {responses * QUESTIONS:,} answers",
            scope="cohort",
            cohort=cohort,
            opens_at=now - timezone.timedelta(days=7),
            closes_at=now + timezone.timedelta(days=3650),
            is_published=True,
            template_key=key,
        )
        section = Section.objects.create(survey=survey, position=1, title="Page 1")
        questions = Question.objects.bulk_create(
            Question(
                section=section,
                position=position,
                kind=kind,
                text=f"Question {position} ({kind})?",
                allows_not_applicable=kind == QuestionKind.EXTENT,
            )
            for position, kind in enumerate(
                (kind for kind, times in KINDS for _ in range(times)), start=1
            )
        )
        options = {
            question.pk: Option.objects.bulk_create(
                Option(question=question, position=n, label=f"Option {n}")
                for n in range(1, OPTIONS + 1)
            )
            for question in questions
            if question.kind in OPTION_KINDS
        }
        cities = list(
            Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.ACCEPTED)
            .order_by("city_id")
            .values_list("city_id", flat=True)
        )
        batch = 1000
        for start in range(0, responses, batch):
            made = Response.objects.bulk_create(
                Response(
                    survey=survey,
                    city_id=cities[n % len(cities)] if cities else None,
                    respondent=f"bench:{n}",
                    status=ResponseStatus.SUBMITTED,
                    created_at=now,
                    updated_at=now,
                    submitted_at=now,
                )
                for n in range(start, min(start + batch, responses))
            )
            Answer.objects.bulk_create(
                (
                    _answer(response, question, options.get(question.pk), start + n + index)
                    for n, response in enumerate(made)
                    for index, question in enumerate(questions)
                ),
                batch_size=5000,
            )
    return survey


# --- CSV against COPY ----------------------------------------------------------------------------


def copy_rows(survey: Survey) -> int:
    """PostgreSQL's COPY of the export's own query to a buffer; the bytes written."""
    sql, params = response_rows_queryset(survey).query.sql_with_params()
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        statement = cursor.mogrify(sql, params).decode()
        cursor.copy_expert(f"COPY ({statement}) TO STDOUT WITH (FORMAT csv)", buffer)
    return buffer.tell()


def csv_against_copy(survey: Survey, *, repeat: int, out) -> None:
    csv_run = download(
        signed_in_client(_lead(survey)), reverse("survey_export_csv", args=[survey.pk])
    )
    csv_run(), copy_rows(survey)  # warm-up
    csv_times, copy_times = [], []
    for round_number in range(repeat):
        pair = [(csv_run, csv_times), (lambda: copy_rows(survey), copy_times)]
        if round_number % 2:
            pair.reverse()
        for call, into in pair:
            started = time.perf_counter()
            call()
            into.append((time.perf_counter() - started) * 1000)
    csv_ms, copy_ms = statistics.median(csv_times), statistics.median(copy_times)
    answers = Answer.objects.filter(response__survey=survey).count()
    out.write(
        f"CSV export of {answers:,} answers: {csv_ms:.1f} ms; COPY of the same rows: "
        f"{copy_ms:.1f} ms; ratio {csv_ms / copy_ms:.2f} (median of {repeat} each)\n"
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
    out.write("Peak memory (tracemalloc) of an export, by the survey's number of answers\n")
    out.write(f"{'export':<6}  {'answers':>9}  {'peak MiB':>8}  {'seconds':>7}\n")
    for responses in sizes:
        survey = survey_of(responses)
        for name, export in (("CSV", _csv_export), ("XLSX", _xlsx_export)):
            peak, seconds = peak_memory(export, survey)
            out.write(
                f"{name:<6}  {responses * QUESTIONS:>9,}  {peak / 2**20:>8.2f}  {seconds:>7.1f}\n"
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
        default=f"{RESPONSES},50000",
        help="responses (of 20 answers) of the surveys whose peak memory is measured",
    )
    args = parser.parse_args(argv)
    out = out or sys.stdout
    prepare_database(reseed=False, out=out)
    out.write(f"Database: {connection.vendor} {connection.settings_dict['NAME']}\n")
    sizes = [int(size) for size in args.sizes.split(",")]
    for responses in sizes:
        survey_of(responses)  # made first: never inside a measure
    if connection.vendor == "postgresql":
        csv_against_copy(survey_of(sizes[0]), repeat=args.repeat, out=out)
    else:
        out.write("No COPY on this database: the harness's CSV row gives its ratio to the floor.\n")
    memory_table(sizes, out)
    return 0
