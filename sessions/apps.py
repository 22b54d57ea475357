from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeerSessionsConfig(AppConfig):
    """Thematic and technical sessions of a cohort.

    The folder is `sessions`, but the label is `peer_sessions`: `django.contrib.sessions` already
    owns the label `sessions`, and two apps with one label cannot be installed together (Wagtail
    relabels its `sites` app the same way). Migrations and permissions use this label.
    """

    name = "sessions"
    label = "peer_sessions"
    verbose_name = _("Sessions")

    def ready(self):
        from sessions import caching, receivers  # noqa: F401  (connects the receivers)

        caching.connect()
