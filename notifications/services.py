"""Queue and deliver emails exactly once, through Celery after the transaction commits."""

import logging
from datetime import timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications.enums import DeliveryStatus
from notifications.models import OutboundEmail

logger = logging.getLogger(__name__)

# A row left in "sending" this long was claimed by a worker that died; the sweeper frees it.
STUCK_AFTER = timedelta(minutes=15)
MAX_ATTEMPTS = 5


def email_queue(*, key: str, to: str, subject: str, body: str) -> OutboundEmail:
    """Record an email and send it once the current transaction commits.

    Queuing the same key twice returns the first row and sends nothing more.
    """
    from notifications.tasks import deliver_email

    email, created = OutboundEmail.objects.get_or_create(
        key=key, defaults={"to": to, "subject": subject, "body": body}
    )
    if created:
        # robust: a broker that is down must not turn a committed request into an error page;
        # the row stays "pending" and the sweeper queues it again.
        transaction.on_commit(lambda email_id=email.pk: deliver_email.delay(email_id), robust=True)
    return email


def email_deliver(*, email_id: int) -> bool:
    """Claim a pending email, send it and mark it sent. Return whether this call sent it."""
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED])
            .first()
        )
        if email is None:
            return False  # gone, sent already, or being sent by another worker
        email.status = DeliveryStatus.SENDING
        email.claimed_at = timezone.now()
        email.attempts += 1
        email.save(update_fields=["status", "claimed_at", "attempts"])
    try:
        send_mail(email.subject, email.body, None, [email.to])
    except Exception as exc:  # the mail server said no: keep the row, the sweeper retries it
        logger.warning("Sending email %s failed: %s", email.pk, exc)
        OutboundEmail.objects.filter(pk=email.pk).update(
            status=DeliveryStatus.FAILED, last_error=str(exc)[:2000]
        )
        return False
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def emails_sweep_stuck(*, now=None) -> int:
    """Queue again what should have gone out by now; count the emails queued.

    That is: emails stuck in "sending" (their worker died), failed ones with attempts left, and
    "pending" ones older than STUCK_AFTER (their task was lost, e.g. the broker restarted).
    An email stuck in "sending" with no attempts left is marked failed for a person to look at.
    """
    from notifications.tasks import deliver_email

    now = now or timezone.now()
    stuck = list(
        OutboundEmail.objects.filter(
            Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - STUCK_AFTER)
            | Q(status=DeliveryStatus.PENDING, created_at__lt=now - STUCK_AFTER)
            | Q(status=DeliveryStatus.FAILED),
            attempts__lt=MAX_ATTEMPTS,
        ).values_list("pk", flat=True)
    )
    OutboundEmail.objects.filter(
        status=DeliveryStatus.SENDING,
        claimed_at__lt=now - STUCK_AFTER,
        attempts__gte=MAX_ATTEMPTS,
    ).update(status=DeliveryStatus.FAILED, last_error="Gave up: stuck while sending.")
    OutboundEmail.objects.filter(pk__in=stuck).update(status=DeliveryStatus.PENDING)
    for email_id in stuck:
        transaction.on_commit(lambda email_id=email_id: deliver_email.delay(email_id), robust=True)
    return len(stuck)
