"""A session starts in 24 hours and in 1 hour: to the people registered (walk-ins excluded).

Planned from each registration, with the session's start in the key's occurrence: a moved
session's old rows no longer match (reminders.receivers cancels them at once, the next
evaluation plans the new ones), a cancelled session's rows are all cancelled. When two
offsets are both past (the portal was stopped, or someone registered late), only the latest
one is planned: nobody gets "in 24 hours" and "in 1 hour" at the same moment.
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from notifications.enums import ReminderKind
from notifications.services import Cancel, Rendered
from portal.links import site_url
from reminders.catalogue import (
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
from sessions import ics
from sessions.calendar_links import registration_calendar_url
from sessions.enums import SessionStatus
from sessions.models import Registration, Session


def offsets_descending(setting: Setting) -> list[tuple[int, int]]:
    """Each offset before the event with the next smaller one (0 after the last): an offset is
    planned only while the next one's time has not come."""
    offsets = sorted(set(setting.offsets), reverse=True)
    return list(zip(offsets, [*offsets[1:], 0], strict=True))


# A session this close is "starting soon".
SOON = datetime.timedelta(hours=2)


def when_word(starts_at: datetime.datetime, recipient) -> str:
    """ "soon", "tomorrow" (the next day in the recipient's zone) or "later"."""
    now = timezone.now()
    if starts_at - now <= SOON:
        return "soon"
    zone = ZoneInfo(recipient.time_zone or settings.TIME_ZONE)
    days = (starts_at.astimezone(zone).date() - now.astimezone(zone).date()).days
    return "tomorrow" if days == 1 else "later"


class SessionStarts(Rule):
    def plan(self, *, now, until, setting):
        accounts = get_user_model().objects.filter(email=Lower(OuterRef("email")), is_active=True)
        for offset, next_offset in offsets_descending(setting):
            before = datetime.timedelta(minutes=offset)
            rows = (
                Registration.objects.filter(
                    is_walk_in=False,
                    session__status=SessionStatus.SCHEDULED,
                    session__starts_at__lte=until + before,
                    session__starts_at__gt=now + datetime.timedelta(minutes=next_offset),
                )
                .annotate(account_id=Subquery(accounts.values("pk")[:1]))
                .order_by()
                .values_list("pk", "email", "session_id", "session__starts_at", "account_id")
            )
            for registration_id, email, session_id, starts_at, account_id in rows.iterator(
                chunk_size=5000
            ):
                yield Planned(
                    topic=f"session:{session_id}",
                    recipient_ref=f"r{registration_id}",
                    to=email,
                    recipient_id=account_id,
                    occurrence=occurrence_at(offset, starts_at),
                    send_after=starts_at - before,
                )

    def render(self, email):
        session_id = int(email.topic.split(":")[1])
        recipient_ref, occurrence = key_parts(email)
        registration_id = int(recipient_ref.removeprefix("r"))
        session = Session.objects.select_related("cohort").filter(pk=session_id).first()
        if session is None or session.status == SessionStatus.CANCELLED:
            return Cancel(reason="The session was cancelled.")
        offset = offset_of(occurrence)
        if occurrence_at(offset, session.starts_at) != occurrence:
            return Cancel(reason="The session was moved.")
        registration = Registration.objects.filter(pk=registration_id, session=session).first()
        if registration is None:
            return Cancel(reason="The person is no longer registered.")
        page_path = reverse("session_detail", args=[session.pk])
        recipient = recipient_of(email, time_zone=session.time_zone)
        with translation.override(recipient.language or None):
            event = ics.session_event(session, site_url=site_url("/"), page_path=page_path)
            calendar = ics.calendar([event], dtstamp=timezone.now(), name=session.title)
        return Rendered(
            recipient=recipient,
            template="reminder_session_starts",
            context={
                "session": session,
                "registration": registration,
                # Said from the time actually left, not the offset: a reminder a week ahead,
                # or one sent late after the mail server was down, says what is true.
                "when_word": when_word(session.starts_at, recipient),
                "page_url": site_url(page_path),
                "ics_url": registration_calendar_url(registration),
            },
            attachments=[("session.ics", calendar, "text/calendar")],
        )


register(
    SessionStarts(
        kind=ReminderKind.SESSION_STARTS,
        audience=_("The people registered for the session (walk-ins are not)."),
        description=_(
            "Before a scheduled session starts, with its join link and an .ics file. A moved "
            "session is reminded of at its new time; a cancelled one is not."
        ),
        timing=Timing.BEFORE,
        defaults=Setting(enabled=True, offsets=(minutes(hours=24), minutes(hours=1))),
    )
)
