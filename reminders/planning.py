"""Evaluating the rules: plan what is due, cancel what no longer applies, hand the due rows to
the batch delivery; and the renderer every planned row goes through when it is sent.

Exactly once (README, "Reminders"): each message is an `OutboundEmail` row whose unique key is
(rule, topic, recipient, occurrence), inserted with ON CONFLICT DO NOTHING, so two evaluations
at once, or one run again, plan each message once; deliveries claim rows one at a time with
`select_for_update(skip_locked=True)` (notifications.services.emails_deliver_due).
"""

import datetime
import logging
import re
from dataclasses import dataclass

from django.core import signing
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from notifications.enums import DeliveryStatus
from notifications.models import OutboundEmail
from notifications.services import (
    UNSENT,
    Cancel,
    Rendered,
    deliver_due_soon,
    emails_due_exist,
    new_message_id,
)
from portal.links import site_url
from reminders.catalogue import RULES, Planned, Setting, Timing, rules_in_order
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
            rule=rule,
            setting=setting,
        )
    if emails_due_exist(now=now):
        deliver_due_soon()
    return results


def _apply(kind: str, wanted: dict[str, Planned], *, now, reason: str, rule, setting) -> Evaluation:
    """Insert the rows of `wanted` not planned yet (or plan again those the portal cancelled
    whose time is still ahead); cancel, with `reason`, the unsent planned rows of `kind` that
    are not wanted any more."""
    with transaction.atomic():
        _lock_kind(kind)
        earliest = min((item.send_after for item in wanted.values()), default=now)
        # The kind's rows that matter: every unsent planned one (to cancel those no longer
        # wanted), and every one planned from the earliest time wanted (not to plan them again).
        known = dict(
            OutboundEmail.objects.filter(kind=kind)
            .filter(Q(status__in=UNSENT, send_after__isnull=False) | Q(send_after__gte=earliest))
            .order_by()
            .values_list("key", "status")
        )
        stale = [key for key, status in known.items() if status in UNSENT and key not in wanted]
        cancelled = 0
        if stale:
            cancelled = (
                OutboundEmail.objects.filter(key__in=stale, status__in=UNSENT)
                # Rows a later evaluation planned after this one read the data are its own.
                .filter(created_at__lte=now)
                .update(
                    status=DeliveryStatus.CANCELLED,
                    cancelled_at=now,
                    cancel_reason=reason,
                    next_attempt_at=None,
                )
            )
        # Cancelled by the portal (not by an admin), wanted again, and still ahead: planned
        # again (a session moved away and back, a rule turned off and on, a person who
        # unsubscribed and came back).
        again = [
            key
            for key, status in known.items()
            if status == DeliveryStatus.CANCELLED and key in wanted
        ]
        planned_again = 0
        if again:
            planned_again = OutboundEmail.objects.filter(
                key__in=again,
                status=DeliveryStatus.CANCELLED,
                cancelled_by__isnull=True,
                send_after__gt=now,
            ).update(status=DeliveryStatus.PENDING, cancelled_at=None, cancel_reason="")
        new = {key: item for key, item in wanted.items() if key not in known}
        new = _not_reminded_yet(kind, new, rule=rule, setting=setting)
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
            for key, item in new.items()
        ]
        # A row another evaluation inserted meanwhile is skipped by the unique key.
        OutboundEmail.objects.bulk_create(rows, batch_size=INSERT_BATCH, ignore_conflicts=True)
    return Evaluation(planned=len(rows) + planned_again, cancelled=cancelled)


def _lock_kind(kind: str) -> None:
    """On PostgreSQL, one evaluation of a kind at a time (until its transaction ends): two
    evaluations at once would each read what the other has not written yet. SQLite runs one
    writing transaction at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"reminders:{kind}"])


# An occurrence written by catalogue.occurrence_at, maybe after a rule's own prefix
# ("phase12-2880m@2026-..."): the offset and the moment it counts from.
OCCURRENCE = re.compile(r"^(?P<prefix>.*?)(?P<offset>\d+)m@(?P<moment>.+)$")
TOPICS_AT_ONCE = 500


def _not_reminded_yet(kind: str, new: dict[str, Planned], *, rule, setting) -> dict:
    """`new` without the reminders a person already had for the same moment under an earlier
    timing of the rule.

    Why: the offset is part of a reminder's key, so after an admin changes "24h 1h" to
    "23h 1h", the 23-hour reminder of a session whose 24-hour one went out would be new. A
    new offset is left out when the person already has a reminder (sent, or planned) for the
    same moment whose offset lies between it and the offset sent before it (for "before"
    rules: above it and below the next larger offset; for "after" rules the other way).
    Rules with limits of their own (surveys) and the weekly digest are left as they are.
    Reads only the topics of new rows: nothing once everything is planned."""
    if not new or rule.has_limits or rule.timing not in (Timing.BEFORE, Timing.AFTER):
        return new
    parsed = {}
    for key, item in new.items():
        found = OCCURRENCE.match(item.occurrence)
        if found:
            parsed[key] = (found["prefix"], int(found["offset"]), found["moment"])
    topics = sorted({new[key].topic for key in parsed})
    had: dict[tuple, set[int]] = {}
    for start in range(0, len(topics), TOPICS_AT_ONCE):
        rows = (
            OutboundEmail.objects.filter(
                kind=kind, topic__in=topics[start : start + TOPICS_AT_ONCE]
            )
            .exclude(status__in=[DeliveryStatus.CANCELLED, DeliveryStatus.FAILED])
            .order_by()
            .values_list("key", "topic")
        )
        for key, topic in rows:
            recipient_ref, _sep, occurrence = key.removeprefix(f"{kind}:{topic}:").partition(":")
            found = OCCURRENCE.match(occurrence)
            if found:
                group = (topic, recipient_ref, found["prefix"], found["moment"])
                had.setdefault(group, set()).add(int(found["offset"]))
    if not had:
        return new
    # The offsets in the order they go out, and for each the one sent before it.
    order = sorted(set(setting.offsets), reverse=rule.timing == Timing.BEFORE)
    before_it = dict(zip(order, [None, *order[:-1]], strict=True))
    kept = {}
    for key, item in new.items():
        if key not in parsed:
            kept[key] = item
            continue
        prefix, offset, moment = parsed[key]
        earlier = before_it.get(offset)
        offsets_had = had.get((item.topic, item.recipient_ref, prefix, moment), set())
        if rule.timing == Timing.BEFORE:
            covered = any(
                offset < other and (earlier is None or other < earlier) for other in offsets_had
            )
        else:
            covered = any(
                other < offset and (earlier is None or other > earlier) for other in offsets_had
            )
        if not covered:
            kept[key] = item
    return kept


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
