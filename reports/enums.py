from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportFileStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    BUILDING = "building", _("Being built")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
    # The file was deleted from storage after REPORT_EXPORTS_KEEP_DAYS; the row stays listed.
    EXPIRED = "expired", _("Expired")


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Excel workbook (XLSX)")


class ExportFailure(models.TextChoices):
    """Why an export failed, in words for the person who asked (the details are in `error`)."""

    BUILD_ERROR = "build_error", _("An error stopped the build.")
    WORKER_STOPPED = "worker_stopped", _("The background worker stopped while building it.")
    # The minutes are reports.exports.BUILDS.give_up_after.
    NOT_STARTED = "not_started", _("No background worker started it within 30 minutes.")
    # Read again with the person's rights when it is built (reports/exports.py).
    NOT_ALLOWED = "not_allowed", _("You may no longer export the programme's data.")
    FILTERS_REFUSED = "filters_refused", _("The filters chosen no longer apply to you.")
    DATASET_GONE = "dataset_gone", _("This data set is no longer offered.")
