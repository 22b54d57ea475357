from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sessions.enums import SessionKind


class Session(models.Model):
    """An online session of a cohort: onboarding, thematic discussion, technical support, recap."""

    cohort = models.ForeignKey(
        "cohorts.Cohort",
        on_delete=models.CASCADE,
        related_name="sessions",
        verbose_name=_("cohort"),
    )
    phase = models.ForeignKey(
        "cohorts.Phase",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("phase"),
    )
    thematic_group = models.ForeignKey(
        "cohorts.ThematicGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("thematic group"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SessionKind.choices)
    title = models.CharField(_("title"), max_length=250)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    meeting_url = models.URLField(_("online meeting link"), blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="facilitated_sessions",
        verbose_name=_("facilitators"),
    )
    # The headcount a past session reported (000 Tables 4 and 5). Sessions run in the portal
    # derive their counts from attendance records instead; this is never typed for them.
    reported_participants = models.PositiveIntegerField(
        _("reported participants"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
            )
        ]
        indexes = [models.Index(fields=["cohort", "starts_at"])]

    def __str__(self):
        return self.title


class SessionPresentation(models.Model):
    """A Mission City presenting in a session."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="presentations", verbose_name=_("session")
    )
    city = models.ForeignKey(
        "cities.City",
        on_delete=models.PROTECT,
        related_name="presentations",
        verbose_name=_("presenting city"),
    )
    topics = models.CharField(_("topics"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("presentation")
        verbose_name_plural = _("presentations")
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "city"], name="presentation_unique_city_per_session"
            )
        ]

    def __str__(self):
        return f"{self.city} in {self.session}"
