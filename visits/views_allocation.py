"""The allocation part's pages (visits/allocation.py, decisions.py, action_plans.py): the
admin's allocation page with its actions (allocate, move a city by hand, publish the
decisions), and a selected city's action plan with its file's download."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.errors import ApplicationError
from portal.permissions import object_for, permission_check
from visits import action_plans, allocation, decisions, standings
from visits.enums import CallStatus
from visits.forms_allocation import ActionPlanForm, PlaceForm
from visits.models import Visit
from visits.selectors import applications_visible_to, calls_visible_to

MANAGE = allocation.MANAGE
VIEW_PLAN = "visits.view_action_plan"


def _call_for(request, pk, perm=None):
    return object_for(request.user, calls_visible_to(user=request.user), perm, pk=pk)


def _allocation_url(call_id) -> str:
    return reverse("visit_call_allocation", args=[call_id])


@login_required
@require_GET
def call_allocation(request, pk):
    """The call's allocation: each visit's selected cities with their rank, the waitlist, the
    cities not selected; the buttons to allocate and publish, a move form per city."""
    call = _call_for(request, pk, MANAGE)
    # The lists are one cached fragment under what they show (visits/standings.py): a hit
    # reads the call and the versions; the overview is read, and its 110 rows drawn, on a
    # miss only.
    overview = functools.cache(
        lambda: allocation.allocation_overview(
            call,
            not_selected_page=request.GET.get("page"),
            undecided_page=request.GET.get("undecided_page"),
        )
    )
    return render(
        request,
        "visits/allocation_page.html",
        {
            "call": call,
            "overview": overview,
            "lists_key": standings.page_key(call),
            "is_published": call.status == CallStatus.PUBLISHED,
            # Made once for the page's rows (templates/visits/allocation_rows.html).
            "place_options": functools.cache(lambda: _place_options(overview().visits)),
            "paths": {
                "place": _path_around_pk("visit_application_place"),
                "plan": _path_around_pk("visit_action_plan"),
            },
        },
    )


def _place_options(places) -> str:
    """The <option>s of every row's move form: the call's visits, the waitlist, not selected."""
    return format_html_join(
        "",
        '<option value="{}">{}</option>',
        (
            (value, str(label))
            for value, label in PlaceForm(visits=[p.visit for p in places]).fields["place"].choices
        ),
    )


def _path_around_pk(route: str) -> tuple[str, str]:
    """A route's path before and after its one `<int:pk>`, for rows that each write their
    own (one `reverse` per row was a tenth of the allocation page's time)."""
    before, after = reverse(route, args=[0]).rsplit("/0/", 1)
    return f"{before}/", f"/{after}"


@login_required
@require_POST
def call_allocate(request, pk):
    call = _call_for(request, pk)
    try:
        result = allocation.allocation_run(acting_user=request.user, call=call)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "Allocated: %(selected)s selected, %(waitlisted)s on the waitlist, "
                "%(not_selected)s not selected."
            )
            % {
                "selected": result.selected,
                "waitlisted": result.waitlisted,
                "not_selected": result.not_selected,
            },
        )
    return redirect(_allocation_url(call.pk))


@login_required
@require_http_methods(["GET", "POST"])
def call_publish(request, pk):
    """GET: the confirmation (what publishing does, how many emails); POST: publish."""
    if request.method == "GET":
        call = _call_for(request, pk, MANAGE)
        return render(
            request,
            "visits/allocation_publish.html",
            {
                "call": call,
                # The numbers only, in one query, kept in the cache with the allocation page's
                # lists under the same versions (visits/standings.py); none once published
                # (not shown then). The rows of the lists are not shown here.
                "counts": functools.cache(lambda: allocation.allocation_counts(call)),
                "counts_key": lambda: standings.page_key(call),
                "is_published": call.status == CallStatus.PUBLISHED,
            },
        )
    call = _call_for(request, pk)
    try:
        told = decisions.call_publish_decisions(acting_user=request.user, call=call)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The decisions are published: %(n)s cities are being told by email.") % {"n": told},
        )
    return redirect(_allocation_url(call.pk))


@login_required
@require_POST
def application_place(request, pk):
    application = object_for(
        request.user,
        applications_visible_to(user=request.user).select_related("call", "city"),
        pk=pk,
    )
    form = PlaceForm(request.POST, visits=Visit.objects.filter(call_id=application.call_id))
    if not form.is_valid():
        # No service is reached: the permission is asked here.
        permission_check(request.user, MANAGE, application.call)
        messages.error(request, _("Choose a visit, the waitlist or “not selected”."))
        return redirect(_allocation_url(application.call_id))
    decision, visit = form.placement()
    try:
        allocation.application_place(
            acting_user=request.user, application=application, decision=decision, visit=visit
        )
    except ApplicationError as error:
        messages.error(
            request,
            _("%(city)s was not moved. %(reason)s")
            % {"city": application.city.name, "reason": error.message},
        )
    else:
        messages.success(
            request,
            _("%(city)s moved to: %(place)s.")
            % {
                "city": application.city.name,
                "place": dict(form.fields["place"].choices)[form.cleaned_data["place"]],
            },
        )
    return redirect(_allocation_url(application.call_id) + f"#application-{application.pk}")


def _application_for_plan(request, pk):
    return object_for(
        request.user,
        applications_visible_to(user=request.user).select_related(
            "call", "city", "allocated_visit__host_city"
        ),
        VIEW_PLAN,
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_plan_page(request, pk):
    """A selected city's action plan for its visit: the form for its officers once the visit
    is over, the plan as written for admins (and for officers before, with why)."""
    application = _application_for_plan(request, pk)
    may_write = request.user.has_perm(action_plans.WRITE, application)
    if request.method == "POST":
        form = ActionPlanForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                action_plans.application_action_plan_save(
                    acting_user=request.user,
                    application=application,
                    text=form.cleaned_data["action_plan"],
                    upload=form.cleaned_data["action_plan_file"],
                    remove_file=form.cleaned_data["remove_file"],
                )
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("The action plan is saved."))
                return redirect(request.path)
        elif not may_write:
            # No service is reached: the permission is asked here.
            permission_check(request.user, action_plans.WRITE, application)
    else:
        form = ActionPlanForm(initial={"action_plan": application.action_plan})
    return render(
        request,
        "visits/allocation_action_plan.html",
        {"application": application, "form": form, "may_write": may_write},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_GET
def action_plan_download(request, pk):
    application = _application_for_plan(request, pk)
    if not application.action_plan_file:
        raise Http404(_("This city has not uploaded an action plan file."))
    try:
        opened = application.action_plan_file.open("rb")
    except FileNotFoundError as missing:
        # The row names a file the storage no longer has (restored from a backup without
        # the media): the same answer as no file, not an error page.
        raise Http404(_("This city has not uploaded an action plan file.")) from missing
    return FileResponse(
        opened,
        as_attachment=True,
        filename=application.action_plan_file.name.rsplit("/", 1)[-1],
    )
