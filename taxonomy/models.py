"""The programme's taxonomies (DOMAIN.md, "Taxonomies"), loaded by a data migration."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.text import PARAGRAPH_MAX


class Taxon(models.Model):
    """A named entry of a fixed list, with a stable slug for code and a position for display."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), max_length=PARAGRAPH_MAX, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class ThematicSector(Taxon):
    """A climate sector around which thematic groups run (000 §1.2)."""

    offered_only = models.BooleanField(
        _("offered only"),
        default=False,
        help_text=_("Offered in the survey but no group ran on it (Industry in cohort 1)."),
    )

    class Meta(Taxon.Meta):
        verbose_name = _("thematic sector")
        verbose_name_plural = _("thematic sectors")


class EnablingFactor(Taxon):
    """A lever of change, scored 1-5 in Phase 2.2 of the Reflection Roadmap (000 Figure 4)."""

    class Meta(Taxon.Meta):
        verbose_name = _("enabling factor")
        verbose_name_plural = _("enabling factors")


class EnablingTheme(Taxon):
    """One of the five themes of city needs of the needs assessment (004)."""

    class Meta(Taxon.Meta):
        verbose_name = _("enabling theme")
        verbose_name_plural = _("enabling themes")
