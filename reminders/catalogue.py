"""Every reminder rule, in one place: what it sends, to whom, when, and how an admin can time it.

A rule plans rows of the notifications outbox (`Planned`, turned into `OutboundEmail` rows by
reminders.planning) from the portal's own dates and states, with a constant number of queries
whatever the number of recipients, and renders a row when it is sent (or cancels it if what it
was about no longer holds). Admins turn rules on and off and change their timing on the rules
page (ReminderRule rows); a rule without a row runs with its defaults below.

The rules themselves live in one module per area (`rules_sessions`, `rules_roadmaps`,
`rules_feedback`, `rules_visits`, `rules_digest`), each a `Rule` subclass registered in RULES.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from notifications.services import Cancel, Recipient, Rendered


@dataclass(frozen=True)
class Planned:
    """One message a rule wants sent: to `to` (and the account `recipient_id`, if any) about
    `topic`, not before `send_after`. `recipient_ref` ("u12" for an account, "r34" for a
    session registration) and `occurrence` ("1440m@2026-12-05T09:00+00:00") complete the key, so
    the same reminder is planned once however often the rules are evaluated."""

    topic: str
    recipient_ref: str
    to: str
    recipient_id: int | None
    occurrence: str
    send_after: datetime.datetime

    def key(self, kind: str) -> str:
        return f"{kind}:{self.topic}:{self.recipient_ref}:{self.occurrence}"


@dataclass(frozen=True)
class Setting:
    """What the rules page says for a rule, or its defaults."""

    enabled: bool
    offsets: tuple[int, ...]  # minutes, read as the rule's timing says
    max_reminders: int | None = None
    min_gap_days: int | None = None


class Timing:
    """How a rule's offsets are written on the rules page and read back."""

    BEFORE = "before"  # minutes before the event
    AFTER = "after"  # minutes after the event
    WEEKLY = "weekly"  # minutes after Monday 00:00 in the recipient's zone


@dataclass
class Rule:
    kind: str
    # Who receives it and when, in words, for the rules page and the preferences page.
    audience: str
    description: str
    timing: str
    defaults: Setting
    # Whether the rules page offers "at most N reminders, M days apart" (surveys).
    has_limits: bool = False
    extra: dict = field(default_factory=dict)

    def plan(self, *, now: datetime.datetime, until: datetime.datetime, setting: Setting):
        """The messages due by `until` that still make sense at `now`, as `Planned`; a
        constant number of queries."""
        raise NotImplementedError

    def render(self, email) -> Rendered | Cancel:
        """The message of a planned row when its time has come, or why it is not sent."""
        raise NotImplementedError


RULES: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    RULES[rule.kind] = rule
    return rule


def key_parts(email) -> tuple[str, str]:
    """The (recipient_ref, occurrence) of a planned row's key."""
    rest = email.key.removeprefix(f"{email.kind}:{email.topic}:")
    recipient_ref, _sep, occurrence = rest.partition(":")
    return recipient_ref, occurrence


def offset_of(occurrence: str) -> int:
    """The offset, in minutes, of an occurrence written by occurrence_at()."""
    return int(occurrence.split("m@", 1)[0])


def minutes(*, days: int = 0, hours: int = 0, mins: int = 0) -> int:
    return days * 24 * 60 + hours * 60 + mins


def occurrence_at(offset: int, moment: datetime.datetime) -> str:
    """The occurrence part of a key: the offset and the moment it counts from, in UTC, so a
    moved event plans new rows and the old ones no longer match."""
    # ISO 8601 in UTC to the minute ("1440m@2026-12-10T09:00+00:00"): a machine format.
    return f"{offset}m@{moment.astimezone(datetime.UTC).isoformat(timespec='minutes')}"


def rules_in_order() -> list[Rule]:
    from notifications.enums import ReminderKind

    return [RULES[kind] for kind in ReminderKind.values if kind in RULES]


def load_rules() -> None:
    """Import every rule module, registering its rules (reminders.apps, at start-up)."""
    from reminders import (  # noqa: F401
        rules_digest,
        rules_feedback,
        rules_roadmaps,
        rules_sessions,
        rules_visits,
    )


def recipient_of(email, *, time_zone: str = ""):
    """Whom a planned row writes to: the active account (its language and zone) or, for an
    address without one, a Recipient in the portal's language with times in `time_zone`."""
    if email.recipient_id:
        user = get_user_model().objects.filter(pk=email.recipient_id, is_active=True).first()
        if user is not None:
            return user
    return Recipient(email=email.to, time_zone=time_zone)
