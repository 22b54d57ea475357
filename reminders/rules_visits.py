"""Rules of Group Study Visits: a call closes in 7 and 2 days (to the officers of eligible cities
that have not submitted), and reviews are due in 3 days (to reviewers with applications still
to score).

Decisions:
- A call's reminder is one per city and officer (topic "call:<call>:city:<city>"): an officer
  of two eligible cities is told about each, and the city's submission can be matched to the
  rows it makes pointless. A city that withdrew its application is not reminded (it cannot
  apply again: one application per city and call).
- Eligibility is visits.selectors' (accepted enrolment in one of the call's cohorts, one of its
  city types if it lists any), written over every open call's cities at once; the city types
  are checked in Python with visits.applying.city_type_allows on the row's flags.
- A reminder whose time falls before the call opens is sent when it opens, unless the next
  reminder's time has come by then: a call open 5 days is reminded of once at its opening
  ("closes in 7 days" would tell nothing the opening does not), then 2 days before it closes.
- The reviewers' reminder is one per reviewer and call (topic "call:<call>"), counting the
  reviews still ASSIGNED (neither submitted nor recused) of submitted applications, without
  those the reviewer is in conflict with (visits.selectors.conflicts_of, which hides them from
  the reviewer's list too). A withdrawn application is no longer reviewed.
- Both plan with two queries whatever the number of cities, officers or reviewers (the calls,
  then the people); both read everything again when sent, and cancel what no longer holds.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cities.filters import CITY_TYPE_FIELDS
from cities.models import City, CityMembership
from cohorts.enums import EnrolmentStatus
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
    register,
)
from reminders.rules_sessions import offsets_descending
from visits.applying import city_type_allows
from visits.enums import ApplicationStatus, CallStatus, ReviewStatus
from visits.models import Application, Call, Review
from visits.selectors import city_is_eligible, conflicts_of

# The city's flags city_type_allows reads, in a fixed order (read with each officer's row).
_TYPE_FLAGS = tuple(dict.fromkeys(CITY_TYPE_FIELDS.values()))


def _due_offsets(
    setting: Setting, *, moment: datetime.datetime, now, until, opens_at=None
) -> list[tuple[int, datetime.datetime]]:
    """Each offset before `moment` whose reminder is planned now, with its time: due by
    `until`, and the next offset's time not come (rules_sessions.offsets_descending). With
    `opens_at`, a time before it moves to it, and an offset whose next one comes before the
    opening is left out (module docstring)."""
    due = []
    for offset, next_offset in offsets_descending(setting):
        next_time = moment - datetime.timedelta(minutes=next_offset)
        if next_time <= now:
            continue
        send_after = moment - datetime.timedelta(minutes=offset)
        if opens_at is not None:
            if opens_at >= next_time:
                continue
            send_after = max(send_after, opens_at)
        if send_after <= until:
            due.append((offset, send_after))
    return due


def _longest(setting: Setting) -> datetime.timedelta:
    return datetime.timedelta(minutes=max(setting.offsets, default=0))


# --- A call closes ------------------------------------------------------------------------------


class CallCloses(Rule):
    def plan(self, *, now, until, setting):
        # Query 1: the open calls closing within reach of the longest offset.
        calls = Call.objects.filter(
            status=CallStatus.OPEN, closes_at__gt=now, closes_at__lte=until + _longest(setting)
        ).values_list("pk", "opens_at", "closes_at", "eligible_city_types")
        due = {}
        for pk, opens_at, closes_at, types in calls:
            offsets = _due_offsets(
                setting, moment=closes_at, now=now, until=until, opens_at=opens_at
            )
            if offsets:
                due[pk] = (closes_at, Call(eligible_city_types=types), offsets)
        if not due:
            return
        # Query 2: the active officers of the cities enrolled (accepted) in one of those calls'
        # cohorts, with the call, unless the city submitted or withdrew an application to it.
        # One filter() call, so that the status and the cohort are those of one enrolment.
        applied = Application.objects.filter(
            call=OuterRef("call_id"), city=OuterRef("city_id")
        ).exclude(status=ApplicationStatus.DRAFT)
        rows = (
            CityMembership.objects.filter(
                user__is_active=True,
                city__enrolments__status=EnrolmentStatus.ACCEPTED,
                city__enrolments__cohort__visit_calls__in=list(due),
            )
            .annotate(call_id=F("city__enrolments__cohort__visit_calls"))
            .exclude(Exists(applied))
            .order_by()
            .distinct()
            .values_list(
                "user_id",
                "user__email",
                "city_id",
                "call_id",
                *(f"city__{flag}" for flag in _TYPE_FLAGS),
            )
        )
        for user_id, address, city_id, call_id, *flags in rows.iterator(chunk_size=5000):
            closes_at, probe, offsets = due[call_id]
            if not city_type_allows(probe, City(**dict(zip(_TYPE_FLAGS, flags, strict=True)))):
                continue
            for offset, send_after in offsets:
                yield Planned(
                    topic=f"call:{call_id}:city:{city_id}",
                    recipient_ref=f"u{user_id}",
                    to=address,
                    recipient_id=user_id,
                    occurrence=occurrence_at(offset, closes_at),
                    send_after=send_after,
                )

    def render(self, email):
        _call, call_id, _city, city_id = email.topic.split(":")
        recipient_ref, occurrence = key_parts(email)
        user_id = int(recipient_ref.removeprefix("u"))
        call = Call.objects.filter(pk=int(call_id)).first()
        if call is None:
            return Cancel(reason="The call was deleted.")
        if call.status != CallStatus.OPEN:
            return Cancel(reason="The call is no longer open.")
        if occurrence_at(offset_of(occurrence), call.closes_at) != occurrence:
            return Cancel(reason="The call's closing date was moved.")
        if call.closes_at <= timezone.now():
            return Cancel(reason="The call has closed.")
        city = City.objects.filter(pk=int(city_id)).first()
        if city is None or not city_is_eligible(call=call, city=city):
            return Cancel(reason="The city is no longer eligible for the call.")
        membership = (
            CityMembership.objects.select_related("user")
            .filter(city=city, user_id=user_id, user__is_active=True)
            .first()
        )
        if membership is None:
            return Cancel(reason="The person is no longer an officer of the city.")
        application = Application.objects.filter(call=call, city=city).first()
        if application is not None and application.status == ApplicationStatus.SUBMITTED:
            return Cancel(reason="The city has submitted its application.")
        if application is not None and application.status == ApplicationStatus.WITHDRAWN:
            return Cancel(reason="The city withdrew its application.")
        return Rendered(
            recipient=membership.user,
            template="reminder_call_closes",
            context={
                "call": call,
                "city": city,
                "officer": membership.user,
                "application": application,
                "call_url": site_url(reverse("visit_call_detail", args=[call.pk])),
                "application_url": site_url(reverse("visit_application", args=[application.pk]))
                if application is not None
                else "",
            },
        )


register(
    CallCloses(
        kind=ReminderKind.CALL_CLOSES,
        audience=_(
            "The officers of the cities eligible for the call that have not submitted an "
            "application (a draft, or none)."
        ),
        description=_(
            "Before an open Group Study Visit call closes, with the call's page or the city's "
            "draft. A city that submits is no longer reminded; a moved closing date is "
            "reminded of at its new time."
        ),
        timing=Timing.BEFORE,
        defaults=Setting(enabled=True, offsets=(minutes(days=7), minutes(days=2))),
    )
)


# --- Reviews are due ----------------------------------------------------------------------------


def unscored_reviews(*, user, call_id: int):
    """The reviews `user` still has to score in the call: assigned, of a submitted application,
    not in conflict (as their list of reviews shows them)."""
    return Review.objects.filter(
        reviewer=user,
        status=ReviewStatus.ASSIGNED,
        application__call_id=call_id,
        application__status=ApplicationStatus.SUBMITTED,
    ).exclude(conflicts_of(user=user, prefix="application__"))


class ReviewsDue(Rule):
    def plan(self, *, now, until, setting):
        # Query 1: the calls whose review deadline is within reach of the longest offset.
        calls = Call.objects.filter(
            status=CallStatus.OPEN,
            review_deadline__gt=now,
            review_deadline__lte=until + _longest(setting),
        ).values_list("pk", "review_deadline")
        due = {}
        for pk, deadline in calls:
            offsets = _due_offsets(setting, moment=deadline, now=now, until=until)
            if offsets:
                due[pk] = (deadline, offsets)
        if not due:
            return
        # Query 2: each active reviewer with a review still to score in those calls, once per
        # call; conflicts_of is correlated to each row's reviewer.
        rows = (
            Review.objects.filter(
                status=ReviewStatus.ASSIGNED,
                application__status=ApplicationStatus.SUBMITTED,
                application__call_id__in=list(due),
                reviewer__is_active=True,
            )
            .exclude(conflicts_of(user=OuterRef("reviewer"), prefix="application__"))
            .order_by()
            .distinct()
            .values_list("reviewer_id", "reviewer__email", "application__call_id")
        )
        for reviewer_id, address, call_id in rows.iterator(chunk_size=5000):
            deadline, offsets = due[call_id]
            for offset, send_after in offsets:
                yield Planned(
                    topic=f"call:{call_id}",
                    recipient_ref=f"u{reviewer_id}",
                    to=address,
                    recipient_id=reviewer_id,
                    occurrence=occurrence_at(offset, deadline),
                    send_after=send_after,
                )

    def render(self, email):
        call_id = int(email.topic.removeprefix("call:"))
        recipient_ref, occurrence = key_parts(email)
        call = Call.objects.filter(pk=call_id).first()
        if call is None:
            return Cancel(reason="The call was deleted.")
        if call.status != CallStatus.OPEN:
            return Cancel(reason="The call's decisions are published.")
        if occurrence_at(offset_of(occurrence), call.review_deadline) != occurrence:
            return Cancel(reason="The review deadline was moved.")
        if call.review_deadline <= timezone.now():
            return Cancel(reason="The review deadline has passed.")
        reviewer = (
            get_user_model()
            .objects.filter(pk=int(recipient_ref.removeprefix("u")), is_active=True)
            .first()
        )
        if reviewer is None:
            return Cancel(reason="The reviewer's account is no longer active.")
        count = unscored_reviews(user=reviewer, call_id=call.pk).count()
        if not count:
            return Cancel(reason="Nothing is left to score.")
        return Rendered(
            recipient=reviewer,
            template="reminder_reviews_due",
            context={
                "call": call,
                "reviewer": reviewer,
                "count": count,
                # The reviewer's list of reviews, those still to score first (it has no
                # filter by call: visits.views_reviewing.review_list).
                "reviews_url": site_url(reverse("review_list")),
            },
        )


register(
    ReviewsDue(
        kind=ReminderKind.REVIEWS_DUE,
        audience=_("Reviewers with assigned applications they have not scored."),
        description=_(
            "Before a call's review deadline, with how many applications are still to score. "
            "A reviewer who has submitted or recused from every one is not reminded."
        ),
        timing=Timing.BEFORE,
        defaults=Setting(enabled=True, offsets=(minutes(days=3),)),
    )
)
