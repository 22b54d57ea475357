"""Cohort reports (issue 14): the list of the cohorts a person may report on, each cohort's
report laid out as the programme's documents are, and the comparison of cohorts side by side.

Programme admins report on every cohort, facilitators on the cohorts they lead or facilitate a
group of (reports.rules `reports.view_cohort_reports`, reports.selectors.reportable_cohorts):
anyone else gets 403, and a cohort outside a facilitator's answers 404 (its existence is not
revealed). Each report's content is kept for FIGURES_MAX_AGE as the dashboard's is, and says
when it was read.
"""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cohorts.versions import COHORTS
from portal.fragments import versions
from portal.permissions import permission_check
from reports.cohort_report import cohort_report
from reports.comparison import (
    CompareForm,
    cohorts_compared,
    comparison_table,
    funnel_comparison_chart,
)
from reports.dashboard import DASHBOARD_CHARTS, FIGURES_MAX_AGE, figures_period, kept_figures
from reports.documents import DOCUMENT_FORMATS
from reports.documents import cohort_document as cohort_document_of
from reports.documents import comparison_document as comparison_document_of
from reports.filters import ReportFilters
from reports.selectors import report_visibility_key, reportable_cohorts
from roadmaps.summary import narrow_chart

VIEW_COHORT_REPORTS = "reports.view_cohort_reports"
COHORT_CHARTS = ("countries", "sessions", "roadmaps", "satisfaction", "visits")


def _reportable_cohort(request, cohort_id: int):
    permission_check(request.user, VIEW_COHORT_REPORTS)
    cohort = reportable_cohorts(user=request.user).filter(pk=cohort_id).first()
    if cohort is None:
        raise Http404
    return cohort


@login_required
@require_GET
def cohort_list(request):
    """The cohorts a person reports on, and the comparison's form. Kept as a fragment under the
    cohorts' version (cohorts.versions: a cohort, its facilitators or its groups changed) and
    who reads; on a hit neither the cohorts nor the form are read."""
    permission_check(request.user, VIEW_COHORT_REPORTS)
    user = request.user
    cohorts = functools.cache(
        lambda: list(reportable_cohorts(user=user).order_by("-starts_on", "-number"))
    )
    return render(
        request,
        "reports/cohort_list.html",
        {
            "cohorts": cohorts,
            "compare_form": functools.cache(lambda: CompareForm(user=user)),
            "list_key": f"{report_visibility_key(user)}|{versions(COHORTS)}",
        },
    )


@login_required
@require_GET
def cohort_report_page(request, cohort_id):
    cohort = _reportable_cohort(request, cohort_id)
    now = timezone.now()
    report = functools.cache(lambda: cohort_report(cohort=cohort, now=now))

    def chart_blocks():
        blocks = {}
        for key in COHORT_CHARTS:
            chart = DASHBOARD_CHARTS[key]
            drawn = chart.draw(report().figures)
            blocks[key] = {
                "chart": drawn,
                "narrow": narrow_chart(drawn),
                "title": chart.title,
                "description": chart.description,
                "key": key,
            }
        return blocks

    return render(
        request,
        "reports/cohort_report.html",
        {
            "cohort": cohort,
            "report": report,
            "charts": functools.cache(chart_blocks),
            "read_at": now,
            "period": figures_period(),
            "max_age_minutes": FIGURES_MAX_AGE // 60,
            "visibility": report_visibility_key(request.user),
        },
    )


@login_required
@require_GET
def cohort_chart_svg(request, cohort_id, chart):
    """One of a cohort report's charts as an SVG file, the same drawing as on the page."""
    cohort = _reportable_cohort(request, cohort_id)
    if chart not in COHORT_CHARTS:
        raise Http404
    entry = DASHBOARD_CHARTS[chart]
    svg = render_to_string(
        "roadmaps/summary_chart.html",
        {
            "chart": entry.draw(
                kept_figures(ReportFilters(cohort_ids=(cohort.pk,)), now=timezone.now())
            ),
            "chart_id": f"chart-{chart}",
            "title": f"{entry.title} · {cohort}",
            "description": entry.description,
        },
        request=request,
    )
    response = HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + svg, content_type="image/svg+xml"
    )
    response["Content-Disposition"] = f'attachment; filename="cohort-{cohort.pk}-{chart}.svg"'
    return response


@login_required
@require_GET
def cohort_comparison(request):
    permission_check(request.user, VIEW_COHORT_REPORTS)
    now = timezone.now()
    form = functools.cache(lambda: CompareForm(request.GET or None, user=request.user))
    compared = functools.cache(
        lambda: (
            cohorts_compared(form().cleaned_data["cohort"], now=now) if form().is_valid() else []
        )
    )

    def chart():
        drawn = funnel_comparison_chart(compared())
        return {
            "chart": drawn,
            "narrow": narrow_chart(drawn),
            "title": _("Reflection Roadmaps: where each stands"),
            "description": _("For each cohort, its enrolled cities' roadmaps by status."),
            "key": "roadmaps",
        }

    return render(
        request,
        "reports/comparison.html",
        {
            "form": form,
            "compared": compared,
            "table": lambda: comparison_table(compared()),
            "query": request.GET.urlencode(),
            "chart": functools.cache(chart),
            "read_at": now,
            "period": figures_period(),
            "max_age_minutes": FIGURES_MAX_AGE // 60,
            "visibility": report_visibility_key(request.user),
        },
    )


@login_required
@require_GET
def cohort_document(request, cohort_id, fmt):
    """A cohort's report as a PDF or an XLSX workbook."""
    cohort = _reportable_cohort(request, cohort_id)
    if fmt not in DOCUMENT_FORMATS:
        raise Http404
    now = timezone.now()
    document = cohort_document_of(cohort_report(cohort=cohort, now=now), read_at=now)
    return DOCUMENT_FORMATS[fmt](document, f"cohort-{cohort.pk}-report.{fmt}")


@login_required
@require_GET
def comparison_document(request, fmt):
    """The comparison of the cohorts of the address as a PDF or an XLSX workbook; a choice the
    form refuses sends the person back to the page, which says why."""
    permission_check(request.user, VIEW_COHORT_REPORTS)
    if fmt not in DOCUMENT_FORMATS:
        raise Http404
    form = CompareForm(request.GET or None, user=request.user)
    if not form.is_valid():
        return redirect(f"{reverse('reports_compare')}?{request.GET.urlencode()}")
    now = timezone.now()
    document = comparison_document_of(
        cohorts_compared(form.cleaned_data["cohort"], now=now), read_at=now
    )
    return DOCUMENT_FORMATS[fmt](document, f"cohort-comparison.{fmt}")
