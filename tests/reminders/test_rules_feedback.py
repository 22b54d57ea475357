"""A survey is open and not answered after 2 and 5 days, at most N reminders and M days apart,
the facilitator's "send reminder" included: who gets what, when, and who does not."""

import datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.enums import EnrolmentStatus
from feedback.enums import ResponseStatus, ResponseUnit, SurveyScope
from feedback.models import Survey
from feedback.reminders import survey_reminders_send
from feedback.results import people_to_remind, people_to_remind_of
from notifications import services as notification_services
from notifications.enums import DeliveryStatus, ReminderKind
from notifications.models import OutboundEmail
from notifications.services import email_deliver, emails_deliver_due
from portal.links import site_url
from reminders.catalogue import RULES
from reminders.models import ReminderOptOut, ReminderRule
from reminders.planning import reminders_evaluate
from reminders.rules_feedback import written_now_suppressed
from tests import factories

pytestmark = pytest.mark.django_db

# Monday 2 November 2026, 10:00 in Brussels; the survey closes two weeks later.
OPEN = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
GAP = "The person had a reminder of this survey less than 2 days before or after."


def at(**delta) -> datetime.datetime:
    return OPEN + datetime.timedelta(**delta)


def planned():
    """The rule's rows (not those sent by hand): (to, send_after, status)."""
    return sorted(
        OutboundEmail.objects.filter(
            kind=ReminderKind.SURVEY_UNANSWERED, send_after__isnull=False
        ).values_list("to", "send_after", "status")
    )


def by_hand():
    return sorted(
        OutboundEmail.objects.filter(
            kind=ReminderKind.SURVEY_UNANSWERED, send_after__isnull=True
        ).values_list("to", "status", "cancel_reason")
    )


def officer(city, email):
    return factories.city_officer(city=city, email=email, full_name=email.split("@")[0])


def answer(survey, user, city=None):
    respondent = f"city:{city.pk}" if city else f"person:{user.pk}"
    return factories.ResponseFactory(
        survey=survey,
        user=user,
        city=city,
        respondent=respondent,
        status=ResponseStatus.SUBMITTED,
        submitted_at=OPEN,
    )


@pytest.fixture
def world():
    """Cohort 9: Lisbon (Ana, Rui) and Porto (Pia) enrolled; Coimbra (Carla) in another cohort.
    The survey "Mid-cohort check" is open from OPEN for two weeks."""
    cohort = factories.CohortFactory(name="Cohort 9")
    other = factories.CohortFactory(name="Cohort 10")
    cities = {name: factories.CityFactory(name=name) for name in ["Lisbon", "Porto", "Coimbra"]}
    for name in ["Lisbon", "Porto"]:
        factories.EnrolmentFactory(
            cohort=cohort, city=cities[name], status=EnrolmentStatus.ACCEPTED
        )
    factories.EnrolmentFactory(
        cohort=other, city=cities["Coimbra"], status=EnrolmentStatus.ACCEPTED
    )
    people = {
        "ana": officer(cities["Lisbon"], "ana@lisboa.pt"),
        "rui": officer(cities["Lisbon"], "rui@lisboa.pt"),
        "pia": officer(cities["Porto"], "pia@porto.pt"),
        "carla": officer(cities["Coimbra"], "carla@coimbra.pt"),
    }
    survey = factories.SurveyFactory(
        title="Mid-cohort check",
        cohort=cohort,
        is_published=True,
        opens_at=OPEN,
        closes_at=at(days=14),
    )
    admin = factories.UserFactory(is_programme_admin=True)
    return SimpleNamespace(cohort=cohort, cities=cities, people=people, survey=survey, admin=admin)


@pytest.fixture
def suppression(monkeypatch):
    """The check reminders.apps registers for reminders written now (feedback's action)."""
    monkeypatch.setattr(notification_services, "_suppressions", [written_now_suppressed])


def remind_by_hand(world, when) -> int:
    with time_machine.travel(when, tick=False):
        return survey_reminders_send(acting_user=world.admin, survey=world.survey)


def deliver_everything() -> int:
    """Send what is due: the reminders written by hand (each has its own task in production)
    and the planned ones (the batch delivery)."""
    by_hand_due = OutboundEmail.objects.filter(
        status=DeliveryStatus.PENDING, send_after__isnull=True
    ).values_list("pk", flat=True)
    return sum(email_deliver(email_id=pk) for pk in list(by_hand_due)) + emails_deliver_due()


def test_those_who_have_not_answered_get_two_reminders(world):
    with time_machine.travel(at(days=1), tick=False):
        reminders_evaluate()
    assert planned() == [
        ("ana@lisboa.pt", at(days=2), DeliveryStatus.PENDING),
        ("pia@porto.pt", at(days=2), DeliveryStatus.PENDING),
        ("rui@lisboa.pt", at(days=2), DeliveryStatus.PENDING),
    ]
    answer(world.survey, world.people["ana"])
    with time_machine.travel(at(days=2), tick=False):
        reminders_evaluate()
        assert emails_deliver_due() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["pia@porto.pt", "rui@lisboa.pt"]
    [pia] = [m for m in mail.outbox if m.to == ["pia@porto.pt"]]
    assert pia.subject == "Reminder: please answer “Mid-cohort check”"
    link = site_url(reverse("survey_intro", args=[world.survey.pk]))
    assert pia.body.startswith(
        "Hello pia,\n\n"
        "We have not received your answer to the survey “Mid-cohort check” yet. It takes a few "
        "minutes and helps us shape the programme.\n"
        "The survey closes on 16 November 2026, 10:00 (Europe/Brussels).\n\n"
        f"Answer the survey here: {link}\n\n"
        "--\nYou receive this reminder"
    )
    assert pia.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    with time_machine.travel(at(days=5), tick=False):
        reminders_evaluate()
        assert emails_deliver_due() == 2
    with time_machine.travel(at(days=9), tick=False):
        reminders_evaluate()
        assert emails_deliver_due() == 0
    assert planned() == [
        ("ana@lisboa.pt", at(days=2), DeliveryStatus.CANCELLED),
        ("pia@porto.pt", at(days=2), DeliveryStatus.SENT),
        ("pia@porto.pt", at(days=5), DeliveryStatus.SENT),
        ("rui@lisboa.pt", at(days=2), DeliveryStatus.SENT),
        ("rui@lisboa.pt", at(days=5), DeliveryStatus.SENT),
    ]


def test_a_late_start_plans_only_the_latest_reminder(world):
    with time_machine.travel(at(days=6), tick=False):
        reminders_evaluate()
    assert {row[1] for row in planned()} == {at(days=5)}


def test_rows_are_cancelled_when_sent_if_answered_or_unpublished_meanwhile(world):
    with time_machine.travel(at(days=1), tick=False):
        reminders_evaluate()
    answer(world.survey, world.people["rui"])
    with time_machine.travel(at(days=2), tick=False):
        assert emails_deliver_due() == 2
    assert OutboundEmail.objects.get(to="rui@lisboa.pt").cancel_reason == (
        "The person answered the survey, or is no longer asked."
    )
    with time_machine.travel(at(days=4, hours=12), tick=False):
        reminders_evaluate()
    Survey.objects.filter(pk=world.survey.pk).update(is_published=False)
    with time_machine.travel(at(days=5), tick=False):
        assert emails_deliver_due() == 0
    assert sorted(
        OutboundEmail.objects.filter(send_after=at(days=5)).values_list("to", "cancel_reason")
    ) == [
        ("ana@lisboa.pt", "The survey was unpublished."),
        ("pia@porto.pt", "The survey was unpublished."),
    ]


def test_survey_answered_once_per_city_reminds_the_officers_of_cities_that_have_not(world):
    world.survey.response_unit = ResponseUnit.CITY
    world.survey.save()
    answer(world.survey, world.people["pia"], city=world.cities["Porto"])
    with time_machine.travel(at(days=2), tick=False):
        reminders_evaluate()
        emails_deliver_due()
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@lisboa.pt", "rui@lisboa.pt"]


def test_anonymous_unpublished_and_closed_surveys_are_not_reminded(world):
    world.survey.delete()
    factories.SurveyFactory(
        cohort=world.cohort, is_published=True, is_anonymous=True, opens_at=OPEN
    )
    factories.SurveyFactory(cohort=world.cohort, is_published=False, opens_at=OPEN)
    closing = factories.SurveyFactory(
        cohort=world.cohort, is_published=True, opens_at=OPEN, closes_at=at(days=4)
    )
    with time_machine.travel(at(days=2), tick=False):
        reminders_evaluate()
    assert {row.topic for row in OutboundEmail.objects.all()} == {f"survey:{closing.pk}"}
    with time_machine.travel(at(days=4, hours=12), tick=False):
        assert reminders_evaluate()[ReminderKind.SURVEY_UNANSWERED].planned == 0
    assert {row[1] for row in planned()} == {at(days=2)}


def test_opted_out_person_and_rule_turned_off(world):
    ReminderOptOut.objects.create(address="pia@porto.pt", kind=ReminderKind.SURVEY_UNANSWERED)
    with time_machine.travel(at(days=1), tick=False):
        reminders_evaluate()
    assert [row[0] for row in planned()] == ["ana@lisboa.pt", "rui@lisboa.pt"]
    ReminderRule.objects.create(kind=ReminderKind.SURVEY_UNANSWERED, enabled=False)
    with time_machine.travel(at(days=2), tick=False):
        reminders_evaluate()
        assert emails_deliver_due() == 0
    assert {row[2] for row in planned()} == {DeliveryStatus.CANCELLED}


# --- Limits, with the reminders sent by hand -----------------------------------------------------


def test_a_reminder_sent_by_hand_keeps_the_next_one_m_days_away(world):
    assert remind_by_hand(world, at(days=1)) == 3
    assert by_hand() == [
        ("ana@lisboa.pt", DeliveryStatus.PENDING, ""),
        ("pia@porto.pt", DeliveryStatus.PENDING, ""),
        ("rui@lisboa.pt", DeliveryStatus.PENDING, ""),
    ]
    row = OutboundEmail.objects.get(to="ana@lisboa.pt")
    assert (row.topic, row.recipient_id) == (
        f"survey:{world.survey.pk}",
        world.people["ana"].pk,
    )
    with time_machine.travel(at(days=1), tick=False):
        assert deliver_everything() == 3
    # Day 2 is one day after the reminder sent by hand: not planned. Day 5 is.
    with time_machine.travel(at(days=2), tick=False):
        reminders_evaluate()
        assert planned() == []
    with time_machine.travel(at(days=5), tick=False):
        reminders_evaluate()
        assert emails_deliver_due() == 3
    assert {row[1:] for row in planned()} == {(at(days=5), DeliveryStatus.SENT)}


def test_reminders_sent_by_hand_count_towards_at_most_n(world):
    ReminderRule.objects.create(kind=ReminderKind.SURVEY_UNANSWERED, max_reminders=1)
    remind_by_hand(world, at(hours=2))
    for day in (2, 5):
        with time_machine.travel(at(days=day), tick=False):
            reminders_evaluate()
    assert planned() == []


def test_m_days_apart_is_checked_again_when_sent(world):
    with time_machine.travel(at(days=1, hours=6), tick=False):
        reminders_evaluate()
    assert len(planned()) == 3
    # A facilitator reminds everyone by hand before the planned rows go out.
    remind_by_hand(world, at(days=1, hours=12))
    with time_machine.travel(at(days=1, hours=12), tick=False):
        assert deliver_everything() == 3
    with time_machine.travel(at(days=2), tick=False):
        assert emails_deliver_due() == 0
    assert set(
        OutboundEmail.objects.filter(send_after__isnull=False).values_list(
            "status", "cancel_reason"
        )
    ) == {(DeliveryStatus.CANCELLED, GAP)}


def test_send_reminder_by_hand_honours_opt_outs_and_the_limits(world, suppression):
    ReminderOptOut.objects.create(address="rui@lisboa.pt", kind=ReminderKind.SURVEY_UNANSWERED)
    assert remind_by_hand(world, at(days=1)) == 2
    assert by_hand() == [
        ("ana@lisboa.pt", DeliveryStatus.PENDING, ""),
        ("pia@porto.pt", DeliveryStatus.PENDING, ""),
        (
            "rui@lisboa.pt",
            DeliveryStatus.CANCELLED,
            "The person unsubscribed from this kind of reminder.",
        ),
    ]
    with time_machine.travel(at(days=1), tick=False):
        deliver_everything()
    # The next day: too soon after the first.
    assert remind_by_hand(world, at(days=2, hours=1)) == 0
    assert [row for row in by_hand() if row[2] == GAP] == [
        ("ana@lisboa.pt", DeliveryStatus.CANCELLED, GAP),
        ("pia@porto.pt", DeliveryStatus.CANCELLED, GAP),
    ]
    with time_machine.travel(at(days=5), tick=False):
        reminders_evaluate()
        assert emails_deliver_due() == 2
    # Two reminders each: the most allowed.
    assert remind_by_hand(world, at(days=8)) == 0
    most = "The person had the most reminders of this survey allowed (2)."
    assert [row for row in by_hand() if row[2] == most] == [
        ("ana@lisboa.pt", DeliveryStatus.CANCELLED, most),
        ("pia@porto.pt", DeliveryStatus.CANCELLED, most),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@lisboa.pt"] * 2 + ["pia@porto.pt"] * 2


# --- Who has not answered, for every open survey at once ------------------------------------------


def test_people_to_remind_of_agrees_with_people_to_remind():
    """Person and city surveys, about a cohort, a session and a programme, some answered."""
    odg = [factories.CohortFactory(programme="odg") for _ in range(2)]
    twinning = factories.CohortFactory(programme="twinning")
    cities = [factories.CityFactory() for _ in range(5)]
    officers = [factories.city_officer(city=city) for city in cities]
    closed = factories.city_officer(city=cities[0], is_active=False)
    factories.EnrolmentFactory(cohort=odg[0], city=cities[0], status=EnrolmentStatus.ACCEPTED)
    factories.EnrolmentFactory(cohort=odg[0], city=cities[1], status=EnrolmentStatus.ACCEPTED)
    factories.EnrolmentFactory(cohort=odg[1], city=cities[2], status=EnrolmentStatus.ACCEPTED)
    factories.EnrolmentFactory(cohort=odg[1], city=cities[3], status=EnrolmentStatus.REQUESTED)
    factories.EnrolmentFactory(cohort=twinning, city=cities[4], status=EnrolmentStatus.ACCEPTED)
    session = factories.SessionFactory(cohort=odg[0])
    guest = factories.UserFactory(email="guest@elsewhere.org")
    answered = factories.UserFactory(email="answered@elsewhere.org")
    factories.RegistrationFactory(session=session, email="Guest@Elsewhere.org")
    factories.RegistrationFactory(session=session, email="answered@elsewhere.org")
    factories.RegistrationFactory(session=session, email="no-account@elsewhere.org")
    factories.RegistrationFactory(session=session, email=officers[1].email)
    surveys = [
        factories.SurveyFactory(cohort=odg[0]),
        factories.SurveyFactory(cohort=odg[0], response_unit=ResponseUnit.CITY),
        factories.SurveyFactory(scope=SurveyScope.SESSION, session=session, cohort=None),
        factories.SurveyFactory(scope=SurveyScope.PROGRAMME, programme="odg", cohort=None),
        factories.SurveyFactory(
            scope=SurveyScope.PROGRAMME,
            programme="odg",
            cohort=None,
            response_unit=ResponseUnit.CITY,
        ),
        factories.SurveyFactory(cohort=odg[1]),
    ]
    answer(surveys[0], officers[0])
    answer(surveys[1], officers[1], city=cities[1])
    answer(surveys[2], answered)
    answer(surveys[3], officers[2])
    answer(surveys[4], officers[0], city=cities[0])
    factories.ResponseFactory(survey=surveys[5], user=officers[2])  # a draft
    found = people_to_remind_of(Survey.objects.select_related("session").order_by("pk"))
    expected = {
        survey.pk: dict(people_to_remind(survey).filter(is_active=True).values_list("pk", "email"))
        for survey in surveys
    }
    assert found == expected
    # Not empty, and without the closed account.
    assert all(found.values())
    assert closed.pk not in set().union(*found.values())
    assert guest.pk in found[surveys[2].pk] and answered.pk not in found[surveys[2].pk]


def test_people_to_remind_of_refuses_an_anonymous_survey():
    survey = factories.SurveyFactory(is_anonymous=True)
    with pytest.raises(ValueError, match="anonymous survey"):
        people_to_remind_of([survey])


def plan_counted(now):
    rule = RULES[ReminderKind.SURVEY_UNANSWERED]
    with CaptureQueriesContext(connection) as queries:
        found = len(
            list(
                rule.plan(now=now, until=now + datetime.timedelta(hours=24), setting=rule.defaults)
            )
        )
    return found, len(queries)


@pytest.mark.parametrize("surveys, cities, officers_each", [(1, 1, 1), (4, 6, 3)])
def test_plan_queries_do_not_grow_with_surveys_and_people(surveys, cities, officers_each):
    cohort = factories.CohortFactory()
    session = factories.SessionFactory(cohort=cohort)
    for _ in range(cities):
        city = factories.CityFactory()
        factories.EnrolmentFactory(cohort=cohort, city=city, status=EnrolmentStatus.ACCEPTED)
        for _ in range(officers_each):
            factories.city_officer(city=city)
    for n in range(surveys):
        factories.SurveyFactory(
            scope=SurveyScope.SESSION if n == 0 else SurveyScope.COHORT,
            session=session if n == 0 else None,
            cohort=None if n == 0 else cohort,
            is_published=True,
            opens_at=OPEN,
        )
    # The open surveys, the officers, the registrations, the submitted responses, the
    # reminders already sent.
    assert plan_counted(at(days=1, hours=12)) == (surveys * cities * officers_each, 5)
