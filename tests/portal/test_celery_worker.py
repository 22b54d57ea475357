"""A real Celery worker (tests/workers.py, `redis_worker`) takes the email task from Redis and
delivers it exactly once."""

import pytest
from django.core import mail
from django.db import transaction

from notifications.enums import DeliveryStatus
from notifications.models import OutboundEmail
from notifications.services import email_queue
from notifications.tasks import deliver_email


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_worker_delivers_queued_email_through_redis(redis_worker):
    with transaction.atomic():
        # On commit, email_queue publishes deliver_email to Redis; the worker picks it up.
        email = email_queue(
            key="invitation:1",
            to="officer@lisboa.pt",
            subject="Your invitation",
            body="Join the cohort.",
        )

    outcome = redis_worker.wait_for("notifications.deliver_email", [email.pk])

    assert outcome == {"returned": True, "state": "SUCCESS", "eager": False}
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (DeliveryStatus.SENT, 1, "")
    assert email.sent_at is not None
    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [
        (["officer@lisboa.pt"], "Your invitation", "Join the cohort.")
    ]


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_worker_second_delivery_of_a_sent_email_sends_nothing(redis_worker):
    email = OutboundEmail.objects.create(
        key="reminder:7", to="officer@mannheim.de", subject="Roadmap due", body="Friday."
    )

    deliver_email.delay(email.pk)
    first = redis_worker.wait_for("notifications.deliver_email", [email.pk])
    deliver_email.delay(email.pk)
    second = redis_worker.wait_for("notifications.deliver_email", [email.pk])

    assert first == {"returned": True, "state": "SUCCESS", "eager": False}
    assert second == {"returned": False, "state": "SUCCESS", "eager": False}
    email.refresh_from_db()
    assert (email.status, email.attempts) == (DeliveryStatus.SENT, 1)
    assert [m.to for m in mail.outbox] == [["officer@mannheim.de"]]
