from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitiesConfig(AppConfig):
    name = "cities"
    verbose_name = _("Cities")

    def ready(self):
        from cities import scopes

        # Cached pages and API lists of cities are keyed by these versions.
        scopes.connect()
