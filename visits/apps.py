from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Group Study Visits")

    def ready(self):
        from visits import calls, receivers, versions  # noqa: F401  (connects the receivers)

        calls.connect_scopes()
        versions.connect()
