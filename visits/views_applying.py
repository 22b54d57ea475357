"""The pages of applying to Group Study Visits (visits/applying.py): starting a city's
application from a call (a POST), the application's page (its form while it can be changed,
else its answers), and the draft's autosave.

The page is a plain form that works without JavaScript ("Save draft", "Submit"); static/js/
visits/application.js saves the draft on top of it through `visit_application_autosave`, as the
roadmap's page does (same answers: 200 saved, 400 refused with the fields' messages, 401
signed out, 403/404 when saving cannot help), and the same service saves both.
"""

import functools
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cities.selectors import cities_of_officer
from portal.errors import ApplicationError
from portal.permissions import PermissionRefused, object_for
from visits import applying
from visits.enums import ApplicationStatus
from visits.forms_applying import layout, read_draft, saved_draft
from visits.models import Application
from visits.selectors import application_visible_to, applications_visible_to, calls_visible_to

# Refusals after which the form cannot be saved at all: the page says why, read-only.
_READ_ONLY = {"closed", "not_open", "already_submitted", "withdrawn", "already_withdrawn"}


def _application(request, pk) -> Application:
    return object_for(
        request.user,
        applications_visible_to(user=request.user).select_related("call", "city"),
        pk=pk,
    )


def _application_for_page(request, pk) -> Application:
    """The application as `_application` finds it (a 404 if the person may not see it), with,
    in the same query, whether the person is an officer of its city (the rule of
    `applying.CHANGE` answers from it) and whether the city's roadmap is completed."""
    application = application_visible_to(
        user=request.user,
        pk=pk,
        applications=Application.objects.select_related("call", "city").annotate(
            roadmap_completed=applying.roadmap_completed_of_application()
        ),
    )
    if application is None:
        raise Http404
    return application


def _read_only_message(application: Application, now) -> str:
    if application.status == ApplicationStatus.WITHDRAWN:
        return _("This application was withdrawn on %(when)s.") % {
            "when": date_format(timezone.localtime(application.withdrawn_at), "DATETIME_FORMAT")
        }
    if now >= application.call.closes_at:
        return _("The call closed on %(when)s: this application is read-only.") % {
            "when": date_format(timezone.localtime(application.call.closes_at), "DATETIME_FORMAT")
        }
    if application.status == ApplicationStatus.SUBMITTED:
        return _("This application was submitted on %(when)s and can no longer be changed.") % {
            "when": date_format(timezone.localtime(application.submitted_at), "DATETIME_FORMAT")
        }
    return _("This call is not open for applications.")


def _page(request, application, *, draft=None, errors=None, error="", missing=(), status=200):
    now = timezone.now()
    user = request.user
    can_change = user.has_perm(applying.CHANGE, application)
    editable = can_change and applying.application_is_editable(application, now)
    errors = errors or {}
    # The page as saved (a GET) keeps its form or answers in the cache under what they show;
    # a page answering a POST shows what was posted and its messages, drawn afresh.
    as_saved = draft is None and not errors and not error and not missing
    context = {
        "application": application,
        "call": application.call,
        "editable": editable,
        "can_withdraw": can_change and application.status != ApplicationStatus.WITHDRAWN,
        "can_change": can_change,
        # Said to the city's officers only: for a reviewer or an admin the page is a reading.
        "read_only_message": _read_only_message(application, now)
        if can_change and not editable
        else "",
        # Read and laid out only when the fragment is drawn: a hit reads none of it.
        "body": functools.cache(lambda: _body(application, draft=draft, errors=errors)),
        "body_key": applying.application_page_key(application, editable=editable)
        if as_saved
        else "",
        "errors": errors,
        "error": error,
        "missing": list(missing),
        "roadmap_point": applying.ROADMAP_POINT,
        "roadmap_completed": can_change and _roadmap_completed(application),
    }
    return render(request, "visits/application_detail.html", context, status=status)


def _body(application: Application, *, draft, errors: dict) -> dict:
    """What the form (or the answers) shows: the call's visits, the draft (as saved unless
    one was posted), its layout, the visits ranked and the delegates."""
    visits = applying.visits_ranked_by(application=application)
    application = applying.application_for_page(application, visits=visits)
    draft = draft if draft is not None else saved_draft(application)
    return {
        "visits": visits,
        "draft": draft,
        "form": layout(draft, visits=visits, questions=application.call.questions, errors=errors),
        "ranked_visits": application.ranked_visits,
        "delegates": application.delegate_rows,
    }


def _roadmap_completed(application: Application) -> bool:
    """Read with the application on a GET (`_application_for_page`); asked after a POST."""
    if hasattr(application, "roadmap_completed"):
        return application.roadmap_completed
    return applying.roadmap_completed_for(call=application.call, city=application.city)


@login_required
@require_http_methods(["GET", "POST"])
def application_detail(request, pk):
    if request.method == "GET":
        return _page(request, _application_for_page(request, pk))
    application = _application(request, pk)
    action = request.POST.get("action", "save")
    if action == "withdraw":
        try:
            applying.application_withdraw(acting_user=request.user, application=application)
        except ApplicationError as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("Your application is withdrawn."))
        return redirect("visit_application", pk=application.pk)
    visits = list(applying.application_visits(call=application.call))
    draft = read_draft(request.POST, visits=visits, questions=application.call.questions)
    try:
        application = applying.application_save(
            acting_user=request.user, application=application, draft=draft
        )
        if action == "submit":
            applying.application_submit(acting_user=request.user, application=application)
    except applying.ApplicationInvalid as refusal:
        return _page(
            request,
            application,
            draft=draft,
            errors=refusal.errors,
            error=refusal.message,
            status=400,
        )
    except applying.ApplicationIncomplete as refusal:
        # The draft was saved; what is missing is listed above the form.
        application.refresh_from_db()
        return _page(
            request, application, error=refusal.message, missing=refusal.missing, status=400
        )
    except ApplicationError as refusal:
        if refusal.code in _READ_ONLY:
            messages.error(request, refusal.message)
            return redirect("visit_application", pk=application.pk)
        return _page(request, application, draft=draft, error=refusal.message, status=400)
    if action == "submit":
        messages.success(request, _("Your application is submitted. Thank you!"))
    else:
        messages.success(request, _("Your draft is saved."))
    return redirect("visit_application", pk=application.pk)


def _json_error(status: int, code: str, message: str, fields: dict | None = None):
    error = {"code": code, "message": str(message)}
    if fields:
        error["fields"] = {key: [str(text)] for key, text in fields.items()}
    return JsonResponse({"error": error}, status=status)


@never_cache
@require_POST
def application_autosave(request, pk):
    """Save the draft from the page's fields, sent as one JSON object of texts."""
    if not request.user.is_authenticated:
        return _json_error(401, "not_authenticated", _("Your session has expired - sign in again."))
    try:
        application = _application(request, pk)
    except Http404:
        return _json_error(404, "not_found", _("There is no such application."))
    if request.content_type != "application/json":
        return _json_error(415, "unsupported_media_type", _("Send the fields as JSON."))
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        return _json_error(400, "invalid", _("The request is not a JSON object of fields."))
    visits = list(applying.application_visits(call=application.call))
    draft = read_draft(data, visits=visits, questions=application.call.questions)
    try:
        application = applying.application_save(
            acting_user=request.user, application=application, draft=draft
        )
    except PermissionRefused as refusal:
        return _json_error(403, "permission_denied", refusal.message)
    except applying.ApplicationInvalid as refusal:
        return _json_error(400, "invalid", refusal.message, fields=refusal.errors)
    except ApplicationError as refusal:
        return _json_error(403, refusal.code, refusal.message)
    saved_at = date_format(timezone.localtime(application.updated_at), "TIME_FORMAT")
    # `version` is what the roadmap's save queue reads as "saved" (static/js/visits/).
    return JsonResponse(
        {
            "saved": True,
            "version": int(application.updated_at.timestamp() * 1000),
            "saved_at_display": _("Draft saved at %(time)s") % {"time": saved_at},
        }
    )


@login_required
@require_POST
def call_apply(request, pk):
    """Start the city's application to the call, or find the one it has; go to its page."""
    call = object_for(request.user, calls_visible_to(user=request.user), pk=pk)
    city = None
    raw = request.POST.get("city", "")
    if raw:
        city = cities_of_officer(user=request.user).filter(pk=raw if raw.isdigit() else 0).first()
        if city is None:
            raise Http404
    try:
        application = applying.application_start(acting_user=request.user, call=call, city=city)
    except PermissionRefused as refusal:
        # An officer whose city the call does not take (its city types) is told so where they
        # were; anyone else who may not apply gets the 403 page.
        if city is None and not cities_of_officer(user=request.user).exists():
            raise
        return _back(request, refusal.message)
    except ApplicationError as refusal:
        return _back(request, refusal.message)
    return redirect("visit_application", pk=application.pk)


def _back(request, message: str):
    messages.error(request, message)
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("home")
