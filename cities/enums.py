from django.db import models
from django.utils.translation import gettext_lazy as _


class CityType(models.TextChoices):
    MISSION_CITY = "mission", _("Mission City")
    MISSION_MINDED = "mission_minded", _("Mission-minded city")
    PILOT = "pilot", _("Pilot City")
    TWIN = "twin", _("Twin City")


class ContractStatus(models.TextChoices):
    """Where a Mission City stands with its Climate City Contract."""

    NOT_APPLICABLE = "", _("Not applicable")
    IN_PREPARATION = "in_preparation", _("In preparation")
    SUBMITTED = "submitted", _("Submitted")
    MISSION_LABEL = "mission_label", _("Mission Label awarded")


class ImplementationStage(models.TextChoices):
    """How far a Mission City has taken a climate action (000 Table 3, "the action")."""

    PLANNED = "planned", _("Planned")
    PILOTING = "piloting", _("Piloting")
    IMPLEMENTING = "implementing", _("Being implemented")
    SCALING = "scaling", _("Scaling up")
    COMPLETED = "completed", _("Completed")
