from django.apps import AppConfig
from django.conf import settings


def forget_pages_drawn_by_changed_templates(sender, file_path, **kwargs):
    """In development, a changed template empties the cache: the cached page fragments
    (portal/fragments.py) are keyed by the data they show, so the old markup would stay until
    the data changed. (A release gets keys of its own instead: config/release.py.) Returns None,
    so Django's own receiver still decides whether the server restarts."""
    if file_path.suffix in {".html", ".txt"}:
        from django.core.cache import cache

        cache.clear()


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        if settings.DEBUG:
            from django.utils.autoreload import file_changed

            file_changed.connect(
                forget_pages_drawn_by_changed_templates, dispatch_uid="portal.templates_changed"
            )
