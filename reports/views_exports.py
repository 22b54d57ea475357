"""The exports page: the person's export files, asking for one, its progress and its download.

Whoever may not export (reports.export_data) gets 403 on every one of these pages; an export
that is not theirs is a 404 (a programme admin may open every one).
"""

import functools
import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from cohorts.versions import CITIES, COHORTS, SECTORS
from portal.errors import ApplicationError
from portal.files import stored_file_response
from portal.fragments import versions
from portal.permissions import object_for, permission_check
from reports.datasets import DATASETS
from reports.enums import ExportFileStatus, ExportFormat
from reports.exports import (
    BUILDS,
    CONTENT_TYPES,
    EXPORT,
    export_filename,
    export_is_stuck,
    export_start,
    exports_of,
    exports_visible_to,
)
from reports.filters import ReportFilterForm
from reports.models import ExportFile
from reports.selectors import report_visibility_key

# The newest exports listed; older ones have expired long ago (REPORT_EXPORTS_KEEP_DAYS).
LISTED = 50


def _datasets() -> list:
    """The data sets offered: whatever is registered in reports.datasets, by title."""
    return sorted(DATASETS.values(), key=lambda dataset: str(dataset.title).casefold())


def _filters_asked(request) -> dict:
    """The report filters of the address, as the form's first values."""
    return {
        name: request.GET.getlist(name) if name == "cohort" else request.GET.get(name)
        for name in ReportFilterForm.base_fields
        if name in request.GET
    }


def _give_up_minutes() -> int:
    return int(BUILDS.give_up_after.total_seconds() // 60)


def _row_context(export) -> dict:
    dataset = DATASETS.get(export.dataset_key)
    return {
        "export": export,
        "dataset_title": dataset.title if dataset is not None else export.dataset_key,
        "stuck": export_is_stuck(export),
        "filename": export_filename(export),
    }


def _rows_key(rows: list[dict]) -> str:
    """All that the list's rows show, for their cached fragment: every stored field of each
    export and whether it is stuck (the language and the address are the fragment's own), the
    time zone of its dates and the minutes a stuck row names. A row that moved (a progress
    record, a new status) is a new key."""
    fields = [field.attname for field in ExportFile._meta.concrete_fields]
    shown = [([getattr(row["export"], name) for name in fields], row["stuck"]) for row in rows]
    digest = hashlib.sha256(repr(shown).encode()).hexdigest()
    return f"{timezone.get_current_timezone_name()}|{_give_up_minutes()}|{digest}"


@login_required
@require_GET
def export_list(request):
    """The exports page. Its two slow parts are cached fragments: the request form (an admin's
    lists every cohort and thematic group: about 1,200 options at EU scale), under who may see
    which cohorts and the versions of the cohorts, sectors and cities it names, and drawn only
    on a miss; and the rows, under all that they show (`_rows_key`)."""
    permission_check(request.user, EXPORT)
    user = request.user
    exports = list(exports_of(user=user)[:LISTED])
    rows = [_row_context(export) for export in exports]
    return render(
        request,
        "reports/exports.html",
        {
            "rows": rows,
            "rows_key": _rows_key(rows),
            "datasets": _datasets(),
            "formats": ExportFormat.choices,
            # A report's "Export the lists" link brings its filters along (the fragment's key
            # holds the address, so the values chosen).
            "filter_form": functools.cache(
                lambda: ReportFilterForm(user=user, initial=_filters_asked(request))
            ),
            "form_key": f"{report_visibility_key(user)}|{versions(COHORTS, SECTORS, CITIES)}",
            "give_up_minutes": _give_up_minutes(),
            "keep_days": settings.REPORT_EXPORTS_KEEP_DAYS,
        },
    )


@login_required
@require_POST
def export_start_view(request):
    """Ask for an export (from this page or a report's "Export" button) and go to the list."""
    try:
        export_start(
            acting_user=request.user,
            dataset_key=request.POST.get("dataset", ""),
            fmt=request.POST.get("format", ""),
            query=request.POST,
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Your export is being prepared. You will get an email when it is ready."),
        )
    return redirect("report_exports")


@login_required
@require_GET
def export_status(request, pk):
    """One export's row of the list, which the page polls while it is waiting or being built."""
    permission_check(request.user, EXPORT)
    export = object_for(request.user, exports_visible_to(user=request.user), pk=pk)
    return render(
        request,
        "reports/_export_row.html",
        {
            **_row_context(export),
            "give_up_minutes": _give_up_minutes(),
        },
    )


@login_required
@require_GET
@cache_control(private=True, no_store=True)  # the programme's data: never in a shared cache
def export_download(request, pk):
    permission_check(request.user, EXPORT)
    export = object_for(
        request.user, exports_visible_to(user=request.user), "reports.download_export", pk=pk
    )
    if export.status != ExportFileStatus.READY or not export.file:
        raise Http404
    return stored_file_response(
        export.file, filename=export_filename(export), content_type=CONTENT_TYPES[export.format]
    )
