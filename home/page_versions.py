"""The cohort scopes (cohorts/versions.py) raised by the apps above cohorts.

A cohort's page shows each city's registrations, attendance and Reflection Roadmap status, and
the home pages list sessions: a change to those rows raises `cohort:<id>` (and, where a list
shows it, `cohorts`). cohorts may not import sessions or roadmaps, so the receivers are
connected here, from the top layer (HomeConfig.ready), where every app is in sight; the apps'
own code is unchanged, except sessions.services.attendance_record, which writes attendance
with `QuerySet.update` (no signal) and raises the versions itself.

The reviewer's home section (Group Study Visits) is keyed by visits.reviewing.REVIEWS, raised
here on every change of a review, a score, a call, a criterion and what the review page shows
(anchors, applications, preferences, delegates, visits), and by visits.reviewing's bulk writes
itself.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from cohorts.versions import COHORTS, cohort_scopes
from portal.fragments import bump, bump_on_change
from roadmaps.models import Roadmap
from sessions.models import Registration, Session
from visits.models import (
    Anchor,
    Application,
    Call,
    Criterion,
    Delegate,
    Preference,
    Review,
    Score,
    Visit,
)
from visits.reviewing import REVIEWS

# A roadmap save that changes none of these changes nothing the lists show (an autosave
# changes the percentage, which only the cohort's own page shows, keyed by the roadmaps' last
# change instead).
ROADMAP_LIST_FIELDS = frozenset({"status"})


def _registration_scopes(registration: Registration) -> list[str]:
    session = registration._state.fields_cache.get("session")
    if session is not None:
        return cohort_scopes(session.cohort_id)
    cohort_ids = Session.objects.filter(pk=registration.session_id).values_list("cohort", flat=True)
    return cohort_scopes(*cohort_ids)


def _on_roadmap_saved(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw:
        return
    # An autosave (its share complete and last change only) raises nothing: the cohort page's
    # key names the roadmaps' last change (roadmaps.receivers.cohort_page_roadmaps_state), and
    # the lists show the status only.
    if update_fields is None or ROADMAP_LIST_FIELDS & set(update_fields):
        bump(*cohort_scopes(instance.cohort_id))


def _on_roadmap_deleted(sender, instance, **kwargs):
    bump(*cohort_scopes(instance.cohort_id))


def _on_session_facilitators_changed(sender, instance, action, reverse, pk_set, **kwargs):
    # Who runs a session decides whose home page lists it.
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        bump(*cohort_scopes(instance.cohort_id))
    else:
        # From the person's side (`user.facilitated_sessions.clear()`): which sessions is not
        # known after a clear, so every list is renewed.
        bump(COHORTS)


def _reviews_scope(instance) -> list[str]:
    return [REVIEWS]


def connect() -> None:
    # The reviewer's list on the home page (visits.reviewing.reviews_of_reviewer): a review, its
    # scores, its call (title, deadline) and the call's criteria (how many to score); and the
    # review page (visits.views_reviewing): the criteria's anchors, the application, its
    # preferences, delegates and visits.
    for model in (Review, Score, Call, Criterion, Anchor, Application, Preference, Delegate, Visit):
        bump_on_change(model, _reviews_scope)
    bump_on_change(Session, lambda session: cohort_scopes(session.cohort_id))
    bump_on_change(Registration, _registration_scopes)
    post_save.connect(_on_roadmap_saved, sender=Roadmap, dispatch_uid="home.versions.roadmap")
    post_delete.connect(
        _on_roadmap_deleted, sender=Roadmap, dispatch_uid="home.versions.roadmap_deleted"
    )
    m2m_changed.connect(
        _on_session_facilitators_changed,
        sender=Session.facilitators.through,
        dispatch_uid="home.versions.session_facilitators",
    )
