"""Rules of feedback: a survey is open and not answered after 2 and 5 days, to those who have not
answered (named surveys), at most N reminders and at least M days apart (SURVEY_UNANSWERED).

Decisions:
- Named surveys only, published, open (planned from a day before they open, sent only while
  they are open, never after they close). An anonymous survey keeps no list of who answered.
- Who has not answered is feedback.results.people_to_remind, read for every open survey at once
  (`people_to_remind_of`, three queries): those who have not submitted a response or, for a
  survey answered once per city, every officer of each city that has not. Active accounts only.
- The offsets count from the survey's opening; its opening moment is in the occurrence, so a
  survey whose opening moves plans new rows. When both offsets are past (a person became an
  officer late, the survey was published late), only the latest is planned, as for sessions.
- The limits count every reminder of the survey to the person that went out or is going out:
  sent, being sent or waiting to retry, and those written by hand with the survey's "send
  reminder" action (feedback.reminders: the same kind and topic), pending ones included. A
  reminder is planned only if fewer than N were sent and none within M days of its time (or of
  now, when its time is past); the rows are planned in time order, so of two close ones the
  first is kept. Planned rows that a manual reminder overtakes are cancelled at the next
  evaluation, and checked again when they are sent.
- The manual action honours the person's choices too: `written_now_suppressed` (registered with
  notifications.services.suppression_register by reminders.apps) holds back a reminder of a
  kind the person unsubscribed from and, for this rule, one beyond the limits. A facilitator's
  click does not override what the person chose; the limits hold whether the rule is on or off
  (off stops the scheduled reminders, not the facilitator's).
- Sent: cancelled if the person answered meanwhile, the survey closed, was unpublished or made
  anonymous, or the limits no longer allow it.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from feedback.models import Survey
from feedback.reminders import survey_topic
from feedback.results import people_to_remind, people_to_remind_of
from notifications.enums import DeliveryStatus, ReminderKind
from notifications.models import OutboundEmail
from notifications.services import Cancel, Rendered
from portal.links import site_url
from reminders.catalogue import (
    RULES,
    Planned,
    Rule,
    Setting,
    Timing,
    key_parts,
    minutes,
    occurrence_at,
    offset_of,
    recipient_of,
    register,
)
from reminders.models import ReminderOptOut
from reminders.rules_roadmaps import offsets_ascending

# Rows that went out or are going out (a pending row is counted when it was written by hand:
# the planned ones are what the rule decides).
GOING_OUT = (DeliveryStatus.SENDING, DeliveryStatus.SENT, DeliveryStatus.RETRY)


@dataclass(frozen=True)
class Sent:
    """One reminder of a survey to a person, as the limits read it."""

    pk: int
    key: str
    status: str
    is_planned: bool
    at: datetime.datetime  # sent, else planned for, else written

    @property
    def counts(self) -> bool:
        return self.status in GOING_OUT or (
            self.status == DeliveryStatus.PENDING and not self.is_planned
        )


def reminders_sent(topics, recipient_id: int | None = None) -> dict[tuple[str, int], list[Sent]]:
    """The survey reminders (planned or by hand) about `topics`, by (topic, person). One query."""
    rows = OutboundEmail.objects.filter(
        kind=ReminderKind.SURVEY_UNANSWERED, topic__in=list(topics), recipient__isnull=False
    )
    if recipient_id is not None:
        rows = rows.filter(recipient_id=recipient_id)
    found: dict[tuple[str, int], list[Sent]] = {}
    for pk, topic, person, key, status, send_after, at in (
        rows.order_by()
        .values_list(
            "pk",
            "topic",
            "recipient_id",
            "key",
            "status",
            "send_after",
            Coalesce("sent_at", "send_after", "created_at"),
        )
        .iterator(chunk_size=5000)
    ):
        found.setdefault((topic, person), []).append(
            Sent(pk=pk, key=key, status=status, is_planned=send_after is not None, at=at)
        )
    return found


def limits_refusal(setting: Setting, taken: list[datetime.datetime], when) -> str | None:
    """Why one more reminder at `when` breaks the limits, given the times of those counted."""
    if setting.max_reminders is not None and len(taken) >= setting.max_reminders:
        return (
            f"The person had the most reminders of this survey allowed ({setting.max_reminders})."
        )
    if setting.min_gap_days:
        gap = datetime.timedelta(days=setting.min_gap_days)
        if any(abs(when - at) < gap for at in taken):
            return (
                f"The person had a reminder of this survey less than "
                f"{setting.min_gap_days} days before or after."
            )
    return None


def _setting() -> Setting:
    from reminders.planning import settings_of_rules

    return settings_of_rules()[ReminderKind.SURVEY_UNANSWERED]


class SurveyUnanswered(Rule):
    def plan(self, *, now, until, setting):
        surveys = Survey.objects.filter(
            is_published=True, is_anonymous=False, opens_at__lte=until, closes_at__gt=now
        ).select_related("session")
        due: dict[Survey, list[tuple[int, datetime.datetime]]] = {}
        for survey in surveys:
            for offset, next_offset in offsets_ascending(setting):
                send_after = survey.opens_at + datetime.timedelta(minutes=offset)
                if send_after > until or send_after >= survey.closes_at:
                    continue
                if (
                    next_offset is not None
                    and survey.opens_at + datetime.timedelta(minutes=next_offset) <= now
                ):
                    continue
                due.setdefault(survey, []).append((offset, send_after))
        if not due:
            return
        people = people_to_remind_of(due)
        history = reminders_sent(survey_topic(survey) for survey in due)
        for survey, offsets in due.items():
            topic = survey_topic(survey)
            for user_id, address in people[survey.pk].items():
                rows = history.get((topic, user_id), [])
                done = {row.key for row in rows if row.status != DeliveryStatus.PENDING}
                taken = [row.at for row in rows if row.counts]
                for offset, send_after in offsets:
                    item = Planned(
                        topic=topic,
                        recipient_ref=f"u{user_id}",
                        to=address,
                        recipient_id=user_id,
                        occurrence=occurrence_at(offset, survey.opens_at),
                        send_after=send_after,
                    )
                    if item.key(self.kind) in done:
                        continue  # sent, failed or cancelled: decided already
                    if limits_refusal(setting, taken, max(send_after, now)):
                        continue
                    taken.append(max(send_after, now))
                    yield item

    def render(self, email):
        survey_id = int(email.topic.removeprefix("survey:"))
        _recipient_ref, occurrence = key_parts(email)
        survey = Survey.objects.select_related("session").filter(pk=survey_id).first()
        now = timezone.now()
        if survey is None:
            return Cancel(reason="The survey was deleted.")
        if not survey.is_published:
            return Cancel(reason="The survey was unpublished.")
        if survey.is_anonymous:
            return Cancel(reason="The survey is anonymous.")
        if now >= survey.closes_at:
            return Cancel(reason="The survey closed.")
        if occurrence_at(offset_of(occurrence), survey.opens_at) != occurrence or (
            now < survey.opens_at
        ):
            return Cancel(reason="The survey's opening moved.")
        person = recipient_of(email)
        if not isinstance(person, get_user_model()):
            return Cancel(reason="The person's account is no longer active.")
        if not people_to_remind(survey).filter(pk=person.pk).exists():
            return Cancel(reason="The person answered the survey, or is no longer asked.")
        rows = reminders_sent([email.topic], recipient_id=person.pk).get(
            (email.topic, person.pk), []
        )
        refusal = limits_refusal(
            _setting(), [row.at for row in rows if row.counts and row.pk != email.pk], now
        )
        if refusal:
            return Cancel(reason=refusal)
        return Rendered(
            recipient=person,
            template="reminder_survey_unanswered",
            context={
                "survey": survey,
                # The survey's own page: it opens the person's draft or starts one.
                "page_url": site_url(reverse("survey_intro", args=[survey.pk])),
            },
        )


def written_now_suppressed(*, address: str, kind: str, topic: str, recipient_id) -> str | None:
    """Why a reminder written now (feedback's "send reminder") is not sent: the person
    unsubscribed from its kind, or, for a rule with limits, one more breaks them. Registered
    with notifications.services.suppression_register (reminders.apps)."""
    if ReminderOptOut.objects.filter(address=address.lower(), kind=kind).exists():
        return "The person unsubscribed from this kind of reminder."
    rule = RULES.get(kind)
    if rule is None or not rule.has_limits or recipient_id is None:
        return None
    rows = reminders_sent([topic], recipient_id=recipient_id).get((topic, recipient_id), [])
    return limits_refusal(_setting(), [row.at for row in rows if row.counts], timezone.now())


register(
    SurveyUnanswered(
        kind=ReminderKind.SURVEY_UNANSWERED,
        audience=_(
            "Those asked by a named survey who have not answered it (for a survey answered once "
            "per city, the officers of the cities that have not)."
        ),
        description=_(
            "After a survey opens, while it is open, with its closing date and a link to it. The "
            "reminders a facilitator sends by hand count in the limits."
        ),
        timing=Timing.AFTER,
        defaults=Setting(
            enabled=True,
            offsets=(minutes(days=2), minutes(days=5)),
            max_reminders=2,
            min_gap_days=2,
        ),
        has_limits=True,
    )
)
