"""The programme dashboard (issue 14): programme admins' figures of the whole programme under
the filters they choose, each chart beside its table and downloadable as SVG for slides.

Programme admins only (reports.rules `reports.view_dashboard`): everyone else signed in gets
403 and the page reveals nothing. The whole page below its heading is one cached fragment,
keyed by its address (so by the filters) and the period of FIGURES_MAX_AGE it was read in:
its figures are at most that old, and the page says when they were read.
"""

from __future__ import annotations

import functools
import hashlib

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal.permissions import permission_check
from reports.dashboard import DASHBOARD_CHARTS, FIGURES_MAX_AGE, figures_period, kept_figures
from reports.documents import DOCUMENT_FORMATS
from reports.documents import dashboard_document as dashboard_document_of
from reports.figures import programme_figures
from reports.filters import ReportFilterForm
from roadmaps.summary import narrow_chart

VIEW_DASHBOARD = "reports.view_dashboard"


def _figures_of(request):
    """The filter form and the figures, read only when first asked for (a cached page asks
    for neither)."""
    now = timezone.now()
    form = functools.cache(lambda: ReportFilterForm(request.GET or None, user=request.user))
    filters = functools.cache(lambda: form().report_filters())
    figures = functools.cache(lambda: kept_figures(filters(), now=now))
    return form, filters, figures, now


@login_required
@require_GET
def dashboard(request):
    permission_check(request.user, VIEW_DASHBOARD)
    form, _filters, figures, now = _figures_of(request)

    def chart_blocks():
        blocks = {}
        for key, chart in DASHBOARD_CHARTS.items():
            drawn = chart.draw(figures())
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
        "reports/dashboard.html",
        {
            "form": form,
            "figures": figures,
            "charts": functools.cache(chart_blocks),
            "read_at": now,
            "period": figures_period(),
            "max_age_minutes": FIGURES_MAX_AGE // 60,
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def dashboard_chart_svg(request, chart):
    """One dashboard chart as an SVG file, the same drawing as on the page, for slides."""
    permission_check(request.user, VIEW_DASHBOARD)
    if chart not in DASHBOARD_CHARTS:
        raise Http404
    # The drawing is kept as the page is (the dashboard is the same for every admin): by its
    # address, the language and the period of its figures.
    key = (
        "reports:chart:"
        + hashlib.sha256(
            f"{request.get_full_path()}|{get_language()}|{figures_period()}".encode()
        ).hexdigest()
    )
    svg = cache.get(key)
    if svg is None:
        form, _filters, figures, _now = _figures_of(request)
        entry = DASHBOARD_CHARTS[chart]
        svg = render_to_string(
            "roadmaps/summary_chart.html",
            {
                "chart": entry.draw(figures()),
                "chart_id": f"chart-{chart}",
                "title": f"{entry.title} · {filters_sentence(form())}",
                "description": entry.description,
            },
            request=request,
        )
        cache.set(key, svg, FIGURES_MAX_AGE)
    response = HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + svg, content_type="image/svg+xml"
    )
    response["Content-Disposition"] = f'attachment; filename="programme-{chart}.svg"'
    return response


def filters_sentence(form: ReportFilterForm) -> str:
    """The filters in effect in words, for a downloaded chart's title ("Every cohort" when
    none narrows it)."""
    filters = form.report_filters()
    parts = []
    labels = dict(form.fields["cohort"].choices)
    if form.is_bound and form.cleaned_data.get("cohort"):
        parts.append(", ".join(str(labels[pk]) for pk in form.cleaned_data["cohort"]))
    for name in ("programme", "thematic_group", "country", "city_type"):
        value = form.cleaned_data.get(name) if form.is_bound else None
        if value not in (None, ""):
            parts.append(str(dict(form.fields[name].choices)[value]))
    if filters.date_from or filters.date_to:
        parts.append(
            _("%(start)s to %(end)s")
            % {
                "start": filters.date_from.isoformat() if filters.date_from else "…",
                "end": filters.date_to.isoformat() if filters.date_to else "…",
            }
        )
    return "; ".join(parts) or _("Every cohort")


@login_required
@require_GET
def dashboard_document(request, fmt):
    """The dashboard under the filters of the address as a PDF or an XLSX workbook."""
    permission_check(request.user, VIEW_DASHBOARD)
    if fmt not in DOCUMENT_FORMATS:
        raise Http404
    form, filters, _figures, now = _figures_of(request)
    document = dashboard_document_of(
        programme_figures(filters(), now=now), covers=filters_sentence(form()), read_at=now
    )
    return DOCUMENT_FORMATS[fmt](document, f"programme-dashboard.{fmt}")
