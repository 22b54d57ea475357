"""Writes of the reminders pages: an admin's setting of a rule, a person's choice of the
reminders they get, and the signed unsubscribe link.

Cancelling an email of the outbox and sending a failed one again are the outbox's own services
(`notifications.services.emails_cancel`, `emails_send_again`), called by the outbox page.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.enums import DeliveryStatus
from notifications.models import OutboundEmail
from notifications.services import UNSENT
from portal.errors import ApplicationError
from portal.permissions import permission_check
from reminders.catalogue import RULES
from reminders.models import ReminderOptOut, ReminderRule
from reminders.selectors import reminder_rules_for
from reminders.timing import TimingError, offsets_check, offsets_ordered

MAX_REMINDERS = 10
MAX_GAP_DAYS = 365
UNSUBSCRIBED = "The person unsubscribed from this kind of reminder."


def _rule(kind: str):
    rule = RULES.get(kind)
    if rule is None:
        raise ApplicationError(
            _("There is no reminder rule “%(kind)s”.") % {"kind": kind}, field="kind"
        )
    return rule


def _limit(value, *, field: str, least: int, most: int, message: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
        raise ApplicationError(message, field=field)
    return value


def rule_update(
    *,
    acting_user,
    kind: str,
    enabled: bool,
    offsets,
    max_reminders: int | None = None,
    min_gap_days: int | None = None,
) -> ReminderRule:
    """Set a rule on or off, its timing (minutes, read as the rule's Timing says) and, for a
    rule with limits, at most how many reminders one person gets and how many days apart. The
    next evaluation of the rules (every minute) plans with it; what is planned already is
    checked again when it is sent (a rule turned off sends nothing more)."""
    permission_check(
        acting_user, "reminders.change_rules", message=_("Only programme admins change rules.")
    )
    rule = _rule(kind)
    offsets = list(offsets or [])
    try:
        offsets_check(offsets, rule.timing)
    except TimingError as error:
        raise ApplicationError(error.message, field="offsets") from None
    if rule.has_limits:
        max_reminders = _limit(
            max_reminders,
            field="max_reminders",
            least=1,
            most=MAX_REMINDERS,
            message=_("Give at most how many reminders as a number from 1 to %(most)s.")
            % {"most": MAX_REMINDERS},
        )
        min_gap_days = _limit(
            min_gap_days,
            field="min_gap_days",
            least=0,
            most=MAX_GAP_DAYS,
            message=_("Give how many days apart as a number from 0 to %(most)s.")
            % {"most": MAX_GAP_DAYS},
        )
    elif max_reminders is not None or min_gap_days is not None:
        raise ApplicationError(
            _("This rule has no limits: it sends one reminder at each time."),
            field="max_reminders" if max_reminders is not None else "min_gap_days",
        )
    with transaction.atomic():
        row, _created = ReminderRule.objects.update_or_create(
            kind=kind,
            defaults={
                "enabled": bool(enabled),
                "offsets": list(offsets_ordered(offsets, rule.timing)),
                "max_reminders": max_reminders,
                "min_gap_days": min_gap_days,
                "updated_at": timezone.now(),
                "updated_by": acting_user,
            },
        )
    return row


def _cancel_planned(*, address: str, kinds) -> int:
    """Cancel the planned reminders of `kinds` to `address` not sent yet, so the outbox shows at
    once what the next evaluation would cancel (reminders.planning.render would at the latest
    when they are due)."""
    if not kinds:
        return 0
    return (
        OutboundEmail.objects.filter(
            kind__in=list(kinds), status__in=UNSENT, send_after__isnull=False
        )
        .filter(to__iexact=address)
        .update(
            status=DeliveryStatus.CANCELLED,
            cancelled_at=timezone.now(),
            cancel_reason=UNSUBSCRIBED,
            next_attempt_at=None,
        )
    )


def opt_outs_set(*, acting_user, kinds_off) -> set[str]:
    """Set which reminders the acting person does not get by email: `kinds_off`, among the
    kinds that can reach them; return them.

    Decision: only the kinds that can reach the person (reminders.selectors.
    reminder_rules_for, the kinds their page offers) are set here. A choice about another kind
    (a former city officer who unsubscribed from roadmap reminders by link) is left as it was:
    saving a page that does not show it never turns it back on. Kept by address
    (ReminderOptOut says why), so the unsubscribe links of the same address agree."""
    permission_check(acting_user, "reminders.choose_reminders")
    offered = {rule.kind for rule in reminder_rules_for(user=acting_user)}
    kinds_off = set(kinds_off)
    unknown = sorted(kinds_off - offered)
    if unknown:
        raise ApplicationError(
            _("You cannot choose the reminder “%(kind)s”: it does not concern you.")
            % {"kind": unknown[0]},
            field="kinds_off",
        )
    address = acting_user.email.lower()
    now = timezone.now()
    with transaction.atomic():
        ReminderOptOut.objects.filter(address=address, kind__in=offered - kinds_off).delete()
        ReminderOptOut.objects.bulk_create(
            [ReminderOptOut(address=address, kind=kind, created_at=now) for kind in kinds_off],
            ignore_conflicts=True,
        )
        _cancel_planned(address=address, kinds=kinds_off)
    return kinds_off


def unsubscribe(*, address: str, kind: str) -> bool:
    """Stop reminders of `kind` to `address` (a signed unsubscribe link, or a mail client's
    one-click unsubscribe: no account needed); return whether it was on until now. Safe to
    repeat: a second time changes nothing."""
    _rule(kind)
    address = (address or "").strip().lower()
    if not address:
        raise ApplicationError(_("The link names no email address."), field="address")
    with transaction.atomic():
        _row, created = ReminderOptOut.objects.get_or_create(address=address, kind=kind)
        _cancel_planned(address=address, kinds=[kind])
    return created
