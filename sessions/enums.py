from django.db import models
from django.utils.translation import gettext_lazy as _


class SessionKind(models.TextChoices):
    ONBOARDING = "onboarding", _("Onboarding")
    THEMATIC_DISCUSSION = "thematic", _("Thematic discussion")
    TECHNICAL_SUPPORT = "technical", _("Technical support")
    RECAP = "recap", _("Recap")


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class Attendance(models.TextChoices):
    """What a facilitator recorded for a registered person after the session."""

    UNKNOWN = "", _("Not recorded")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("No-show")
