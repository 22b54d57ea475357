"""Reports have no data of their own: they read the apps below. What they keep is the export
files people ask for, built in the background (reports/exports.py)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.enums import ExportFailure, ExportFileStatus, ExportFormat


class ExportFile(models.Model):
    """A data set as CSV or XLSX with a person's filters, built by a Celery task, kept in the
    storage until `expires_at` and then deleted (the row stays, expired)."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="report_exports",
        verbose_name=_("requested by"),
    )
    dataset_key = models.CharField(_("data set"), max_length=60)
    format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    # ReportFilterForm's query data ({"cohort": ["3", "4"], ...}): read again with the
    # person's rights of the moment when the file is built.
    query = models.JSONField(_("filters"), default=dict, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ExportFileStatus.choices,
        default=ExportFileStatus.WAITING,
    )
    rows_written = models.PositiveBigIntegerField(_("rows written"), default=0)
    # Known when the data set can count its rows before writing them; else only at the end.
    rows_expected = models.PositiveBigIntegerField(_("rows expected"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="report-exports/", max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    failure = models.CharField(
        _("why it failed"), max_length=20, choices=ExportFailure.choices, blank=True
    )
    error = models.TextField(_("error"), blank=True)  # the details, for an admin
    # Builds started: bounded, so an export that kills its worker each time ends failed.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("started at"), null=True, blank=True)
    progressed_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export file")
        verbose_name_plural = _("export files")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="report_export_person"),
            models.Index(fields=["status", "expires_at"], name="report_export_status"),
        ]

    def __str__(self):
        return f"{self.dataset_key}.{self.format} · {self.status}"

    @property
    def in_progress(self) -> bool:
        return self.status in (ExportFileStatus.WAITING, ExportFileStatus.BUILDING)
