"""The weekly digest to each facilitator: who gets it, when (Monday 08:00 in their own zone),
what it lists, and who does not get it."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.enums import EnrolmentStatus
from feedback.enums import ResponseStatus, ResponseUnit, SurveyScope
from notifications.enums import DeliveryStatus, ReminderKind
from notifications.models import OutboundEmail
from notifications.services import emails_deliver_due
from portal.links import site_url
from reminders.catalogue import RULES
from reminders.models import ReminderOptOut, ReminderRule
from reminders.planning import PLAN_AHEAD, reminders_evaluate, settings_of_rules
from sessions.enums import Attendance, SessionStatus
from tests.factories import (
    CityFactory,
    CohortFactory,
    EnrolmentFactory,
    RegistrationFactory,
    ResponseFactory,
    RoadmapFactory,
    SessionFactory,
    SurveyFactory,
    ThematicGroupFactory,
    UserFactory,
    city_officer,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# Monday 7 December 2026 starts ISO week 50.
MONDAY = datetime.date(2026, 12, 7)
RUNNING = {"starts_on": datetime.date(2026, 9, 1), "ends_on": datetime.date(2027, 2, 28)}
FINISHED = {"starts_on": datetime.date(2026, 3, 1), "ends_on": datetime.date(2026, 6, 30)}


def utc(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 12, day, hour, minute, tzinfo=UTC)


def digests():
    return sorted(
        OutboundEmail.objects.filter(kind=ReminderKind.FACILITATOR_DIGEST).values_list(
            "to", "key", "send_after", "status"
        )
    )


def key(user, week="2026-W50") -> str:
    return f"facilitator_digest:digest:u{user.pk}:{week}"


def facilitator(**fields):
    return UserFactory(is_facilitator=True, **fields)


def led_by(person, **fields):
    cohort = CohortFactory(**{**RUNNING, **fields})
    cohort.facilitators.add(person)
    return cohort


def enrolled(cohort, *, name, percent=0, status=EnrolmentStatus.ACCEPTED):
    city = CityFactory(name=name)
    EnrolmentFactory(cohort=cohort, city=city, status=status)
    RoadmapFactory(cohort=cohort, city=city, percent_complete=percent)
    return city


def past_session(cohort, *, title, days_ago, attendance=(Attendance.UNKNOWN,), **fields):
    starts_at = utc(7, 9) - datetime.timedelta(days=days_ago)
    session = SessionFactory(
        cohort=cohort,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=90),
        **fields,
    )
    for value in attendance:
        RegistrationFactory(session=session, attendance=value)
    return session


def answered(survey, city):
    ResponseFactory(
        survey=survey,
        user=city_officer(city),
        city=city,
        respondent=f"city:{city.pk}",
        status=ResponseStatus.SUBMITTED,
    )


def open_survey(**fields):
    return SurveyFactory(is_published=True, opens_at=utc(1, 9), closes_at=utc(18, 17), **fields)


@pytest.fixture
def ines():
    """A lead facilitator in Lisbon (UTC in winter), with a cohort where some are behind."""
    return facilitator(email="ines@portal.eu", full_name="Inês", time_zone="Europe/Lisbon")


@pytest.fixture
def cohort(ines):
    return led_by(ines, name="Cohort A")


def test_digest_lists_who_is_behind_on_monday_at_eight_in_each_zone(ines, cohort):
    braga = enrolled(cohort, name="Braga")
    enrolled(cohort, name="Porto", percent=40)
    # A roadmap left from an enrolment that is not accepted (any more).
    enrolled(cohort, name="Faro", status=EnrolmentStatus.DECLINED)
    unmarked = past_session(cohort, title="Urban greening", days_ago=6)
    past_session(cohort, title="Marked", days_ago=5, attendance=["", Attendance.ATTENDED])
    past_session(cohort, title="Nobody registered", days_ago=4, attendance=[])
    past_session(cohort, title="Too old", days_ago=29)
    past_session(cohort, title="Cancelled", days_ago=3, status=SessionStatus.CANCELLED)
    past_session(cohort, title="Imported", days_ago=2, reported_participants=12)
    survey = open_survey(title="Mid-term survey", cohort=cohort, response_unit=ResponseUnit.CITY)
    answered(survey, CityFactory(name="Porto answered"))  # not in the cohort: ignored
    answered(survey, cohort.enrolments.get(city__name="Porto").city)
    open_survey(title="Anonymous", cohort=cohort, is_anonymous=True)
    # A facilitator of a thematic group of another cohort, in Montreal.
    marc = facilitator(email="marc@portal.ca", full_name="Marc", time_zone="America/Montreal")
    other = CohortFactory(name="Cohort B", **RUNNING)
    ThematicGroupFactory(cohort=other).facilitators.add(marc)
    enrolled(other, name="Lyon")
    # Not getting it: a finished cohort's lead; a lead without the facilitator role; an
    # inactive facilitator.
    led_by(facilitator(email="old@portal.eu"), **FINISHED)
    cohort.facilitators.add(UserFactory(email="norole@portal.eu"))
    cohort.facilitators.add(facilitator(email="gone@portal.eu", is_active=False))

    with time_machine.travel(utc(6, 9), tick=False):  # Sunday
        reminders_evaluate()
    assert digests() == [("ines@portal.eu", key(ines), utc(7, 8), DeliveryStatus.PENDING)]
    with time_machine.travel(utc(6, 13), tick=False):
        reminders_evaluate()
    assert digests() == [
        ("ines@portal.eu", key(ines), utc(7, 8), DeliveryStatus.PENDING),
        # Monday 08:00 in Montreal is 13:00 UTC.
        ("marc@portal.ca", key(marc), utc(7, 13), DeliveryStatus.PENDING),
    ]

    with time_machine.travel(utc(7, 8), tick=False):
        reminders_evaluate()
        assert emails_deliver_due() == 1
    [message] = mail.outbox
    assert message.to == ["ines@portal.eu"]
    assert message.subject == "Weekly digest: who is behind in your cohort"
    cohort_url = site_url(reverse("cohort_detail", args=[cohort.pk]))
    attendance_url = site_url(reverse("session_attendance", args=[unmarked.pk]))
    overview_url = site_url(reverse("roadmap_cohort_overview", args=[cohort.pk]))
    results_url = site_url(reverse("survey_results", args=[survey.pk]))
    assert message.body.split("--\n")[0] == (
        "Dear Inês,\n"
        "\n"
        "Here is who is behind in the cohorts you facilitate this week.\n"
        "\n"
        "== Cohort A ==\n"
        f"Cohort page: {cohort_url}\n"
        "\n"
        "Sessions of the last four weeks without attendance recorded:\n"
        f'- "Urban greening", 1 December 2026, 09:00: {attendance_url}\n'
        "\n"
        "1 city has not started its roadmap: Braga\n"
        f"The cohort's roadmaps: {overview_url}\n"
        "\n"
        "Surveys open now that have not been answered by:\n"
        f'- "Mid-term survey" (closes on 18 December 2026, 17:00): 1 city: Braga\n'
        f"  Results, and a reminder to send: {results_url}\n"
        "\n"
    )
    assert braga.name in message.alternatives[0][0]
    assert f'<h2><a href="{cohort_url}">Cohort A</a></h2>' in message.alternatives[0][0]

    with time_machine.travel(utc(7, 13), tick=False):
        reminders_evaluate()
        assert emails_deliver_due() == 1
    assert [m.to for m in mail.outbox] == [["ines@portal.eu"], ["marc@portal.ca"]]
    assert "1 city has not started its roadmap: Lyon" in mail.outbox[1].body


def test_digest_is_once_a_week(ines, cohort):
    enrolled(cohort, name="Braga")
    for moment in (utc(6, 9), utc(7, 8), utc(8, 12), utc(10, 23), utc(13, 7, 59)):
        with time_machine.travel(moment, tick=False):
            reminders_evaluate()
            emails_deliver_due()
    assert digests() == [("ines@portal.eu", key(ines), utc(7, 8), DeliveryStatus.SENT)]
    with time_machine.travel(utc(13, 9), tick=False):  # the next Sunday
        reminders_evaluate()
    assert digests()[1] == (
        "ines@portal.eu",
        key(ines, "2026-W51"),
        utc(14, 8),
        DeliveryStatus.PENDING,
    )
    assert len(mail.outbox) == 1


def test_digest_more_than_a_day_late_is_not_sent(ines, cohort):
    enrolled(cohort, name="Braga")
    with time_machine.travel(utc(9, 10), tick=False):  # Wednesday: this week's is past
        reminders_evaluate()
    assert digests() == []
    with time_machine.travel(utc(13, 9), tick=False):  # Sunday: the next one
        reminders_evaluate()
    # No worker sent it on Monday; a day later it is no longer wanted.
    with time_machine.travel(utc(15, 8, 1), tick=False):
        reminders_evaluate()
        emails_deliver_due()
    assert digests() == [
        ("ines@portal.eu", key(ines, "2026-W51"), utc(14, 8), DeliveryStatus.CANCELLED)
    ]
    assert mail.outbox == []


def test_digest_time_comes_from_the_rules_page_in_the_facilitators_zone(cohort):
    enrolled(cohort, name="Braga")
    tokyo = facilitator(email="ken@portal.jp", time_zone="Asia/Tokyo")
    cohort.facilitators.add(tokyo)
    # Tuesday 10:00.
    ReminderRule.objects.create(kind=ReminderKind.FACILITATOR_DIGEST, offsets=[24 * 60 + 600])
    with time_machine.travel(utc(7, 12), tick=False):
        reminders_evaluate()
    assert [(row[0], row[2]) for row in digests()] == [
        ("ines@portal.eu", utc(8, 10)),
        # Tuesday 10:00 in Tokyo is Tuesday 01:00 UTC.
        ("ken@portal.jp", utc(8, 1)),
    ]


def test_digest_with_nobody_behind_is_cancelled(ines, cohort):
    enrolled(cohort, name="Braga", percent=10)
    past_session(cohort, title="Marked", days_ago=5, attendance=[Attendance.NO_SHOW])
    with time_machine.travel(utc(7, 8), tick=False):
        reminders_evaluate()
        emails_deliver_due()
    [row] = OutboundEmail.objects.filter(kind=ReminderKind.FACILITATOR_DIGEST)
    assert (row.status, row.cancel_reason) == (DeliveryStatus.CANCELLED, "Nobody is behind.")
    assert mail.outbox == []


def test_digest_says_which_cohorts_are_on_track(ines, cohort):
    enrolled(cohort, name="Braga")
    on_track = led_by(ines, name="Cohort C")
    enrolled(on_track, name="Gent", percent=55)
    with time_machine.travel(utc(7, 8), tick=False):
        reminders_evaluate()
        emails_deliver_due()
    [message] = mail.outbox
    assert message.subject == "Weekly digest: who is behind in your cohort"
    assert "Nobody is behind in: Cohort C.\n" in message.body
    assert "== Cohort C ==" not in message.body


def test_digest_is_cancelled_for_who_no_longer_facilitates(ines, cohort):
    enrolled(cohort, name="Braga")
    lead = facilitator(email="lea@portal.eu")
    cohort.facilitators.add(lead)
    with time_machine.travel(utc(6, 9), tick=False):
        reminders_evaluate()
    cohort.facilitators.remove(ines)
    lead.is_facilitator = False
    lead.save()
    with time_machine.travel(utc(7, 8), tick=False):
        emails_deliver_due()
    assert sorted(
        OutboundEmail.objects.filter(kind=ReminderKind.FACILITATOR_DIGEST).values_list(
            "to", "status", "cancel_reason"
        )
    ) == [
        (
            "ines@portal.eu",
            DeliveryStatus.CANCELLED,
            "The person no longer facilitates a running cohort.",
        ),
        ("lea@portal.eu", DeliveryStatus.CANCELLED, "The person is no longer a facilitator."),
    ]
    assert mail.outbox == []


def test_digest_not_to_who_opted_out_nor_when_turned_off(ines, cohort):
    enrolled(cohort, name="Braga")
    cohort.facilitators.add(facilitator(email="lea@portal.eu"))
    ReminderOptOut.objects.create(address="lea@portal.eu", kind=ReminderKind.FACILITATOR_DIGEST)
    with time_machine.travel(utc(6, 9), tick=False):
        reminders_evaluate()
    assert [row[0] for row in digests()] == ["ines@portal.eu"]
    ReminderRule.objects.create(kind=ReminderKind.FACILITATOR_DIGEST, enabled=False)
    with time_machine.travel(utc(7, 8), tick=False):
        reminders_evaluate()
        emails_deliver_due()
    [row] = OutboundEmail.objects.filter(kind=ReminderKind.FACILITATOR_DIGEST)
    assert (row.status, row.cancel_reason) == (DeliveryStatus.CANCELLED, "The rule was turned off.")
    with time_machine.travel(utc(13, 9), tick=False):
        reminders_evaluate()
    assert OutboundEmail.objects.filter(kind=ReminderKind.FACILITATOR_DIGEST).count() == 1
    assert mail.outbox == []


def test_digest_names_people_of_the_cohort_who_have_not_answered(ines, cohort):
    braga = enrolled(cohort, name="Braga", percent=30)
    ana = city_officer(braga, full_name="Ana Costa")
    city_officer(braga, full_name="Rui Sousa")
    other = CohortFactory(**RUNNING)
    city_officer(enrolled(other, name="Lyon"), full_name="Marie Dupont")
    # A programme's survey asks every cohort: the digest names this cohort's people only.
    survey = open_survey(
        title="Programme survey",
        scope=SurveyScope.PROGRAMME,
        cohort=None,
        programme=cohort.programme,
    )
    ResponseFactory(
        survey=survey, user=ana, respondent=f"person:{ana.pk}", status=ResponseStatus.SUBMITTED
    )
    session = past_session(cohort, title="Recorded", days_ago=3, attendance=[Attendance.ATTENDED])
    session_survey = open_survey(
        title="After the session", scope=SurveyScope.SESSION, session=session, cohort=None
    )
    with time_machine.travel(utc(7, 8), tick=False):
        reminders_evaluate()
        emails_deliver_due()
    # The survey reminders of the same people go out too (rules_feedback): the digest is one.
    [message] = [m for m in mail.outbox if m.subject.startswith("Weekly digest")]
    assert '"Programme survey" (closes on 18 December 2026, 17:00): 1 person: Rui Sousa' in (
        message.body
    )
    assert (
        '"After the session" (closes on 18 December 2026, 17:00): 2 people: Ana Costa, Rui Sousa'
        in message.body
    )
    assert site_url(reverse("survey_results", args=[session_survey.pk])) in message.body
    assert "Marie Dupont" not in message.body


def _plan_queries(now) -> tuple[int, int]:
    rule = RULES[ReminderKind.FACILITATOR_DIGEST]
    setting = settings_of_rules()[ReminderKind.FACILITATOR_DIGEST]
    with CaptureQueriesContext(connection) as queries:
        planned = list(rule.plan(now=now, until=now + PLAN_AHEAD, setting=setting))
    return len(queries), len(planned)


def test_digest_plan_queries_do_not_grow_with_facilitators(ines, cohort):
    one = _plan_queries(utc(7, 7))
    zones = ["Europe/Brussels", "Europe/Paris", "Atlantic/Azores", "Europe/Helsinki"]
    for zone in zones:
        cohort.facilitators.add(facilitator(time_zone=zone))
        group = ThematicGroupFactory(cohort=led_by(facilitator(time_zone=zone)))
        group.facilitators.add(facilitator(time_zone=zone), ines)
    many = _plan_queries(utc(7, 7))
    # The facilitators with their zones and their cohorts' dates (one UNION).
    assert (one[0], many[0]) == (1, 1)
    assert (one[1], many[1]) == (1, 13)


def test_digest_render_reads_a_few_queries_per_open_survey(ines, cohort):
    braga = enrolled(cohort, name="Braga")
    city_officer(braga)
    past_session(cohort, title="Unmarked", days_ago=3)
    open_survey(title="First", cohort=cohort)
    with time_machine.travel(utc(7, 8), tick=False):
        reminders_evaluate()
    row = OutboundEmail.objects.get(kind=ReminderKind.FACILITATOR_DIGEST)
    rule = RULES[ReminderKind.FACILITATOR_DIGEST]

    def render_queries() -> int:
        with (
            time_machine.travel(utc(7, 8), tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            rule.render(row)
        return len(queries)

    one = render_queries()
    second = led_by(ines, name="Cohort D")
    enrolled(second, name="Gent")
    for title in ("Second", "Third"):
        open_survey(title=title, cohort=second)
    past_session(second, title="Unmarked too", days_ago=2)
    three = render_queries()
    # The person; their running cohorts; the sessions to record; the roadmaps not started;
    # the open named surveys; then who has not answered, one query per survey and cohort.
    assert (one, three) == (6, 8)
