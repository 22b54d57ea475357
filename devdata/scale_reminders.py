"""Session reminders at scale (issue 13: "50,000 due reminders evaluated and queued"), for the
reminders benchmark (benchmarks/bench_reminders.py).

`seed_scale` makes them as its step "reminders" (`--due-reminders`; by default one per
generated user: 50,000 at the default 50,000 users); `scale_reminder_sessions()` finds them
again, or makes them in a benchmark database seeded before the step existed.

What the rows are:
- One cohort of its own, number 999 of the Online Discussion Groups ("Scale reminders"), so
  that the generated programme (its cohorts from 1000 up, their sessions and registrations,
  the pages the other benchmarks time) is unchanged; its two lead facilitators are generated
  facilitators.
- 100 scheduled sessions (fewer when fewer registrations are asked), all starting on Saturday
  17 December 2022 between 09:00 and 09:45 UTC (a quarter of them at each quarter hour), with
  the registrations shared out between them.
- The registrations: three in four are generated users (their addresses in order, each user
  once while there are registrations for them, with the city they are an officer of), the
  fourth a guest without an account ("scale-guest-000004@scale.example.org"), so the rule's
  account lookup finds some addresses and not others. None is a walk-in.

Decision: the sessions start at a fixed moment, as every generated date does, and the benchmark
evaluates the rules at a fixed `now` (reminders_evaluate takes it) rather than moving data to
the clock: a day ahead (`DAY_AHEAD`, 23 hours before the first start: every registration's
reminder "in 24 hours" due at once, the one "in 1 hour" planned) and an hour ahead
(`HOUR_AHEAD`: only the reminders "in 1 hour", all due). The moment is before the generated
programme's first cohort (2 January 2023), so no other rule has generated data to plan from
then: what is timed is the session rule's 50,000 with every other rule evaluated and finding
nothing. Being in the past, the sessions are shown nowhere as coming.

No random draw: the rows follow from the number asked and the generated users alone.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from cohorts.enums import Programme
from cohorts.models import Cohort
from devdata.scale import BATCH_SIZE, EMAIL_DOMAIN, ScaleContext, scale_step, scale_users
from sessions.enums import SessionKind, SessionStatus
from sessions.models import Registration, Session

COHORT_NUMBER = 999
COHORT_NAME = "Scale reminders: sessions starting within a day"
SESSION_TITLE_PREFIX = "Scale reminders: breakout "
SESSIONS = 100
SESSIONS_START = datetime.datetime(2022, 12, 17, 9, 0, tzinfo=datetime.UTC)
SESSION_LENGTH = datetime.timedelta(minutes=60)
# When the benchmark evaluates the rules (module docstring).
DAY_AHEAD = SESSIONS_START - datetime.timedelta(hours=23)
HOUR_AHEAD = SESSIONS_START - datetime.timedelta(minutes=1)
# seed_scale's default: one registration per generated user (50,000 at the default size).
REGISTRATIONS_PER_USER = 1
# Every fourth registration is a guest without an account.
GUEST_EVERY = 4


def scale_reminder_cohorts():
    return Cohort.objects.filter(
        programme=Programme.ONLINE_DISCUSSION_GROUPS, number=COHORT_NUMBER, name=COHORT_NAME
    )


def scale_reminder_session_ids() -> list[int]:
    return list(
        Session.objects.filter(cohort__in=scale_reminder_cohorts())
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def scale_reminder_sessions(*, registrations: int) -> list[int]:
    """The ids of the reminder sessions, found again, or made now with `registrations`."""
    found = scale_reminder_session_ids()
    if found:
        return found
    with transaction.atomic():
        reminders_generate(registrations=registrations)
    return scale_reminder_session_ids()


def guest_email(number: int) -> str:
    return f"scale-guest-{number:06d}@{EMAIL_DOMAIN}"


def reminders_generate(*, registrations: int) -> int:
    """Make the cohort, its sessions and `registrations` registrations (module docstring), in
    the caller's transaction; return the rows made."""
    if registrations <= 0:
        return 0
    if scale_reminder_cohorts().exists():
        _flush_reminders()  # left by a database whose generated rows were deleted another way
    cohort = Cohort.objects.create(
        programme=Programme.ONLINE_DISCUSSION_GROUPS,
        number=COHORT_NUMBER,
        name=COHORT_NAME,
        starts_on=(SESSIONS_START - datetime.timedelta(days=40)).date(),
        ends_on=(SESSIONS_START + datetime.timedelta(days=140)).date(),
    )
    # Each generated user with the first city they are an officer of, in one query: a join,
    # not a subquery per user, which PostgreSQL ran as a scan of the memberships per user
    # inside the seed's transaction (no statistics yet on the new tables): minutes.
    people = []
    for row in (
        scale_users()
        .order_by("email", "city_memberships__pk")
        .values_list("pk", "email", "full_name", "is_facilitator", "city_memberships__city_id")
    ):
        if not people or people[-1][0] != row[0]:
            people.append(row)
    leads = [pk for pk, _email, _name, is_facilitator, _city in people if is_facilitator][:2]
    Cohort.facilitators.through.objects.bulk_create(
        [Cohort.facilitators.through(cohort_id=cohort.pk, user_id=pk) for pk in leads]
    )
    count = min(SESSIONS, registrations)
    sessions = Session.objects.bulk_create(
        [
            Session(
                cohort=cohort,
                kind=SessionKind.ONBOARDING,
                title=f"{SESSION_TITLE_PREFIX}{n + 1:03d}",
                starts_at=SESSIONS_START + datetime.timedelta(minutes=15 * (n % 4)),
                ends_at=SESSIONS_START + datetime.timedelta(minutes=15 * (n % 4)) + SESSION_LENGTH,
                status=SessionStatus.SCHEDULED,
                meeting_url=f"https://meet.example.org/scale-reminders-{n + 1}",
            )
            for n in range(count)
        ]
    )
    created = SESSIONS_START - datetime.timedelta(days=7)
    rows = []
    # (session, address) already registered: with fewer users than a session's registrations,
    # a user comes round again, and the registration goes to a guest instead.
    taken: set[tuple[int, str]] = set()
    user_turn = 0
    for number in range(1, registrations + 1):
        # Shared out in turn: session n gets registrations n, n + count, n + 2 * count...
        session = sessions[(number - 1) % count]
        email, full_name, city_id = guest_email(number), f"Guest {number}", None
        if number % GUEST_EVERY and people:
            _pk, user_email, user_name, _is_facilitator, user_city = people[user_turn % len(people)]
            user_turn += 1
            if (session.pk, user_email) not in taken:
                email, full_name, city_id = user_email, user_name, user_city
        taken.add((session.pk, email))
        rows.append(
            Registration(
                session=session,
                city_id=city_id,
                full_name=full_name,
                email=email,
                created_at=created,
            )
        )
    Registration.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    return 1 + len(sessions) + len(rows)


def _flush_reminders():
    cohorts = scale_reminder_cohorts()
    # One DELETE for the registrations, no rows loaded (the cache is cleared after a seed).
    registrations = Registration.objects.filter(session__cohort__in=cohorts)
    registrations._raw_delete(registrations.db)
    Session.objects.filter(cohort__in=cohorts).delete()
    cohorts.delete()


@scale_step("reminders", flush=_flush_reminders)
def generate_reminders(ctx: ScaleContext) -> int:
    """The reminder sessions and their registrations (module docstring)."""
    count = ctx.config.due_reminders
    if count is None:
        count = REGISTRATIONS_PER_USER * ctx.config.users
    return reminders_generate(registrations=count)
