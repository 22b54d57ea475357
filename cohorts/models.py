from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohorts.enums import EnrolmentStatus, PhaseKind, Programme
from portal.text import PARAGRAPH_MAX


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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
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
        ordering = ["cohort", "sector__position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "sector"], name="thematic_group_unique_sector_per_cohort"
            )
        ]

    def __str__(self):
        return f"{self.cohort} · {self.sector}"


class Enrolment(models.Model):
    """A city's place in a cohort: asked for by an officer or made directly by a facilitator."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("cohort")
    )
    city = models.ForeignKey(
        "cities.City", on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("city")
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=EnrolmentStatus.choices,
        default=EnrolmentStatus.REQUESTED,
        db_index=True,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enrolments_requested",
        verbose_name=_("requested by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enrolments_decided",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    thematic_groups = models.ManyToManyField(
        ThematicGroup,
        through="EnrolmentGroup",
        related_name="enrolments",
        verbose_name=_("thematic groups"),
    )

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["cohort", "city__name"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "city"], name="enrolment_once_per_cohort")
        ]

    def __str__(self):
        return f"{self.city} in {self.cohort} ({self.status})"


class EnrolmentGroup(models.Model):
    """A thematic group a city joins, with the city's needs for it (000 Table 1, question 2)."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="groups", verbose_name=_("enrolment")
    )
    thematic_group = models.ForeignKey(
        ThematicGroup,
        on_delete=models.CASCADE,
        related_name="enrolment_groups",
        verbose_name=_("thematic group"),
    )
    needs = models.TextField(
        _("the city's needs for this group"), max_length=PARAGRAPH_MAX, blank=True
    )

    class Meta:
        ordering = ["enrolment", "thematic_group__sector__position", "pk"]
        verbose_name = _("joined thematic group")
        verbose_name_plural = _("joined thematic groups")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "thematic_group"], name="enrolment_group_once"
            )
        ]

    def __str__(self):
        return f"{self.enrolment.city} · {self.thematic_group.sector}"
