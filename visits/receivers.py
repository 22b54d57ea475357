"""How Group Study Visits react to signals (their own parts' and lower apps') and answer lower
apps' hooks (ARCHITECTURE.md); each receiver calls one service."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from portal.fragments import bump
from roadmaps import signals as roadmap_signals
from visits import applying
from visits.models import Application, Call


@receiver(roadmap_signals.roadmap_visit_calls, dispatch_uid="visits.roadmap_visit_calls")
def roadmap_visit_calls(sender, roadmap, user, **kwargs):
    # The roadmap's Phase 4: the open calls the city may apply to (visits/applying.py).
    return applying.roadmap_visit_links(roadmap=roadmap, user=user)


# The officer's home page lists the open calls with their city's application
# (applying.OPEN_CALLS): raised by a call's save, its cohorts' change, and an application's
# creation, status change or deletion; not by a draft's save (every autosave would renew every
# officer's home page).
@receiver(post_save, sender=Call, dispatch_uid="visits.open_calls_call_saved")
@receiver(post_delete, sender=Call, dispatch_uid="visits.open_calls_call_deleted")
@receiver(post_delete, sender=Application, dispatch_uid="visits.open_calls_application_deleted")
def open_calls_changed(sender, raw=False, **kwargs):
    if not raw:
        bump(applying.OPEN_CALLS)


@receiver(post_save, sender=Application, dispatch_uid="visits.open_calls_application_saved")
def open_calls_application_saved(sender, created, update_fields=None, raw=False, **kwargs):
    if raw:
        return
    if created or update_fields is None or "status" in update_fields:
        bump(applying.OPEN_CALLS)


@receiver(
    m2m_changed, sender=Call.eligible_cohorts.through, dispatch_uid="visits.open_calls_cohorts"
)
def open_calls_cohorts_changed(sender, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        bump(applying.OPEN_CALLS)
