"""A large list export built by a real Celery worker, watched and downloaded in a real browser
(issue 14): an admin filters the dashboard to one cohort, downloads a chart, asks for the
cohort's 100,000 survey answers as XLSX, sees the page show the rows written while the worker
builds the file, and downloads it when it is ready.

The worker (tests/workers.py, `redis_worker`) takes the task from Redis in a thread of this
process; the page is served by the live server's thread; both read the committed rows of
PostgreSQL. XLSX rather than CSV: the worker writes the CSV of 100,000 answers in about 3 s,
which a row polled every 2 s may miss, and the XLSX in about 30 s on a quiet machine (openpyxl;
45-55 s while other test runs load it), so the page's progress is seen without slowing
anything down. The data set counts its rows before the build (Dataset.count), so the row
shows "4,000 of 100,288 rows" and a <progress> with that maximum.
"""

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.core import mail
from django.db import connection
from django.db.models import Count, Q

from cohorts.models import Cohort
from feedback.enums import ResponseStatus
from feedback.models import Answer, Response, Survey
from notifications.models import OutboundEmail
from reports.dataset_feedback import ANSWER_COLUMNS
from reports.enums import ExportFileStatus
from reports.models import ExportFile
from tests.browser.conftest import sign_in
from tests.browser.test_pages import assert_accessible_and_csp_clean

pytestmark = [pytest.mark.browser, pytest.mark.redis, pytest.mark.postgres]

ANSWERS = 100_000
# The worker's build of the XLSX takes about 30 s on a quiet 2-core machine.
BUILD_SECONDS = 150
ROW_TAG = re.compile(rb'<row r="(\d+)"')

# The status cell of a row being built whose rows written the worker has recorded (every 2,000
# rows), read in one go: the row is replaced every 2 s, so its text is taken with the match.
PROGRESS_SEEN = """() => {
    const row = document.querySelector('tr[data-export-status="building"]');
    if (!row) return null;
    const text = row.innerText;
    const progress = row.querySelector("progress");
    return /[1-9][0-9,]* of [0-9,]+ rows/.test(text) && progress
        ? {text, progress: progress.outerHTML}
        : null;
}"""


def answers_load(survey: Survey, count: int) -> int:
    """Add `count` submitted answers to `survey`: copies of the answers of its submitted response
    that has the most, under as many new submitted responses as that takes; return how many
    were added.

    One INSERT ... SELECT over generate_series, in the database: the responses and the answers
    never pass through Python. 100,000 saves through the ORM take minutes, bulk_create builds
    100,000 model instances and their parameters (seconds more); this takes a few seconds, most
    of them the answers' indexes. Copying a real response's answers keeps every row valid (each
    question answered once, each option once) and the file realistic (options, numbers and
    texts of the survey's own questions).
    """
    template = (
        survey.responses.filter(status=ResponseStatus.SUBMITTED)
        .annotate(n=Count("answers"))
        .order_by("-n", "pk")
        .first()
    )
    responses = -(-count // template.n)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH new AS (
                INSERT INTO {Response._meta.db_table} (
                    survey_id, user_id, city_id, respondent, status, page,
                    created_at, updated_at, submitted_at
                )
                SELECT %s, NULL, %s, '', %s, 1, now(), now(), now() - make_interval(mins => i)
                FROM generate_series(1, %s) AS i
                RETURNING id
            )
            INSERT INTO {Answer._meta.db_table} (
                response_id, question_id, option_id, number, not_applicable, text
            )
            SELECT new.id, a.question_id, a.option_id, a.number, a.not_applicable, a.text
            FROM new CROSS JOIN (
                SELECT * FROM {Answer._meta.db_table} WHERE response_id = %s
            ) AS a
            ORDER BY new.id, a.id
            LIMIT %s
            """,
            [survey.pk, template.city_id, ResponseStatus.SUBMITTED, responses, template.pk, count],
        )
        return cursor.rowcount


def xlsx_sheet(path: Path) -> tuple[list[str], int, int]:
    """The header (the first row's texts) of the workbook's one sheet, how many rows it has and
    the number of its last row, read from the sheet's XML in blocks.

    Not through openpyxl: the write-only workbook has no <dimension>, so openpyxl's reader,
    even read_only, parses the whole sheet (50 MB of XML here) before the first row, 20-50 s on
    this machine under load; counting the <row> tags takes a second.
    """
    with zipfile.ZipFile(path) as archive:
        assert [name for name in archive.namelist() if name.startswith("xl/worksheets/")] == [
            "xl/worksheets/sheet1.xml"
        ]
        with archive.open("xl/worksheets/sheet1.xml") as sheet:
            header, rows, last, tail = None, 0, 0, b""
            while block := sheet.read(1 << 20):
                # From the block's last "<" on, a tag may be cut in two: it goes with the next.
                block = tail + block
                cut = block.rfind(b"<")
                block, tail = block[:cut], block[cut:]
                if header is None:
                    first = block[block.index(b"<row ") : block.index(b"</row>") + len(b"</row>")]
                    header = [cell.text for cell in ElementTree.fromstring(first).iter("t")]
                numbers = ROW_TAG.findall(block)
                rows += len(numbers)
                last = int(numbers[-1]) if numbers else last
    return header, rows, last


@pytest.mark.django_db(transaction=True)
def test_admin_watches_a_worker_build_100000_survey_answers_and_downloads_them(
    worker_requirements, page, demo, redis_worker, settings, tmp_path
):
    # The worker starts after the demo is seeded (the seed's own tasks run in this process).
    settings.MEDIA_ROOT = tmp_path  # the worker saves the file here (same process)
    cohort = Cohort.objects.order_by("starts_on", "number").first()
    in_cohort = Q(survey__cohort=cohort) | Q(survey__session__cohort=cohort)
    # Named surveys only: the file then holds every submitted answer (none withheld).
    assert not Response.objects.filter(in_cohort, survey__is_anonymous=True).exists()
    assert answers_load(Survey.objects.filter(cohort=cohort).order_by("pk").first(), ANSWERS) == (
        ANSWERS
    )
    expected = Answer.objects.filter(
        response__in=Response.objects.filter(in_cohort, status=ResponseStatus.SUBMITTED)
    ).count()
    assert ANSWERS < expected < ANSWERS + 1_000  # and the demo's own

    sign_in(page, "programme_admin")
    page.get_by_role("link", name="See the programme dashboard").click()
    page.get_by_role("listbox", name="Cohort").select_option(str(cohort.pk))
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_url(re.compile(rf"cohort={cohort.pk}"))
    # The whole flow of issue 14's browser test: a chart of the filtered dashboard, for slides.
    with page.expect_download() as chart_download:
        page.locator('[data-download="countries"]').click()
    assert chart_download.value.suggested_filename == "programme-countries.svg"
    svg = Path(chart_download.value.path()).read_text(encoding="utf-8")
    assert f"Cities taking part, by country · {cohort}" in svg
    page.get_by_role("link", name="Export the lists under these filters").click()
    page.get_by_role("heading", level=1, name="Exports").wait_for()
    assert page.get_by_role("listbox", name="Cohort").evaluate(
        "select => [...select.selectedOptions].map(option => option.value)"
    ) == [str(cohort.pk)]
    page.get_by_label("Data set").select_option(label="Survey answers")
    page.get_by_label("Excel workbook (XLSX)").check()
    page.get_by_role("button", name="Build the file").click()
    page.get_by_text("Your export is being prepared.").wait_for()
    export = ExportFile.objects.get(requested_by=demo["programme_admin"])

    # The row, polled every 2 s, shows the rows the worker has written while it builds.
    seen = page.wait_for_function(PROGRESS_SEEN, timeout=BUILD_SECONDS * 1000).json_value()
    written, total = (
        int(number.replace(",", ""))
        for number in re.search(r"([\d,]+) of ([\d,]+) rows", seen["text"]).groups()
    )
    assert 0 < written < total == expected, seen
    assert seen["progress"].startswith(f'<progress max="{expected}" value="{written}">'), seen
    assert "Being built" in seen["text"], seen
    assert_accessible_and_csp_clean(page)

    page.locator('tr[data-export-status="ready"]').wait_for(timeout=BUILD_SECONDS * 1000)
    # The worker built it, from Redis, not this process: the task ran non-eagerly.
    assert redis_worker.wait_for("reports.build_export", [export.pk]) == {
        "returned": ExportFileStatus.READY,
        "state": "SUCCESS",
        "eager": False,
    }
    export.refresh_from_db()
    assert (export.status, export.rows_written) == (ExportFileStatus.READY, expected)
    assert page.locator(f"#export-{export.pk}").get_by_text(f"Ready: {expected} rows").count()
    # And the worker sent the email that says so.
    email = OutboundEmail.objects.get(key=f"report-export:{export.pk}:ready")
    assert redis_worker.wait_for("notifications.deliver_email", [email.pk])["eager"] is False
    ready = [m for m in mail.outbox if m.subject == "Your export is ready: Survey answers"]
    assert [message.to for message in ready] == [[demo["programme_admin"].email]]
    assert f"is ready, with {expected} rows." in ready[0].body

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("^Download ")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    header, rows, last = xlsx_sheet(Path(download.path()))
    assert header == [column.name for column in ANSWER_COLUMNS]
    assert rows == last == 1 + expected
