from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The four roles of the portal. A person can hold several."""

    CITY_OFFICER = "city_officer", _("City officer")
    FACILITATOR = "facilitator", _("Facilitator")
    REVIEWER = "reviewer", _("Reviewer")
    PROGRAMME_ADMIN = "programme_admin", _("Programme admin")
