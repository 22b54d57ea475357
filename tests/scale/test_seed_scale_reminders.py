"""The reminder sessions of seed_scale (devdata/scale_reminders.py), for the reminders
benchmark: who is registered, when the sessions start, and what the evaluation plans from them
at the benchmark's two moments."""

import datetime
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from devdata.scale import scale_cohorts, scale_flush, scale_users
from devdata.scale_reminders import (
    COHORT_NUMBER,
    DAY_AHEAD,
    HOUR_AHEAD,
    SESSIONS,
    SESSIONS_START,
    scale_reminder_cohorts,
    scale_reminder_session_ids,
    scale_reminder_sessions,
)
from notifications.enums import DeliveryStatus, ReminderKind
from notifications.models import OutboundEmail
from notifications.services import emails_due_exist
from reminders.planning import reminders_evaluate
from sessions.enums import SessionStatus
from sessions.models import Registration, Session

pytestmark = pytest.mark.django_db

SMALL = [
    "--cities", "50", "--users", "400", "--cohorts", "2", "--survey-responses", "0",
    "--visit-applications", "0",
]  # fmt: skip


def seed(*args):
    call_command("seed_scale", *args, verbosity=0)


def reminder_registrations():
    return Registration.objects.filter(session__cohort__in=scale_reminder_cohorts())


def test_seed_scale_registers_one_person_per_user_for_sessions_starting_together():
    seed(*SMALL)

    cohort = scale_reminder_cohorts().get()
    assert cohort.number == COHORT_NUMBER
    # Its own cohort: the generated programme keeps its cohorts and their ten sessions each.
    assert cohort not in scale_cohorts()
    assert Session.objects.filter(cohort__in=scale_cohorts()).count() == 2 * 10
    sessions = Session.objects.filter(cohort=cohort)
    assert sessions.count() == SESSIONS
    assert set(sessions.values_list("status", flat=True)) == {SessionStatus.SCHEDULED}
    assert Counter(sessions.values_list("starts_at", flat=True)) == {
        SESSIONS_START + datetime.timedelta(minutes=minutes): 25 for minutes in (0, 15, 30, 45)
    }
    registrations = reminder_registrations()
    assert registrations.count() == 400
    assert Counter(registrations.values_list("session", flat=True)) == dict.fromkeys(
        sessions.values_list("pk", flat=True), 4
    )
    assert not registrations.filter(is_walk_in=True).exists()
    # Three in four are generated users, each once; the fourth a guest without an account.
    addresses = list(registrations.values_list("email", flat=True))
    users = set(scale_users().values_list("email", flat=True))
    assert len([a for a in addresses if a in users]) == 300
    assert len(set(addresses)) == 400
    guests = [a for a in addresses if a not in users]
    assert len(guests) == 100
    assert all(a.startswith("scale-guest-") for a in guests)
    assert not get_user_model().objects.filter(email__in=guests).exists()
    # Officers are registered with their city.
    assert registrations.filter(email__in=users, city__isnull=False).exists()


def test_evaluating_a_day_ahead_plans_two_reminders_each_one_due():
    seed(*SMALL)

    evaluation = reminders_evaluate(now=DAY_AHEAD)

    assert {kind: found.planned for kind, found in evaluation.items()} == {
        kind: 800 if kind == ReminderKind.SESSION_STARTS else 0 for kind in evaluation
    }
    rows = OutboundEmail.objects.filter(kind=ReminderKind.SESSION_STARTS)
    assert rows.filter(send_after__lte=DAY_AHEAD).count() == 400
    assert set(rows.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
    # The account lookup found the 300 generated users, twice each.
    assert rows.exclude(recipient=None).count() == 600
    assert emails_due_exist(now=DAY_AHEAD)


def test_evaluating_an_hour_ahead_plans_one_reminder_each_all_due():
    seed(*SMALL)

    evaluation = reminders_evaluate(now=HOUR_AHEAD)

    assert {kind: found.planned for kind, found in evaluation.items()} == {
        kind: 400 if kind == ReminderKind.SESSION_STARTS else 0 for kind in evaluation
    }
    rows = OutboundEmail.objects.filter(kind=ReminderKind.SESSION_STARTS)
    assert rows.filter(send_after__lte=HOUR_AHEAD).count() == 400


def test_due_reminders_option_zero_and_fewer_users_than_registrations():
    seed(*SMALL, "--due-reminders", "7")
    assert reminder_registrations().count() == 7
    assert len(scale_reminder_session_ids()) == 7

    seed(*SMALL, "--due-reminders", "0", "--flush")
    assert not scale_reminder_cohorts().exists()

    # 1,200 registrations, 12 per session, 900 of them for 400 users: users come round again,
    # but never twice in one session (a guest takes the place).
    seed(*SMALL, "--due-reminders", "1200", "--flush")
    registrations = reminder_registrations()
    assert registrations.count() == 1200
    per_session = Counter(registrations.values_list("session", "email"))
    assert set(per_session.values()) == {1}

    with pytest.raises(CommandError, match="--due-reminders must be between 0 and 1000000"):
        seed(*SMALL, "--due-reminders", "-1", "--flush")


def test_scale_reminder_sessions_are_made_in_a_database_seeded_without_them_and_flushed():
    seed(*SMALL, "--due-reminders", "0")
    assert scale_reminder_session_ids() == []

    made = scale_reminder_sessions(registrations=250)

    assert len(made) == SESSIONS
    assert reminder_registrations().count() == 250
    assert scale_reminder_sessions(registrations=999) == made  # found again, not made twice

    scale_flush()
    assert not scale_reminder_cohorts().exists()
    assert not Session.objects.filter(pk__in=made).exists()
