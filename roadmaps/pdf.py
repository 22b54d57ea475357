"""The one-page PDF of a Reflection Roadmap, laid out like the template (000 Figure 4).

The PDF is HTML (templates/roadmaps/pdf/roadmap.html) printed by WeasyPrint. Its fonts are the
DejaVu files in static/fonts/, loaded with @font-face from a file:// URL: they cover every city
name of the programme (Guimarães, Čačak, Eskişehir, Liepāja) and, unlike system fonts, are there
on a fresh CI machine or container too.
"""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.text import slugify

from cities.models import ClimateAction
from roadmaps.enums import Desirability
from roadmaps.models import NetZeroCitiesService, Roadmap
from roadmaps.template import CAUSES, CONSEQUENCES, SECTIONS_BY_KEY
from taxonomy.reference import ENABLING_FACTORS

FONT_FILES = {
    "regular": "static/fonts/DejaVuSans.ttf",
    "bold": "static/fonts/DejaVuSans-Bold.ttf",
}


@dataclass(frozen=True)
class FactorRow:
    name: str
    score: str
    reasoning: str


def roadmap_pdf_filename(*, roadmap: Roadmap, city_slug: str | None = None) -> str:
    """reflection-roadmap-<city>-<cohort number>.pdf, ASCII only so every browser keeps it."""
    slug = city_slug or slugify(roadmap.city.name) or f"city-{roadmap.city_id}"
    return f"reflection-roadmap-{slug}-{roadmap.cohort.number}.pdf"


def _service_ids(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip().isdigit()]


def roadmap_pdf_context(*, roadmap: Roadmap) -> dict:
    """Everything the PDF shows, read from the roadmap's saved fields.

    `roadmap.values.all()` uses a prefetch when the caller made one (the ZIP export does).
    """
    values = {row.key: row.value.strip() for row in roadmap.values.all()}

    def value(key: str) -> str:
        return values.get(key, "")

    action = None
    if value("phase2_1.climate_action").isdigit():
        action = (
            ClimateAction.objects.select_related("city")
            .filter(pk=int(value("phase2_1.climate_action")))
            .first()
        )
    service_ids = _service_ids(value("phase3.services"))
    services = list(NetZeroCitiesService.objects.filter(pk__in=service_ids)) if service_ids else []
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
                reasoning=value(f"phase2_2.reasoning.{factor['slug']}"),
            )
            for factor in ENABLING_FACTORS
        ],
        "services": services,
        "services_note": value("phase3.note"),
        "font_regular": (fonts_dir / FONT_FILES["regular"]).as_uri(),
        "font_bold": (fonts_dir / FONT_FILES["bold"]).as_uri(),
    }


def roadmap_pdf_html(*, roadmap: Roadmap) -> str:
    return render_to_string("roadmaps/pdf/roadmap.html", roadmap_pdf_context(roadmap=roadmap))


def roadmap_pdf_document(*, roadmap: Roadmap):
    """The laid-out WeasyPrint document (its `pages` and `fonts` are what the tests check)."""
    # Imported here: WeasyPrint loads Pango through cffi, which the web pages never need.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Only local files (the fonts): text a city typed is escaped by the template, and even so
    # nothing in a roadmap may make the server fetch a URL.
    fetcher = URLFetcher(allowed_protocols={"file"})
    html = HTML(
        string=roadmap_pdf_html(roadmap=roadmap),
        base_url=settings.BASE_DIR.as_uri() + "/",
        url_fetcher=fetcher,
    )
    return html.render()


def roadmap_pdf(*, roadmap: Roadmap) -> bytes:
    """The roadmap as a PDF file."""
    return roadmap_pdf_document(roadmap=roadmap).write_pdf()
