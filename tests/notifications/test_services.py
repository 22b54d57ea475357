"""notifications.services: queue an email once, deliver it once, sweep what got stuck.

Tasks run eagerly here (settings_test), so a delivery queued on commit happens in the test;
tests/portal/test_celery_worker.py proves the same path through Redis and a real worker.
"""

import datetime
import smtplib

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from notifications.enums import DeliveryStatus
from notifications.models import OutboundEmail
from notifications.services import email_deliver, email_queue, emails_sweep_stuck

NOW = datetime.datetime(2025, 3, 3, 10, 0, tzinfo=datetime.UTC)


def outbox() -> list[tuple]:
    return [(m.to, m.subject, m.body, m.from_email) for m in mail.outbox]


@pytest.mark.django_db
def test_email_queue_same_key_twice_creates_one_row_and_sends_once(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = email_queue(
            key="invitation:42", to="officer@lisboa.pt", subject="Welcome", body="Join us."
        )
        second = email_queue(
            key="invitation:42", to="someone@else.org", subject="Other", body="Other body."
        )
    with django_capture_on_commit_callbacks(execute=True) as later_callbacks:
        third = email_queue(
            key="invitation:42", to="officer@lisboa.pt", subject="Welcome", body="Join us."
        )

    assert (len(callbacks), len(later_callbacks)) == (1, 0)
    assert second.pk == first.pk == third.pk
    assert list(
        OutboundEmail.objects.values_list("key", "to", "subject", "body", "status", "attempts")
    ) == [("invitation:42", "officer@lisboa.pt", "Welcome", "Join us.", DeliveryStatus.SENT, 1)]
    assert outbox() == [(["officer@lisboa.pt"], "Welcome", "Join us.", settings.DEFAULT_FROM_EMAIL)]


@pytest.mark.django_db
def test_email_queue_sends_nothing_before_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = email_queue(key="reminder:1", to="a@b.org", subject="Due", body="Friday.")

    email.refresh_from_db()
    assert (len(callbacks), email.status, email.attempts, outbox()) == (
        1,
        DeliveryStatus.PENDING,
        0,
        [],
    )


@pytest.mark.django_db
def test_email_deliver_sent_row_returns_false_and_sends_nothing():
    sent_at = NOW - datetime.timedelta(hours=1)
    email = OutboundEmail.objects.create(
        key="invitation:7",
        to="officer@mannheim.de",
        subject="Welcome",
        body="Join us.",
        status=DeliveryStatus.SENT,
        attempts=1,
        sent_at=sent_at,
    )

    assert email_deliver(email_id=email.pk) is False

    email.refresh_from_db()
    assert (email.status, email.attempts, email.sent_at, outbox()) == (
        DeliveryStatus.SENT,
        1,
        sent_at,
        [],
    )


@pytest.mark.django_db
def test_email_deliver_missing_row_returns_false():
    assert (email_deliver(email_id=987654), outbox()) == (False, [])


@pytest.mark.django_db
def test_email_deliver_temporary_failure_waits_to_retry_with_the_servers_answer(mail_server):
    mail_server.answers = [smtplib.SMTPSenderRefused(451, b"4.3.0 Temporary local problem", "")]
    email = OutboundEmail.objects.create(
        key="survey:3", to="officer@guimaraes.pt", subject="Survey", body="Two minutes."
    )

    with time_machine.travel(NOW, tick=False):
        delivered = email_deliver(email_id=email.pk)

    email.refresh_from_db()
    assert delivered is False
    assert (email.status, email.attempts, email.claimed_at, email.sent_at) == (
        DeliveryStatus.RETRY,
        1,
        NOW,
        None,
    )
    assert email.next_attempt_at == NOW + datetime.timedelta(minutes=5)
    assert email.last_error == "451 4.3.0 Temporary local problem"
    # The SMTP connection is opened with a timeout, so a silent server cannot hold the row.
    assert mail_server.timeouts == [60]


@pytest.mark.django_db
def test_email_deliver_due_retry_is_sent_and_error_cleared(settings):
    email = OutboundEmail.objects.create(
        key="survey:4",
        to="officer@bucuresti.ro",
        subject="Survey",
        body="Two minutes.",
        status=DeliveryStatus.RETRY,
        attempts=1,
        next_attempt_at=NOW,
        last_error="451 4.3.0 Temporary local problem",
    )

    with time_machine.travel(NOW, tick=False):
        delivered = email_deliver(email_id=email.pk)

    email.refresh_from_db()
    assert delivered is True
    assert (email.status, email.attempts, email.sent_at, email.last_error) == (
        DeliveryStatus.SENT,
        2,
        NOW,
        "",
    )
    assert email.next_attempt_at is None
    assert outbox() == [
        (["officer@bucuresti.ro"], "Survey", "Two minutes.", settings.DEFAULT_FROM_EMAIL)
    ]


@pytest.mark.django_db
def test_emails_sweep_stuck_requeues_stale_sending_stale_pending_and_due_retries(
    django_capture_on_commit_callbacks,
):
    def row(key, status, *, claimed_minutes_ago=None, attempts=1, created_minutes_ago=0, due=None):
        claimed_at = (
            None
            if claimed_minutes_ago is None
            else NOW - datetime.timedelta(minutes=claimed_minutes_ago)
        )
        return OutboundEmail.objects.create(
            key=key,
            to=f"{key}@example.org",
            subject=f"Subject {key}",
            body="Body.",
            status=status,
            attempts=attempts,
            claimed_at=claimed_at,
            created_at=NOW - datetime.timedelta(minutes=created_minutes_ago),
            next_attempt_at=None if due is None else NOW + datetime.timedelta(minutes=due),
        )

    row("sending-16-min", DeliveryStatus.SENDING, claimed_minutes_ago=16, created_minutes_ago=16)
    row("sending-15-min", DeliveryStatus.SENDING, claimed_minutes_ago=15)
    row("sending-5-min", DeliveryStatus.SENDING, claimed_minutes_ago=5)
    row("sending-out-of-attempts", DeliveryStatus.SENDING, claimed_minutes_ago=60, attempts=8)
    row("retry-due", DeliveryStatus.RETRY, claimed_minutes_ago=60, due=0)
    row("retry-later", DeliveryStatus.RETRY, claimed_minutes_ago=60, due=1)
    row("failed", DeliveryStatus.FAILED, claimed_minutes_ago=60, attempts=1)
    row("pending", DeliveryStatus.PENDING, created_minutes_ago=5, attempts=0)
    row("pending-lost", DeliveryStatus.PENDING, created_minutes_ago=16, attempts=0)
    row("sent", DeliveryStatus.SENT, claimed_minutes_ago=60)

    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            requeued = emails_sweep_stuck()
        statuses_before_delivery = dict(OutboundEmail.objects.values_list("key", "status"))
        for callback in callbacks:
            callback()

    assert (requeued, len(callbacks)) == (3, 3)
    assert statuses_before_delivery == {
        "sending-16-min": DeliveryStatus.PENDING,
        "sending-15-min": DeliveryStatus.SENDING,
        "sending-5-min": DeliveryStatus.SENDING,
        "sending-out-of-attempts": DeliveryStatus.FAILED,
        "retry-due": DeliveryStatus.RETRY,
        "retry-later": DeliveryStatus.RETRY,
        "failed": DeliveryStatus.FAILED,
        "pending": DeliveryStatus.PENDING,
        "pending-lost": DeliveryStatus.PENDING,
        "sent": DeliveryStatus.SENT,
    }
    assert OutboundEmail.objects.get(key="sending-out-of-attempts").last_error == (
        "Gave up after 8 attempts: stuck while sending."
    )
    assert sorted(m.to[0] for m in mail.outbox) == [
        "pending-lost@example.org",
        "retry-due@example.org",
        "sending-16-min@example.org",
    ]
    assert dict(
        OutboundEmail.objects.filter(status=DeliveryStatus.SENT).values_list("key", "attempts")
    ) == {
        "sending-16-min": 2,
        "retry-due": 2,
        "pending-lost": 1,
        "sent": 1,
    }
