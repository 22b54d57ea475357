"""Every report as a document: a PDF laid out for printing, with its charts, and an XLSX
workbook with one sheet per table (issue 14). The dashboard, a cohort's report and the
comparison each become a `ReportDocument` (their headline figures, charts and tables, from the
same figures as the page), which the two writers print.

Decisions (README, "Reports"):
- Both are made on each download from figures read then (not the page's kept ones): a file
  handed to a funder states the moment it was read, and is never older than that.
- The PDF is printed by WeasyPrint as the roadmap and survey PDFs are (roadmaps.pdf: the
  portal's fonts, no file or network fetched, tagged PDF/UA-1), each chart the page's SVG.
- The workbook's first sheet holds the headline figures and what the report covers; each
  table is a sheet after it; numbers stay numbers.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.spreadsheets import xlsx_response, xlsx_write_sheets
from reports.charts import month_label
from reports.cohort_report import CohortReport
from reports.comparison import Compared, comparison_table, funnel_comparison_chart
from reports.dashboard import DASHBOARD_CHARTS
from reports.figures import ProgrammeFigures
from roadmaps.pdf import FONT_FILES, pdf_from_html
from roadmaps.summary import Chart

PDF_TEMPLATE = "reports/pdf/report.html"


@dataclass(frozen=True)
class ReportTable:
    key: str
    title: str
    header: list[str]
    rows: list[list]


@dataclass(frozen=True)
class ReportChart:
    key: str
    title: str
    description: str
    chart: Chart


@dataclass
class ReportDocument:
    title: str
    covers: str  # what the report covers: the filters, the cohort and its dates
    read_at: datetime.datetime
    stats: list[tuple[str, object]] = field(default_factory=list)
    charts: list[ReportChart] = field(default_factory=list)
    tables: list[ReportTable] = field(default_factory=list)

    def sheets(self) -> list[tuple[str, list[str], list[list]]]:
        summary = [
            [_("Report"), self.title],
            [_("Covers"), self.covers],
            [_("Figures read on"), date_format(self.read_at, "DATETIME_FORMAT")],
            *[[str(label), value] for label, value in self.stats],
        ]
        return [
            (_("Summary"), [_("What"), _("Value")], summary),
            *[(table.title, table.header, table.rows) for table in self.tables],
        ]


def _stats(figures: ProgrammeFigures) -> list[tuple[str, object]]:
    return [
        (_("Cities taking part"), figures.cities),
        (_("Sessions held"), figures.sessions_held),
        (_("Participants"), figures.participants),
        (_("Attendance rate (%)"), figures.attendance_rate),
        (_("Roadmaps completed"), figures.roadmaps_completed),
        (_("Satisfied (%)"), figures.satisfied_share),
        (_("Study visit applications"), figures.applications),
        (_("Cities selected for a visit"), figures.selected),
    ]


def _charts(figures: ProgrammeFigures, keys) -> list[ReportChart]:
    return [
        ReportChart(
            key,
            str(DASHBOARD_CHARTS[key].title),
            str(DASHBOARD_CHARTS[key].description),
            DASHBOARD_CHARTS[key].draw(figures),
        )
        for key in keys
    ]


def figure_tables(figures: ProgrammeFigures) -> list[ReportTable]:
    """The dashboard's tables, as the page shows them."""
    return [
        ReportTable(
            "countries",
            _("Cities by country"),
            [_("Country"), _("Cities")],
            [[s.label, s.count] for s in figures.by_country],
        ),
        ReportTable(
            "types",
            _("Cities by type"),
            [_("City type"), _("Cities")],
            [[s.label, s.count] for s in figures.by_type],
        ),
        ReportTable(
            "sessions",
            _("Sessions by month"),
            [_("Month"), _("Sessions held"), _("Participants"), _("Per session")],
            [[month_label(m), m.sessions, m.participants, m.per_session] for m in figures.months],
        ),
        ReportTable(
            "roadmaps",
            _("Roadmaps by status"),
            [_("Status"), _("Cities")],
            [[s.label, s.count] for s in figures.funnel],
        ),
        ReportTable(
            "satisfaction",
            _("Satisfaction"),
            [_("Question"), _("Answered"), _("Satisfied"), _("Share (%)")],
            [[s.label, s.answered, s.satisfied, s.percent] for s in figures.satisfaction],
        ),
        ReportTable(
            "visits",
            _("Study visit calls"),
            [_("Call"), _("Applications"), _("Selected"), _("Waitlisted"), _("Not selected")],
            [
                [c.title, c.submitted, c.selected, c.waitlisted, c.not_selected]
                for c in figures.calls
            ],
        ),
    ]


def dashboard_document(
    figures: ProgrammeFigures, *, covers: str, read_at: datetime.datetime
) -> ReportDocument:
    return ReportDocument(
        title=_("Programme dashboard"),
        covers=covers,
        read_at=read_at,
        stats=_stats(figures),
        charts=_charts(figures, DASHBOARD_CHARTS),
        tables=figure_tables(figures),
    )


def cohort_document(report: CohortReport, *, read_at: datetime.datetime) -> ReportDocument:
    cohort = report.cohort
    figures = report.figures
    tables = [
        ReportTable(
            "phases",
            _("Phases"),
            [_("Phase"), _("From"), _("To")],
            [
                [
                    p.name,
                    date_format(p.starts_on, "DATE_FORMAT"),
                    date_format(p.ends_on, "DATE_FORMAT"),
                ]
                for p in report.phases
            ],
        ),
        ReportTable(
            "sessions",
            _("Sessions"),
            [
                _("Date"),
                _("Session"),
                _("Kind"),
                _("Theme"),
                _("Presenting cities"),
                _("Registered"),
                _("Participants"),
            ],
            [
                [
                    date_format(s.starts_at, "DATE_FORMAT"),
                    s.title,
                    s.get_kind_display(),
                    s.thematic_group.sector.name if s.thematic_group else "",
                    ", ".join(p.city.name for p in s.presentations.all()),
                    s.registered,
                    s.participants,
                ]
                for s in report.sessions
            ],
        ),
        *[t for t in figure_tables(figures) if t.key in ("countries", "satisfaction")],
        ReportTable(
            "roadmaps",
            _("Roadmaps"),
            [_("City"), _("Country"), _("Status"), _("Complete (%)")],
            [
                [r.city.name, r.city.country.iso_code, r.state_label, r.percent_complete]
                for r in report.roadmaps
            ],
        ),
        ReportTable(
            "surveys",
            _("Surveys"),
            [_("Survey"), _("About"), _("Closes"), _("Responses")],
            [
                [
                    s.title,
                    s.session.title if s.session else s.get_scope_display(),
                    date_format(s.closes_at, "DATE_FORMAT"),
                    s.submitted,
                ]
                for s in report.surveys
            ],
        ),
        ReportTable(
            "subtopics",
            _("Sub-topics of the technical sessions"),
            [_("Session"), _("Date"), _("Sub-topics cities asked for")],
            [
                [s.title, date_format(s.starts_at, "DATE_FORMAT"), s.requested_subtopics]
                for s in report.technical_sessions
            ],
        ),
        ReportTable(
            "applications",
            _("Study visit applications"),
            [_("City"), _("Call"), _("Decision"), _("Visit")],
            [
                [
                    a.city.name,
                    a.call.title,
                    a.get_decision_display()
                    if a.call.status == "published"
                    else _("Not published"),
                    a.allocated_visit.host_city.name
                    if a.call.status == "published" and a.allocated_visit
                    else "",
                ]
                for a in report.applications
            ],
        ),
    ]
    return ReportDocument(
        title=_("Report · %(cohort)s") % {"cohort": cohort},
        covers=_("%(programme)s, from %(start)s to %(end)s")
        % {
            "programme": cohort.get_programme_display(),
            "start": date_format(cohort.starts_on, "DATE_FORMAT"),
            "end": date_format(cohort.ends_on, "DATE_FORMAT"),
        },
        read_at=read_at,
        stats=_stats(figures),
        charts=_charts(figures, ("countries", "sessions", "roadmaps", "satisfaction", "visits")),
        tables=tables,
    )


def comparison_document(compared: list[Compared], *, read_at: datetime.datetime) -> ReportDocument:
    names = [str(item.cohort) for item in compared]
    chart = funnel_comparison_chart(compared)
    return ReportDocument(
        title=_("Compare cohorts"),
        covers=", ".join(names),
        read_at=read_at,
        charts=[
            ReportChart(
                "roadmaps",
                _("Reflection Roadmaps: where each stands"),
                _("For each cohort, its enrolled cities' roadmaps by status."),
                chart,
            )
        ],
        tables=[
            ReportTable(
                "comparison",
                _("Figures"),
                [_("Figure"), *names],
                [[label, *values] for _key, label, values in comparison_table(compared)],
            )
        ],
    )


def document_xlsx_response(document: ReportDocument, filename: str):
    return xlsx_response(lambda file: xlsx_write_sheets(document.sheets(), file), filename)


def document_pdf_response(document: ReportDocument, filename: str) -> HttpResponse:
    response = HttpResponse(document_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def document_pdf(document: ReportDocument) -> bytes:
    html = render_to_string(
        PDF_TEMPLATE,
        {
            "document": document,
            "font_regular": (settings.BASE_DIR / FONT_FILES["regular"]).as_uri(),
            "font_bold": (settings.BASE_DIR / FONT_FILES["bold"]).as_uri(),
        },
    )
    return pdf_from_html(html)


# The downloads of a report, by the extension of their address.
DOCUMENT_FORMATS = {"pdf": document_pdf_response, "xlsx": document_xlsx_response}
