"""The one-page PDF of a Reflection Roadmap, laid out like the template (000 Figure 4).

The PDF is HTML (templates/roadmaps/pdf/roadmap.html) printed by WeasyPrint. Its fonts are the
DejaVu files in static/fonts/, loaded with @font-face from a file:// URL: they cover every city
name of the programme (Guimarães, Čačak, Eskişehir, Liepāja) and, unlike system fonts, are there
on a fresh CI machine or container too.

Decision: the file is PDF/UA-1, a tagged PDF (headings, lists, the factor table), with the page's
language and its title shown by viewers, as the public sector's documents must be accessible.

Decision: the same roadmap version in the same language gives the same bytes, in any process
and whatever was rendered before: nothing in the file comes from the clock, a random source or
a counter (see `_font_dates_from_the_font`), so a printed copy can be checked against the
portal's and two downloads of one version compare equal.
"""

import struct
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.text import slugify

from cities.models import ClimateAction
from roadmaps.enums import Desirability
from roadmaps.models import NetZeroCitiesService, Roadmap, RoadmapValue
from roadmaps.template import (
    CAUSES,
    CHALLENGE_SPOTLIGHT,
    CONSEQUENCES,
    FEASIBILITY_NOT_ASKED,
    REASONING_KEY,
    SECTIONS_BY_KEY,
    feasibility_asked,
)
from taxonomy.reference import ENABLING_FACTORS

PDF_TEMPLATE = "roadmaps/pdf/roadmap.html"
FONT_FILES = {
    "regular": "static/fonts/DejaVuSans.ttf",
    "bold": "static/fonts/DejaVuSans-Bold.ttf",
}


@dataclass(frozen=True)
class FactorRow:
    name: str
    score: str


def roadmap_pdf_filename(*, roadmap: Roadmap, city_slug: str | None = None) -> str:
    """reflection-roadmap-<city>-<cohort number>.pdf, ASCII only so every browser keeps it."""
    slug = city_slug or slugify(roadmap.city.name) or f"city-{roadmap.city_id}"
    return f"reflection-roadmap-{slug}-{roadmap.cohort.number}.pdf"


def _service_ids(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip().isdigit()]


@dataclass(frozen=True)
class RoadmapPdfData:
    """What the PDF prints from the database besides the roadmap row: the saved fields by key,
    the chosen climate action (with its city) and the chosen NetZeroCities services."""

    values: dict[str, str]
    action: ClimateAction | None
    services: list[NetZeroCitiesService]


def roadmap_pdf_data(*, roadmap: Roadmap) -> RoadmapPdfData:
    """The saved fields and what they point to, in one to three queries.

    `roadmap.values.all()` uses a prefetch when the caller made one (the ZIP export does).
    """
    if "values" in getattr(roadmap, "_prefetched_objects_cache", {}):
        values = {row.key: row.value for row in roadmap.values.all()}
    else:
        # Two columns, not the rows as models: this is read on every download (roadmaps.pdf_files).
        values = dict(RoadmapValue.objects.filter(roadmap=roadmap).values_list("key", "value"))
    chosen_action = values.get("phase2_1.climate_action", "").strip()
    action = None
    if chosen_action.isdigit():
        action = ClimateAction.objects.select_related("city").filter(pk=int(chosen_action)).first()
    service_ids = _service_ids(values.get("phase3.services", ""))
    services = list(NetZeroCitiesService.objects.filter(pk__in=service_ids)) if service_ids else []
    return RoadmapPdfData(values=values, action=action, services=services)


def roadmap_pdf_context(*, roadmap: Roadmap, data: RoadmapPdfData | None = None) -> dict:
    """Everything the PDF shows, read from the roadmap's saved fields (`data`, when the caller
    has read them already)."""
    data = data or roadmap_pdf_data(roadmap=roadmap)
    values = {key: value.strip() for key, value in data.values.items()}

    def value(key: str) -> str:
        return values.get(key, "")

    action = data.action
    services = data.services
    fonts_dir = settings.BASE_DIR
    return {
        "roadmap": roadmap,
        "city": roadmap.city,
        "cohort": roadmap.cohort,
        "sections": SECTIONS_BY_KEY,
        "representative": {
            "first_name": value("representative.first_name"),
            "last_name": value("representative.last_name"),
            "role": value("representative.role"),
            "email": value("representative.email"),
        },
        "overview": value("phase1.overview"),
        "challenge": value("phase1.challenge"),
        "causes": [value(f"phase1.cause_{n}") for n in range(1, CAUSES + 1)],
        "consequences": [value(f"phase1.consequence_{n}") for n in range(1, CONSEQUENCES + 1)],
        "in_place": value("phase1.in_place"),
        "missing": value("phase1.missing"),
        "action": action,
        "desirability_choices": [
            (choice.value, choice.label, choice.value == value("phase2_1.desirability"))
            for choice in Desirability
        ],
        "explanation": value("phase2_1.explanation"),
        "factors": [
            FactorRow(
                name=factor["name"],
                score=value(f"phase2_2.score.{factor['slug']}"),
            )
            for factor in ENABLING_FACTORS
        ],
        "reasoning": value(REASONING_KEY),
        "feasibility_asked": feasibility_asked(values),
        "feasibility_not_asked": FEASIBILITY_NOT_ASKED,
        "challenge_spotlight": CHALLENGE_SPOTLIGHT,
        "services": services,
        "services_note": value("phase3.note"),
        "font_regular": (fonts_dir / FONT_FILES["regular"]).as_uri(),
        "font_bold": (fonts_dir / FONT_FILES["bold"]).as_uri(),
    }


def roadmap_pdf_html(*, roadmap: Roadmap, data: RoadmapPdfData | None = None) -> str:
    return render_to_string(PDF_TEMPLATE, roadmap_pdf_context(roadmap=roadmap, data=data))


def bundled_files_fetcher():
    """A WeasyPrint URL fetcher that reads only files of static/ (the fonts): no other file, no
    network. Text a city typed is escaped by the template, and even so nothing in a roadmap or a
    template may make the server read /etc/passwd or call a URL (SSRF)."""
    # Imported here: WeasyPrint loads Pango through cffi, which the web pages never need.
    from weasyprint.urls import URLFetcher

    class BundledFilesFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not is_bundled_file(url):
                raise ValueError(f"Not a bundled file of the portal: {url}")
            return super().fetch(url, headers)

    return BundledFilesFetcher(allowed_protocols={"file"}, allow_redirects=False)


def is_bundled_file(url: str) -> bool:
    """Whether `url` is a file:// URL of a file under static/, once `..` and links are resolved."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return False
    folder = (Path(settings.BASE_DIR) / "static").resolve()
    path = Path(url2pathname(parts.path)).resolve()
    return path.is_relative_to(folder) and path.is_file()


def pdf_document_from_html(html: str):
    """The laid-out WeasyPrint document of the PDF's HTML."""
    from weasyprint import HTML

    return HTML(
        string=html, base_url=settings.BASE_DIR.as_uri() + "/", url_fetcher=bundled_files_fetcher()
    ).render()


def pdf_bytes(document) -> bytes:
    """The PDF file of a laid-out document: tagged PDF/UA-1, the same bytes for the same HTML."""
    return document.write_pdf(pdf_variant="pdf/ua-1", finisher=_font_dates_from_the_font)


def pdf_from_html(html: str) -> bytes:
    return pdf_bytes(pdf_document_from_html(html))


def roadmap_pdf_document(*, roadmap: Roadmap):
    """The laid-out WeasyPrint document (its `pages` and `fonts` are what the tests check)."""
    return pdf_document_from_html(roadmap_pdf_html(roadmap=roadmap))


def roadmap_pdf(*, roadmap: Roadmap) -> bytes:
    """The roadmap as a PDF file, printed now (roadmaps.pdf_files keeps them: the pages and the
    ZIP ask it)."""
    return pdf_bytes(roadmap_pdf_document(roadmap=roadmap))


def roadmap_pdf_from_data(*, roadmap: Roadmap, data: RoadmapPdfData) -> bytes:
    """The roadmap as a PDF file, printed now from `data` read already."""
    return pdf_from_html(roadmap_pdf_html(roadmap=roadmap, data=data))


# The embedded fonts' dates.
#
# WeasyPrint embeds the part of each font that the page uses. Where HarfBuzz's subsetter is
# missing or older than 4.1 (it is a separate library in many Linux distributions), WeasyPrint
# subsets with fontTools instead, which stamps the subset's `head` table with the current
# second: two renders of one roadmap then differ by those bytes whenever a second boundary falls
# between them (so rarely on a fast machine, and often when a long test suite slows it down).
# The finisher below sets that date back to the font's own creation date, so the bytes depend on
# the font and the text only, whichever subsetter the machine has.

SFNT_HEADER = struct.Struct(">4sH6x")
TABLE_RECORD = struct.Struct(">4sIII")
HEAD_CHECKSUM_ADJUSTMENT = 8
HEAD_CREATED, HEAD_MODIFIED = 20, 28
CHECKSUM_MAGIC = 0xB1B0AFBA


def _font_dates_from_the_font(document, pdf) -> None:
    """WeasyPrint finisher: give each embedded TrueType font its own creation date as its
    modification date (see above)."""
    for pdf_object in pdf.objects:
        # TrueType font programs are the streams with a Length1 (the font file's length).
        if "Length1" in getattr(pdf_object, "extra", {}):
            pdf_object.stream = [_with_fixed_dates(b"".join(pdf_object.stream))]


def _checksum(data: bytes) -> int:
    data += b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(data) // 4}I", data)) & 0xFFFFFFFF


def _with_fixed_dates(font: bytes) -> bytes:
    """The font with head.modified = head.created, and its checksums made right again."""
    _, table_count = SFNT_HEADER.unpack_from(font)
    record_offsets = [SFNT_HEADER.size + i * TABLE_RECORD.size for i in range(table_count)]
    records = [(at, *TABLE_RECORD.unpack_from(font, at)) for at in record_offsets]
    head = next((record for record in records if record[1] == b"head"), None)
    if head is None:
        return font
    record_at, _, _, offset, length = head
    data = bytearray(font)
    created = data[offset + HEAD_CREATED : offset + HEAD_CREATED + 8]
    data[offset + HEAD_MODIFIED : offset + HEAD_MODIFIED + 8] = created
    # The head table's checksum counts checkSumAdjustment as 0; the adjustment makes the whole
    # file sum to the magic number.
    adjustment_at = offset + HEAD_CHECKSUM_ADJUSTMENT
    data[adjustment_at : adjustment_at + 4] = bytes(4)
    struct.pack_into(">I", data, record_at + 4, _checksum(bytes(data[offset : offset + length])))
    adjustment = (CHECKSUM_MAGIC - _checksum(bytes(data))) & 0xFFFFFFFF
    struct.pack_into(">I", data, adjustment_at, adjustment)
    return bytes(data)
