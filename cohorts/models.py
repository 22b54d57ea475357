from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cohorts.enums import PhaseKind, Programme


class Cohort(models.Model):
    """One run of a programme, e.g. Online Discussion Groups cohort 1 (Sep 2024 - Feb 2025)."""

    programme = models.CharField(_("programme"), max_length=30, choices=Programme.choices)
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="facilitated_cohorts",
        verbose_name=_("lead facilitators"),
    )

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-starts_on", "programme", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"], name="cohort_unique_number_per_programme"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="cohort_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.name


class Phase(models.Model):
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="phases", verbose_name=_("cohort")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PhaseKind.choices)
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["cohort", "position", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "kind"], name="phase_unique_kind_per_cohort"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="phase_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.cohort} · {self.name}"


class ThematicGroup(models.Model):
    """A thematic group of a cohort, with its facilitators (000 Table 2)."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="thematic_groups", verbose_name=_("cohort")
    )
    sector = models.ForeignKey(
        "taxonomy.ThematicSector",
        on_delete=models.PROTECT,
        related_name="thematic_groups",
        verbose_name=_("thematic sector"),
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="facilitated_groups",
        verbose_name=_("facilitators"),
    )

    class Meta:
        verbose_name = _("thematic group")
        verbose_name_plural = _("thematic groups")
        ordering = ["cohort", "sector__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "sector"], name="thematic_group_unique_sector_per_cohort"
            )
        ]

    def __str__(self):
        return f"{self.cohort} · {self.sector}"
