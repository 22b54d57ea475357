"""seed_demo's cohort 2 is in progress on whatever day the demo is first loaded: its dates count
from that day, and a later run moves nothing."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from cohorts.models import Cohort, Enrolment
from devdata.demo_cities import COHORT_2_FIXED_DATES, COHORT_2_RETURN_NOTE
from notifications.models import OutboundEmail
from roadmaps.models import Roadmap
from roadmaps.selectors import section_opens_on
from roadmaps.services import roadmap_accept, roadmap_field_save, roadmap_missing_fields
from sessions.models import Registration, Session
from tests.seeds.snapshots import seed_demo, snapshot

BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")


def cohort_2() -> Cohort:
    return Cohort.objects.get(programme="odg", number=2)


def at(day: datetime.date, hour: int = 9):
    """Travel to `hour` o'clock Brussels time on `day`, the clock stopped."""
    moment = datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=BRUSSELS)
    return time_machine.travel(moment, tick=False)


def roadmap_of(city: str) -> Roadmap:
    return Roadmap.objects.select_related("city", "cohort").get(cohort=cohort_2(), city__name=city)


# A Wednesday, and a Saturday: some of cohort 2's session days then fall on a weekend and move
# to the Monday after.
@pytest.mark.parametrize(
    ("today", "session_days"),
    [
        (
            datetime.date(2026, 12, 2),
            [
                (2026, 9, 30),
                (2026, 10, 14),
                (2026, 10, 28),
                (2026, 11, 4),
                (2026, 11, 11),
                (2026, 11, 18),
                (2026, 11, 23),
                (2026, 12, 8),
                (2026, 12, 15),
                (2026, 12, 22),
                (2026, 12, 29),
                (2027, 1, 5),
                (2027, 2, 24),
            ],
        ),
        (
            datetime.date(2027, 6, 19),
            [
                (2027, 4, 19),
                (2027, 5, 3),
                (2027, 5, 17),
                (2027, 5, 24),
                (2027, 5, 31),
                (2027, 6, 7),
                (2027, 6, 9),
                (2027, 6, 25),
                (2027, 7, 2),
                (2027, 7, 9),
                (2027, 7, 16),
                (2027, 7, 23),
                (2027, 9, 13),
            ],
        ),
    ],
)
def test_first_run_puts_cohort_2_in_progress_around_today(db, today, session_days):
    with at(today):
        seed_demo()

        cohort = cohort_2()
        day = lambda n: today + datetime.timedelta(days=n)  # noqa: E731
        assert (cohort.starts_on, cohort.ends_on) == (day(-70), day(90))
        assert list(cohort.phases.values_list("kind", "starts_on", "ends_on")) == [
            ("onboarding", day(-70), day(-43)),
            ("thematic", day(-42), day(-8)),
            ("technical", day(-7), day(48)),
            ("study_visit", day(49), day(90)),
        ]
        sessions = list(cohort.sessions.order_by("starts_at"))
        assert [s.starts_at for s in sessions] == [
            datetime.datetime(*ymd, 10, 0, tzinfo=BRUSSELS) for ymd in session_days
        ]
        assert all(
            s.phase.starts_on <= s.starts_at.astimezone(BRUSSELS).date() <= s.phase.ends_on
            for s in sessions
        )
        # 7 past (onboarding and thematic), 6 to register for (technical and the recap).
        now = datetime.datetime.combine(today, datetime.time(9, 0), tzinfo=BRUSSELS)
        assert [s.kind for s in sessions if s.starts_at > now] == ["technical"] * 5 + ["recap"]

        # Braga's roadmap is open in every section but Phase 4 (Group Study Visits, ahead), and
        # the officer can write Phase 3.
        braga = roadmap_of("Braga")
        assert braga.status == "draft"
        assert section_opens_on(roadmap=braga) == {
            "representative": None,
            "phase1": None,
            "phase2_1": None,
            "phase2_2": None,
            "phase3": None,
            "phase4": day(49),
        }
        roadmap_field_save(
            roadmap=braga,
            key="phase3.note",
            value="Ask about one-stop-shops.",
            base_version=0,
            acting_user=User.objects.get(email="officer@example.org"),
        )

    coimbra, ljubljana = roadmap_of("Coimbra"), roadmap_of("Ljubljana")
    submitted_at = datetime.datetime.combine(today, datetime.time(9, 0), tzinfo=BRUSSELS)
    assert (coimbra.status, coimbra.submitted_at) == ("submitted", submitted_at)
    assert roadmap_missing_fields(roadmap=coimbra) == []
    assert list(
        coimbra.transitions.values_list("from_status", "to_status", "by__email", "note")
    ) == [("draft", "submitted", "coimbra.officer@example.org", "")]
    assert ljubljana.status == "returned"
    assert list(
        ljubljana.transitions.order_by("pk").values_list(
            "from_status", "to_status", "by__email", "note"
        )
    ) == [
        ("draft", "submitted", "ljubljana.officer@example.org", ""),
        ("submitted", "returned", "facilitator@example.org", COHORT_2_RETURN_NOTE),
    ]
    assert sorted(
        Enrolment.objects.filter(cohort=cohort, status="requested").values_list(
            "city__name", flat=True
        )
    ) == ["Limerick", "Porto", "Strasbourg"]

    # The three officers are registered for the 7 past sessions, attended; the last one's
    # attendance is left for the facilitator to record.
    attendance = [
        sorted(Registration.objects.filter(session=s).values_list("email", "attendance"))
        for s in sessions[:8]
    ]
    officers = ["coimbra.officer@example.org", "ljubljana.officer@example.org"]
    attended = [(email, "attended") for email in [*officers, "officer@example.org"]]
    assert attendance == [attended] * 6 + [
        [(email, "") for email in [*officers, "officer@example.org"]],
        [],
    ]


def test_a_run_weeks_later_moves_and_adds_nothing(db):
    with at(datetime.date(2026, 12, 2)):
        seed_demo()
    before = snapshot()

    with at(datetime.date(2027, 1, 20)), CaptureQueriesContext(connection) as queries:
        output = seed_demo()

    assert output == (
        "Reference data: 0 created, 0 updated, 67 unchanged.\n"
        "Demo data: 0 created, 0 updated, 718 unchanged.\n"
        "Demo surveys: 0 created, 0 updated, 938 unchanged.\n"
        "Demo visits: 0 created, 0 updated, 814 unchanged.\n"
    )
    assert snapshot() == before
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []
    assert cohort_2().starts_on == datetime.date(2026, 9, 23)


def test_a_run_keeps_a_roadmap_the_facilitator_reviewed_since(db):
    with at(datetime.date(2026, 12, 2)):
        seed_demo()
    coimbra = roadmap_of("Coimbra")
    facilitator = User.objects.get(email="facilitator@example.org")
    with at(datetime.date(2026, 12, 3)):
        roadmap_accept(roadmap=coimbra, acting_user=facilitator)

    with at(datetime.date(2026, 12, 10)):
        seed_demo()

    coimbra.refresh_from_db()
    assert coimbra.status == "accepted"
    assert coimbra.transitions.count() == 2


def test_a_database_with_the_fixed_cohort_2_of_2027_is_anchored_on_its_next_run(db):
    with at(datetime.date(2026, 12, 2)):
        seed_demo()
    Cohort.objects.filter(pk=cohort_2().pk).update(
        starts_on=COHORT_2_FIXED_DATES[0], ends_on=COHORT_2_FIXED_DATES[1]
    )

    with at(datetime.date(2027, 3, 10)):
        seed_demo()

    cohort = cohort_2()
    assert (cohort.starts_on, cohort.ends_on) == (
        datetime.date(2026, 12, 30),
        datetime.date(2027, 6, 8),
    )
    assert cohort.phases.get(kind="technical").starts_on == datetime.date(2027, 3, 3)
    assert Session.objects.filter(cohort=cohort).count() == 13


def test_first_run_delivers_none_of_the_emails_its_roadmap_reviews_queue(transactional_db):
    # A transactional database: the load commits, and delivers what it queued, as in `make run`.
    with at(datetime.date(2026, 12, 2)):
        seed_demo()

    # Each submission: the city's officer and the facilitators who review it (the demo
    # facilitator leads cohort 2; both cities joined the Energy group); the return: the officer.
    # (Cohort 1's completed roadmaps and the Group Study Visits queue theirs: test_demo_visits.)
    cohort_2_roadmaps = Q()
    for pk in Roadmap.objects.filter(cohort=cohort_2()).values_list("pk", flat=True):
        cohort_2_roadmaps |= Q(key__startswith=f"roadmap:{pk}:")
    assert sorted(OutboundEmail.objects.filter(cohort_2_roadmaps).values_list("to", "status")) == [
        ("coimbra.officer@example.org", "sent"),
        ("energy.facilitator@example.org", "sent"),
        ("energy.facilitator@example.org", "sent"),
        ("facilitator@example.org", "sent"),
        ("facilitator@example.org", "sent"),
        ("ljubljana.officer@example.org", "sent"),
        ("ljubljana.officer@example.org", "sent"),
    ]
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}
    assert mail.outbox == []
