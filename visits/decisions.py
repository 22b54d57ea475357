"""Publishing a call's decisions, telling each applicant, and what a withdrawal does to the
allocation (issue 12, "Ranking, allocation, decisions").

- Publishing happens once: the call becomes PUBLISHED (`Call.published_at`) and the
  allocation is fixed. Each application with a decision is told by email, to each officer of
  its city in their own language: selected (the visit, its host city and dates), waitlisted
  (the position), or not selected.
- Each email has a key made of the application, its decision and the officer
  (`visit-decision:<application>:<decision>:<officer>`), so a retried or repeated service never
  sends it twice (the outbox keeps one row per key: notifications.services), and
  `Application.decision_notified_at` records when the city was told.
  Decision: the emails are queued in the publishing transaction itself, not in an
  `on_commit` callback: the outbox rows commit (or roll back) with the publication, and the
  outbox hands them to Celery only after the commit. A callback that died after the commit
  would leave decisions published that nobody was told of.
- A withdrawal (visits.signals.application_withdrawn). Before publishing, the allocation is
  simply run again (visits/allocation.py). After publishing, a selected city's place goes to
  the first city on the waitlist whose preferences include the freed visit.
  Decision: the city must have asked for that visit; the first city on the waitlist may not
  want a visit it did not list. When no city on the waitlist asked for it, the place stays
  free. The promoted city leaves the waitlist (the others move up) and is emailed that it is
  selected; the others are not emailed again for a new position.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cities.models import CityMembership
from portal.errors import ApplicationError
from portal.fragments import bump
from portal.links import site_url
from portal.permissions import permission_check
from visits.allocation import (
    DECISIONS,
    MANAGE,
    _locked_call,
    allocate,
    waitlist_renumber,
)
from visits.enums import ApplicationStatus, CallStatus, Decision
from visits.models import Application, Call


def call_publish_decisions(*, acting_user, call: Call) -> int:
    """Publish the call's decisions as `acting_user`, an admin (visits.manage_call), and email
    every applicant's officers (the module docstring). Refused when they are already published
    or when no application has a decision. Returns the number of applications told."""
    permission_check(acting_user, MANAGE, call)
    with transaction.atomic():
        call = _locked_call(call)
        if call.status == CallStatus.PUBLISHED:
            raise ApplicationError(
                _("The decisions of this call were published on %(date)s: they are published once.")
                % {"date": date_format(timezone.localtime(call.published_at), "DATETIME_FORMAT")}
            )
        if (
            not Application.objects.filter(call=call, status=ApplicationStatus.SUBMITTED)
            .exclude(decision="")
            .exists()
        ):
            raise ApplicationError(
                _("No application has a decision yet: allocate the places first.")
            )
        call.status = CallStatus.PUBLISHED
        call.published_at = timezone.now()
        call.save(update_fields=["status", "published_at"])
        told = decisions_notify(call=call)
        bump(DECISIONS)
    return told


def _applications_to_tell(call: Call, pks=None):
    queryset = (
        Application.objects.filter(
            call=call,
            status=ApplicationStatus.SUBMITTED,
            decision_notified_at=None,
        )
        .exclude(decision="")
        .select_related("city", "allocated_visit__host_city")
        .prefetch_related(
            Prefetch(
                "city__memberships",
                queryset=CityMembership.objects.select_related("user").order_by("user_id"),
            )
        )
        .order_by("pk")
    )
    return queryset if pks is None else queryset.filter(pk__in=pks)


def decisions_notify(*, call: Call, pks=None) -> int:
    """Email each decided application of `call` not told yet (or those of `pks`) to its city's
    officers, each in their own language, and record when (`decision_notified_at`). Reads are
    three queries whatever the number of applications; the outbox writes one row per email."""
    from notifications.services import notify

    applications = list(_applications_to_tell(call, pks))
    if not applications:
        return 0
    city_page = {}
    for application in applications:
        if application.city_id not in city_page:
            city_page[application.city_id] = site_url(
                reverse("city_detail", args=[application.city_id])
            )
        context = {
            "call": call,
            "application": application,
            "city": application.city,
            "visit": application.allocated_visit,
            "position": application.waitlist_position,
            "city_url": city_page[application.city_id],
        }
        for membership in application.city.memberships.all():
            officer = membership.user
            if not officer.is_active:
                continue
            notify(
                recipient=officer,
                template=f"visit_decision_{application.decision}",
                context={**context, "person": officer},
                key=f"visit-decision:{application.pk}:{application.decision}:{officer.pk}",
            )
    Application.objects.filter(pk__in=[a.pk for a in applications]).update(
        decision_notified_at=timezone.now()
    )
    return len(applications)


def application_withdrawal_reallocate(*, application: Application) -> Application | None:
    """React to the withdrawal of `application` (the module docstring): before publishing run
    the allocation again; after, give a selected city's freed place to the first city on the
    waitlist that asked for that visit, and tell it. Returns the promoted application, if any.

    Called by the receiver of visits.signals.application_withdrawn inside the withdrawing
    service's transaction (who may withdraw is that service's question)."""
    with transaction.atomic():
        call = _locked_call(application.call)
        withdrawn = Application.objects.select_for_update().get(pk=application.pk)
        if call.status != CallStatus.PUBLISHED:
            allocate(call)
            return None
        freed_visit_id = (
            withdrawn.allocated_visit_id if withdrawn.decision == Decision.SELECTED else None
        )
        # The published decision stays on record; the place and the position are given up.
        if withdrawn.allocated_visit_id or withdrawn.waitlist_position:
            withdrawn.allocated_visit = None
            withdrawn.waitlist_position = None
            withdrawn.save(update_fields=["allocated_visit", "waitlist_position", "updated_at"])
        # The city's page no longer shows the decision of a withdrawn application.
        bump(DECISIONS)
        promoted = None
        if freed_visit_id is not None:
            promoted = (
                Application.objects.select_for_update()
                .filter(
                    call=call,
                    status=ApplicationStatus.SUBMITTED,
                    decision=Decision.WAITLISTED,
                    preferences__visit_id=freed_visit_id,
                )
                .order_by("waitlist_position", "rank", "pk")
                .first()
            )
        if promoted is not None:
            promoted.decision = Decision.SELECTED
            promoted.allocated_visit_id = freed_visit_id
            promoted.waitlist_position = None
            promoted.decision_notified_at = None
            promoted.save(
                update_fields=[
                    "decision",
                    "allocated_visit",
                    "waitlist_position",
                    "decision_notified_at",
                    "updated_at",
                ]
            )
            bump(DECISIONS)
            decisions_notify(call=call, pks=[promoted.pk])
        waitlist_renumber(call)
    return promoted


def decisions_of_city(*, city, user) -> list[Application]:
    """The published decisions of `city`'s applications (not withdrawn), newest call first, for
    the city's officers and admins (nobody else: an empty list); one query."""
    from accounts.rules import is_programme_admin

    applications = Application.objects.filter(
        city=city, call__status=CallStatus.PUBLISHED, status=ApplicationStatus.SUBMITTED
    ).exclude(decision="")
    if not is_programme_admin(user):
        applications = applications.filter(city__memberships__user=user)
    return list(
        applications.select_related("call", "allocated_visit__host_city").order_by(
            "-call__published_at", "pk"
        )
    )
