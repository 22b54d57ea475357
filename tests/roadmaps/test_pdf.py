"""The one-page PDF of a roadmap: layout, text, fonts, and who may download it."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from weasyprint.formatting_structure.boxes import TextBox

from cohorts.enums import Programme
from roadmaps.enums import RoadmapStatus
from roadmaps.pdf import roadmap_pdf, roadmap_pdf_document, roadmap_pdf_html
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

# A4 in CSS pixels (96 per inch): 210 mm x 297 mm.
A4 = (pytest.approx(793.7, abs=0.1), pytest.approx(1122.5, abs=0.1))


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
        f"Last change: {date_format(localtime(typical_roadmap.updated_at), 'j F Y, H:i')}.",
        # The page footer repeats the city.
        "1 / 1",
    ]
    assert [part for part in expected if part not in text] == []
    assert text.count(REASONING) == 8


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
    # Representative, overview, challenge, in place, missing, explanation.
    assert text.count("Not filled in") == 6


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
    assert response.content.startswith(b"%PDF-")


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
