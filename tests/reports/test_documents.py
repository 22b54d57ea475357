"""Every report as a PDF and an XLSX workbook (reports/documents.py)."""

import io

import openpyxl
import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from reports.cohort_report import cohort_report
from reports.documents import PDF_TEMPLATE, cohort_document
from tests import factories
from tests.portal_pages.helpers import sign_in
from tests.reports.test_cohort_reports import cohort_world, enrol  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _workbook(response) -> openpyxl.Workbook:
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _sheet(workbook, name) -> list[list]:
    return [list(row) for row in workbook[name].iter_rows(values_only=True)]


def test_the_dashboard_workbook_has_a_sheet_per_table_under_the_filters(
    client,
    programme_admin,
    cohort_world,  # noqa: F811
):
    other = factories.CohortFactory(name="Cohort 2")
    enrol(
        other, factories.CityFactory(name="Turku", country__name="Finland", country__iso_code="FI")
    )
    sign_in(client, programme_admin)

    response = client.get("/reports/report.xlsx", {"cohort": cohort_world.pk})

    assert response["Content-Disposition"] == 'attachment; filename="programme-dashboard.xlsx"'
    workbook = _workbook(response)
    assert workbook.sheetnames == [
        "Summary",
        "Cities by country",
        "Cities by type",
        "Sessions by month",
        "Roadmaps by status",
        "Satisfaction",
        "Study visit calls",
    ]
    summary = _sheet(workbook, "Summary")
    assert summary[0] == ["What", "Value"]
    assert summary[1] == ["Report", "Programme dashboard"]
    assert summary[2] == ["Covers", "Cohort 1"]
    assert ["Cities taking part", 2] in summary
    assert _sheet(workbook, "Cities by country") == [
        ["Country", "Cities"],
        ["France", 1],
        ["Portugal", 1],
    ]
    assert _sheet(workbook, "Study visit calls")[1] == ["Spring visits", 1, 1, 0, 0]


def test_a_cohort_report_prints_as_pdf_and_as_a_workbook(client, facilitator, cohort_world):  # noqa: F811
    cohort_world.facilitators.add(facilitator)
    sign_in(client, facilitator)

    pdf = client.get(f"/reports/cohorts/{cohort_world.pk}/report.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == (
        f'attachment; filename="cohort-{cohort_world.pk}-report.pdf"'
    )
    assert pdf.content.startswith(b"%PDF-")

    workbook = _workbook(client.get(f"/reports/cohorts/{cohort_world.pk}/report.xlsx"))
    assert _sheet(workbook, "Sessions")[1][1:] == [
        "Thematic discussion: Energy",
        "Thematic discussion",
        "Energy",
        "Porto",
        2,
        2,
    ]
    assert _sheet(workbook, "Study visit applications")[1] == [
        "Porto",
        "Spring visits",
        "Selected",
        "Valencia",
    ]
    assert _sheet(workbook, "Sub-topics of the technical ses")[1][2] == (
        "Heat pumps\nDistrict heating"
    )


def test_the_pdf_holds_every_chart_and_table(cohort_world):  # noqa: F811

    document = cohort_document(cohort_report(cohort=cohort_world), read_at=timezone.now())
    html = render_to_string(PDF_TEMPLATE, {"document": document})

    for key in ["countries", "sessions", "roadmaps", "satisfaction", "visits"]:
        assert f'data-chart="{key}"' in html
        assert f'id="chart-{key}"' in html
    for table in document.tables:
        assert f'data-table="{table.key}"' in html


def test_a_comparison_document_needs_a_valid_choice(client, programme_admin, cohort_world):  # noqa: F811
    sign_in(client, programme_admin)

    response = client.get("/reports/cohorts/compare/report.pdf", {"cohort": cohort_world.pk})

    assert response.status_code == 302
    assert response["Location"] == f"/reports/cohorts/compare/?cohort={cohort_world.pk}"
    assert client.get("/reports/report.docx").status_code == 404
