"""Failed emails: a temporary failure is retried with a growing delay, a refusal for good stops,
and an email goes out twice only when the server accepted it but the portal did not record it
(the guarantee the README states)."""

import datetime
import smtplib
from pathlib import Path

import pytest
import time_machine
import yaml
from django.conf import settings
from django.core import mail

from notifications.enums import DeliveryStatus
from notifications.models import OutboundEmail
from notifications.services import STUCK_AFTER, email_deliver, email_queue, emails_sweep_stuck
from notifications.tasks import deliver_email
from tests import factories
from tests.notifications.mail_server import AcceptedThen

NOW = datetime.datetime(2025, 3, 3, 10, 0, tzinfo=datetime.UTC)
TO = "officer@braga.example.org"

pytestmark = pytest.mark.django_db


class ProcessKilled(BaseException):
    """What the code sees when the worker dies: nothing after this point runs."""


def an_email(**fields) -> OutboundEmail:
    return factories.OutboundEmailFactory(
        key="roadmap:7:returned",
        to=TO,
        subject="Roadmap returned",
        body="See the comments.",
        **fields,
    )


def state(email: OutboundEmail) -> tuple:
    email.refresh_from_db()
    return (email.status, email.attempts, email.next_attempt_at, email.last_error)


def sweep_and_deliver(captured, at: datetime.datetime) -> int:
    """Run the sweeper at `at` and the deliveries it queues, as beat and a worker would."""
    with time_machine.travel(at, tick=False), captured(execute=True):
        return emails_sweep_stuck()


TEMPORARY = [
    pytest.param(
        smtplib.SMTPRecipientsRefused({TO: (450, b"4.2.1 Mailbox busy, try later")}),
        f"{TO}: 450 4.2.1 Mailbox busy, try later",
        id="recipient-4xx",
    ),
    pytest.param(
        smtplib.SMTPDataError(451, b"4.7.1 Greylisted, come back later"),
        "451 4.7.1 Greylisted, come back later",
        id="data-4xx",
    ),
    pytest.param(
        ConnectionRefusedError(111, "Connection refused"),
        "ConnectionRefusedError: [Errno 111] Connection refused",
        id="server-unreachable",
    ),
    pytest.param(
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
        "SMTPServerDisconnected: Connection unexpectedly closed",
        id="disconnected",
    ),
    pytest.param(
        TimeoutError("timed out"), "TimeoutError: timed out", id="server-silent-past-timeout"
    ),
    # A 5xx to the login or the sender is the portal's configuration, not this email: an admin
    # can fix it, so it is retried.
    pytest.param(
        smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication credentials invalid"),
        "535 5.7.8 Authentication credentials invalid",
        id="login-5xx",
    ),
    pytest.param(
        smtplib.SMTPSenderRefused(550, b"5.7.1 Sender not allowed", "noreply@example.org"),
        "550 5.7.1 Sender not allowed",
        id="sender-5xx",
    ),
    # A ValueError that is not about the recipient: a misconfigured EMAIL_HOST fails every
    # email alike, and each must go out once an admin has fixed it.
    pytest.param(
        ValueError("server_hostname cannot be an empty string or start with a leading dot."),
        "ValueError: server_hostname cannot be an empty string or start with a leading dot.",
        id="ssl-empty-host",
    ),
    pytest.param(
        UnicodeError("encoding with 'idna' codec failed (UnicodeError: label empty or too long)"),
        "UnicodeError: encoding with 'idna' codec failed (UnicodeError: label empty or too long)",
        id="idna-host",
    ),
]

PERMANENT = [
    pytest.param(
        smtplib.SMTPRecipientsRefused({TO: (550, b"5.1.1 Unknown mailbox")}),
        f"{TO}: 550 5.1.1 Unknown mailbox",
        id="unknown-mailbox",
    ),
    pytest.param(
        smtplib.SMTPDataError(554, b"5.6.0 Message rejected as spam"),
        "554 5.6.0 Message rejected as spam",
        id="message-rejected",
    ),
]


@pytest.mark.parametrize(("error", "reason"), TEMPORARY)
def test_email_temporary_failure_is_retried_after_five_minutes_then_sent(
    mail_server, django_capture_on_commit_callbacks, error, reason
):
    mail_server.answers = [error]
    email = an_email()
    with time_machine.travel(NOW, tick=False):
        assert email_deliver(email_id=email.pk) is False

    due = NOW + datetime.timedelta(minutes=5)
    assert state(email) == (DeliveryStatus.RETRY, 1, due, reason)
    # Not before its time: a sweep a minute early queues nothing.
    assert (
        sweep_and_deliver(django_capture_on_commit_callbacks, due - datetime.timedelta(minutes=1))
        == 0
    )
    assert mail.outbox == []

    assert sweep_and_deliver(django_capture_on_commit_callbacks, due) == 1

    email.refresh_from_db()
    assert (email.status, email.attempts, email.sent_at, email.last_error) == (
        DeliveryStatus.SENT,
        2,
        due,
        "",
    )
    assert [message.to for message in mail.outbox] == [[TO]]


@pytest.mark.parametrize(("error", "reason"), PERMANENT)
def test_email_permanent_refusal_fails_at_once_and_is_never_retried(
    mail_server, django_capture_on_commit_callbacks, error, reason
):
    mail_server.answers = [error]
    email = an_email()
    with time_machine.travel(NOW, tick=False):
        assert email_deliver(email_id=email.pk) is False

    assert state(email) == (DeliveryStatus.FAILED, 1, None, f"Refused for good: {reason}")
    a_day_later = NOW + datetime.timedelta(days=1)
    assert sweep_and_deliver(django_capture_on_commit_callbacks, a_day_later) == 0
    with time_machine.travel(a_day_later, tick=False):
        # Even a stray task for it (a duplicate message in the broker) sends nothing.
        assert email_deliver(email_id=email.pk) is False
    assert (state(email)[:2], mail.outbox) == ((DeliveryStatus.FAILED, 1), [])


# A label of 65 characters, one of them not ASCII: no IDNA encoding exists for it.
LONG_LABEL = "b" * 64 + "ü"


def idna_error(domain: str) -> str:
    """The IDNA codec's own words (they differ between Python versions)."""
    try:
        domain.encode("idna")
    except UnicodeError as error:
        return str(error)
    raise AssertionError(f"{domain} has an IDNA encoding")


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        pytest.param(
            "officer@braga\n.org",
            "ValueError: Invalid address 'officer@braga\\n.org': the following ASCII "
            "non-printables found in header: ['\\n']",
            id="newline",
        ),
        pytest.param(
            "officer@braga.org, boss@braga.org",
            "ValueError: Invalid address 'officer@braga.org, boss@braga.org': "
            "must be a single address",
            id="two-addresses",
        ),
        # Django's SMTP backend writes no non-ASCII local part (it does not use SMTPUTF8).
        pytest.param(
            "jörg@braga.example.org",
            "ValueError: Invalid address 'jörg@braga.example.org': "
            "local-part contains non-ASCII characters)",
            id="non-ascii-local-part",
        ),
        pytest.param(
            f"officer@{LONG_LABEL}.org",
            f"ValueError: Invalid address 'officer@{LONG_LABEL}.org': {idna_error(LONG_LABEL)}",
            id="domain-not-idna",
        ),
    ],
)
def test_email_address_django_cannot_write_fails_for_good_without_connecting(
    mail_server, django_capture_on_commit_callbacks, address, reason
):
    email = OutboundEmail.objects.create(
        key="roadmap:7:returned", to=address, subject="Roadmap returned", body="See them."
    )
    with time_machine.travel(NOW, tick=False):
        assert email_deliver(email_id=email.pk) is False

    assert state(email) == (DeliveryStatus.FAILED, 1, None, f"Refused for good: {reason}")
    # Checked before connecting: no connection was opened for it.
    assert (mail_server.timeouts, mail.outbox) == ([], [])
    assert (
        sweep_and_deliver(django_capture_on_commit_callbacks, NOW + datetime.timedelta(days=1)) == 0
    )


def test_email_refused_for_only_some_recipients_codes_is_temporary(mail_server):
    mail_server.answers = [
        smtplib.SMTPRecipientsRefused(
            {TO: (550, b"5.1.1 Unknown mailbox"), "copy@braga.example.org": (452, b"4.2.2 Full")}
        )
    ]
    email = an_email()
    with time_machine.travel(NOW, tick=False):
        email_deliver(email_id=email.pk)
    assert state(email)[:3] == (DeliveryStatus.RETRY, 1, NOW + datetime.timedelta(minutes=5))


def test_email_retries_wait_twice_as_long_each_time_up_to_two_hours_then_give_up(
    mail_server, django_capture_on_commit_callbacks
):
    greylisted = smtplib.SMTPDataError(451, b"4.7.1 Greylisted")
    mail_server.answers = [greylisted] * 8
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        email = email_queue(key="survey:9", to=TO, subject="Survey", body="Two minutes.")

    waits = []
    at = NOW
    while True:
        email.refresh_from_db()
        if email.status != DeliveryStatus.RETRY:
            break
        waits.append(email.next_attempt_at - at)
        at = email.next_attempt_at
        assert sweep_and_deliver(django_capture_on_commit_callbacks, at) == 1

    minutes = [int(wait.total_seconds() // 60) for wait in waits]
    assert minutes == [5, 10, 20, 40, 80, 120, 120]
    assert state(email) == (
        DeliveryStatus.FAILED,
        8,
        None,
        "Gave up after 8 attempts: 451 4.7.1 Greylisted",
    )
    assert mail_server.answers == []
    assert mail.outbox == []
    # Given up: the sweeper leaves it alone from now on.
    assert (
        sweep_and_deliver(django_capture_on_commit_callbacks, at + datetime.timedelta(days=1)) == 0
    )


def test_email_task_early_for_a_retry_sends_nothing(mail_server):
    email = an_email(
        status=DeliveryStatus.RETRY,
        attempts=2,
        next_attempt_at=NOW + datetime.timedelta(minutes=10),
        last_error="451 4.7.1 Greylisted",
    )
    with time_machine.travel(NOW, tick=False):
        assert email_deliver(email_id=email.pk) is False
    assert state(email) == (
        DeliveryStatus.RETRY,
        2,
        NOW + datetime.timedelta(minutes=10),
        "451 4.7.1 Greylisted",
    )
    assert mail.outbox == []


def test_email_broker_down_at_commit_is_sent_by_the_sweeper(
    mail_server, django_capture_on_commit_callbacks, monkeypatch
):
    from notifications.tasks import deliver_email

    def broker_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to redis:6379. Connection refused.")

    with time_machine.travel(NOW, tick=False):
        monkeypatch.setattr(deliver_email, "delay", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            email = email_queue(key="survey:10", to=TO, subject="Survey", body="Two minutes.")
        monkeypatch.undo()

    assert state(email) == (DeliveryStatus.PENDING, 0, None, "")
    later = NOW + datetime.timedelta(minutes=16)
    assert sweep_and_deliver(django_capture_on_commit_callbacks, later) == 1
    assert (state(email)[:2], [m.to for m in mail.outbox]) == ((DeliveryStatus.SENT, 1), [[TO]])


# The guarantee: what can send an email twice, and what cannot.


def test_email_delivery_is_killed_before_the_sweeper_may_free_its_row():
    """The "never sent by two deliveries at once" promise: Celery's hard time limit ends a
    delivery before STUCK_AFTER, when the sweeper would hand its row to another delivery.
    Hard time limits are enforced only by the prefork pool, the one the worker runs."""
    assert deliver_email.time_limit is not None
    assert datetime.timedelta(seconds=deliver_email.time_limit) < STUCK_AFTER
    compose = yaml.safe_load((Path(settings.BASE_DIR) / "docker-compose.yml").read_text())
    worker = compose["services"]["worker"]["command"]
    pool = [arg for arg in worker if arg.startswith(("--pool", "-P"))]
    assert pool in ([], ["--pool=prefork"]), worker


def test_email_worker_dies_after_the_server_accepted_repeats_it_once(
    mail_server, django_capture_on_commit_callbacks
):
    mail_server.answers = [AcceptedThen(ProcessKilled())]
    email = an_email()
    with time_machine.travel(NOW, tick=False), pytest.raises(ProcessKilled):
        email_deliver(email_id=email.pk)
    assert state(email)[:2] == (DeliveryStatus.SENDING, 1)

    # Within STUCK_AFTER the row is left alone: its delivery might still be running.
    assert (
        sweep_and_deliver(django_capture_on_commit_callbacks, NOW + datetime.timedelta(minutes=14))
        == 0
    )
    later = NOW + datetime.timedelta(minutes=16)
    assert sweep_and_deliver(django_capture_on_commit_callbacks, later) == 1

    assert state(email)[:2] == (DeliveryStatus.SENT, 2)
    assert [m.to for m in mail.outbox] == [[TO], [TO]]


def test_email_servers_reply_lost_after_acceptance_repeats_it_once(
    mail_server, django_capture_on_commit_callbacks
):
    mail_server.answers = [AcceptedThen(smtplib.SMTPServerDisconnected("Connection closed"))]
    email = an_email()
    with time_machine.travel(NOW, tick=False):
        email_deliver(email_id=email.pk)
    assert (
        sweep_and_deliver(django_capture_on_commit_callbacks, NOW + datetime.timedelta(minutes=5))
        == 1
    )
    assert [m.to for m in mail.outbox] == [[TO], [TO]]


def test_email_worker_dies_before_the_server_accepted_sends_it_once(
    mail_server, django_capture_on_commit_callbacks
):
    mail_server.answers = [ProcessKilled()]
    email = an_email()
    with time_machine.travel(NOW, tick=False), pytest.raises(ProcessKilled):
        email_deliver(email_id=email.pk)

    sweep_and_deliver(django_capture_on_commit_callbacks, NOW + datetime.timedelta(minutes=16))
    assert (state(email)[:2], [m.to for m in mail.outbox]) == ((DeliveryStatus.SENT, 2), [[TO]])


def test_email_failure_reported_after_another_delivery_sent_it_keeps_it_sent(mail_server):
    """A delivery that took longer than STUCK_AFTER (no hard time limit when tasks run eagerly)
    reports its failure after the sweeper freed the row and another delivery sent it."""
    email = an_email()

    def sent_by_another_delivery_meanwhile():
        OutboundEmail.objects.filter(pk=email.pk).update(
            status=DeliveryStatus.SENT, claimed_at=NOW + datetime.timedelta(minutes=16)
        )
        raise smtplib.SMTPServerDisconnected("Connection closed")

    mail_server.answers = [sent_by_another_delivery_meanwhile]
    with time_machine.travel(NOW, tick=False):
        assert email_deliver(email_id=email.pk) is False

    assert state(email)[:3] == (DeliveryStatus.SENT, 1, None)


def test_email_two_deliveries_of_one_row_send_it_once(mail_server):
    email = an_email()
    with time_machine.travel(NOW, tick=False):
        results = [email_deliver(email_id=email.pk), email_deliver(email_id=email.pk)]
    assert (results, state(email)[:2], len(mail.outbox)) == (
        [True, False],
        (DeliveryStatus.SENT, 1),
        1,
    )
