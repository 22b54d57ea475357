"""Rules of roadmaps: a phase closes and the roadmap is not submitted; a returned roadmap is not
resubmitted.

A roadmap phase closes in 7 days and in 2 days (PHASE_CLOSES): to the officers of the cities
enrolled in the phase's cohort whose roadmap there is not submitted.

Decisions:
- A phase closes at the end of its last day (`Phase.ends_on`) in the portal's zone
  (settings.TIME_ZONE): at midnight there, which the emails show in each reader's zone. The
  offsets are counted back from that moment ("7 days" is 7 x 24 hours).
- Every phase of the cohort is a roadmap phase: the roadmap's sections open with the cohort's
  phases (roadmaps/template.py), and the roadmap is submitted once, whole.
- "Not submitted" is a roadmap in draft or returned (roadmaps.enums.OPEN_STATUSES). A city with
  no roadmap row is not reminded: the portal opens the roadmap in the transaction that enrols the
  city (roadmaps.receivers, roadmaps.services.roadmap_open), so an enrolled city without one is a
  roadmap an admin deleted, which has no page to link to and cannot be submitted.
- To the active officers (CityMembership) of cities whose enrolment in the cohort is accepted.
- The key's occurrence holds the phase and its closing moment ("phase12-10080m@2027-03-14T23:00Z"):
  a phase whose end moves plans new rows and its old ones no longer match (cancelled at the next
  evaluation, or when sent). When both offsets are past (the portal was stopped, a phase's end
  was moved closer), only the latest is planned, as for sessions.
- The topic is the roadmap ("roadmap:<id>"): submitting it cancels what is planned
  (reminders.receivers).

A returned roadmap is not resubmitted after 5 days (ROADMAP_RETURNED): to the city's officers.

- It counts from the roadmap's latest status change to "returned" (RoadmapTransition), whose id
  is in the occurrence ("t34-7200m@..."): returned again after a new submission, the roadmap gets
  a new reminder; one planned for an earlier return is cancelled.
- Only while the roadmap is still returned and that return is its latest status change.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cities.models import CityMembership
from cohorts.enums import EnrolmentStatus
from cohorts.models import Enrolment, Phase
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
from reminders.rules_sessions import offsets_descending
from roadmaps.enums import OPEN_STATUSES, RoadmapStatus
from roadmaps.models import Roadmap, RoadmapTransition

CHUNK = 5000


def offsets_ascending(setting: Setting) -> list[tuple[int, int | None]]:
    """Each offset after the event with the next larger one (None after the last): an offset
    is planned only while the next one's time has not come (offsets_descending, after)."""
    offsets = sorted(set(setting.offsets))
    return list(zip(offsets, [*offsets[1:], None], strict=True))


def phase_closes_at(ends_on: datetime.date) -> datetime.datetime:
    """The moment a phase closes: midnight at the end of its last day, in the portal's zone."""
    return datetime.datetime.combine(
        ends_on + datetime.timedelta(days=1),
        datetime.time(),
        tzinfo=timezone.get_default_timezone(),
    )


def _portal_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def _split(occurrence: str, prefix: str) -> tuple[int, str]:
    """("phase12-10080m@...", "phase") -> (12, "10080m@...")."""
    head, _sep, rest = occurrence.partition("-")
    return int(head.removeprefix(prefix)), rest


def _officer_or_cancel(email, city_id: int):
    """The active account a row writes to, still an officer of the city, or why not."""
    recipient = recipient_of(email)
    if not isinstance(recipient, get_user_model()):
        return Cancel(reason="The person's account is no longer active.")
    if not CityMembership.objects.filter(city_id=city_id, user=recipient).exists():
        return Cancel(reason="The person is no longer an officer of the city.")
    return recipient


def _roadmap_url(roadmap: Roadmap) -> str:
    return site_url(reverse("roadmap_edit", args=[roadmap.pk]))


class PhaseCloses(Rule):
    def plan(self, *, now, until, setting):
        enrolled = Enrolment.objects.filter(
            cohort=OuterRef("cohort"), city=OuterRef("city"), status=EnrolmentStatus.ACCEPTED
        )
        for offset, next_offset in offsets_descending(setting):
            before = datetime.timedelta(minutes=offset)
            # The phases closing after the next offset's moment has passed and by the time this
            # offset's reminder is due: closes_at in (now + next, until + offset], written on
            # `ends_on` (midnight of day d is after t exactly when d is after t's date).
            first_day = _portal_date(now + datetime.timedelta(minutes=next_offset))
            last_day = _portal_date(until + before) - datetime.timedelta(days=1)
            if last_day < first_day:
                continue
            rows = (
                Roadmap.objects.filter(
                    Exists(enrolled),
                    status__in=OPEN_STATUSES,
                    cohort__phases__ends_on__gte=first_day,
                    cohort__phases__ends_on__lte=last_day,
                    city__memberships__user__is_active=True,
                )
                .order_by()
                .values_list(
                    "pk",
                    "cohort__phases__pk",
                    "cohort__phases__ends_on",
                    "city__memberships__user_id",
                    "city__memberships__user__email",
                )
            )
            for roadmap_id, phase_id, ends_on, user_id, address in rows.iterator(chunk_size=CHUNK):
                closes_at = phase_closes_at(ends_on)
                yield Planned(
                    topic=f"roadmap:{roadmap_id}",
                    recipient_ref=f"u{user_id}",
                    to=address,
                    recipient_id=user_id,
                    occurrence=f"phase{phase_id}-{occurrence_at(offset, closes_at)}",
                    send_after=closes_at - before,
                )

    def render(self, email):
        roadmap_id = int(email.topic.removeprefix("roadmap:"))
        _recipient_ref, occurrence = key_parts(email)
        phase_id, moment = _split(occurrence, "phase")
        roadmap = Roadmap.objects.select_related("city", "cohort").filter(pk=roadmap_id).first()
        if roadmap is None:
            return Cancel(reason="The roadmap was deleted.")
        if roadmap.status not in OPEN_STATUSES:
            return Cancel(reason="The roadmap was submitted.")
        phase = Phase.objects.filter(pk=phase_id, cohort_id=roadmap.cohort_id).first()
        if phase is None:
            return Cancel(reason="The phase was removed from the cohort.")
        closes_at = phase_closes_at(phase.ends_on)
        if occurrence_at(offset_of(moment), closes_at) != moment:
            return Cancel(reason="The phase's end date changed.")
        if not Enrolment.objects.filter(
            cohort_id=roadmap.cohort_id, city_id=roadmap.city_id, status=EnrolmentStatus.ACCEPTED
        ).exists():
            return Cancel(reason="The city is no longer enrolled in the cohort.")
        officer = _officer_or_cancel(email, roadmap.city_id)
        if isinstance(officer, Cancel):
            return officer
        return Rendered(
            recipient=officer,
            template="reminder_phase_closes",
            context={
                "roadmap": roadmap,
                "phase": phase,
                # The last minute of the phase: "14 March 2027, 23:59" reads as the deadline
                # where midnight would read as the next day's.
                "deadline": closes_at - datetime.timedelta(minutes=1),
                "page_url": _roadmap_url(roadmap),
            },
        )


class RoadmapReturned(Rule):
    def plan(self, *, now, until, setting):
        newer = RoadmapTransition.objects.filter(roadmap=OuterRef("roadmap")).filter(
            Q(at__gt=OuterRef("at")) | Q(at=OuterRef("at"), pk__gt=OuterRef("pk"))
        )
        for offset, next_offset in offsets_ascending(setting):
            after = datetime.timedelta(minutes=offset)
            window = Q(at__lte=until - after)
            if next_offset is not None:
                window &= Q(at__gt=now - datetime.timedelta(minutes=next_offset))
            rows = (
                RoadmapTransition.objects.filter(
                    window,
                    to_status=RoadmapStatus.RETURNED,
                    roadmap__status=RoadmapStatus.RETURNED,
                    roadmap__city__memberships__user__is_active=True,
                )
                .filter(~Exists(newer))
                .order_by()
                .values_list(
                    "pk",
                    "at",
                    "roadmap_id",
                    "roadmap__city__memberships__user_id",
                    "roadmap__city__memberships__user__email",
                )
            )
            for transition_id, at, roadmap_id, user_id, address in rows.iterator(chunk_size=CHUNK):
                yield Planned(
                    topic=f"roadmap:{roadmap_id}",
                    recipient_ref=f"u{user_id}",
                    to=address,
                    recipient_id=user_id,
                    occurrence=f"t{transition_id}-{occurrence_at(offset, at)}",
                    send_after=at + after,
                )

    def render(self, email):
        roadmap_id = int(email.topic.removeprefix("roadmap:"))
        _recipient_ref, occurrence = key_parts(email)
        transition_id, _moment = _split(occurrence, "t")
        roadmap = Roadmap.objects.select_related("city", "cohort").filter(pk=roadmap_id).first()
        if roadmap is None:
            return Cancel(reason="The roadmap was deleted.")
        if roadmap.status != RoadmapStatus.RETURNED:
            return Cancel(reason="The roadmap was submitted again.")
        latest = (
            RoadmapTransition.objects.select_related("by")
            .filter(roadmap=roadmap)
            .order_by("-at", "-pk")
            .first()
        )
        if latest is None or latest.pk != transition_id:
            return Cancel(reason="The roadmap was returned again since.")
        officer = _officer_or_cancel(email, roadmap.city_id)
        if isinstance(officer, Cancel):
            return officer
        return Rendered(
            recipient=officer,
            template="reminder_roadmap_returned",
            context={
                "roadmap": roadmap,
                "transition": latest,
                "person": latest.by.get_full_name() if latest.by else "",
                "page_url": _roadmap_url(roadmap),
            },
        )


register(
    PhaseCloses(
        kind=ReminderKind.PHASE_CLOSES,
        audience=_(
            "The officers of the cities enrolled in the cohort whose Reflection Roadmap is not "
            "submitted (a draft, or returned to them)."
        ),
        description=_(
            "Before a phase of a cohort closes (at the end of its last day), with how complete "
            "the roadmap is and a link to it. A roadmap submitted meanwhile is not reminded of."
        ),
        timing=Timing.BEFORE,
        defaults=Setting(enabled=True, offsets=(minutes(days=7), minutes(days=2))),
    )
)

register(
    RoadmapReturned(
        kind=ReminderKind.ROADMAP_RETURNED,
        audience=_("The officers of the city whose Reflection Roadmap was returned."),
        description=_(
            "After a facilitator returned a roadmap with comments, while it is not submitted "
            "again, with the facilitator's note and a link to the roadmap."
        ),
        timing=Timing.AFTER,
        defaults=Setting(enabled=True, offsets=(minutes(days=5),)),
    )
)
