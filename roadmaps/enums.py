from django.db import models
from django.utils.translation import gettext_lazy as _


class RoadmapStatus(models.TextChoices):
    """Where a roadmap stands. "Completed" in the programme's words means ACCEPTED.

    Decision (issue 10): one vocabulary for everyone, on every page, the overview, the API's
    `status_label` and the emails: Not started, Draft, Submitted, Returned, Completed. "Not
    started" is a draft none of whose required fields is filled (0% complete), so every page
    tells it without a query (`Roadmap.get_status_display`).
    """

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Completed")


NOT_STARTED_LABEL = _("Not started")


class Desirability(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Being built")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class ExportFailure(models.TextChoices):
    """Why an export failed, in words for the facilitator (the technical error is kept apart)."""

    BUILD_ERROR = "build_error", _("An error stopped the build.")
    WORKER_STOPPED = "worker_stopped", _("The background worker stopped while building it.")
    # Still queued, perhaps only behind other work: say what is known, not that it was lost.
    # The minutes are roadmaps.exports.GIVE_UP_AFTER.
    NOT_STARTED = "not_started", _("No background worker started it within 30 minutes.")


# The states in which a roadmap changes (its fields are saved, it is submitted): a draft, or
# returned to the city. Submitted and accepted roadmaps change for nobody (roadmaps.rules).
OPEN_STATUSES = (RoadmapStatus.DRAFT, RoadmapStatus.RETURNED)
