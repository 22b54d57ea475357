from django.db import models
from django.utils.translation import gettext_lazy as _


class Programme(models.TextChoices):
    ONLINE_DISCUSSION_GROUPS = "odg", _("Online Discussion Groups")
    TWINNING = "twinning", _("Twinning")
    PILOT_CITY_SENSEMAKING = "pilot_sensemaking", _("Pilot City sensemaking")


class PhaseKind(models.TextChoices):
    """The default phases of a cohort of Online Discussion Groups (000 §3)."""

    ONBOARDING = "onboarding", _("Onboarding")
    THEMATIC_DISCUSSIONS = "thematic", _("Thematic online discussions")
    TECHNICAL_SUPPORT = "technical", _("Technical support")
    STUDY_VISIT_PREPARATION = "study_visit", _("Group Study Visit preparation")


class EnrolmentStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Enrolled")
    DECLINED = "declined", _("Declined")
