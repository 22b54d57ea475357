from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.enums import DeliveryStatus


class OutboundEmail(models.Model):
    """An email to one person, kept as a row so that a retried task never sends it twice.

    `key` names the reason for sending (e.g. "invitation:42"); the same key is never queued twice.

    Two kinds of row share the outbox. A message written now (notify(), an invitation) is
    rendered when queued. A reminder planned by a rule (the `reminders` app) is a row with its
    `kind`, `topic` and `send_after` and an empty body: it is rendered when it is sent, by the
    renderer its kind registered (notifications.services.renderer_register), in the recipient's
    language of that moment, or cancelled then if it no longer applies.
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
    # What kind of message it is: a reminder rule's kind ("session_starts"), empty for a service
    # message (an invitation, a decision), which is always sent.
    kind = models.CharField(_("kind"), max_length=40, blank=True, default="")
    # What it is about, e.g. "session:12": with the kind, how the outbox groups and cancels rows.
    topic = models.CharField(_("about"), max_length=100, blank=True, default="")
    # The person written to when the address is a user's (their preferences and language).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    # Not sent before this time (a planned reminder); empty: as soon as possible.
    send_after = models.DateTimeField(_("send after"), null=True, blank=True)
    # Headers and attachments of a rendered reminder (List-Unsubscribe, a session's .ics),
    # kept so that a retry sends what the first attempt rendered.
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # Why it was not sent, in the words of the admin outbox ("the session was moved").
    cancel_reason = models.CharField(_("why cancelled"), max_length=200, blank=True)
    # The admin who cancelled it from the outbox: such a cancellation is final. One the portal
    # made (what it was about changed, the rule was off, the person unsubscribed) is planned
    # again if the rule wants the same reminder later, while its time is still ahead.
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Set while the email waits to be retried: neither a task nor the sweeper tries it earlier.
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The batch delivery claims the oldest due planned row, once per email: a partial
            # index holds only the pending ones, in time order, so each claim reads one entry
            # however many thousands were sent before.
            models.Index(
                fields=["send_after", "id"],
                condition=models.Q(status="pending", send_after__isnull=False),
                name="outbound_planned_due",
            ),
            # The outbox page filters by kind and the planner reads a kind's pending rows.
            models.Index(fields=["kind", "status"], name="outbound_kind_status"),
            models.Index(fields=["topic"], name="outbound_topic"),
        ]

    def __str__(self):
        return f"{self.subject} → {self.to} ({self.status})"
