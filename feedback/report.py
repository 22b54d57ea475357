"""The PDF report of a survey's results (issue 11): every question's results as on the results
page, from the same computation (feedback.results.survey_results) and with the same charts
(feedback.charts, drawn by the roadmap summary's SVG template), printed by WeasyPrint as the
roadmap PDF is (roadmaps.pdf: the bundled fonts, no file or network fetched, tagged PDF/UA-1).

Decision: the report is printed on each download, not kept: it follows the filters of the
address and the results change with every response. It says which filters it was printed
under, and nothing in it comes from the clock: the same results give the same file (roadmaps.pdf
makes WeasyPrint's output repeatable).
"""

from django.conf import settings
from django.template.loader import render_to_string

from cities.enums import CityType
from cities.models import Country
from cohorts.models import Cohort, ThematicGroup
from feedback.charts import chart_context, question_chart
from feedback.models import Survey
from feedback.results import ResultFilters, survey_results
from roadmaps.pdf import FONT_FILES, pdf_from_html

REPORT_TEMPLATE = "feedback/report/report.html"


def report_filename(survey: Survey) -> str:
    return f"survey-{survey.pk}-report.pdf"


def filter_labels(filters: ResultFilters | None) -> list[tuple[str, str]]:
    """The filters applied, as (what, which) pairs to print."""
    if not filters:
        return []
    labels = []
    if filters.cohort_id is not None:
        labels.append(("cohort", str(Cohort.objects.get(pk=filters.cohort_id))))
    if filters.group_id is not None:
        labels.append(("group", str(ThematicGroup.objects.get(pk=filters.group_id))))
    if filters.city_type is not None:
        labels.append(("city_type", str(CityType(filters.city_type).label)))
    if filters.country_id is not None:
        labels.append(("country", str(Country.objects.get(pk=filters.country_id))))
    return labels


def survey_report_html(*, survey: Survey, filters: ResultFilters | None = None) -> str | None:
    """The report's HTML, or None for an anonymous survey under its threshold."""
    results = survey_results(survey=survey, filters=filters)
    if not results.shown:
        return None
    blocks = []
    for result in results.questions:
        chart = None if result.withheld else question_chart(result)
        blocks.append({"result": result, "chart": chart and chart_context(result, chart)})
    return render_to_string(
        REPORT_TEMPLATE,
        {
            "survey": survey,
            "results": results,
            "blocks": blocks,
            "filters": filter_labels(filters) if results.filtered else [],
            "font_regular": (settings.BASE_DIR / FONT_FILES["regular"]).as_uri(),
            "font_bold": (settings.BASE_DIR / FONT_FILES["bold"]).as_uri(),
        },
    )


def survey_report_pdf(*, survey: Survey, filters: ResultFilters | None = None) -> bytes | None:
    """The report as a PDF file, or None for an anonymous survey under its threshold."""
    html = survey_report_html(survey=survey, filters=filters)
    return None if html is None else pdf_from_html(html)
