import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.text import LONG_TEXT_MAX
from sessions.enums import Attendance, SessionKind, SessionStatus


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
    # The zone the facilitator scheduled in; times are stored in UTC and shown in this zone.
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Brussels")
    status = models.CharField(
        _("status"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    meeting_url = models.URLField(_("online meeting link"), blank=True)
    agenda = models.TextField(_("agenda"), max_length=LONG_TEXT_MAX, blank=True)
    guiding_questions = models.TextField(
        _("guiding questions"), max_length=LONG_TEXT_MAX, blank=True
    )
    summary = models.TextField(_("summary"), max_length=LONG_TEXT_MAX, blank=True)
    key_takeaways = models.TextField(_("key takeaways"), max_length=LONG_TEXT_MAX, blank=True)
    # Sub-topics cities asked for after the session; they feed the technical sessions (000 §3.3).
    requested_subtopics = models.TextField(
        _("sub-topics cities asked for"), max_length=LONG_TEXT_MAX, blank=True
    )
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
    # Raised by sessions.services each time a change reaches people's calendars (new times,
    # title or meeting link; cancellation). It is the .ics SEQUENCE: a calendar that already
    # holds the event replaces it only when the number grows (RFC 5545 §3.8.7.4).
    revision = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    # Who scheduled the session, and who last changed it (its fields, presenting cities or
    # outcome, or cancelled it), through sessions.services. Empty for imported past sessions
    # and once the person's account is deleted.
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
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "pk"]
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
    # At most MAX_CLIMATE_ACTIONS, enforced by sessions.services.
    climate_actions = models.ManyToManyField(
        "cities.ClimateAction",
        blank=True,
        related_name="presentations",
        verbose_name=_("climate actions presented"),
    )

    MAX_CLIMATE_ACTIONS = 3

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


class Registration(models.Model):
    """A person a city registered for a session, or a walk-in recorded afterwards.

    Participant counts and attendance rates are derived from these rows, never typed.
    """

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("session")
    )
    city = models.ForeignKey(
        "cities.City",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="session_registrations",
        verbose_name=_("city"),
    )
    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("email address"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="session_registrations_made",
        verbose_name=_("registered by"),
    )
    is_walk_in = models.BooleanField(
        _("walk-in"), default=False, help_text=_("Attended without registering beforehand.")
    )
    attendance = models.CharField(
        _("attendance"), max_length=10, choices=Attendance.choices, blank=True, default=""
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["session", "full_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "email"], name="registration_once_per_session"
            )
        ]

    def __str__(self):
        return f"{self.full_name} · {self.session}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A person's secret calendar-feed address; resetting the token revokes the old address."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("user"),
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return f"Calendar feed of {self.user}"
