"""The Reflection Roadmap (000 §2.2, Figure 4).

A roadmap's content is a set of named fields (`RoadmapValue`, one row per field key of
roadmaps/template.py). Storing fields as rows rather than columns gives each field its own
version - two officers editing different fields never conflict, and two editing the same field
are detected by the version - and lets one history table (`RoadmapChange`) record every change.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.text import LONG_TEXT_MAX, PARAGRAPH_MAX
from roadmaps.enums import NOT_STARTED_LABEL, ExportFailure, ExportStatus, RoadmapStatus


class NetZeroCitiesService(models.Model):
    """A NetZeroCities service a city can pick for its journey (Phase 3), kept by admins."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), max_length=PARAGRAPH_MAX, blank=True)
    url = models.URLField(_("link"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("NetZeroCities service")
        verbose_name_plural = _("NetZeroCities services")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class Roadmap(models.Model):
    """One city's Reflection Roadmap in one cohort, opened when the city is enrolled."""

    cohort = models.ForeignKey(
        "cohorts.Cohort",
        on_delete=models.CASCADE,
        related_name="roadmaps",
        verbose_name=_("cohort"),
    )
    city = models.ForeignKey(
        "cities.City", on_delete=models.CASCADE, related_name="roadmaps", verbose_name=_("city")
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RoadmapStatus.choices,
        default=RoadmapStatus.DRAFT,
        db_index=True,
    )
    # Share of the required fields filled in, kept up to date by the services so that the
    # cohort overview can sort and show it without loading every field of every roadmap.
    percent_complete = models.PositiveSmallIntegerField(_("% complete"), default=0)
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    updated_at = models.DateTimeField(_("last change"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Reflection Roadmap")
        verbose_name_plural = _("Reflection Roadmaps")
        ordering = ["cohort", "city__name"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "city"], name="roadmap_once_per_city_cohort")
        ]

    def __str__(self):
        return f"{self.city} · {self.cohort}"

    @property
    def is_not_started(self) -> bool:
        """A draft none of whose required fields is filled (roadmaps.enums.RoadmapStatus)."""
        return self.status == RoadmapStatus.DRAFT and self.percent_complete == 0

    def get_status_display(self) -> str:
        """The status in the one vocabulary every page shows (RoadmapStatus's Decision):
        Django's own display, with "Not started" for a draft with nothing required filled."""
        if self.is_not_started:
            return str(NOT_STARTED_LABEL)
        return str(RoadmapStatus(self.status).label)


class RoadmapValue(models.Model):
    """The current value of one field of a roadmap, with its version for conflict detection."""

    roadmap = models.ForeignKey(
        Roadmap, on_delete=models.CASCADE, related_name="values", verbose_name=_("roadmap")
    )
    key = models.CharField(_("field"), max_length=80)
    # roadmaps.services caps each kind of field; LONG_TEXT_MAX is the largest of those caps.
    value = models.TextField(_("value"), max_length=LONG_TEXT_MAX, blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )
    updated_at = models.DateTimeField(_("last changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("roadmap field")
        verbose_name_plural = _("roadmap fields")
        ordering = ["roadmap", "key"]
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "key"], name="roadmap_value_once_per_key")
        ]

    def __str__(self):
        return f"{self.roadmap} · {self.key} v{self.version}"


class RoadmapChange(models.Model):
    """One saved change of one field: who, when, old and new value (the roadmap's history)."""

    roadmap = models.ForeignKey(
        Roadmap, on_delete=models.CASCADE, related_name="changes", verbose_name=_("roadmap")
    )
    key = models.CharField(_("field"), max_length=80)
    old_value = models.TextField(_("old value"), max_length=LONG_TEXT_MAX, blank=True)
    new_value = models.TextField(_("new value"), max_length=LONG_TEXT_MAX, blank=True)
    version = models.PositiveIntegerField(_("version"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="roadmap_changes",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("roadmap change")
        verbose_name_plural = _("roadmap changes")
        ordering = ["roadmap", "-changed_at", "-pk"]
        indexes = [models.Index(fields=["roadmap", "key", "version"])]

    def __str__(self):
        return f"{self.roadmap} · {self.key} v{self.version}"


class RoadmapComment(models.Model):
    """A facilitator's comment on one section of a roadmap, shown next to that section."""

    roadmap = models.ForeignKey(
        Roadmap, on_delete=models.CASCADE, related_name="comments", verbose_name=_("roadmap")
    )
    section = models.CharField(_("section"), max_length=40)
    body = models.TextField(_("comment"), max_length=LONG_TEXT_MAX)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="roadmap_comments",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("roadmap comment")
        verbose_name_plural = _("roadmap comments")
        ordering = ["roadmap", "section", "created_at", "pk"]

    def __str__(self):
        return f"{self.roadmap} · {self.section}"


class RoadmapTransition(models.Model):
    """A change of status (submitted, returned, accepted), kept as the review record."""

    roadmap = models.ForeignKey(
        Roadmap, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("roadmap")
    )
    from_status = models.CharField(
        _("previous status"), max_length=10, choices=RoadmapStatus.choices
    )
    to_status = models.CharField(_("new status"), max_length=10, choices=RoadmapStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="roadmap_transitions",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), max_length=LONG_TEXT_MAX, blank=True)

    class Meta:
        verbose_name = _("roadmap status change")
        verbose_name_plural = _("roadmap status changes")
        ordering = ["roadmap", "at", "pk"]

    def __str__(self):
        return f"{self.roadmap}: {self.from_status} → {self.to_status}"


class RoadmapExport(models.Model):
    """A ZIP of a cohort's roadmaps as PDF, built in the background by a Celery task."""

    cohort = models.ForeignKey(
        "cohorts.Cohort",
        on_delete=models.CASCADE,
        related_name="roadmap_exports",
        verbose_name=_("cohort"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="roadmap_exports",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    done = models.PositiveIntegerField(_("roadmaps done"), default=0)
    total = models.PositiveIntegerField(_("roadmaps in all"), default=0)
    file = models.FileField(_("file"), upload_to="roadmap-exports/", blank=True)
    error = models.TextField(_("error"), blank=True)
    failure = models.CharField(
        _("why it failed"), max_length=20, choices=ExportFailure.choices, blank=True
    )
    # Builds started (claimed by a worker): bounded, so a cohort that kills its worker every
    # time (out of memory, say) fails for a person to look at instead of looping.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    # When the build now awaited was queued (at the request, a restart or a sweep).
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("started at"), null=True, blank=True)
    # Moved with each PDF added: a running build with no progress for a while lost its worker.
    progressed_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("roadmap export")
        verbose_name_plural = _("roadmap exports")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.cohort} · {self.created_at:%Y-%m-%d %H:%M} · {self.status}"
