"""Evaluating the rules: plan what is due, cancel what no longer applies, hand the due rows to
the batch delivery; and the renderer every planned row goes through when it is sent.

Exactly once (README, "Reminders"): each message is an `OutboundEmail` row whose unique key is
(rule, topic, recipient, occurrence), inserted with ON CONFLICT DO NOTHING, so two evaluations
at once, or one run again, plan each message once; deliveries claim rows one at a time with
`select_for_update(skip_locked=True)` (notifications.services.emails_deliver_due).
"""

import datetime
import logging
from dataclasses import dataclass

from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from notifications.enums import DeliveryStatus
from notifications.models import OutboundEmail
from notifications.services import (
    Cancel,
    Rendered,
    deliver_due_soon,
    emails_due_exist,
    new_message_id,
)
from portal.links import site_url
from reminders.catalogue import RULES, Planned, Setting, rules_in_order
from reminders.models import ReminderOptOut, ReminderRule

logger = logging.getLogger(__name__)

# Reminders are planned this long before they are due, so the outbox shows what is coming and
# a change (a moved session) cancels rows an admin could see.
PLAN_AHEAD = datetime.timedelta(hours=24)
INSERT_BATCH = 2000


def settings_of_rules() -> dict[str, Setting]:
    """Each rule's setting: the admin's row, or the rule's defaults. One query."""
    rows = {row.kind: row for row in ReminderRule.objects.all()}
    found = {}
    for kind, rule in RULES.items():
        row = rows.get(kind)
        if row is None:
            found[kind] = rule.defaults
        else:
            found[kind] = Setting(
                enabled=row.enabled,
                offsets=tuple(row.offsets) or rule.defaults.offsets,
                max_reminders=row.max_reminders
                if row.max_reminders is not None
                else rule.defaults.max_reminders,
                min_gap_days=row.min_gap_days
                if row.min_gap_days is not None
                else rule.defaults.min_gap_days,
            )
    return found


@dataclass(frozen=True)
class Evaluation:
    planned: int
    cancelled: int


def reminders_evaluate(*, now: datetime.datetime | None = None) -> dict[str, Evaluation]:
    """Evaluate every rule once: plan the new rows, cancel the pending ones that no longer
    apply, and queue a batch delivery if anything is due. Safe to run at any moment, twice at
    once included (cron every minute, beat, `manage.py run_periodic_tasks`)."""
    now = now or timezone.now()
    until = now + PLAN_AHEAD
    rule_settings = settings_of_rules()
    opted_out = set(ReminderOptOut.objects.values_list("address", "kind"))
    results = {}
    for rule in rules_in_order():
        setting = rule_settings[rule.kind]
        planned = list(rule.plan(now=now, until=until, setting=setting)) if setting.enabled else []
        wanted = {
            item.key(rule.kind): item
            for item in planned
            if (item.to.lower(), rule.kind) not in opted_out
        }
        results[rule.kind] = _apply(
            rule.kind,
            wanted,
            now=now,
            reason=_no_longer_applies() if setting.enabled else "The rule was turned off.",
        )
    if emails_due_exist(now=now):
        deliver_due_soon()
    return results


def _apply(kind: str, wanted: dict[str, Planned], *, now, reason: str) -> Evaluation:
    """Insert the rows of `wanted` not planned yet; cancel, with `reason`, the pending planned
    rows of `kind` that are not wanted any more."""
    with transaction.atomic():
        earliest = min((item.send_after for item in wanted.values()), default=now)
        # The kind's rows that matter: every pending planned one (to cancel those no longer
        # wanted), and every one planned from the earliest time wanted (not to plan them again).
        known = dict(
            OutboundEmail.objects.filter(kind=kind)
            .filter(
                Q(status=DeliveryStatus.PENDING, send_after__isnull=False)
                | Q(send_after__gte=earliest)
            )
            .order_by()
            .values_list("key", "status")
        )
        stale = [
            key
            for key, status in known.items()
            if status == DeliveryStatus.PENDING and key not in wanted
        ]
        cancelled = 0
        if stale:
            cancelled = OutboundEmail.objects.filter(
                key__in=stale, status=DeliveryStatus.PENDING
            ).update(
                status=DeliveryStatus.CANCELLED,
                cancelled_at=now,
                cancel_reason=reason,
            )
        rows = [
            OutboundEmail(
                key=key,
                to=item.to,
                recipient_id=item.recipient_id,
                kind=kind,
                topic=item.topic,
                send_after=item.send_after,
                subject="",
                body="",
                message_id=new_message_id(),
                created_at=now,
            )
            for key, item in wanted.items()
            if key not in known
        ]
        # A row another evaluation inserted meanwhile is skipped by the unique key.
        OutboundEmail.objects.bulk_create(rows, batch_size=INSERT_BATCH, ignore_conflicts=True)
    return Evaluation(planned=len(rows), cancelled=cancelled)


def _no_longer_applies() -> str:
    # The outbox is an admin's page: the reason is kept in the portal's language.
    return "No longer applies when the rules were evaluated."


# --- Rendering, when a row is sent --------------------------------------------------------------

UNSUBSCRIBE_SALT = "reminders.unsubscribe"
# An unsubscribe link works this long after the email was sent.
UNSUBSCRIBE_MAX_AGE = datetime.timedelta(days=180)


def unsubscribe_token(*, address: str, kind: str) -> str:
    return signing.dumps({"a": address.lower(), "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[str, str] | None:
    """The (address, kind) a link was signed for, or None if it was tampered with, expired or
    names a kind that does not exist."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(value, dict) or value.get("k") not in RULES or not value.get("a"):
        return None
    return value["a"], value["k"]


def unsubscribe_url(*, address: str, kind: str) -> str:
    return site_url(
        reverse("reminders_unsubscribe", args=[unsubscribe_token(address=address, kind=kind)])
    )


def render(email: OutboundEmail) -> Rendered | Cancel:
    """Render a planned reminder through its rule, after the checks every rule shares: the
    rule is on, the person has not unsubscribed from the kind."""
    rule = RULES[email.kind]
    setting = settings_of_rules()[email.kind]
    if not setting.enabled:
        return Cancel(reason="The rule was turned off.")
    if ReminderOptOut.objects.filter(address=email.to.lower(), kind=email.kind).exists():
        return Cancel(reason="The person unsubscribed from this kind of reminder.")
    written = rule.render(email)
    if isinstance(written, Cancel):
        return written
    extra_context, headers = reminder_extras(address=email.to, kind=email.kind)
    return Rendered(
        recipient=written.recipient,
        template=written.template,
        context={**written.context, **extra_context},
        headers={**written.headers, **headers},
        attachments=written.attachments,
    )


def reminder_extras(*, address: str, kind: str) -> tuple[dict, dict]:
    """What every reminder email carries besides its own text, planned or written by hand
    (notifications.services.notify with a kind): the footer's links and the headers."""
    link = unsubscribe_url(address=address, kind=kind)
    context = {
        "unsubscribe_url": link,
        "preferences_url": site_url(reverse("reminders_preferences")),
        "kind_label": rule_label(kind),
    }
    # RFC 2369 and RFC 8058: mail clients offer their own one-click unsubscribe button, which
    # POSTs to the same link.
    headers = {
        "List-Unsubscribe": f"<{link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return context, headers


def rule_label(kind: str) -> str:
    from notifications.enums import ReminderKind

    return str(ReminderKind(kind).label)
