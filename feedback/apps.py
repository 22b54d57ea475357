from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Feedback surveys")

    def ready(self):
        from feedback import live, receivers, results, versions  # noqa: F401  (receivers connect)

        # The surveys' data version for the home page's cached list and each survey's
        # structure (answering), and each survey's results version for the results page.
        versions.connect()
        results.connect()
        # What live mode's polled fragments show (feedback/live.py).
        live.connect()
