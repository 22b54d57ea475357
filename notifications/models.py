from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.enums import DeliveryStatus


class OutboundEmail(models.Model):
    """An email to one person, kept as a row so that a retried task never sends it twice.

    `key` names the reason for sending (e.g. "invitation:42"); the same key is never queued twice.
    """

    key = models.CharField(_("key"), max_length=200, unique=True)
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=250)
    body = models.TextField(_("body"))
    # The HTML part, sent beside the plain text; empty for an email written as plain text only.
    html_body = models.TextField(_("HTML body"), blank=True)
    # Chosen when the email is queued, on the site's domain, so that a message sent again (the
    # server accepted it but its reply was lost) carries the same Message-ID and mail clients
    # can tell it is the same message. Empty on rows queued before this column existed.
    message_id = models.CharField(_("Message-ID"), max_length=250, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Set while the email waits to be retried: neither a task nor the sweeper tries it earlier.
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.subject} → {self.to} ({self.status})"
