from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoadmapsConfig(AppConfig):
    name = "roadmaps"
    verbose_name = _("Reflection Roadmaps")

    def ready(self):
        from roadmaps import receivers, scopes  # noqa: F401  (connects the receivers)

        scopes.connect()
