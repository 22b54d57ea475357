"""The outbound email admin: a failed email can be given a fresh set of attempts."""

import datetime

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import PermissionDenied

from notifications.enums import DeliveryStatus
from notifications.models import OutboundEmail
from notifications.services import emails_send_again
from tests import factories

CHANGELIST = "/admin/notifications/outboundemail/"
NOW = datetime.datetime(2025, 3, 3, 10, 0, tzinfo=datetime.UTC)

pytestmark = pytest.mark.django_db


def an_email(key: str, status: str, **fields) -> OutboundEmail:
    return factories.OutboundEmailFactory(
        key=key,
        to=f"{key.replace(':', '-')}@braga.example.org",
        subject="Invitation",
        body="Join us.",
        status=status,
        created_at=NOW - datetime.timedelta(days=3),
        **fields,
    )


def row(email: OutboundEmail) -> tuple:
    email.refresh_from_db()
    return (email.status, email.attempts, email.next_attempt_at, email.sent_at)


def test_admin_send_again_queues_failed_emails_after_commit_and_leaves_the_others(
    client, programme_admin, mail_server, django_capture_on_commit_callbacks
):
    failed = an_email(
        "invitation:1",
        DeliveryStatus.FAILED,
        attempts=8,
        last_error="Gave up after 8 attempts: 451 4.7.1 Greylisted",
    )
    sent = an_email("invitation:2", DeliveryStatus.SENT, attempts=1, sent_at=NOW)
    waiting = an_email(
        "invitation:3",
        DeliveryStatus.RETRY,
        attempts=2,
        next_attempt_at=NOW + datetime.timedelta(minutes=10),
    )
    client.force_login(programme_admin)

    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = client.post(
                CHANGELIST,
                {"action": "send_again", "_selected_action": [failed.pk, sent.pk, waiting.pk]},
            )
        # Reset at once, sent only once the request's transaction has committed.
        assert (row(failed), mail.outbox, len(callbacks)) == (
            (DeliveryStatus.PENDING, 0, None, None),
            [],
            1,
        )
        callbacks[0]()

    assert response.status_code == 302
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "1 failed email queued to be sent again.",
        "2 emails had not failed and were left as they were: only failed emails are sent again.",
    ]
    assert row(failed) == (DeliveryStatus.SENT, 1, None, NOW)
    assert row(sent) == (DeliveryStatus.SENT, 1, None, NOW)
    assert row(waiting) == (DeliveryStatus.RETRY, 2, NOW + datetime.timedelta(minutes=10), None)
    assert [message.to for message in mail.outbox] == [["invitation-1@braga.example.org"]]


def test_email_send_again_by_someone_who_may_not_change_emails_is_refused(
    django_capture_on_commit_callbacks,
):
    failed = an_email("invitation:4", DeliveryStatus.FAILED, attempts=8)
    facilitator = factories.UserFactory(is_facilitator=True)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(PermissionDenied),
    ):
        emails_send_again(email_ids=[failed.pk], acting_user=facilitator)
    assert (row(failed), callbacks) == ((DeliveryStatus.FAILED, 8, None, None), [])
