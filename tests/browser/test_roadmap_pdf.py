"""A facilitator downloads a roadmap's PDF and the cohort's ZIP from the cohort roadmap overview,
in a real browser."""

import io
import zipfile
from pathlib import Path

import pytest
from django.utils import translation

from accounts.enums import Role
from cities.models import City, Country
from cohorts.enums import EnrolmentStatus
from cohorts.models import Enrolment
from cohorts.selectors import cohorts_facilitated_by
from roadmaps.exports import exported_roadmaps, roadmap_export_build
from roadmaps.models import Roadmap, RoadmapExport, RoadmapValue
from roadmaps.pdf import roadmap_pdf, roadmap_pdf_document, roadmap_pdf_filename
from tests.browser.conftest import sign_in
from tests.browser.test_pages import assert_accessible_and_csp_clean
from tests.roadmaps.outputs_factories import SPOTLIGHT, typical_values
from tests.roadmaps.pdf_reading import PdfReading, pdf_string
from tests.roadmaps.test_pdf import page_text

pytestmark = pytest.mark.browser


@pytest.fixture
def roadmap(demo):
    """A filled-in roadmap of Čačak in the demo facilitator's cohort."""
    cohort = cohorts_facilitated_by(user=demo[Role.FACILITATOR]).first()
    serbia, _ = Country.objects.get_or_create(iso_code="RS", defaults={"name": "Serbia"})
    city, _ = City.objects.get_or_create(name="Čačak", country=serbia)
    Enrolment.objects.update_or_create(
        cohort=cohort, city=city, defaults={"status": EnrolmentStatus.ACCEPTED}
    )
    roadmap, _ = Roadmap.objects.get_or_create(cohort=cohort, city=city)
    for key, value in typical_values().items():
        RoadmapValue.objects.update_or_create(
            roadmap=roadmap, key=key, defaults={"value": value, "version": 1}
        )
    return roadmap


def test_facilitator_downloads_a_roadmap_pdf(page, roadmap):
    sign_in(page, Role.FACILITATOR)
    page.goto(f"/roadmaps/cohort/{roadmap.cohort_id}/")
    assert_accessible_and_csp_clean(page)
    # Chromium logs an error for any feature name of the Permissions-Policy it does not know.
    assert [text for text in page.console_log if "Permissions-Policy" in text] == []

    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF Čačak").click()
    download = download_info.value
    content = Path(download.path()).read_bytes()

    # A download fires no page response event: ask again with the page's session.
    headers = page.context.request.get(download.url).headers
    assert (headers["content-type"], headers["cache-control"]) == (
        "application/pdf",
        "private, no-store",
    )
    assert download.suggested_filename == roadmap_pdf_filename(roadmap=roadmap)
    assert content.startswith(b"%PDF-")
    assert len(content) > 5_000
    # The file is the roadmap's PDF (the same roadmap version always gives the same bytes), in
    # the language the browser asks for (its locale is en-GB), whose one page holds the
    # spotlight challenge and whose causes read in order.
    with translation.override("en"):
        assert content == roadmap_pdf(roadmap=roadmap)
        [pdf_page] = roadmap_pdf_document(roadmap=roadmap).pages
    assert SPOTLIGHT in page_text(pdf_page)
    reading = PdfReading(content)
    assert pdf_string(reading.entry(reading.catalog(), "Lang")) == "en"
    assert "Main causes 1. Listed buildings limit insulation" in reading.text_in_drawing_order()


def test_facilitator_downloads_the_cohort_zip(page, roadmap, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sign_in(page, Role.FACILITATOR)
    page.goto(f"/roadmaps/cohort/{roadmap.cohort_id}/")

    page.get_by_role("button", name="Download all roadmaps (ZIP)").click()
    # htmx swaps the status fragment in (tests build the ZIP at once: Celery is eager).
    link = page.locator("#export-status").get_by_role("link", name="Download the ZIP")
    link.wait_for()
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value

    assert download.suggested_filename == (
        f"reflection-roadmaps-cohort-{roadmap.cohort.number}.zip"
    )
    archive = zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes()))
    names = archive.namelist()
    assert roadmap_pdf_filename(roadmap=roadmap) in names
    assert archive.read(roadmap_pdf_filename(roadmap=roadmap))[:5] == b"%PDF-"
    assert page.console_log.csp_violations() == []


def test_overview_polls_a_running_export_until_the_zip_is_ready(page, roadmap, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # The demo cohort may hold other roadmaps too; the ZIP holds those with text.
    total = exported_roadmaps(cohort_id=roadmap.cohort_id).count()
    export = RoadmapExport.objects.create(cohort=roadmap.cohort, total=total)
    sign_in(page, Role.FACILITATOR)
    page.goto(f"/roadmaps/cohort/{roadmap.cohort_id}/")
    status = page.locator("#export-status")
    assert status.inner_text().startswith(f"Building the ZIP: 0 of {total} roadmap")

    # The worker finishes while the page is open: the fragment polled every 2 s shows the link.
    roadmap_export_build(export_id=export.pk)
    status.get_by_role("link", name="Download the ZIP").wait_for()
    assert status.inner_text().startswith(f"The ZIP of {total} roadmap")
    assert page.console_log.csp_violations() == []
