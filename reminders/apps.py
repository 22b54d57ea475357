from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = _("Reminders")

    def ready(self):
        from notifications.services import renderer_register
        from reminders import receivers  # noqa: F401  (connects the receivers)
        from reminders.catalogue import RULES, load_rules
        from reminders.planning import render

        load_rules()
        # Each rule's rows are rendered when they are sent (notifications.services).
        for kind in RULES:
            renderer_register(kind, render)
