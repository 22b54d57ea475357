"""The batch delivery of planned emails: due ones only, each once, batch after batch."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from notifications import services
from notifications.enums import DeliveryStatus
from notifications.models import OutboundEmail
from notifications.tasks import deliver_due
from tests.factories import OutboundEmailFactory

pytestmark = pytest.mark.django_db


def test_deliver_due_run_eagerly_sends_every_due_batch_and_nothing_not_yet_due():
    now = timezone.now()
    due = OutboundEmailFactory.create_batch(
        services.BATCH_SIZE * 2 + 3, send_after=now - datetime.timedelta(minutes=1)
    )
    later = OutboundEmailFactory(send_after=now + datetime.timedelta(hours=1))

    assert deliver_due.apply().get() == len(due)

    assert len(mail.outbox) == len(due)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(email.to for email in due)
    assert set(OutboundEmail.objects.exclude(pk=later.pk).values_list("status", flat=True)) == {
        DeliveryStatus.SENT
    }
    later.refresh_from_db()
    assert later.status == DeliveryStatus.PENDING


def test_batch_claims_the_oldest_due_first_and_skips_messages_written_now():
    now = timezone.now()
    newer = OutboundEmailFactory(send_after=now - datetime.timedelta(minutes=1))
    older = OutboundEmailFactory(send_after=now - datetime.timedelta(minutes=5))
    OutboundEmailFactory()  # written now: its own deliver_email task sends it

    assert services.emails_deliver_batch(limit=1) == (1, 1, True)
    assert [m.to for m in mail.outbox] == [[older.to]]
    assert services.emails_deliver_batch(limit=5) == (1, 1, False)
    assert [m.to for m in mail.outbox][1] == [newer.to]
    assert services.emails_deliver_batch(limit=5) == (0, 0, False)


def test_batch_stops_at_its_time_budget_and_says_more_may_be_due():
    now = timezone.now()
    OutboundEmailFactory.create_batch(3, send_after=now - datetime.timedelta(minutes=1))

    batch = services.emails_deliver_batch(limit=10, budget=datetime.timedelta(0))

    # The budget is spent before the first claim: nothing is claimed, and a new task goes on.
    assert batch == (0, 0, True)
    assert services.emails_deliver_batch(limit=10) == (3, 3, False)
