"""The roadmap outputs: one roadmap as PDF, the facilitator's cohort overview with its summary
(charts as inline SVG, downloadable as SVG and CSV) and the ZIP of all the cohort's PDFs.

Whoever may not see a roadmap or run a cohort gets 404, as for every object they cannot see;
the export services ask roadmaps.export_cohort_roadmaps themselves (403).
"""

import csv
import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from portal.errors import ApplicationError
from portal.files import stored_file_response
from roadmaps.enums import ExportStatus
from roadmaps.exports import (
    EXPORT,
    GIVE_UP_AFTER,
    cohort_latest_export,
    export_filename,
    export_is_stuck,
    roadmap_export_restart,
    roadmap_export_start,
)
from roadmaps.models import RoadmapExport
from roadmaps.pdf import roadmap_pdf_filename
from roadmaps.pdf_files import roadmap_pdf_file_remembered
from roadmaps.scopes import cohort_versions
from roadmaps.selectors import roadmap_cohort_run_by, roadmap_for_user, runs_roadmap_cohort
from roadmaps.summary import (
    action_chart,
    cohort_city_roadmaps,
    cohort_summary,
    factor_chart,
    narrow_chart,
    state_counts,
    summary_table,
)

CHARTS = {"factors": factor_chart, "actions": action_chart}


@login_required
@require_GET
# A roadmap is for the people who may see it: no shared cache keeps it, nor the browser's disk.
@cache_control(private=True, no_store=True)
def roadmap_pdf_download(request, pk):
    # Who may see it is asked first: a stored file is served only to them, like a fresh one.
    roadmap = roadmap_for_user(user=request.user, pk=pk)
    if roadmap is None:
        raise Http404
    response = HttpResponse(
        roadmap_pdf_file_remembered(roadmap=roadmap), content_type="application/pdf"
    )
    filename = roadmap_pdf_filename(roadmap=roadmap)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _url_of_each(name: str):
    """`reverse(name, args=[pk])` for many pks at the cost of one reverse(): the URL patterns of
    these pages take one integer, so the URL of each row differs only by it."""
    marker = 918273645546372819
    before, after = reverse(name, args=[marker]).split(str(marker))
    return lambda pk: f"{before}{pk}{after}"


def _cohort_run_by(request, cohort_id):
    """The cohort, if the person facilitates it or is an admin; 404 otherwise."""
    cohort = roadmap_cohort_run_by(user=request.user, pk=cohort_id)
    if cohort is None:
        raise Http404
    return cohort


@login_required
@require_GET
def cohort_roadmap_overview(request, cohort_id):
    cohort = _cohort_run_by(request, cohort_id)

    @functools.cache
    def rows():
        found = cohort_city_roadmaps(cohort=cohort)
        edit_url, pdf_url = _url_of_each("roadmap_edit"), _url_of_each("roadmap_pdf")
        for row in found:
            if row.roadmap is not None:
                row.edit_url, row.pdf_url = edit_url(row.roadmap.pk), pdf_url(row.roadmap.pk)
        return found

    summary = functools.cache(lambda: cohort_summary(cohort=cohort))
    # The counts, the table and the summary are cached under the data versions of what they
    # show (roadmaps.scopes: the cohort's roadmaps and their fields, the enrolled cities' and
    # the climate actions' names) and the time zone the last changes are shown in. The rows
    # and the summary are callables, read by the template only on a miss: a hit runs neither
    # their queries nor the rendering of a row per city and two charts.
    key = (cohort_versions(cohort), timezone.get_current_timezone_name())
    factors = functools.cache(lambda: factor_chart(summary()))
    actions = functools.cache(lambda: action_chart(summary()))
    return render(
        request,
        "roadmaps/overview.html",
        {
            "cohort": cohort,
            "rows": rows,
            "state_counts": lambda: state_counts(rows()),
            "rows_key": key,
            "summary": summary,
            "summary_key": key,
            "factor_chart": factors,
            "action_chart": actions,
            # The same charts drawn for a phone; the page shows the one that fits the screen.
            "factor_chart_narrow": lambda: narrow_chart(factors()),
            "action_chart_narrow": lambda: narrow_chart(actions()),
            **_export_status_context(request, cohort, cohort_latest_export(cohort_id=cohort.pk)),
        },
    )


def _chart_context(chart_name: str, summary, cohort) -> dict:
    titles = {
        "factors": (
            _("Feasibility: scores of the enabling factors"),
            _(
                "For each enabling factor, how many roadmaps gave each score from 1 (weak) to "
                "5 (strong), and the average score."
            ),
        ),
        "actions": (
            _("Desirability of the Mission City solutions"),
            _("For each climate action chosen, how many roadmaps rated it High, Medium or Low."),
        ),
    }
    title, description = titles[chart_name]
    return {
        "chart": CHARTS[chart_name](summary),
        "chart_id": f"chart-{chart_name}",
        "title": f"{title} · {cohort.name}",
        "description": description,
    }


@login_required
@require_GET
def cohort_summary_svg(request, cohort_id, chart):
    """A summary chart as an SVG file, the same drawing as on the page."""
    if chart not in CHARTS:
        raise Http404
    cohort = _cohort_run_by(request, cohort_id)
    svg = render_to_string(
        "roadmaps/summary_chart.html",
        _chart_context(chart, cohort_summary(cohort=cohort), cohort),
        request=request,
    )
    response = HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + svg, content_type="image/svg+xml"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="roadmap-summary-{chart}-cohort-{cohort.number}.svg"'
    )
    return response


def _cell(value) -> str | int:
    """A CSV cell that a spreadsheet shows as typed: a leading = + - @ would start a formula."""
    if isinstance(value, int):
        return value
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


@login_required
@require_GET
def cohort_summary_csv(request, cohort_id, chart):
    """The numbers of a summary chart as CSV, the same as the table on the page."""
    if chart not in CHARTS:
        raise Http404
    cohort = _cohort_run_by(request, cohort_id)
    summary = cohort_summary(cohort=cohort)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="roadmap-summary-{chart}-cohort-{cohort.number}.csv"'
    )
    # A byte order mark, so that spreadsheet programs read the city names as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    header, rows = summary_table(summary, chart)
    writer.writerow(header)
    writer.writerows([_cell(cell) for cell in row] for row in rows)
    return response


def _export_of(request, pk) -> RoadmapExport:
    """The export if the person runs its cohort (as `_cohort_run_by`); 404 otherwise."""
    export = RoadmapExport.objects.select_related("cohort").filter(pk=pk).first()
    if export is None or not runs_roadmap_cohort(request.user, export.cohort_id):
        raise Http404
    return export


def _export_status_context(request, cohort, export: RoadmapExport | None) -> dict:
    """What roadmaps/export_status.html needs: a stuck export is shown as final (no polling)."""
    return {
        "export": export,
        "export_stuck": export is not None and export_is_stuck(export),
        "export_give_up_minutes": int(GIVE_UP_AFTER.total_seconds() // 60),
        "can_export": request.user.has_perm(EXPORT, cohort),
    }


def _export_status(request, export: RoadmapExport, *, refusal: str = "", reload: bool = True):
    if reload:  # after a service that may have changed it; the status page has just read it
        export.refresh_from_db()
    context = _export_status_context(request, export.cohort, export)
    # Swapped in by the page's script (htmx) while the person waits: a ZIP that has become
    # ready downloads by itself (static/js/roadmap/export.js); on the page's first load it
    # only offers the link.
    context["auto_download"] = bool(request.htmx)
    return render(request, "roadmaps/export_status.html", {**context, "refusal": refusal})


@login_required
@require_POST
def roadmap_export_request(request, cohort_id):
    cohort = _cohort_run_by(request, cohort_id)
    export = roadmap_export_start(cohort=cohort, acting_user=request.user)
    if request.htmx:
        return _export_status(request, export)
    return redirect("roadmap_cohort_overview", cohort_id=cohort.pk)


@login_required
@require_POST
def roadmap_export_restart_view(request, pk):
    """Build a failed or stuck export again (the button on its final status fragment)."""
    export = _export_of(request, pk)
    try:
        roadmap_export_restart(export=export, acting_user=request.user)
    except ApplicationError as error:
        if request.htmx:
            if error.code == "superseded":
                # A stale tab: show the newer export (polled while it runs), not this one with
                # the same button that can only be refused again.
                export = cohort_latest_export(cohort_id=export.cohort_id)
            # The export's current state with the reason, answered 200 because htmx swaps no
            # 4xx answer: someone else may have restarted it, and the page then shows that.
            return _export_status(request, export, refusal=error.message)
        messages.error(request, error.message)
    if request.htmx:
        return _export_status(request, export)
    return redirect("roadmap_cohort_overview", cohort_id=export.cohort_id)


@login_required
@require_GET
def roadmap_export_status(request, pk):
    """The export's progress, as the fragment the overview polls."""
    return _export_status(request, _export_of(request, pk), reload=False)


@login_required
@require_GET
@cache_control(private=True, no_store=True)  # the cities' roadmaps: never in a shared cache
def roadmap_export_download(request, pk):
    export = _export_of(request, pk)
    if export.status != ExportStatus.READY or not export.file:
        raise Http404
    # From the local disk, or a redirect to a short-lived signed URL on S3 (portal/files.py).
    return stored_file_response(
        export.file, filename=export_filename(cohort=export.cohort), content_type="application/zip"
    )
