"""The one-page PDF of a roadmap: layout, text, fonts, accessibility, reproducible bytes, what
WeasyPrint may fetch, and who may download it."""

import datetime
import io
import logging
import os
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.timezone import localtime
from fontTools.ttLib import TTFont
from weasyprint.formatting_structure.boxes import TextBox
from weasyprint.pdf import fonts as weasyprint_fonts
from weasyprint.urls import URLFetcher

from cohorts.enums import Programme
from roadmaps.enums import RoadmapStatus
from roadmaps.pdf import (
    bundled_files_fetcher,
    pdf_from_html,
    roadmap_pdf,
    roadmap_pdf_document,
    roadmap_pdf_html,
)
from tests import factories
from tests.roadmaps.outputs_factories import (
    REASONING,
    SPOTLIGHT,
    city_named,
    climate_action,
    netzerocities_services,
    roadmap_with,
    typical_values,
)
from tests.roadmaps.pdf_reading import PdfReading, pdf_string

# A4 in CSS pixels (96 per inch): 210 mm x 297 mm.
A4 = (pytest.approx(793.7, abs=0.1), pytest.approx(1122.5, abs=0.1))


@pytest.fixture(autouse=True)
def default_language():
    """Print in the default language whatever a test before left active in this thread: Django's
    LocaleMiddleware activates each request's language and never deactivates it, so a test
    client's French request leaks into the next test."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def cohort(db):
    # Twinning: its numbers never meet those of the factory's Online Discussion Groups.
    return factories.CohortFactory(programme=Programme.TWINNING, number=3, name="Twinning cohort 3")


@pytest.fixture
def typical_roadmap(cohort):
    action = climate_action(cohort=cohort)
    values = typical_values(action=action, services=netzerocities_services(), score=4)
    values["phase1.in_place"] = "Peer exchanges with Eskişehir and Liepāja on heat planning."
    return roadmap_with(
        cohort=cohort,
        city=city_named("Čačak", "RS", "Serbia"),
        values=values,
        status=RoadmapStatus.SUBMITTED,
        percent=100,
    )


def page_text(page) -> str:
    """The text WeasyPrint laid out on a page, one space between words."""
    texts = [box.text for box in page._page_box.descendants() if isinstance(box, TextBox)]
    return re.sub(r"\s+", " ", " ".join(texts)).strip()


def test_roadmap_pdf_typical_roadmap_is_one_a4_page(typical_roadmap):
    document = roadmap_pdf_document(roadmap=typical_roadmap)
    assert len(document.pages) == 1
    page = document.pages[0]
    assert (page.width, page.height) == A4
    pdf = document.write_pdf()
    assert pdf.startswith(b"%PDF-")


def test_roadmap_pdf_bytes_are_a_pdf_and_the_same_for_the_same_roadmap(typical_roadmap):
    pdf = roadmap_pdf(roadmap=typical_roadmap)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    # No time of printing in the file: it depends on the roadmap only.
    assert roadmap_pdf(roadmap=typical_roadmap) == pdf


def render_in_a_fresh_process(html: str) -> bytes:
    """The PDF of `html` rendered by a new Python process: no cache or counter of this one."""
    code = (
        "import sys, django; django.setup(); from roadmaps.pdf import pdf_from_html; "
        "sys.stdout.buffer.write(pdf_from_html(sys.stdin.read()))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        input=html.encode(),
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"},
        capture_output=True,
        timeout=300,
        check=True,
    )
    return result.stdout


def test_roadmap_pdf_bytes_are_the_same_in_a_fresh_process_and_after_other_renders(
    typical_roadmap, cohort
):
    html = roadmap_pdf_html(roadmap=typical_roadmap)
    fresh = render_in_a_fresh_process(html)
    # Other renders first, with other glyphs, sizes and fonts, to disturb any state WeasyPrint,
    # Pango, fontconfig or HarfBuzz keep in this process.
    other = roadmap_with(cohort=cohort, city=city_named("Liepāja", "LV", "Latvia"))
    roadmap_pdf(roadmap=other)
    pdf_from_html("<p style='font: bold 31pt serif'>Ωμέγα Привет ﬁ 123</p>")

    assert roadmap_pdf(roadmap=typical_roadmap) == fresh
    assert fresh.startswith(b"%PDF-1.7\n")


def test_roadmap_pdf_bytes_do_not_depend_on_the_clock_with_the_fonttools_subsetter(
    typical_roadmap, monkeypatch
):
    """Where HarfBuzz-subset (>= 4.1) is missing, WeasyPrint subsets fonts with fontTools, which
    dates each font subset with the current second; the file must not show it."""
    # As on a machine without the library: WeasyPrint's own switch to the fontTools subsetter.
    monkeypatch.setattr(weasyprint_fonts, "harfbuzz_subset", None)
    pdfs = []
    for now in (datetime.datetime(2025, 2, 15, 9, 0, 0), datetime.datetime(2031, 7, 1, 17, 3, 7)):
        with time_machine.travel(now.replace(tzinfo=datetime.UTC), tick=False):
            pdfs.append(roadmap_pdf(roadmap=typical_roadmap))

    assert pdfs[0] == pdfs[1]


def test_roadmap_pdf_embedded_fonts_are_valid_and_dated_by_the_font(typical_roadmap):
    reading = PdfReading(roadmap_pdf(roadmap=typical_roadmap))
    font_files = [
        reading.streams[number]
        for number, source in reading.dictionaries.items()
        if b"/Length1 " in source
    ]

    assert len(font_files) == 2  # regular and bold
    for data in font_files:
        # checkChecksums=2 raises on any table checksum that does not match its table.
        head = TTFont(io.BytesIO(data), checkChecksums=2)["head"]
        assert head.modified == head.created


# Accessibility: a tagged PDF/UA document whose text reads in order.


def test_roadmap_pdf_is_tagged_pdf_ua_with_its_title_and_language(typical_roadmap):
    reading = PdfReading(roadmap_pdf(roadmap=typical_roadmap))
    catalog = reading.catalog()

    assert reading.entry(catalog, "MarkInfo") == b"<</Marked true>>"
    assert reading.entry(catalog, "ViewerPreferences") == b"<</DisplayDocTitle true>>"
    assert pdf_string(reading.entry(catalog, "Lang")) == "en"
    assert pdf_string(reading.entry(reading.info(), "Title")) == "Reflection Roadmap · Čačak"
    assert 'pdfuaid:part="1"' in reading.metadata()
    assert ">Reflection Roadmap · Čačak</rdf:li>" in reading.metadata()
    kinds = reading.structure_types()
    assert kinds[:4] == ["Document", "NonStruct", "Div", "H1"]
    assert (kinds.count("H2"), kinds.count("L"), kinds.count("LI"), kinds.count("Lbl")) == (
        5,
        2,
        6,
        6,
    )
    # Phase 2.2's table: the factor and its score (the general reasoning is below it).
    assert (kinds.count("Table"), kinds.count("TH"), kinds.count("TD")) == (1, 2 + 8, 8)


def test_roadmap_pdf_language_is_the_language_it_is_printed_in(typical_roadmap):
    with translation.override("fr"):
        reading = PdfReading(roadmap_pdf(roadmap=typical_roadmap))

    assert pdf_string(reading.entry(reading.catalog(), "Lang")) == "fr"


CAUSES_IN_ORDER = (
    "Main causes "
    "1. Listed buildings limit insulation and visible equipment. "
    "2. Owners lack the money and advice to renovate. "
    "3. No heat network reaches the historic centre. "
    "Consequences "
    "1. High emissions from the residential sector. "
    "2. Energy poverty among older residents. "
    "3. The centre loses residents to newer districts. "
    "What is in place"
)


def test_roadmap_pdf_list_numbers_read_in_place(typical_roadmap):
    """Each number of the causes and consequences comes before its item, both in the page's
    drawing order (what copy, search and text extraction get) and in the structure tree (what a
    screen reader follows)."""
    reading = PdfReading(roadmap_pdf(roadmap=typical_roadmap))
    drawn = reading.text_in_drawing_order()
    structured = reading.text_in_structure_order()

    assert CAUSES_IN_ORDER in drawn
    assert CAUSES_IN_ORDER in structured
    for text in (drawn, structured):
        assert text.index("3. The centre loses") < text.index("Phase 4 · Group Study Visits")
        # Today's symptom: the six numbers together at the end of the page.
        assert "1. 2. 3." not in text


# What WeasyPrint may read: the bundled files, nothing else.


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ((Path(settings.BASE_DIR) / "static/fonts/DejaVuSans.ttf").as_uri(), True),
        ((Path(settings.BASE_DIR) / "static/css/portal.css").as_uri(), True),
        ("file:///etc/passwd", False),
        ((Path(settings.BASE_DIR) / "static/fonts/../../manage.py").as_uri(), False),
        (f"file://{settings.BASE_DIR}/static/fonts/%2E%2E/%2E%2E/manage.py", False),
        ((Path(settings.BASE_DIR) / "manage.py").as_uri(), False),
        ("file://example.org/share/DejaVuSans.ttf", False),
        ("http://127.0.0.1:8000/static/fonts/DejaVuSans.ttf", False),
        ("https://example.org/x.png", False),
        ("data:text/css,body{color:red}", False),
    ],
)
def test_pdf_fetcher_reads_only_files_under_static(url, allowed):
    fetcher = bundled_files_fetcher()
    if allowed:
        response = fetcher.fetch(url)
        assert len(response.read()) > 0
        response.close()
    else:
        with pytest.raises(ValueError, match="Not a bundled file of the portal"):
            fetcher.fetch(url)


@pytest.fixture
def http_server():
    """A real local HTTP server that counts the requests it gets."""
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.requests = requests
    yield server
    server.shutdown()
    thread.join()


def test_roadmap_pdf_fetches_nothing_a_template_or_value_points_to(
    http_server, cohort, monkeypatch
):
    host, port = http_server.server_address
    outside = [f"http://{host}:{port}/outside.css", "file:///etc/passwd"]
    fetched = []
    real_fetch = URLFetcher.fetch

    def recording_fetch(self, url, headers=None):
        fetched.append(url)
        return real_fetch(self, url, headers)

    monkeypatch.setattr(URLFetcher, "fetch", recording_fetch)
    # A template that names outside resources in every way HTML and CSS can.
    template = (
        '<html lang="en"><title>Outside</title>'
        f'<link rel="stylesheet" href="{outside[0]}">'
        f"<style>@import url('{outside[0]}'); p {{ background: url('{outside[1]}') }}"
        f"@font-face {{ font-family: X; src: url('{outside[1]}') }}</style>"
        f'<p style="font-family: X">x</p><img src="{outside[1]}" alt="">'
        f'<img src="{outside[0]}" alt=""><object data="{outside[1]}"></object>'
    )
    pdf_from_html(template)
    # A city's typed value: escaped by the template, so plain text.
    roadmap = roadmap_with(
        cohort=cohort,
        city=city_named("Eskişehir", "TR", "Türkiye"),
        values={"phase1.challenge": f'<img src="{outside[0]}"> url({outside[1]})'},
    )
    roadmap_pdf(roadmap=roadmap)

    assert http_server.requests == []
    fonts = {
        (Path(settings.BASE_DIR) / "static/fonts" / name).as_uri()
        for name in (
            "DejaVuSans.ttf",
            "DejaVuSans-Bold.ttf",
        )
    }
    assert set(fetched) == fonts


def test_roadmap_pdf_page_holds_every_part_of_the_template(typical_roadmap):
    [page] = roadmap_pdf_document(roadmap=typical_roadmap).pages
    text = page_text(page)
    expected = [
        "Reflection Roadmap",
        "Čačak, Serbia",
        "Twinning cohort 3 · Submitted",
        "Inês Araújo",
        "Head of the climate unit",
        "ines.araujo@example.org",
        "Phase 1 · Climate challenge",
        SPOTLIGHT,
        "Listed buildings limit insulation and visible equipment.",
        "No heat network reaches the historic centre.",
        "The centre loses residents to newer districts.",
        "Peer exchanges with Eskişehir and Liepāja on heat planning.",
        "A financing scheme for private owners",
        "Phase 2.1 · Desirability of the solution",
        "Renewable energy communities (Guimarães)",
        "☒ High ☐ Medium ☐ Low",
        "Phase 2.2 · Feasibility of the solution",
        "Internal governance and regulatory framework 4",
        "Funding and financing 4",
        REASONING,
        "Phase 3 · Suitable journey",
        "Climate Transition Map; Heat planning guidance",
        "We would start with the heat planning guidance",
        "Phase 4 · Group Study Visits",
        f"Last change: {date_format(localtime(typical_roadmap.updated_at), 'DATETIME_FORMAT')}.",
        # The page footer repeats the city.
        "1 / 1",
    ]
    assert [part for part in expected if part not in text] == []
    assert text.count(REASONING) == 1  # one general reasoning (issue 10)


def test_roadmap_pdf_uses_only_the_bundled_fonts(typical_roadmap):
    """Every glyph, č, ã, ş and ā included, comes from the @font-face fonts of static/fonts.

    A character missing from them would make Pango fall back to a system font, which would
    show up here as another family.
    """
    document = roadmap_pdf_document(roadmap=typical_roadmap)
    document.write_pdf()
    fonts = list(document.fonts.values())
    assert sorted((font.family, font.weight) for font in fonts) == [
        ("Roadmap Sans", 400),
        ("Roadmap Sans", 700),
    ]


def test_roadmap_pdf_font_files_are_in_the_repository():
    html_fonts = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE-DejaVu.txt")
    folder = Path(settings.BASE_DIR) / "static/fonts"
    assert sorted(path.name for path in folder.iterdir()) == sorted(html_fonts)
    # TrueType files, not Git LFS pointers or empty placeholders.
    assert [(folder / name).read_bytes()[:4] for name in html_fonts[:2]] == [
        b"\x00\x01\x00\x00"
    ] * 2


def test_roadmap_pdf_empty_roadmap_says_what_is_not_filled_in(cohort):
    roadmap = roadmap_with(cohort=cohort, city=city_named("Guimarães", "PT", "Portugal"))
    [page] = roadmap_pdf_document(roadmap=roadmap).pages
    text = page_text(page)
    assert "Guimarães, Portugal" in text
    assert "Not chosen yet" in text
    assert "☐ High ☐ Medium ☐ Low" in text
    assert "None selected yet" in text
    # Representative, overview, challenge, in place, missing, explanation, reasoning.
    assert text.count("Not filled in") == 7


def test_roadmap_pdf_shows_markup_as_text(cohort):
    typed = '<b>Flooding</b> <script>alert("x")</script> <img src="http://example.org/x.png">'
    roadmap = roadmap_with(
        cohort=cohort,
        city=city_named("Eskişehir", "TR", "Türkiye"),
        values={"phase1.challenge": typed},
    )
    html = roadmap_pdf_html(roadmap=roadmap)
    assert "&lt;b&gt;Flooding&lt;/b&gt; &lt;script&gt;" in html
    assert "<script>" not in html
    [page] = roadmap_pdf_document(roadmap=roadmap).pages
    assert typed in page_text(page)


# The download view.


def pdf_url(roadmap) -> str:
    return reverse("roadmap_pdf", args=[roadmap.pk])


def test_roadmap_pdf_view_officer_downloads_attachment(client, typical_roadmap):
    officer = factories.city_officer(city=typical_roadmap.city)
    client.force_login(officer)
    response = client.get(pdf_url(typical_roadmap))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="reflection-roadmap-cacak-3.pdf"'
    )
    # A roadmap is not for shared caches, nor for the browser's disk after the download.
    assert response["Cache-Control"] == "private, no-store"
    assert response.content == roadmap_pdf(roadmap=typical_roadmap)


def test_roadmap_pdf_view_cohort_facilitator_and_admin_download(client, typical_roadmap):
    facilitator = factories.UserFactory(is_facilitator=True)
    typical_roadmap.cohort.facilitators.add(facilitator)
    admin = factories.UserFactory(is_programme_admin=True)
    statuses = []
    for user in (facilitator, admin):
        client.force_login(user)
        response = client.get(pdf_url(typical_roadmap))
        statuses.append((response.status_code, response.content[:5]))
    assert statuses == [(200, b"%PDF-"), (200, b"%PDF-")]


def test_roadmap_pdf_view_others_get_404(client, typical_roadmap):
    other_officer = factories.city_officer()
    other_facilitator = factories.UserFactory(is_facilitator=True)
    factories.CohortFactory().facilitators.add(other_facilitator)
    reviewer = factories.UserFactory(is_reviewer=True)
    statuses = []
    for user in (other_officer, other_facilitator, reviewer):
        client.force_login(user)
        statuses.append(client.get(pdf_url(typical_roadmap)).status_code)
    assert statuses == [404, 404, 404]


def test_roadmap_pdf_view_anonymous_is_sent_to_sign_in(client, typical_roadmap):
    response = client.get(pdf_url(typical_roadmap))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={pdf_url(typical_roadmap)}"


def test_roadmap_pdf_is_dated_by_the_roadmaps_last_change(typical_roadmap, caplog):
    """The file's modification date is the roadmap's last change, written in the W3C form
    WeasyPrint reads (it warns "Invalid date" and leaves the date out otherwise)."""
    html = roadmap_pdf_html(roadmap=typical_roadmap)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf_from_html(html)

    when = typical_roadmap.updated_at.astimezone(datetime.UTC)
    assert f'<meta name="dcterms.modified" content="{when:%Y-%m-%dT%H:%M:%S}Z">' in html
    assert [r.getMessage() for r in caplog.records if "date" in r.getMessage().lower()] == []
