from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Feedback surveys")

    def ready(self):
        # The results page's cached part is keyed by each survey's data version (feedback.results).
        from feedback import results

        results.connect()
