from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Feedback surveys")

    def ready(self):
        # The surveys' data version for the home page's cached list (answering).
        from feedback import versions

        versions.connect()
