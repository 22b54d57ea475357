"""The admins' outbox: every email the portal sends or plans (service messages and reminders),
filtered, with the preview of each and the actions on them (cancel, send again).

Programme admins only (reminders.rules `reminders.view_outbox`): everyone else signed in gets
403, and the page reveals nothing. The actions call the outbox's own services
(notifications.services.emails_cancel and emails_send_again), which check their permission
and act only on the emails whose status allows it: a sent email is never cancelled, a pending
one never "sent again". Times are shown, and dates filtered, in the admin's time zone.
"""

import functools
import html
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
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
    if OutboxFilter.asked(request.GET):
        filterset = OutboxFilter(request.GET, queryset=outbox_emails())
        valid = filterset.is_valid()
        emails = filterset.qs if valid else filterset.queryset.none()
        known = _page_count(filterset, counts) if valid else None
    else:
        # The outbox as it is, the page most opened: no filter set is made (its form is kept
        # in the cache, drawn only when the cache has lost it).
        filterset = None
        emails, known = outbox_emails(), counts.total()
    paginator = Paginator(emails.values_list(*ROW_FIELDS), PAGE_SIZE)
    if known is not None:
        paginator.count = known
    page_obj = paginator.get_page(request.GET.get("page"))
    rows = outbox_rows(page_obj.object_list)
    return render(
        request,
        "reminders/outbox.html",
        {
            # Kept in the cache with the page's address and language ({% fragment %}): the
            # form shows only what the query says, with the enums' choices.
            "filter_form": SimpleLazyObject(
                lambda: (filterset or OutboxFilter(request.GET, queryset=outbox_emails())).form
            ),
            "counts": counts.by_status(),
            "total": counts.total(),
            "page_obj": page_obj,
            "rows": rows,
            "rows_html": _rows_html(rows),
            "next_path": request.get_full_path(),
        },
    )


# One row of the list. Decision: the rows are written here, not in the template: drawn by the
# template (a dozen variables, a date and a link for each of 50 rows) the page took 7 times the
# floor page, and written here 2.4 times (benchmarks/bench_reminders_pages.py, 3 December
# 2026); they change with every email sent, so no cached fragment could keep them.
# The markup is the page's (templates/reminders/outbox.html has the table around it); the tests
# read it as a person would (tests/reminders/test_pages_outbox.py). Text is escaped with the
# standard library's html.escape, what Django's escape does underneath, without its lazy-string
# wrapping (a sixth of the time); every value is a plain str here.


def _when_formatter():
    """Format a moment as the DATETIME_FORMAT of the active language, for many rows at once.

    The date part of a day is written once: a moment at 23:59 that day is formatted, and the
    time put in place of "23:59", when the language's format writes the time that way (every
    format of the portal does: "1 December 2026, 13:57", "1 décembre 2026 à 13:57"). Any other
    format is written in full for each row."""
    by_day = {}

    def formatted(moment) -> str:
        day = moment.date()
        template = by_day.get(day)
        if template is None:
            sample = date_format(moment.replace(hour=23, minute=59), "DATETIME_FORMAT")
            template = by_day[day] = sample if sample.count("23:59") == 1 else ""
        if not template:
            return date_format(moment, "DATETIME_FORMAT")
        return template.replace("23:59", f"{moment.hour:02d}:{moment.minute:02d}")

    return formatted


def _rows_html(rows) -> str:
    """The table rows of the outbox list, in the admin's language and time zone."""
    choose_label = html.escape(_("Choose"))
    when_label = html.escape(_("When"))
    to_label = html.escape(_("To"))
    kind_label = html.escape(_("Kind"))
    status_label = html.escape(_("Status"))
    action_label = html.escape(_("Action"))
    planned = f" ({html.escape(_('planned'))})"
    unrendered = f"<em>{html.escape(_('Rendered when sent'))}</em>"
    cancel, again = html.escape(_("Cancel")), html.escape(_("Send again"))
    send_again_url = html.escape(reverse("reminders_outbox_send_again"))
    detail = reverse("reminders_outbox")
    when_of = _when_formatter()
    zone = timezone.get_current_timezone()
    kinds, statuses = {}, {}
    parts = []
    for row in rows:
        pk = row.pk
        kind = kinds.get(row.kind)
        if kind is None:
            kind = kinds[row.kind] = html.escape(row.kind_label)
        status = statuses.get(row.status)
        if status is None:
            status = statuses[row.status] = (html.escape(row.status), html.escape(row.status_label))
        when = row.when.astimezone(zone)
        why = ""
        if row.last_error:
            why += f'<span class="help" data-error>{html.escape(row.last_error)}</span>'
        if row.cancel_reason:
            why += f'<span class="help" data-cancel-reason>{html.escape(row.cancel_reason)}</span>'
        checkbox = action = ""
        if row.cancellable or row.failed:
            checkbox = (
                f'<input type="checkbox" name="email" value="{pk}" aria-labelledby="subject-{pk}">'
            )
        if row.cancellable:
            action = (
                f'<button type="submit" name="only" value="{pk}" class="secondary small" '
                f'aria-describedby="subject-{pk}">{cancel}</button>'
            )
        elif row.failed:
            action = (
                f'<button type="submit" name="only" value="{pk}" formaction="{send_again_url}" '
                f'class="small" aria-describedby="subject-{pk}">{again}</button>'
            )
        subject = html.escape(row.subject) if row.rendered else unrendered
        parts.append(
            f'<tr data-email="{pk}" data-status="{status[0]}">'
            f'<th scope="row"><a href="{detail}{pk}/" id="subject-{pk}">{subject}</a></th>'
            f'<td data-label="{choose_label}">{checkbox}</td>'
            f'<td data-label="{when_label}"><time datetime="{when.isoformat()}">'
            f"{html.escape(when_of(when))}</time>{planned if row.planned else ''}</td>"
            f'<td data-label="{to_label}">{html.escape(row.to)}</td>'
            f'<td data-label="{kind_label}">{kind}</td>'
            f'<td data-label="{status_label}"><span class="badge" '
            f'data-status="{status[0]}">{status[1]}</span>{why}</td>'
            f'<td data-label="{action_label}">{action}</td>'
            "</tr>\n"
        )
    return mark_safe("".join(parts))


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
