"""The downloads of a survey's results (issue 11): the responses as CSV and XLSX, the report as
a PDF, and each chart as a PNG (the SVG is feedback.views_results').

Who may read the results may download them (feedback.view_survey_results), with the results
page's filters in the address; the others are answered as the results page answers them (403
to those the survey asks, 404 to the rest). An anonymous survey under its threshold gives no
file: the person is sent back to the results page with its message. A filter that cannot be
used sends them back to the page, which says why.

None of these is kept in a shared cache nor on the browser's disk: they name cities.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from feedback.charts import chart_png
from feedback.enums import SurveyScope
from feedback.exports import (
    ExportRefused,
    csv_lines,
    export_filename,
    response_table,
    threshold_message,
    xlsx_write,
)
from feedback.report import report_filename, survey_report_pdf
from feedback.results import GROUP_MEMBERS, ResultFilters, results_scope
from feedback.views_results import (
    FILTER_NAMES,
    RESULTS,
    ResultFilterForm,
    _question_svg,
    _survey_for,
)
from portal import spreadsheets
from portal.fragments import TIMEOUT_SECONDS, cache_key, joined, version_map
from sessions.caching import CITIES, NAMES, VISIBILITY, session_scope
from sessions.selectors import session_access_of


class _BackToResults(Exception):
    def __init__(self, message: str, query: str = ""):
        self.message, self.query = message, query


def _readable_survey(request, pk: int):
    # The rules' facts of the person are kept under the VISIBILITY version (sessions.selectors).
    found = version_map(results_scope(pk), VISIBILITY)
    session_access_of(request.user, visibility=found[VISIBILITY])
    return _survey_for(request, pk, RESULTS), found


def _filters_of(request, survey) -> ResultFilters:
    """The results page's filters from the address (an anonymous survey takes none)."""
    if survey.is_anonymous or not any(request.GET.get(name) for name in FILTER_NAMES):
        return ResultFilters()
    form = ResultFilterForm(request.GET, survey=survey)
    if not form.is_valid():
        raise _BackToResults(
            _("Nothing was downloaded: some filters could not be used."), request.GET.urlencode()
        )
    return form.filters()


def _back(request, survey, refusal: _BackToResults):
    messages.error(request, refusal.message)
    url = reverse("survey_results", args=[survey.pk])
    return redirect(f"{url}?{refusal.query}" if refusal.query else url)


def _table(request, survey):
    try:
        return response_table(survey=survey, filters=_filters_of(request, survey))
    except ExportRefused as refusal:
        raise _BackToResults(refusal.message) from refusal


@login_required
@require_GET
@cache_control(private=True, no_store=True)
def survey_export_csv(request, pk):
    """The responses as CSV, streamed as the rows are read (feedback.exports)."""
    survey, _found = _readable_survey(request, pk)
    try:
        table = _table(request, survey)
    except _BackToResults as refusal:
        return _back(request, survey, refusal)
    return spreadsheets.csv_response(csv_lines(table), export_filename(survey, "csv"))


@login_required
@require_GET
@cache_control(private=True, no_store=True)
def survey_export_xlsx(request, pk):
    """The responses as an XLSX workbook, written to a temporary file a row at a time and sent
    from it (the file is removed when it is closed)."""
    survey, _found = _readable_survey(request, pk)
    try:
        table = _table(request, survey)
    except _BackToResults as refusal:
        return _back(request, survey, refusal)
    return spreadsheets.xlsx_response(
        lambda file: xlsx_write(table, file, title=survey.title), export_filename(survey, "xlsx")
    )


@login_required
@require_GET
@cache_control(private=True, no_store=True)
def survey_report(request, pk):
    """The results with their charts as a PDF (feedback.report), under the page's filters."""
    survey, found = _readable_survey(request, pk)
    try:
        filters = _filters_of(request, survey)
    except _BackToResults as refusal:
        return _back(request, survey, refusal)
    # Printed once per version of what it shows (the results page's versions: the answers,
    # the names of people, cities and groups; a session's registrations) and filter, in the
    # reader's language, then kept: a large survey's report takes seconds to print.
    scopes = [NAMES, CITIES, GROUP_MEMBERS]
    if survey.scope == SurveyScope.SESSION:
        scopes.append(session_scope(survey.session_id))
    key = cache_key(
        "feedback:report-pdf",
        [found[results_scope(pk)], joined(version_map(*scopes), *scopes), filters, get_language()],
    )
    pdf = cache.get(key)
    if pdf is None:
        pdf = survey_report_pdf(survey=survey, filters=filters) or b""
        cache.set(key, pdf, TIMEOUT_SECONDS)
    if not pdf:
        return _back(request, survey, _BackToResults(threshold_message(survey)))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report_filename(survey)}"'
    return response


@login_required
@require_GET
@cache_control(private=True, no_store=True)
def survey_results_png(request, pk, question_id):
    """One question's chart as a PNG: the SVG file's drawing (feedback.views_results) at the
    same size, kept in the cache as the SVG is."""
    survey, found = _readable_survey(request, pk)
    key = cache_key("feedback:results-png", [found[results_scope(pk)], question_id, get_language()])
    png = cache.get(key)
    if png is None:
        svg = _question_svg(request, survey, question_id)
        png = chart_png(svg) if svg else b""
        cache.set(key, png, TIMEOUT_SECONDS)
    if not png:
        # Not a question of this survey, a free-text question, or results withheld.
        raise Http404
    response = HttpResponse(png, content_type="image/png")
    response["Content-Disposition"] = (
        f'attachment; filename="survey-{survey.pk}-question-{question_id}.png"'
    )
    return response
