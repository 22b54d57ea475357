"""What happens to planned reminders when things change around them: the session's end moves,
it moves away and back, a rule is turned off and on, an evaluation runs late, the mail server
fails meanwhile, an admin changes a rule's timing."""

import datetime

import pytest
import time_machine
from django.core import mail

from notifications.enums import DeliveryStatus, ReminderKind
from notifications.models import OutboundEmail
from notifications.services import emails_deliver_due
from reminders.models import ReminderRule
from reminders.planning import reminders_evaluate
from sessions.services import session_cancel, session_update
from tests.factories import CohortFactory, RegistrationFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 12, 10, 9, 0, tzinfo=datetime.UTC)
DAY, HOUR = START - datetime.timedelta(hours=24), START - datetime.timedelta(hours=1)


def before(**delta) -> datetime.datetime:
    return START - datetime.timedelta(**delta)


def rows():
    return sorted(
        OutboundEmail.objects.filter(kind=ReminderKind.SESSION_STARTS).values_list(
            "send_after", "status", "cancel_reason"
        )
    )


@pytest.fixture
def session():
    cohort = CohortFactory(starts_on=datetime.date(2026, 9, 1), ends_on=datetime.date(2027, 2, 28))
    session = SessionFactory(
        cohort=cohort, title="Roofs", starts_at=START, ends_at=START + datetime.timedelta(hours=1)
    )
    RegistrationFactory(session=session, email="ana@braga.pt")
    return session


@pytest.fixture
def admin():
    return UserFactory(is_programme_admin=True)


def test_a_session_whose_end_only_moves_keeps_its_reminders(session, admin):
    with time_machine.travel(before(hours=30), tick=False):
        reminders_evaluate()
        session_update(
            session=session, acting_user=admin, ends_at=START + datetime.timedelta(minutes=90)
        )
        reminders_evaluate()
    assert rows() == [(DAY, DeliveryStatus.PENDING, "")]


def test_a_session_moved_away_and_back_is_reminded_at_its_time(session, admin):
    with time_machine.travel(before(hours=30), tick=False):
        reminders_evaluate()
        later = START + datetime.timedelta(hours=2)
        session_update(
            session=session,
            acting_user=admin,
            starts_at=later,
            ends_at=later + datetime.timedelta(hours=1),
        )
        reminders_evaluate()
        session_update(
            session=session,
            acting_user=admin,
            starts_at=START,
            ends_at=START + datetime.timedelta(hours=1),
        )
        reminders_evaluate()
    assert rows() == [
        (DAY, DeliveryStatus.PENDING, ""),
        (DAY + datetime.timedelta(hours=2), DeliveryStatus.CANCELLED, "The session was moved."),
    ]
    with time_machine.travel(DAY, tick=False):
        reminders_evaluate()
        assert emails_deliver_due() == 1
    assert [m.subject for m in mail.outbox][-1] == 'Tomorrow: "Roofs"'


def test_a_rule_turned_off_and_on_again_plans_its_reminders_again(session):
    with time_machine.travel(before(hours=30), tick=False):
        reminders_evaluate()
        rule = ReminderRule.objects.create(kind=ReminderKind.SESSION_STARTS, enabled=False)
        reminders_evaluate()
        assert rows() == [(DAY, DeliveryStatus.CANCELLED, "The rule was turned off.")]
        rule.enabled = True
        rule.save()
        evaluation = reminders_evaluate()
    assert evaluation[ReminderKind.SESSION_STARTS].planned == 1
    assert rows() == [(DAY, DeliveryStatus.PENDING, "")]


def test_a_reminder_an_admin_cancelled_stays_cancelled(session, admin):
    from notifications.services import emails_cancel

    with time_machine.travel(before(hours=30), tick=False):
        reminders_evaluate()
        emails_cancel(
            email_ids=[OutboundEmail.objects.get().pk], acting_user=admin, reason="Not this one."
        )
        reminders_evaluate()
    assert rows() == [(DAY, DeliveryStatus.CANCELLED, "Not this one.")]


def test_an_evaluation_that_finishes_late_leaves_a_newer_ones_rows_alone(session):
    # The newer evaluation (30 minutes after the hour reminder came into the window) planned it;
    # an older one, which read the data before that, finishes after it.
    with time_machine.travel(before(minutes=30), tick=False):
        reminders_evaluate(now=HOUR - datetime.timedelta(hours=23))
        reminders_evaluate(now=DAY - datetime.timedelta(hours=7))
    assert rows() == [(DAY, DeliveryStatus.PENDING, ""), (HOUR, DeliveryStatus.PENDING, "")]


def test_a_reminder_waiting_to_retry_is_cancelled_with_its_session(session, admin, mail_server):
    import smtplib

    with time_machine.travel(DAY, tick=False):
        reminders_evaluate()
        mail_server.answers = [smtplib.SMTPServerDisconnected("down")]
        assert emails_deliver_due() == 0
        assert rows()[0][1] == DeliveryStatus.RETRY
        session_cancel(session=session, acting_user=admin)
    assert rows()[0][1:] == (DeliveryStatus.CANCELLED, "The session was cancelled.")


def test_a_retry_writes_the_reminder_again_and_sends_nothing_that_no_longer_applies(
    session, mail_server
):
    import smtplib

    with time_machine.travel(DAY, tick=False):
        reminders_evaluate()
        mail_server.answers = [smtplib.SMTPServerDisconnected("down")]
        emails_deliver_due()
    # Cancelled behind the services' back (a bulk update: no signal): the retry checks again.
    type(session).objects.filter(pk=session.pk).update(status="cancelled")
    with time_machine.travel(DAY + datetime.timedelta(hours=1), tick=False):
        emails_deliver_due()
    assert rows()[0][1:] == (DeliveryStatus.CANCELLED, "The session was cancelled.")
    assert mail.outbox == []


def test_a_new_timing_does_not_remind_again_of_what_was_reminded(session):
    with time_machine.travel(DAY, tick=False):
        reminders_evaluate()
        emails_deliver_due()
    # An admin changes "24h 1h" to "23h 1h" after the day's reminder went out.
    ReminderRule.objects.create(kind=ReminderKind.SESSION_STARTS, offsets=[23 * 60, 60])
    with time_machine.travel(before(hours=23), tick=False):
        reminders_evaluate()
        emails_deliver_due()
    with time_machine.travel(HOUR, tick=False):
        reminders_evaluate()
        emails_deliver_due()
    assert [m.subject for m in mail.outbox] == ['Tomorrow: "Roofs"', 'Starting soon: "Roofs"']


def test_the_subject_says_the_time_actually_left(session):
    # An admin reminds a week ahead as well: that one says when, not "tomorrow".
    ReminderRule.objects.create(kind=ReminderKind.SESSION_STARTS, offsets=[7 * 24 * 60, 24 * 60])
    with time_machine.travel(before(days=7), tick=False):
        reminders_evaluate()
        emails_deliver_due()
    # The day's reminder goes out late (the portal was stopped): it says "starting soon".
    with time_machine.travel(before(minutes=90), tick=False):
        reminders_evaluate()
        emails_deliver_due()
    assert [m.subject for m in mail.outbox] == [
        'Coming up: "Roofs", 10 December 2026, 10:00\u201311:00',
        'Starting soon: "Roofs"',
    ]
