"""Reads of the reminders pages: which kinds concern a person, their choices, the rules as the
admins set them, and the outbox (its counts, its rows, the preview of one email)."""

import datetime
import logging
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.enums import Role
from notifications.enums import DeliveryStatus, ReminderKind
from notifications.models import OutboundEmail
from notifications.services import Cancel, message_render
from reminders.catalogue import RULES, Rule, Setting, rules_in_order
from reminders.models import ReminderOptOut, ReminderRule
from reminders.planning import render

logger = logging.getLogger(__name__)

# The reminders a person can receive, by role; EVERYONE's kinds concern every signed-in person
# (anyone may be registered for a session or asked by a survey). Programme admins see them all.
EVERYONE = "everyone"
KIND_ROLES = {
    ReminderKind.SESSION_STARTS: EVERYONE,
    ReminderKind.SURVEY_UNANSWERED: EVERYONE,
    ReminderKind.PHASE_CLOSES: Role.CITY_OFFICER,
    ReminderKind.ROADMAP_RETURNED: Role.CITY_OFFICER,
    ReminderKind.CALL_CLOSES: Role.CITY_OFFICER,
    ReminderKind.REVIEWS_DUE: Role.REVIEWER,
    ReminderKind.FACILITATOR_DIGEST: Role.FACILITATOR,
}


def reminder_rules_for(*, user) -> list[Rule]:
    """The rules whose reminders can reach `user`, in the catalogue's order (one query: whether
    they are a city officer)."""
    roles = set(user.roles)
    return [
        rule
        for rule in rules_in_order()
        if Role.PROGRAMME_ADMIN in roles
        or KIND_ROLES.get(rule.kind, EVERYONE) == EVERYONE
        or KIND_ROLES[rule.kind] in roles
    ]


def opted_out_kinds(*, address: str) -> set[str]:
    return set(
        ReminderOptOut.objects.filter(address=address.lower()).values_list("kind", flat=True)
    )


@dataclass(frozen=True)
class RuleRow:
    """A rule as the rules page shows it: the catalogue's words and what the admins set."""

    rule: Rule
    setting: Setting
    stored: ReminderRule | None

    @property
    def kind(self) -> str:
        return self.rule.kind

    @property
    def label(self) -> str:
        return ReminderKind(self.rule.kind).label


def rule_rows(*, kinds=None) -> list[RuleRow]:
    """Each rule (or those of `kinds`) with its setting: the admins' row, or its defaults. One
    query, with who changed it last."""
    stored = {row.kind: row for row in ReminderRule.objects.select_related("updated_by").order_by()}
    rows = []
    for rule in rules_in_order():
        if kinds is not None and rule.kind not in kinds:
            continue
        row = stored.get(rule.kind)
        rows.append(RuleRow(rule=rule, setting=setting_of(rule, row), stored=row))
    return rows


def setting_of(rule: Rule, row: ReminderRule | None) -> Setting:
    """The setting a rule runs with (as reminders.planning.settings_of_rules reads it)."""
    if row is None:
        return rule.defaults
    defaults = rule.defaults
    return Setting(
        enabled=row.enabled,
        offsets=tuple(row.offsets) or defaults.offsets,
        max_reminders=defaults.max_reminders if row.max_reminders is None else row.max_reminders,
        min_gap_days=defaults.min_gap_days if row.min_gap_days is None else row.min_gap_days,
    )


# --- The outbox ----------------------------------------------------------------------------------
#
# Decision on the counts: counting the emails of each status means reading the whole outbox
# (50,000 rows: 9 ms on SQLite, eight times the floor page), and the outbox changes with every
# email sent, so no data version could key it without a write per email. The counts at the top
# of the page, and the number of pages they give, are kept in the cache for COUNTS_SECONDS and
# the page says they may be that old; the outbox's own actions (cancel, send again) count
# afresh. The rows themselves are always read live, by primary key, newest first.

SERVICE = "service"  # the outbox filter's name for service messages (kind "")
SERVICE_LABEL = gettext_lazy("Service message")


def outbox_emails():
    """Every email of the outbox, newest first: by id, the order of the table, so a page is
    read from the primary key whatever the number of rows."""
    return OutboundEmail.objects.order_by("-pk")


def with_when(emails):
    """`emails` with `when`: when each goes or went out (a planned reminder's send_after), or
    was queued."""
    return emails.annotate(when=Coalesce(F("send_after"), F("created_at")))


def outbox_counts() -> dict[tuple[str, str], int]:
    """The number of emails of each (kind, status), "" for service messages: one query over
    the (kind, status) index."""
    return {
        (kind, status): count
        for kind, status, count in OutboundEmail.objects.order_by()
        .values_list("kind", "status")
        .annotate(count=Count("pk"))
    }


def outbox_day_bounds(day: datetime.date, zone) -> datetime.datetime:
    """The first moment of `day` in `zone` (the outbox's date filters are the admin's days)."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=zone)


COUNTS_KEY = "reminders:outbox-counts"
COUNTS_SECONDS = 60
PAGE_SIZE = 50
# What a row of the list reads: not the bodies, headers or attachments.
ROW_FIELDS = [
    "pk",
    "to",
    "kind",
    "subject",
    "status",
    "last_error",
    "cancel_reason",
    "send_after",
    "created_at",
]
CANCELLABLE = {DeliveryStatus.PENDING, DeliveryStatus.RETRY}


@dataclass(frozen=True)
class Counts:
    by_kind_and_status: dict

    def total(self, *, kind: str | None = None, status: str | None = None) -> int:
        return sum(
            count
            for (row_kind, row_status), count in self.by_kind_and_status.items()
            if (kind is None or row_kind == kind) and (status is None or row_status == status)
        )

    def by_status(self) -> list[tuple[str, str, int]]:
        """(status, label, count) of every status, in the order of DeliveryStatus."""
        return [(value, label, self.total(status=value)) for value, label in DeliveryStatus.choices]


def outbox_counts_kept() -> Counts:
    """The outbox's counts by kind and status, counted at most once every COUNTS_SECONDS.

    When they were counted is kept with them and read here, rather than left to the cache's
    expiry alone, so that the age holds by the portal's clock on every cache backend."""
    now = timezone.now().timestamp()
    kept = cache.get(COUNTS_KEY)
    if kept is None or not 0 <= now - kept[1] < COUNTS_SECONDS:
        kept = (outbox_counts(), now)
        cache.set(COUNTS_KEY, kept, COUNTS_SECONDS)
    return Counts(by_kind_and_status=kept[0])


def outbox_counts_forget() -> None:
    """Count afresh on the next page (after an action of the outbox changed statuses)."""
    cache.delete(COUNTS_KEY)


def kind_label(kind: str) -> str:
    if not kind:
        return str(SERVICE_LABEL)
    try:
        return str(ReminderKind(kind).label)
    except ValueError:  # a kind no longer in the catalogue
        return kind


@dataclass(slots=True)
class OutboxRow:
    """One line of the outbox list."""

    pk: int
    to: str
    kind: str
    kind_label: str
    subject: str
    rendered: bool
    status: str
    status_label: str
    last_error: str
    cancel_reason: str
    when: datetime.datetime
    planned: bool

    @property
    def cancellable(self) -> bool:
        return self.status in CANCELLABLE

    @property
    def failed(self) -> bool:
        return self.status == DeliveryStatus.FAILED


STATUS_LABELS = dict(DeliveryStatus.choices)


def outbox_rows(emails) -> list[OutboxRow]:
    """The rows of one page of the outbox: tuples of ROW_FIELDS
    (outbox_emails().values_list(*ROW_FIELDS)), the labels read once per kind and status."""
    kinds, statuses = {}, {}
    rows = []
    for pk, to, kind, subject, status, last_error, cancel_reason, send_after, created_at in emails:
        if kind not in kinds:
            kinds[kind] = kind_label(kind)
        if status not in statuses:
            statuses[status] = str(STATUS_LABELS.get(status, status))
        rows.append(
            OutboxRow(
                pk=pk,
                to=to,
                kind=kind,
                kind_label=kinds[kind],
                subject=subject,
                # A planned reminder has no subject until it is rendered, when it is sent.
                rendered=bool(subject),
                status=status,
                status_label=statuses[status],
                last_error=last_error,
                cancel_reason=cancel_reason,
                when=send_after or created_at,
                planned=send_after is not None,
            )
        )
    return rows


# --- One email -----------------------------------------------------------------------------------


@dataclass
class Preview:
    """What an email says: as it was rendered (`stored`), or, for a planned reminder not
    rendered yet, as it would be if it were sent now (nothing is saved), or why it would not
    be sent (`cancel_reason`) or could not be rendered (`error`)."""

    stored: bool
    subject: str = ""
    body: str = ""
    html_body: str = ""
    headers: dict = field(default_factory=dict)
    attachments: list = field(default_factory=list)  # (filename, MIME type, size in bytes)
    cancel_reason: str = ""
    error: str = ""


def _attachments(items) -> list[tuple[str, str, int]]:
    found = []
    for item in items:
        filename, content, mimetype = [*item, "", "", ""][:3]
        size = len(content.encode() if isinstance(content, str) else content or b"")
        found.append((filename, mimetype, size))
    return found


def _with_message_id(headers: dict, email: OutboundEmail) -> dict:
    """The headers the email is sent with: its own, and its Message-ID when it has one (rows
    queued before that column existed have none; the delivery makes one then)."""
    return {**headers, "Message-ID": email.message_id} if email.message_id else dict(headers)


def email_preview(email: OutboundEmail) -> Preview:
    """The email as the outbox page shows it."""
    if email.body:
        return Preview(
            stored=True,
            subject=email.subject,
            body=email.body,
            html_body=email.html_body,
            headers=_with_message_id(email.headers, email),
            attachments=_attachments(email.attachments),
        )
    if email.kind not in RULES:
        return Preview(stored=False, error=f"No reminder rule renders the kind {email.kind!r}.")
    # Decision: rendered inside a transaction that is rolled back, so a preview saves nothing
    # whatever a rule's renderer does; the email is neither changed nor sent.
    try:
        with transaction.atomic():
            written = render(email)
            if not isinstance(written, Cancel):
                subject, body, html_body = message_render(
                    recipient=written.recipient, template=written.template, context=written.context
                )
            transaction.set_rollback(True)
    except Exception as error:  # a bug in a renderer: shown to the admin, not a 500
        logger.exception("Previewing email %s failed", email.pk)
        return Preview(stored=False, error=f"{type(error).__name__}: {error}")
    if isinstance(written, Cancel):
        return Preview(stored=False, cancel_reason=written.reason)
    return Preview(
        stored=False,
        subject=subject,
        body=body,
        html_body=html_body,
        headers=_with_message_id(written.headers, email),
        attachments=_attachments(written.attachments),
    )
