from django.db import models
from django.utils.translation import gettext_lazy as _


class DataVersion(models.Model):
    """A counter per kind of data, raised whenever that data changes (portal.fragments.bump).

    Cached page fragments are keyed by the counters of what they show, so a change makes the
    next request render afresh and the stale copy is never read again. The counters live in the
    database, not in the cache, so every web and worker process sees the same ones even when the
    cache is local to each process (LocMemCache without Redis).
    """

    scope = models.CharField(_("scope"), max_length=150, primary_key=True)
    version = models.BigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self):
        return f"{self.scope} {self.version}"
