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
