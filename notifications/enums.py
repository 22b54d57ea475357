from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    # A temporary failure (a 4xx answer, the server unreachable): tried again at next_attempt_at.
    RETRY = "retry", _("Waiting to retry")
    # Given up: the mail server refused it for good (5xx), or every attempt failed.
    FAILED = "failed", _("Failed")
    # Not sent, on purpose: the reminder no longer applied (a session moved or cancelled, a
    # roadmap submitted), the person unsubscribed from its kind, or an admin cancelled it.
    CANCELLED = "cancelled", _("Cancelled")


class ReminderKind(models.TextChoices):
    """The kinds of reminder, one per rule (reminders.catalogue), an outbox row's `kind`. A
    person chooses per kind whether they get it by email; service messages (invitations,
    decisions, password resets) have no kind and are always sent. Here, in the lowest app, so
    that an app that sends a reminder by hand (feedback's "send reminder") names its kind."""

    SESSION_STARTS = "session_starts", _("A session you are registered for is about to start")
    PHASE_CLOSES = "phase_closes", _("A roadmap phase closes and your roadmap is not submitted")
    ROADMAP_RETURNED = "roadmap_returned", _("Your returned roadmap is waiting to be resubmitted")
    SURVEY_UNANSWERED = "survey_unanswered", _("A survey you have not answered is open")
    CALL_CLOSES = "call_closes", _("A study visit call closes and your city has not applied")
    REVIEWS_DUE = "reviews_due", _("Applications you are assigned to review are not scored")
    FACILITATOR_DIGEST = "facilitator_digest", _("Weekly digest of who is behind in your cohorts")
