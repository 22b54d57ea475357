"""How reminders follow changes in the apps below: the planned rows that no longer apply are
cancelled in the changing transaction, so the outbox shows it at once; the next evaluation of
the rules (every minute) plans the new ones."""

from django.dispatch import receiver

from notifications.enums import ReminderKind
from notifications.services import emails_cancel_planned
from reminders.catalogue import occurrence_at
from roadmaps import signals as roadmap_signals
from sessions import signals as session_signals
from visits import signals as visit_signals


@receiver(session_signals.session_rescheduled, dispatch_uid="reminders.session_rescheduled")
def cancel_reminders_of_old_time(sender, session, **kwargs):
    # The reminders for the session's start as it is now stay (only its end moved, or it was
    # moved back): their keys end with that moment (reminders.catalogue.occurrence_at).
    emails_cancel_planned(
        kinds=[ReminderKind.SESSION_STARTS],
        topic=f"session:{session.pk}",
        reason="The session was moved.",
        keep_key_suffix=occurrence_at(0, session.starts_at).removeprefix("0m"),
    )


@receiver(session_signals.session_cancelled, dispatch_uid="reminders.session_cancelled")
def cancel_reminders_of_cancelled_session(sender, session, **kwargs):
    emails_cancel_planned(
        kinds=[ReminderKind.SESSION_STARTS],
        topic=f"session:{session.pk}",
        reason="The session was cancelled.",
    )


@receiver(roadmap_signals.roadmap_submitted, dispatch_uid="reminders.roadmap_submitted")
def cancel_reminders_to_submit(sender, roadmap, **kwargs):
    emails_cancel_planned(
        kinds=[ReminderKind.PHASE_CLOSES, ReminderKind.ROADMAP_RETURNED],
        topic=f"roadmap:{roadmap.pk}",
        reason="The roadmap was submitted.",
    )


@receiver(visit_signals.application_submitted, dispatch_uid="reminders.application_submitted")
def cancel_call_reminders_of_submitted(sender, application, **kwargs):
    emails_cancel_planned(
        kinds=[ReminderKind.CALL_CLOSES],
        topic=f"call:{application.call_id}:city:{application.city_id}",
        reason="The city has submitted its application.",
    )


@receiver(visit_signals.application_withdrawn, dispatch_uid="reminders.application_withdrawn")
def cancel_call_reminders_of_withdrawn(sender, application, **kwargs):
    emails_cancel_planned(
        kinds=[ReminderKind.CALL_CLOSES],
        topic=f"call:{application.call_id}:city:{application.city_id}",
        reason="The city withdrew its application.",
    )
