from django.db import models
from django.utils.translation import gettext_lazy as _


class SessionKind(models.TextChoices):
    ONBOARDING = "onboarding", _("Onboarding")
    THEMATIC_DISCUSSION = "thematic", _("Thematic discussion")
    TECHNICAL_SUPPORT = "technical", _("Technical support")
    RECAP = "recap", _("Recap")
