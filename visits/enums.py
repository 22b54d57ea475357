from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CallStatus(models.TextChoices):
    """Where a call stands. Applying is possible while it is OPEN and its window is on; the
    decisions are PUBLISHED once, after which the allocation is read-only except for a
    withdrawal promoting the next city on the waitlist."""

    DRAFT = "draft", _("Draft")
    # "Open" alone is also a verb (the roadmap overview's link): French needs "Ouvert" here.
    OPEN = "open", pgettext_lazy("call status", "Open")
    PUBLISHED = "published", _("Decisions published")


class Aggregation(models.TextChoices):
    """How the reviewers' points for one manual criterion become the application's points."""

    MEAN = "mean", _("Mean of reviewers")
    MEDIAN = "median", _("Median of reviewers")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CriterionKind(models.TextChoices):
    MANUAL = "manual", _("Scored by reviewers")
    AUTOMATIC = "automatic", _("Computed by the portal")


class AutomaticRule(models.TextChoices):
    """The rules an automatic criterion computes from the portal's own data; each rule's
    sentence (what the applicant is told) is in visits/scoring.py."""

    ROADMAP_COMPLETED = "roadmap_completed", _("Completed Reflection Roadmap")
    SESSIONS_ATTENDED = "sessions_attended", _("Sessions of the cohort attended")
    SECTOR_MATCH = "sector_match", _("Thematic groups matching the visit's sector")


class ReviewStatus(models.TextChoices):
    ASSIGNED = "assigned", _("To score")
    SUBMITTED = "submitted", _("Submitted")
    RECUSED = "recused", _("Recused")


class Decision(models.TextChoices):
    SELECTED = "selected", _("Selected")
    WAITLISTED = "waitlisted", _("Waitlisted")
    NOT_SELECTED = "not_selected", _("Not selected")
