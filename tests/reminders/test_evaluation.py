"""The evaluation of the rules (reminders.planning.reminders_evaluate): its queries do not grow
with the number of recipients, evaluating again plans nothing new, a pending reminder no
longer wanted is cancelled with the reason, and `manage.py run_periodic_tasks` from cron twice
in a row plans once and sends once."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.enums import DeliveryStatus, ReminderKind
from notifications.models import OutboundEmail
from reminders.catalogue import RULES
from reminders.models import ReminderOptOut, ReminderRule
from reminders.planning import reminders_evaluate, settings_of_rules
from sessions.enums import SessionStatus
from tests.factories import (
    CityFactory,
    CohortFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 12, 10, 9, 0, tzinfo=datetime.UTC)
# A day ahead, minus an hour: the reminder "in 24 hours" is due, the one "in 1 hour" planned.
DAY_AHEAD = START - datetime.timedelta(hours=23)
NO_LONGER_APPLIES = "No longer applies when the rules were evaluated."


@pytest.fixture
def cohort():
    return CohortFactory(starts_on=datetime.date(2026, 9, 1), ends_on=datetime.date(2027, 2, 28))


def session_at(cohort, starts_at, **fields):
    return SessionFactory(
        cohort=cohort,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=90),
        **fields,
    )


def rows():
    """The session reminders planned, as (to, send_after, status, cancel_reason)."""
    return sorted(
        OutboundEmail.objects.filter(kind=ReminderKind.SESSION_STARTS).values_list(
            "to", "send_after", "status", "cancel_reason"
        )
    )


def counts(evaluation) -> dict:
    """{kind: (rows planned, rows cancelled)} of an evaluation."""
    return {kind: (found.planned, found.cancelled) for kind, found in evaluation.items()}


def evaluation_queries(now) -> list[str]:
    with time_machine.travel(now, tick=False), CaptureQueriesContext(connection) as queries:
        reminders_evaluate()
    return [query["sql"] for query in queries]


# --- The number of queries ---------------------------------------------------------------------


def one_and_many(cohort) -> tuple[list[str], list[str]]:
    """The evaluation's queries with one recipient, then with 30: 30 registrations over three
    sessions starting at different times, a third of them account holders, beside what the rule
    leaves out (a walk-in, a cancelled session's registration). Both a day ahead: two rows per
    registration."""
    alone = RegistrationFactory(session=session_at(cohort, START), email="ana@braga.pt")
    one = evaluation_queries(DAY_AHEAD)
    assert OutboundEmail.objects.count() == 2
    OutboundEmail.objects.all().delete()
    alone.session.delete()

    city = CityFactory()
    for n in range(3):
        session = session_at(cohort, START + datetime.timedelta(minutes=15 * n))
        for k in range(10):
            address = f"person-{n}-{k}@porto.pt"
            if k % 3 == 0:
                UserFactory(email=address)
            RegistrationFactory(session=session, city=city, email=address)
    RegistrationFactory(session=session, city=city, is_walk_in=True)
    RegistrationFactory(
        session=session_at(cohort, START, status=SessionStatus.CANCELLED), city=city
    )
    many = evaluation_queries(DAY_AHEAD)
    assert OutboundEmail.objects.count() == 60
    assert OutboundEmail.objects.exclude(recipient=None).count() == 2 * 12
    return one, many


def test_evaluation_queries_do_not_grow_with_the_number_of_recipients(cohort, monkeypatch):
    # The session rule alone, so the count is its own (each rule adds its plan's queries and
    # the same four around its rows: see the next test, with every rule).
    for kind in [kind for kind in RULES if kind != ReminderKind.SESSION_STARTS]:
        monkeypatch.delitem(RULES, kind)

    one, many = one_and_many(cohort)

    # 1. the rules' settings (ReminderRule rows)
    # 2. the opt-outs
    # 3-4. the session rule's plan: the registrations in the window of each offset (24 hours,
    #      1 hour), each with its address's account
    # 5. SAVEPOINT
    #    (PostgreSQL: the kind's advisory lock, one evaluation of a kind at a time)
    # 6. the kind's rows already planned (unsent, or from the earliest time wanted)
    # 7. the new rows' sessions' reminders already had (under an earlier timing of the rule)
    # 8. one INSERT of the new rows (one per 2,000)
    # 9. RELEASE SAVEPOINT
    # 10. whether anything is due (to queue the batch delivery)
    lock = ["SELECT"] if connection.vendor == "postgresql" else []
    assert len(one) == len(many) == 10 + len(lock)
    # (On PostgreSQL the plan's two SELECTs are read through server-side cursors: DECLARE.)
    assert [sql.split()[0].replace("DECLARE", "SELECT") for sql in many] == [
        "SELECT", "SELECT", "SELECT", "SELECT", "SAVEPOINT", *lock, "SELECT", "SELECT", "INSERT",
        "RELEASE", "SELECT",
    ]  # fmt: skip


def test_evaluation_queries_with_every_rule_do_not_grow_with_the_number_of_recipients(cohort):
    one, many = one_and_many(cohort)

    assert len(one) == len(many)
    # The one insert is the session rule's: no other rule has anything to plan here.
    assert len([sql for sql in many if sql.startswith("INSERT")]) == 1


def test_session_rule_plans_in_one_query_per_offset_whatever_the_recipients(cohort):
    city = CityFactory()
    for n in range(3):
        session = session_at(cohort, START + datetime.timedelta(hours=n))
        for k in range(10):
            RegistrationFactory(session=session, city=city, email=f"p-{n}-{k}@gent.be")
    rule = RULES[ReminderKind.SESSION_STARTS]
    setting = settings_of_rules()[ReminderKind.SESSION_STARTS]

    with CaptureQueriesContext(connection) as queries:
        planned = list(
            rule.plan(
                now=DAY_AHEAD, until=DAY_AHEAD + datetime.timedelta(hours=24), setting=setting
            )
        )

    assert len(planned) == 60
    # One per offset (24 hours, 1 hour): the registrations of the sessions in its window, each
    # with the account of its address found in the same query.
    assert len(queries) == 2


# --- Evaluating again --------------------------------------------------------------------------


def test_evaluating_again_plans_nothing_new(cohort):
    session = session_at(cohort, START)
    RegistrationFactory(session=session, email="ana@braga.pt")
    RegistrationFactory(session=session, email="joao@porto.pt")
    with time_machine.travel(DAY_AHEAD, tick=False):
        first = reminders_evaluate()
    planned = list(OutboundEmail.objects.order_by("key").values())

    for moment in (DAY_AHEAD, DAY_AHEAD + datetime.timedelta(minutes=1)):
        with time_machine.travel(moment, tick=False):
            again = reminders_evaluate()
        assert counts(again) == dict.fromkeys(again, (0, 0))

    assert counts(first)[ReminderKind.SESSION_STARTS] == (4, 0)
    assert list(OutboundEmail.objects.order_by("key").values()) == planned


def test_evaluating_again_after_the_first_is_sent_plans_nothing_new(cohort):
    from notifications.services import emails_deliver_due

    RegistrationFactory(session=session_at(cohort, START), email="ana@braga.pt")
    with time_machine.travel(DAY_AHEAD, tick=False):
        reminders_evaluate()
        assert emails_deliver_due() == 1
        again = reminders_evaluate()

    assert counts(again) == dict.fromkeys(again, (0, 0))
    assert rows() == [
        ("ana@braga.pt", START - datetime.timedelta(hours=24), DeliveryStatus.SENT, ""),
        ("ana@braga.pt", START - datetime.timedelta(hours=1), DeliveryStatus.PENDING, ""),
    ]
    assert len(mail.outbox) == 1


# --- What is no longer wanted ------------------------------------------------------------------


def test_pending_reminder_of_a_person_no_longer_registered_is_cancelled_with_the_reason(cohort):
    from notifications.services import emails_deliver_due

    session = session_at(cohort, START)
    RegistrationFactory(session=session, email="ana@braga.pt")
    gone = RegistrationFactory(session=session, email="joao@porto.pt")
    with time_machine.travel(DAY_AHEAD, tick=False):
        reminders_evaluate()
        emails_deliver_due()  # both reminders a day ahead are sent
    gone.delete()
    later = DAY_AHEAD + datetime.timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        evaluation = reminders_evaluate()

    assert counts(evaluation)[ReminderKind.SESSION_STARTS] == (0, 1)
    day, hour = START - datetime.timedelta(hours=24), START - datetime.timedelta(hours=1)
    assert rows() == [
        ("ana@braga.pt", day, DeliveryStatus.SENT, ""),
        ("ana@braga.pt", hour, DeliveryStatus.PENDING, ""),
        # What was sent stays sent; what was waiting is cancelled, and the outbox says why.
        ("joao@porto.pt", day, DeliveryStatus.SENT, ""),
        ("joao@porto.pt", hour, DeliveryStatus.CANCELLED, NO_LONGER_APPLIES),
    ]
    cancelled = OutboundEmail.objects.get(status=DeliveryStatus.CANCELLED)
    assert cancelled.cancelled_at == later


def test_rule_turned_off_cancels_its_pending_reminders_at_the_next_evaluation(cohort):
    session = session_at(cohort, START)
    RegistrationFactory(session=session, email="ana@braga.pt")
    with time_machine.travel(START - datetime.timedelta(hours=30), tick=False):
        reminders_evaluate()
    ReminderRule.objects.create(kind=ReminderKind.SESSION_STARTS, enabled=False)
    with time_machine.travel(DAY_AHEAD, tick=False):
        evaluation = reminders_evaluate()

    assert counts(evaluation)[ReminderKind.SESSION_STARTS] == (0, 1)
    assert rows() == [
        (
            "ana@braga.pt",
            START - datetime.timedelta(hours=24),
            DeliveryStatus.CANCELLED,
            "The rule was turned off.",
        )
    ]


def test_person_who_unsubscribed_has_their_pending_reminders_cancelled(cohort):
    session = session_at(cohort, START)
    RegistrationFactory(session=session, email="Ana@Braga.pt")
    RegistrationFactory(session=session, email="joao@porto.pt")
    with time_machine.travel(START - datetime.timedelta(hours=30), tick=False):
        reminders_evaluate()
    # The link writes the address in lower case; the registration kept its capitals.
    ReminderOptOut.objects.create(address="ana@braga.pt", kind=ReminderKind.SESSION_STARTS)
    with time_machine.travel(DAY_AHEAD, tick=False):
        reminders_evaluate()

    day, hour = START - datetime.timedelta(hours=24), START - datetime.timedelta(hours=1)
    assert rows() == [
        ("Ana@Braga.pt", day, DeliveryStatus.CANCELLED, NO_LONGER_APPLIES),
        ("joao@porto.pt", day, DeliveryStatus.PENDING, ""),
        ("joao@porto.pt", hour, DeliveryStatus.PENDING, ""),
    ]


# --- From cron ---------------------------------------------------------------------------------


def run_periodic_tasks() -> dict:
    """One cron run, outside any transaction as cron runs it (so the delivery the evaluation
    queues runs eagerly when it commits); what the evaluation (planned and cancelled, all
    rules together) and the sweeper returned."""
    out = StringIO()
    call_command("run_periodic_tasks", stdout=out)
    printed = dict(line.partition(" -> ")[::2] for line in out.getvalue().splitlines())
    return {
        "evaluated": printed["evaluate-reminders: reminders.evaluate"],
        "swept": printed["sweep-stuck-emails: notifications.sweep_stuck_emails"],
    }


@pytest.mark.django_db(transaction=True)
def test_run_periodic_tasks_twice_in_a_row_plans_once_and_sends_once(cohort):
    RegistrationFactory(session=session_at(cohort, START, title="Roofs"), email="ana@braga.pt")

    with time_machine.travel(DAY_AHEAD, tick=False):
        first = run_periodic_tasks()
        second = run_periodic_tasks()

    # Planned: the reminder a day ahead (due, sent at once) and the one an hour ahead; the
    # other rules have nothing to plan here. Nothing was stuck for the sweeper.
    assert first["evaluated"] == "{'planned': 2, 'cancelled': 0}"
    assert second["evaluated"] == "{'planned': 0, 'cancelled': 0}"
    assert (first["swept"], second["swept"]) == ("0", "0")
    assert [(m.to, m.subject) for m in mail.outbox] == [(["ana@braga.pt"], 'Tomorrow: "Roofs"')]
    assert rows() == [
        ("ana@braga.pt", START - datetime.timedelta(hours=24), DeliveryStatus.SENT, ""),
        ("ana@braga.pt", START - datetime.timedelta(hours=1), DeliveryStatus.PENDING, ""),
    ]
