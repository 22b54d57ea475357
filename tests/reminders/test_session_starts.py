"""A session starts in 24 hours and in 1 hour: who gets what, when, and who does not."""

import datetime

import pytest
import time_machine
from django.core import mail

from notifications.enums import DeliveryStatus, ReminderKind
from notifications.models import OutboundEmail
from notifications.services import emails_deliver_due
from reminders.models import ReminderOptOut
from reminders.planning import reminders_evaluate
from tests.factories import CohortFactory, RegistrationFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 12, 10, 9, 0, tzinfo=datetime.UTC)


def at(**delta) -> datetime.datetime:
    return START - datetime.timedelta(**delta)


def planned():
    return sorted(
        OutboundEmail.objects.filter(kind=ReminderKind.SESSION_STARTS).values_list(
            "to", "send_after", "status"
        )
    )


@pytest.fixture
def session():
    return SessionFactory(
        cohort=CohortFactory(
            starts_on=datetime.date(2026, 9, 1), ends_on=datetime.date(2027, 2, 28)
        ),
        title="Urban greening",
        starts_at=START,
        ends_at=START + datetime.timedelta(minutes=90),
        meeting_url="https://meet.example.org/greening",
    )


def test_both_reminders_are_planned_a_day_ahead_and_sent_when_due(session):
    RegistrationFactory(session=session, email="ana@braga.pt", full_name="Ana")
    RegistrationFactory(session=session, email="walk@in.org", is_walk_in=True)

    with time_machine.travel(at(hours=47), tick=False):
        reminders_evaluate()
    assert planned() == [("ana@braga.pt", at(hours=24), DeliveryStatus.PENDING)]

    with time_machine.travel(at(hours=24), tick=False):
        reminders_evaluate()
        assert emails_deliver_due() == 1
    assert [m.to for m in mail.outbox] == [["ana@braga.pt"]]
    message = mail.outbox[0]
    assert message.subject == 'Tomorrow: "Urban greening"'
    assert "https://meet.example.org/greening" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == ("session.ics", "text/calendar")
    assert "SUMMARY:Urban greening" in content

    with time_machine.travel(at(minutes=59), tick=False):
        reminders_evaluate()
        emails_deliver_due()
    assert [m.subject for m in mail.outbox] == [
        'Tomorrow: "Urban greening"',
        'Starting soon: "Urban greening"',
    ]
    with time_machine.travel(at(minutes=30), tick=False):
        reminders_evaluate()
        assert emails_deliver_due() == 0
    assert len(mail.outbox) == 2


def test_late_registration_gets_only_the_latest_reminder(session):
    with time_machine.travel(at(minutes=50), tick=False):
        RegistrationFactory(session=session, email="late@lisboa.pt")
        reminders_evaluate()
        emails_deliver_due()
    assert planned() == [("late@lisboa.pt", at(hours=1), DeliveryStatus.SENT)]


def test_moved_session_cancels_the_old_reminders_and_plans_new_ones(session):
    from sessions.services import session_update

    facilitator = UserFactory(is_programme_admin=True)
    RegistrationFactory(session=session, email="ana@braga.pt")
    with time_machine.travel(at(hours=30), tick=False):
        reminders_evaluate()
        session_update(
            session=session,
            acting_user=facilitator,
            starts_at=START + datetime.timedelta(hours=2),
            ends_at=START + datetime.timedelta(hours=3),
        )
        cancelled = OutboundEmail.objects.get(kind=ReminderKind.SESSION_STARTS)
        assert (cancelled.status, cancelled.cancel_reason) == (
            DeliveryStatus.CANCELLED,
            "The session was moved.",
        )
        reminders_evaluate()
    assert planned() == [
        ("ana@braga.pt", at(hours=24), DeliveryStatus.CANCELLED),
        ("ana@braga.pt", at(hours=22), DeliveryStatus.PENDING),
    ]


def test_cancelled_session_cancels_every_reminder_and_plans_none(session):
    from sessions.services import session_cancel

    admin = UserFactory(is_programme_admin=True)
    RegistrationFactory(session=session, email="ana@braga.pt")
    with time_machine.travel(at(hours=30), tick=False):
        reminders_evaluate()
        session_cancel(session=session, acting_user=admin)
        reminders_evaluate()
    with time_machine.travel(at(hours=1), tick=False):
        reminders_evaluate()
        assert planned() == [("ana@braga.pt", at(hours=24), DeliveryStatus.CANCELLED)]
        assert emails_deliver_due() == 0
    assert mail.outbox == []


def test_unsubscribed_person_is_not_planned_and_a_planned_row_is_cancelled(session):
    RegistrationFactory(session=session, email="ana@braga.pt")
    RegistrationFactory(session=session, email="joao@porto.pt")
    ReminderOptOut.objects.create(address="joao@porto.pt", kind=ReminderKind.SESSION_STARTS)
    with time_machine.travel(at(hours=30), tick=False):
        reminders_evaluate()
    assert [row[0] for row in planned()] == ["ana@braga.pt"]
    ReminderOptOut.objects.create(address="ana@braga.pt", kind=ReminderKind.SESSION_STARTS)
    with time_machine.travel(at(hours=24), tick=False):
        emails_deliver_due()
    row = OutboundEmail.objects.get(kind=ReminderKind.SESSION_STARTS)
    assert (row.status, row.cancel_reason) == (
        DeliveryStatus.CANCELLED,
        "The person unsubscribed from this kind of reminder.",
    )
    assert mail.outbox == []


def test_evaluating_twice_plans_each_reminder_once(session):
    RegistrationFactory.create_batch(3, session=session)
    with time_machine.travel(at(hours=30), tick=False):
        first = reminders_evaluate()
        second = reminders_evaluate()
    assert first[ReminderKind.SESSION_STARTS].planned == 3
    assert second[ReminderKind.SESSION_STARTS].planned == 0
    assert OutboundEmail.objects.count() == 3


def test_account_holder_reads_the_reminder_in_their_language_and_zone(session):
    UserFactory(email="marie@lyon.fr", language="fr", time_zone="America/Montreal")
    RegistrationFactory(session=session, email="marie@lyon.fr", full_name="Marie")
    with time_machine.travel(at(hours=24), tick=False):
        reminders_evaluate()
        emails_deliver_due()
    [message] = mail.outbox
    assert message.subject == "Demain : « Urban greening »"
    assert message.body.startswith("Bonjour Marie,")
    assert "04:00" in message.body  # 09:00 UTC in Montreal


def test_evaluation_queues_the_delivery_of_what_is_due_after_commit(
    session, django_capture_on_commit_callbacks
):
    RegistrationFactory(session=session, email="ana@braga.pt")
    with (
        time_machine.travel(at(hours=30), tick=False),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        reminders_evaluate()
    assert callbacks == []  # nothing due yet
    with (
        time_machine.travel(at(hours=24), tick=False),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        reminders_evaluate()
    assert len(callbacks) >= 1
    assert [m.to for m in mail.outbox] == [["ana@braga.pt"]]
