"""How Group Study Visits react to signals (their own parts' and lower apps') and answer lower
apps' hooks (ARCHITECTURE.md); each receiver calls one service."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils.functional import SimpleLazyObject

from accounts.models import User
from accounts.rules import is_programme_admin
from cities import signals as city_signals
from portal.fragments import bump, bump_on_change
from roadmaps import signals as roadmap_signals
from sessions.caching import VISIBILITY
from visits import applying, reviewing, scoring, signals, standings
from visits.allocation import DECISIONS
from visits.enums import CallStatus
from visits.models import Application, Call
from visits.versions import OPEN_CALLS

# A published call's title shows in the city profile's part; saves of calls still open raise
# nothing (their decisions are shown nowhere yet), so they cost no write.
bump_on_change(Call, lambda call: [DECISIONS] if call.status == CallStatus.PUBLISHED else [])


@receiver(signals.application_withdrawn, dispatch_uid="visits.withdrawal_reallocates")
def withdrawal_reallocates(sender, application, **kwargs):
    # A withdrawn city's place goes to the next city on the waitlist (after publishing), or
    # the allocation runs again (before): visits/decisions.py says which.
    from visits.decisions import application_withdrawal_reallocate

    application_withdrawal_reallocate(application=application)


@receiver(city_signals.city_profile, dispatch_uid="visits.city_profile_decisions")
def city_profile_decisions(sender, city, user, **kwargs):
    # The "Group Study Visits" part of the city profile: the published decisions of the city's
    # applications (the call, the decision, the visit and its dates), for the city's officers
    # and admins only (one query, read when the part is drawn afresh). Who is an officer of the
    # city is among the facts VISIBILITY versions; the part is kept per person (as the
    # sessions part already is, so no page is split further).
    from visits.decisions import decisions_of_city

    person = "admin" if is_programme_admin(user) else f"person:{user.pk}"
    return city_signals.ProfilePart(
        context={
            "visit_decisions": SimpleLazyObject(lambda: decisions_of_city(city=city, user=user))
        },
        scopes=(DECISIONS, VISIBILITY),
        key=f"visits:{person}",
    )


@receiver(roadmap_signals.roadmap_visit_calls, dispatch_uid="visits.roadmap_visit_calls")
def roadmap_visit_calls(sender, roadmap, user, **kwargs):
    # The roadmap's Phase 4: the open calls the city may apply to (visits/applying.py).
    return applying.roadmap_visit_links(roadmap=roadmap, user=user)


# The officer's home page lists the open calls with their city's application
# (OPEN_CALLS): raised by a call's save, its cohorts' change, and an application's
# creation, status change or deletion; not by a draft's save (every autosave would renew every
# officer's home page).
# The admins' ranking and allocation pages of a call (visits/standings.py): raised by an
# application's creation, deletion, and a save that changes what they show (not a draft's
# autosave either). Both in one statement: a submission or a withdrawal writes one bump.
@receiver(post_save, sender=Call, dispatch_uid="visits.open_calls_call_saved")
@receiver(post_delete, sender=Call, dispatch_uid="visits.open_calls_call_deleted")
def open_calls_changed(sender, raw=False, **kwargs):
    if not raw:
        bump(OPEN_CALLS)


@receiver(post_delete, sender=Application, dispatch_uid="visits.open_calls_application_deleted")
def application_deleted(sender, instance, **kwargs):
    bump(OPEN_CALLS, standings.applications_scope(instance.call_id))


@receiver(post_save, sender=Application, dispatch_uid="visits.open_calls_application_saved")
def application_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw:
        return
    changed = None if created or update_fields is None else set(update_fields)
    scopes = []
    if changed is None or "status" in changed:
        scopes.append(OPEN_CALLS)
    if changed is None or changed & standings.SHOWN_FIELDS:
        scopes.append(standings.applications_scope(instance.call_id))
    if scopes:
        bump(*scopes)


@receiver(
    m2m_changed, sender=Call.eligible_cohorts.through, dispatch_uid="visits.open_calls_cohorts"
)
def open_calls_cohorts_changed(sender, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        bump(OPEN_CALLS)


@receiver(signals.review_changed, dispatch_uid="visits.score_application_on_review")
def score_application_on_review(sender, review, **kwargs):
    """A review was submitted, changed or recused: that application's lines change."""
    scoring.application_scoring_queue(application_id=review.application_id)


@receiver(signals.criteria_changed, dispatch_uid="visits.score_call_on_criteria")
def score_call_on_criteria(sender, call, **kwargs):
    """A criterion was added, edited, reweighted or removed: every application's lines change."""
    scoring.call_scoring_queue(call_id=call.pk)


# The assignment page (visits.views_reviewing.call_reviewers) is kept under
# reviewing.REVIEWERS: its menu lists the active reviewers by name and its table names each
# review's reviewer. A new person is in the menu only when made a reviewer; a later save is
# counted only when it writes a field the page shows (signing in writes `last_login` only).
@receiver(post_save, sender=User, dispatch_uid="visits.reviewers_person_saved")
def reviewers_person_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw:
        return
    if created:
        if instance.is_reviewer:
            bump(reviewing.REVIEWERS)
    elif update_fields is None or reviewing.REVIEWER_FIELDS & set(update_fields):
        bump(reviewing.REVIEWERS)


@receiver(post_delete, sender=User, dispatch_uid="visits.reviewers_person_deleted")
def reviewers_person_deleted(sender, instance, **kwargs):
    bump(reviewing.REVIEWERS)
