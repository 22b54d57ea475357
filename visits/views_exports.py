"""The downloads of a call's ranking and allocation (visits/exports.py), CSV and XLSX.

They are the programme admins', as the ranking and allocation pages are (visits.manage_call):
those who see the call get 403, the rest 404 (portal.permissions.object_for). None is kept in
a shared cache nor on the browser's disk: they name cities and their scores.
"""

from django.contrib.auth.decorators import login_required
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from portal import spreadsheets
from portal.permissions import object_for
from visits import exports
from visits.selectors import calls_visible_to

MANAGE = "visits.manage_call"


def _call_for(request, pk):
    return object_for(request.user, calls_visible_to(user=request.user), MANAGE, pk=pk)


def _csv(call, table, part: str):
    return spreadsheets.csv_response(
        exports.csv_lines(table), exports.export_filename(call, part, "csv")
    )


def _xlsx(call, table, part: str):
    return spreadsheets.xlsx_response(
        lambda file: exports.xlsx_write(table, file), exports.export_filename(call, part, "xlsx")
    )


@login_required
@require_GET
@cache_control(private=True, no_store=True)
def ranking_csv(request, pk):
    """The ranking with every score line as CSV, streamed as the rows are read."""
    call = _call_for(request, pk)
    return _csv(call, exports.ranking_table(call=call), "ranking")


@login_required
@require_GET
@cache_control(private=True, no_store=True)
def ranking_xlsx(request, pk):
    """The ranking with every score line as XLSX, written a row at a time to a temporary file
    and sent from it."""
    call = _call_for(request, pk)
    return _xlsx(call, exports.ranking_table(call=call), "ranking")


@login_required
@require_GET
@cache_control(private=True, no_store=True)
def allocation_csv(request, pk):
    """The allocation (decisions, visits, waitlist, preferences) as CSV, streamed."""
    call = _call_for(request, pk)
    return _csv(call, exports.allocation_table(call=call), "allocation")


@login_required
@require_GET
@cache_control(private=True, no_store=True)
def allocation_xlsx(request, pk):
    """The allocation as XLSX, written a row at a time to a temporary file and sent from it."""
    call = _call_for(request, pk)
    return _xlsx(call, exports.allocation_table(call=call), "allocation")
