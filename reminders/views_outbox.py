"""The admins' outbox: every email the portal sends or plans (service messages and reminders),
filtered, with the preview of each and the actions on them (cancel, send again).

Programme admins only (reminders.rules `reminders.view_outbox`): everyone else signed in gets
403, and the page reveals nothing. The actions call the outbox's own services
(notifications.services.emails_cancel and emails_send_again), which check their permission
and act only on the emails whose status allows it: a sent email is never cancelled, a pending
one never "sent again". Times are shown, and dates filtered, in the admin's time zone.
"""

import functools
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from notifications.models import OutboundEmail
from notifications.services import emails_cancel, emails_send_again
from portal.permissions import permission_check
from reminders.forms import EmailsChosenForm, OutboxFilter
from reminders.selectors import (
    PAGE_SIZE,
    ROW_FIELDS,
    SERVICE,
    email_preview,
    kind_label,
    outbox_counts_forget,
    outbox_counts_kept,
    outbox_emails,
    outbox_rows,
)

VIEW_OUTBOX = "reminders.view_outbox"


def _person_zone(user) -> ZoneInfo:
    try:
        return ZoneInfo(user.time_zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return ZoneInfo(settings.TIME_ZONE)


def in_person_zone(view):
    """Times shown, and dates typed, in the admin's time zone."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        with timezone.override(_person_zone(request.user)):
            return view(request, *args, **kwargs)

    return wrapped


def _page_count(filterset: OutboxFilter, counts) -> int | None:
    """The number of emails the filters select, from the kept counts when the filters are of
    kind and status alone (None: the paginator counts)."""
    if not filterset.counted_by_kind_and_status:
        return None
    data = filterset.form.cleaned_data
    kind = data.get("kind") or None
    if kind == SERVICE:
        kind = ""
    return counts.total(kind=kind, status=data.get("status") or None)


@login_required
@require_GET
@in_person_zone
def outbox(request):
    permission_check(request.user, VIEW_OUTBOX)
    counts = outbox_counts_kept()
    filterset = OutboxFilter(request.GET, queryset=outbox_emails())
    valid = filterset.is_valid()
    emails = filterset.qs if valid else filterset.queryset.none()
    paginator = Paginator(emails.values(*ROW_FIELDS), PAGE_SIZE)
    if valid:
        known = _page_count(filterset, counts)
        if known is not None:
            paginator.count = known
    page_obj = paginator.get_page(request.GET.get("page"))
    rows = outbox_rows(page_obj.object_list)
    return render(
        request,
        "reminders/outbox.html",
        {
            "filter_form": filterset.form,
            "counts": counts.by_status(),
            "total": counts.total(),
            "page_obj": page_obj,
            "rows": rows,
            "any_cancellable": any(row.cancellable for row in rows),
            "next_path": request.get_full_path(),
        },
    )


@login_required
@require_GET
@in_person_zone
def outbox_email(request, pk):
    permission_check(request.user, VIEW_OUTBOX)
    email = get_object_or_404(OutboundEmail.objects.select_related("recipient"), pk=pk)
    return render(
        request,
        "reminders/outbox_email.html",
        {
            "email": email,
            "kind_label": kind_label(email.kind),
            "preview": email_preview(email),
            "next_path": request.get_full_path(),
        },
    )


def _back(request) -> str:
    """Where an action returns: the outbox page it was posted from, or the outbox."""
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return reverse("reminders_outbox")


# What the outbox's services ask (notifications.services): the Django admin's permission on the
# outbox, which programme admins hold.
CHANGE_EMAILS = "notifications.change_outboundemail"


def _chosen(request) -> list[int] | None:
    """The emails chosen, or None after saying why none could be (checking the permission the
    service would have checked, since it is not called)."""
    form = EmailsChosenForm(request.POST)
    if form.is_valid():
        return form.chosen()
    permission_check(request.user, CHANGE_EMAILS)
    for error in form.errors.values():
        messages.error(request, error[0])
    return None


@login_required
@require_POST
def outbox_cancel(request):
    chosen = _chosen(request)
    if chosen is None:
        return redirect(_back(request))
    name = request.user.get_full_name()
    cancelled = emails_cancel(
        email_ids=chosen,
        acting_user=request.user,
        reason=f"Cancelled by {name} in the outbox.",
    )
    outbox_counts_forget()
    if cancelled:
        messages.success(
            request,
            ngettext("%(count)s email cancelled.", "%(count)s emails cancelled.", cancelled)
            % {"count": cancelled},
        )
    left = len(chosen) - cancelled
    if left:
        messages.warning(
            request,
            ngettext(
                "%(count)s email was left as it was: only emails waiting to be sent or to be "
                "retried can be cancelled.",
                "%(count)s emails were left as they were: only emails waiting to be sent or to "
                "be retried can be cancelled.",
                left,
            )
            % {"count": left},
        )
    return redirect(_back(request))


@login_required
@require_POST
def outbox_send_again(request):
    chosen = _chosen(request)
    if chosen is None:
        return redirect(_back(request))
    queued = emails_send_again(email_ids=chosen, acting_user=request.user)
    outbox_counts_forget()
    if queued:
        messages.success(
            request,
            ngettext(
                "%(count)s failed email queued to be sent again.",
                "%(count)s failed emails queued to be sent again.",
                queued,
            )
            % {"count": queued},
        )
    left = len(chosen) - queued
    if left:
        messages.warning(
            request,
            ngettext(
                "%(count)s email had not failed and was left as it was: only failed emails are "
                "sent again.",
                "%(count)s emails had not failed and were left as they were: only failed "
                "emails are sent again.",
                left,
            )
            % {"count": left},
        )
    return redirect(_back(request))
