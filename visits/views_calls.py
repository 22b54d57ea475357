"""Pages of calls and their visits and criteria (visits.calls does the work and says no).

Every signed-in person reaches the list of the calls they may see
(visits.selectors.calls_visible_to); a call they may not see is a 404 (a draft, for everyone
but programme admins). The edit pages are for those who hold `visits.manage_call`: a 403 for
anyone else who sees the call. Dates are typed and shown in the person's own time zone.
"""

import functools
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.errors import ApplicationError
from portal.fragments import joined, version_map, versions
from portal.permissions import object_for, permission_check
from visits import calls
from visits.enums import CallStatus, CriterionKind
from visits.forms_calls import CallForm, CriterionForm, VisitForm, WeightsForm
from visits.models import Criterion, Visit
from visits.selectors import calls_visible_to

MANAGE = calls.MANAGE


def _person_zone(user) -> ZoneInfo:
    try:
        return ZoneInfo(user.time_zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return ZoneInfo(settings.TIME_ZONE)


def in_person_zone(view):
    """Dates typed and shown in the person's time zone (datetime-local fields have none)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        with timezone.override(_person_zone(request.user)):
            return view(request, *args, **kwargs)

    return wrapped


def _call(request, pk, perm: str | None = MANAGE):
    return object_for(request.user, calls_visible_to(user=request.user), perm, pk=pk)


def _show_error(form, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _detail_url(call, anchor: str = "") -> str:
    url = reverse("visit_call_detail", args=[call.pk])
    return f"{url}#{anchor}" if anchor else url


# --- The list and a call's page --------------------------------------------------------------


@login_required
@require_GET
@in_person_zone
def call_list(request):
    rows = calls.call_list_rows(calls_visible_to(user=request.user))
    return render(
        request,
        "visits/call_list.html",
        {"calls": rows, "may_manage": request.user.has_perm(MANAGE)},
    )


@login_required
@require_GET
@in_person_zone
def call_detail(request, pk):
    user = request.user
    may_manage = user.has_perm(MANAGE)
    call = object_for(user, calls_visible_to(user=user), pk=pk)
    # The page's body is cached (visits.calls, "data versions"): the call's row and the
    # versions are all a hit reads; the parts are read only on a miss.
    page_scopes = calls.call_page_scopes(call)
    if not may_manage:
        # With the versions the "Apply" action is kept under, in the same query.
        apply_scopes = calls.call_apply_scopes(call)
        found = version_map(*dict.fromkeys(page_scopes + apply_scopes))
        page_key = (joined(found, *page_scopes), timezone.get_current_timezone_name())
        parts = functools.cache(lambda: calls.call_page_parts(call))
        return render(
            request,
            "visits/call_detail.html",
            {
                "call": call,
                "parts": parts,
                "page_key": page_key,
                "apply_key": joined(found, *apply_scopes),
                "may_manage": False,
            },
        )
    # Those who manage calls: the same parts with the edit buttons and the weights form, one
    # cached fragment whose key also names the applications' version (the visits show how
    # many applications ask for each: visits.calls, "data versions"); all is read on a miss.
    manage_scopes = calls.call_manage_scopes(call)
    page_key = (versions(*manage_scopes), timezone.get_current_timezone_name())
    parts = functools.cache(lambda: calls.call_page_parts(call, visits=False))
    return render(
        request,
        "visits/call_detail.html",
        {
            "call": call,
            "parts": parts,
            "page_key": page_key,
            "visits": functools.cache(lambda: calls.visits_with_preferences(call)),
            "may_manage": True,
            "is_draft": call.status == CallStatus.DRAFT,
            "weights_form": functools.cache(lambda: WeightsForm(criteria=parts().criteria)),
            "kinds": CriterionKind.choices,
        },
    )


# --- A call's settings -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@in_person_zone
def call_create(request):
    # A path that may reach no service (a GET, a form that does not validate): asked here.
    permission_check(request.user, MANAGE)
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call = calls.call_create(acting_user=request.user, data=form.call_settings())
        except ApplicationError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Call created as a draft. Add its visits and criteria."))
            return redirect(_detail_url(call))
    return render(request, "visits/call_form.html", {"form": form, "call": None})


@login_required
@require_http_methods(["GET", "POST"])
@in_person_zone
def call_edit(request, pk):
    call = _call(request, pk)
    if request.method == "POST":
        form = CallForm(request.POST)
        if form.is_valid():
            try:
                calls.call_update(acting_user=request.user, call=call, data=form.call_settings())
            except ApplicationError as error:
                _show_error(form, error)
            else:
                messages.success(request, _("The call is saved."))
                return redirect(_detail_url(call))
        return render(request, "visits/call_form.html", {"form": form, "call": call})
    # A GET: the form is a cached fragment (visits.calls, "The call form"): the call's row and
    # the versions are all a hit reads; the form is made, and its 200 cohorts read, on a miss.
    form = functools.cache(lambda: CallForm(initial=CallForm.initial_of(call)))
    form_key = (versions(*calls.call_form_scopes(call)), timezone.get_current_timezone_name())
    return render(
        request, "visits/call_form.html", {"form": form, "call": call, "form_key": form_key}
    )


@login_required
@require_POST
def call_open(request, pk):
    call = _call(request, pk, perm=None)
    try:
        calls.call_open(acting_user=request.user, call=call)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The call is open: eligible cities see it."))
    return redirect(_detail_url(call))


# --- Visits ----------------------------------------------------------------------------------


def _visit(call, visit_pk) -> Visit:
    visit = Visit.objects.filter(pk=visit_pk, call=call).first()
    if visit is None:
        raise Http404
    visit.call = call
    return visit


@login_required
@require_http_methods(["GET", "POST"])
def visit_add(request, pk):
    call = _call(request, pk)
    form = VisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            calls.visit_add(acting_user=request.user, call=call, data=form.visit_data())
        except ApplicationError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Visit added."))
            return redirect(_detail_url(call, "visits"))
    return render(request, "visits/call_visit_form.html", {"form": form, "call": call})


@login_required
@require_http_methods(["GET", "POST"])
def visit_edit(request, pk, visit_pk):
    call = _call(request, pk)
    visit = _visit(call, visit_pk)
    if request.method == "POST":
        form = VisitForm(request.POST)
        if form.is_valid():
            try:
                calls.visit_update(acting_user=request.user, visit=visit, data=form.visit_data())
            except ApplicationError as error:
                _show_error(form, error)
            else:
                messages.success(request, _("Visit saved."))
                return redirect(_detail_url(call, "visits"))
    else:
        form = VisitForm(initial=VisitForm.initial_of(visit))
    return render(
        request, "visits/call_visit_form.html", {"form": form, "call": call, "visit": visit}
    )


@login_required
@require_POST
def visit_remove(request, pk, visit_pk):
    call = _call(request, pk, perm=None)
    visit = _visit(call, visit_pk)
    try:
        calls.visit_remove(acting_user=request.user, visit=visit)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Visit removed."))
    return redirect(_detail_url(call, "visits"))


# --- Criteria --------------------------------------------------------------------------------


def _criterion(call, criterion_pk) -> Criterion:
    criterion = (
        Criterion.objects.prefetch_related("anchors").filter(pk=criterion_pk, call=call).first()
    )
    if criterion is None:
        raise Http404
    criterion.call = call
    return criterion


@login_required
@require_http_methods(["GET", "POST"])
def criterion_add(request, pk):
    call = _call(request, pk)
    kind = request.POST.get("kind") or request.GET.get("kind") or CriterionKind.MANUAL
    if kind not in CriterionKind.values:
        kind = CriterionKind.MANUAL
    form = CriterionForm(request.POST or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            calls.criterion_add(acting_user=request.user, call=call, data=form.criterion_data())
        except ApplicationError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Criterion added: every score will be recomputed."))
            return redirect(_detail_url(call, "criteria"))
    return render(
        request,
        "visits/call_criterion_form.html",
        {"form": form, "call": call, "kind": kind, "kind_label": CriterionKind(kind).label},
    )


@login_required
@require_http_methods(["GET", "POST"])
def criterion_edit(request, pk, criterion_pk):
    call = _call(request, pk)
    criterion = _criterion(call, criterion_pk)
    kind = criterion.kind
    if request.method == "POST":
        form = CriterionForm(request.POST, kind=kind)
        if form.is_valid():
            try:
                calls.criterion_update(
                    acting_user=request.user, criterion=criterion, data=form.criterion_data()
                )
            except ApplicationError as error:
                _show_error(form, error)
            else:
                messages.success(request, _("Criterion saved: every score will be recomputed."))
                return redirect(_detail_url(call, "criteria"))
    else:
        form = CriterionForm(initial=CriterionForm.initial_of(criterion), kind=kind)
    return render(
        request,
        "visits/call_criterion_form.html",
        {
            "form": form,
            "call": call,
            "criterion": criterion,
            "kind": kind,
            "kind_label": CriterionKind(kind).label,
        },
    )


@login_required
@require_POST
def criteria_weights(request, pk):
    call = _call(request, pk, perm=None)
    form = WeightsForm(request.POST, criteria=Criterion.objects.filter(call=call))
    if not form.is_valid():
        permission_check(request.user, MANAGE, call)
        for name, errors in form.errors.items():
            for error in errors:
                label = form.fields[name].label if name in form.fields else ""
                messages.error(request, f"{label}: {error}" if label else error)
        return redirect(_detail_url(call, "criteria"))
    try:
        calls.criteria_reweight(acting_user=request.user, call=call, weights=form.weights())
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Weights saved: every score will be recomputed."))
    return redirect(_detail_url(call, "criteria"))


@login_required
@require_POST
def criterion_remove(request, pk, criterion_pk):
    call = _call(request, pk, perm=None)
    criterion = _criterion(call, criterion_pk)
    try:
        calls.criterion_remove(acting_user=request.user, criterion=criterion)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Criterion removed: every score will be recomputed."))
    return redirect(_detail_url(call, "criteria"))
