"""A session's times as messages write them, in the current time zone: notifications.notify
activates the recipient's, so each person reads the times of their own zone."""

from django import template
from django.utils import timezone

from sessions.services import session_slot_label

register = template.Library()


@register.filter
def slot_in_current_zone(session) -> str:
    """ "4 December 2024, 10:00-11:30" (an en dash) in the active time zone, not the
    session's own."""
    return session_slot_label(session, zone=timezone.get_current_timezone())
