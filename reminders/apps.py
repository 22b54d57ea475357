from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = _("Reminders")

    def ready(self):
        from notifications.services import (
            reminder_extras_register,
            renderer_register,
            suppression_register,
        )
        from reminders import receivers  # noqa: F401  (connects the receivers)
        from reminders.catalogue import RULES, load_rules
        from reminders.planning import reminder_extras, render
        from reminders.rules_feedback import written_now_suppressed

        load_rules()
        # Each rule's rows are rendered when they are sent (notifications.services).
        for kind in RULES:
            renderer_register(kind, render)
        # Reminders written by hand (feedback's "send reminder") honour the same choices and
        # limits, and carry the same unsubscribe link.
        suppression_register(written_now_suppressed)
        reminder_extras_register(reminder_extras)
