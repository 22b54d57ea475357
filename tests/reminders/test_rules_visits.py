"""A study visit call closes in 7 and 2 days, and reviews are due in 3 days: who gets what, when,
and who does not."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.enums import EnrolmentStatus
from notifications.enums import DeliveryStatus, ReminderKind
from notifications.models import OutboundEmail
from notifications.services import emails_deliver_due
from portal.links import site_url
from reminders.catalogue import RULES
from reminders.models import ReminderOptOut, ReminderRule
from reminders.planning import PLAN_AHEAD, reminders_evaluate, settings_of_rules
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    CityFactory,
    CityMembershipFactory,
    CohortFactory,
    EnrolmentFactory,
    ReviewFactory,
    UserFactory,
    city_officer,
)
from visits.enums import ApplicationStatus, CallStatus, ReviewStatus

pytestmark = pytest.mark.django_db

CLOSES = datetime.datetime(2026, 12, 10, 17, 0, tzinfo=datetime.UTC)
DEADLINE = datetime.datetime(2026, 12, 20, 12, 0, tzinfo=datetime.UTC)
RUNNING = {"starts_on": datetime.date(2026, 9, 1), "ends_on": datetime.date(2027, 2, 28)}


def closes_in(**delta) -> datetime.datetime:
    return CLOSES - datetime.timedelta(**delta)


def due_in(**delta) -> datetime.datetime:
    return DEADLINE - datetime.timedelta(**delta)


def rows(kind):
    return sorted(
        OutboundEmail.objects.filter(kind=kind).values_list("to", "topic", "send_after", "status")
    )


def link(name, *args) -> str:
    return site_url(reverse(name, args=args))


def enrolled(cohort, **city_fields):
    city = CityFactory(**city_fields)
    EnrolmentFactory(cohort=cohort, city=city, status=EnrolmentStatus.ACCEPTED)
    return city


@pytest.fixture
def cohort():
    return CohortFactory(**RUNNING)


@pytest.fixture
def call(cohort):
    call = CallFactory(
        title="Study visits 2027",
        status=CallStatus.OPEN,
        opens_at=closes_in(days=30),
        closes_at=CLOSES,
        review_deadline=DEADLINE,
    )
    call.eligible_cohorts.add(cohort)
    return call


# --- A call closes ------------------------------------------------------------------------------


def test_call_closes_reminds_officers_of_cities_without_a_submitted_application(cohort, call):
    braga = enrolled(cohort, name="Braga")
    city_officer(braga, email="ana@braga.pt", full_name="Ana")
    porto = enrolled(cohort, name="Porto")
    city_officer(porto, email="joao@porto.pt", full_name="João")
    draft = ApplicationFactory(call=call, city=porto)
    lyon = enrolled(cohort, name="Lyon")
    city_officer(lyon, email="marie@lyon.fr")
    ApplicationFactory(call=call, city=lyon, status=ApplicationStatus.SUBMITTED)
    gent = enrolled(cohort, name="Gent")
    city_officer(gent, email="pieter@gent.be")
    ApplicationFactory(call=call, city=gent, status=ApplicationStatus.WITHDRAWN)
    # Not eligible: enrolled in another cohort; asked to join but not accepted.
    city_officer(enrolled(CohortFactory(**RUNNING)), email="other@cohort.eu")
    asked = CityFactory()
    EnrolmentFactory(cohort=cohort, city=asked, status=EnrolmentStatus.REQUESTED)
    city_officer(asked, email="asked@only.eu")
    # Not an officer: nobody's membership; an inactive account.
    UserFactory(email="nobody@portal.eu")
    city_officer(braga, email="left@braga.pt", is_active=False)

    with time_machine.travel(closes_in(days=8), tick=False):
        reminders_evaluate()
    assert rows(ReminderKind.CALL_CLOSES) == [
        ("ana@braga.pt", f"call:{call.pk}:city:{braga.pk}", closes_in(days=7), "pending"),
        ("joao@porto.pt", f"call:{call.pk}:city:{porto.pk}", closes_in(days=7), "pending"),
    ]

    with time_machine.travel(closes_in(days=7), tick=False):
        reminders_evaluate()
        assert emails_deliver_due() == 2
    by_address = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_address) == ["ana@braga.pt", "joao@porto.pt"]
    ana = by_address["ana@braga.pt"]
    assert ana.subject == '"Study visits 2027" closes on 10 December 2026: Braga has not applied'
    assert ana.body.startswith("Dear Ana,\n")
    assert (
        'Applications to the Group Study Visit call "Study visits 2027" close on '
        "10 December 2026, 18:00 (Europe/Brussels)." in ana.body
    )
    assert f"Read the call and apply: {link('visit_call_detail', call.pk)}" in ana.body
    assert ana.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    joao = by_address["joao@porto.pt"]
    assert joao.subject == (
        '"Study visits 2027" closes on 10 December 2026: Porto\'s application is not submitted'
    )
    assert (
        f"Complete and submit the application: {link('visit_application', draft.pk)}" in joao.body
    )
    [(html, mimetype)] = joao.alternatives
    assert mimetype == "text/html"
    assert f'<a href="{link("visit_application", draft.pk)}">' in html

    with time_machine.travel(closes_in(days=2), tick=False):
        reminders_evaluate()
        assert emails_deliver_due() == 2
    with time_machine.travel(closes_in(hours=1), tick=False):
        reminders_evaluate()
        assert emails_deliver_due() == 0
    assert len(mail.outbox) == 4
    assert OutboundEmail.objects.filter(kind=ReminderKind.CALL_CLOSES).count() == 4


def test_call_closes_in_the_officers_zone(cohort, call):
    city_officer(enrolled(cohort), email="marie@montreal.ca", time_zone="America/Montreal")
    with time_machine.travel(closes_in(days=2), tick=False):
        reminders_evaluate()
        emails_deliver_due()
    [message] = mail.outbox
    # 17:00 UTC is noon in Montreal.
    assert "close on 10 December 2026, 12:00 (America/Montreal)." in message.body


def test_call_closes_only_to_cities_of_the_calls_city_types(cohort, call):
    call.eligible_city_types = ["mission"]
    call.save()
    city_officer(enrolled(cohort, is_mission_city=True, is_mission_minded=False), email="m@c.eu")
    city_officer(enrolled(cohort, is_mission_city=False, is_mission_minded=True), email="x@c.eu")
    with time_machine.travel(closes_in(days=7), tick=False):
        reminders_evaluate()
    assert [row[0] for row in rows(ReminderKind.CALL_CLOSES)] == ["m@c.eu"]


def test_call_closes_not_for_a_draft_or_published_call(cohort, call):
    city_officer(enrolled(cohort), email="ana@braga.pt")
    draft_call = CallFactory(status=CallStatus.DRAFT, opens_at=closes_in(days=30), closes_at=CLOSES)
    draft_call.eligible_cohorts.add(cohort)
    call.status = CallStatus.PUBLISHED
    call.save()
    with time_machine.travel(closes_in(days=7), tick=False):
        reminders_evaluate()
    assert rows(ReminderKind.CALL_CLOSES) == []


def test_call_closes_is_cancelled_when_the_city_submits_meanwhile(cohort, call):
    braga = enrolled(cohort)
    city_officer(braga, email="ana@braga.pt")
    application = ApplicationFactory(call=call, city=braga)
    with time_machine.travel(closes_in(days=7, hours=12), tick=False):
        reminders_evaluate()
    application.status = ApplicationStatus.SUBMITTED
    application.save()
    with time_machine.travel(closes_in(days=7), tick=False):
        emails_deliver_due()
    row = OutboundEmail.objects.get(kind=ReminderKind.CALL_CLOSES)
    assert (row.status, row.cancel_reason) == (
        DeliveryStatus.CANCELLED,
        "The city has submitted its application.",
    )
    assert mail.outbox == []


def test_call_closes_is_cancelled_for_an_officer_who_left_the_city(cohort, call):
    braga = enrolled(cohort)
    officer = city_officer(braga, email="ana@braga.pt")
    with time_machine.travel(closes_in(days=7, hours=12), tick=False):
        reminders_evaluate()
    officer.city_memberships.all().delete()
    with time_machine.travel(closes_in(days=7), tick=False):
        emails_deliver_due()
    row = OutboundEmail.objects.get(kind=ReminderKind.CALL_CLOSES)
    assert (row.status, row.cancel_reason) == (
        DeliveryStatus.CANCELLED,
        "The person is no longer an officer of the city.",
    )


def test_moved_closing_date_cancels_the_old_reminder_and_plans_the_new_one(cohort, call):
    city_officer(enrolled(cohort), email="ana@braga.pt")
    with time_machine.travel(closes_in(days=7, hours=12), tick=False):
        reminders_evaluate()
    call.closes_at = CLOSES + datetime.timedelta(days=3)
    call.save()
    with time_machine.travel(closes_in(days=7), tick=False):
        emails_deliver_due()
        reminders_evaluate()
    with time_machine.travel(closes_in(days=5), tick=False):
        reminders_evaluate()
    assert [(row[2], row[3]) for row in rows(ReminderKind.CALL_CLOSES)] == [
        (closes_in(days=7), DeliveryStatus.CANCELLED),
        (closes_in(days=4), DeliveryStatus.PENDING),
    ]
    assert OutboundEmail.objects.get(send_after=closes_in(days=7)).cancel_reason == (
        "The call's closing date was moved."
    )
    assert mail.outbox == []


def test_call_opened_late_is_reminded_of_when_it_opens(cohort, call):
    call.opens_at = closes_in(days=5)
    call.save()
    city_officer(enrolled(cohort), email="ana@braga.pt")
    with time_machine.travel(closes_in(days=6), tick=False):
        reminders_evaluate()
    assert [row[2] for row in rows(ReminderKind.CALL_CLOSES)] == [closes_in(days=5)]
    with time_machine.travel(closes_in(days=5), tick=False):
        reminders_evaluate()
        assert emails_deliver_due() == 1
    with time_machine.travel(closes_in(days=2), tick=False):
        reminders_evaluate()
        assert emails_deliver_due() == 1


def test_call_opening_after_the_last_reminder_time_gets_one_reminder(cohort, call):
    call.opens_at = closes_in(days=1)
    call.save()
    city_officer(enrolled(cohort), email="ana@braga.pt")
    with time_machine.travel(closes_in(days=1), tick=False):
        reminders_evaluate()
        assert emails_deliver_due() == 1
    assert [row[2] for row in rows(ReminderKind.CALL_CLOSES)] == [closes_in(days=1)]


def test_call_closes_not_to_who_opted_out_nor_when_turned_off(cohort, call):
    city_officer(enrolled(cohort), email="ana@braga.pt")
    city_officer(enrolled(cohort), email="joao@porto.pt")
    ReminderOptOut.objects.create(address="joao@porto.pt", kind=ReminderKind.CALL_CLOSES)
    with time_machine.travel(closes_in(days=7, hours=12), tick=False):
        reminders_evaluate()
    assert [row[0] for row in rows(ReminderKind.CALL_CLOSES)] == ["ana@braga.pt"]
    ReminderRule.objects.create(kind=ReminderKind.CALL_CLOSES, enabled=False)
    with time_machine.travel(closes_in(days=7), tick=False):
        emails_deliver_due()
    row = OutboundEmail.objects.get(kind=ReminderKind.CALL_CLOSES)
    assert (row.status, row.cancel_reason) == (
        DeliveryStatus.CANCELLED,
        "The rule was turned off.",
    )
    with time_machine.travel(closes_in(days=2), tick=False):
        reminders_evaluate()
        emails_deliver_due()
    assert OutboundEmail.objects.filter(kind=ReminderKind.CALL_CLOSES).count() == 1
    assert mail.outbox == []


def test_call_closes_offsets_come_from_the_rules_page(cohort, call):
    city_officer(enrolled(cohort), email="ana@braga.pt")
    ReminderRule.objects.create(kind=ReminderKind.CALL_CLOSES, offsets=[3 * 24 * 60])
    with time_machine.travel(closes_in(days=4), tick=False):
        reminders_evaluate()
    assert [row[2] for row in rows(ReminderKind.CALL_CLOSES)] == [closes_in(days=3)]


def _plan_queries(kind, now) -> tuple[int, int]:
    rule = RULES[kind]
    setting = settings_of_rules()[kind]
    with CaptureQueriesContext(connection) as queries:
        planned = list(rule.plan(now=now, until=now + PLAN_AHEAD, setting=setting))
    return len(queries), len(planned)


def test_call_closes_plan_queries_do_not_grow_with_officers(cohort, call):
    city_officer(enrolled(cohort))
    one = _plan_queries(ReminderKind.CALL_CLOSES, closes_in(days=7))
    for _ in range(6):
        city = enrolled(cohort, is_mission_city=True)
        city_officer(city)
        city_officer(city)
    second = CallFactory(status=CallStatus.OPEN, opens_at=closes_in(days=30), closes_at=CLOSES)
    second.eligible_cohorts.add(cohort)
    many = _plan_queries(ReminderKind.CALL_CLOSES, closes_in(days=7))
    # The calls closing soon; their eligible cities' officers.
    assert (one[0], many[0]) == (2, 2)
    assert (one[1], many[1]) == (1, 26)


# --- Reviews are due ----------------------------------------------------------------------------


@pytest.fixture
def review_call(cohort):
    return CallFactory(
        title="Study visits 2027",
        status=CallStatus.OPEN,
        opens_at=due_in(days=40),
        closes_at=due_in(days=10),
        review_deadline=DEADLINE,
    )


def submitted(call, **city_fields):
    return ApplicationFactory(
        call=call, city=CityFactory(**city_fields), status=ApplicationStatus.SUBMITTED
    )


def test_reviews_due_reminds_reviewers_with_unscored_applications(review_call):
    first, second = submitted(review_call), submitted(review_call)
    ada = UserFactory(email="ada@review.eu", full_name="Ada", is_reviewer=True)
    ReviewFactory(application=first, reviewer=ada)
    ReviewFactory(application=second, reviewer=ada)
    # Everything scored or recused.
    done = UserFactory(email="done@review.eu", is_reviewer=True)
    ReviewFactory(application=first, reviewer=done, status=ReviewStatus.SUBMITTED)
    ReviewFactory(application=second, reviewer=done, status=ReviewStatus.RECUSED)
    # Only a withdrawn application left.
    withdrawn = ApplicationFactory(call=review_call, status=ApplicationStatus.WITHDRAWN)
    ReviewFactory(application=withdrawn, reviewer=UserFactory(email="w@review.eu"))
    # In conflict: an officer of the applicant city.
    conflicted = submitted(review_call)
    ReviewFactory(
        application=conflicted, reviewer=city_officer(conflicted.city, email="c@review.eu")
    )
    # An account no longer active.
    ReviewFactory(application=first, reviewer=UserFactory(email="off@review.eu", is_active=False))

    with time_machine.travel(due_in(days=3, hours=12), tick=False):
        reminders_evaluate()
    assert rows(ReminderKind.REVIEWS_DUE) == [
        ("ada@review.eu", f"call:{review_call.pk}", due_in(days=3), DeliveryStatus.PENDING)
    ]
    with time_machine.travel(due_in(days=3), tick=False):
        assert emails_deliver_due() == 1
    [message] = mail.outbox
    assert message.to == ["ada@review.eu"]
    assert message.subject == '"Study visits 2027": 2 applications still to score'
    assert message.body.startswith("Dear Ada,\n")
    assert (
        'Reviews of the Group Study Visit call "Study visits 2027" are due by '
        "20 December 2026, 13:00 (Europe/Brussels)." in message.body
    )
    assert "You have 2 assigned applications that you have not scored" in message.body
    assert f"Your reviews: {link('review_list')}" in message.body
    with time_machine.travel(due_in(hours=1), tick=False):
        reminders_evaluate()
        assert emails_deliver_due() == 0


def test_reviews_due_counts_what_is_left_when_sent(review_call):
    first, second = submitted(review_call), submitted(review_call)
    ada = UserFactory(email="ada@review.eu", is_reviewer=True)
    ReviewFactory(application=first, reviewer=ada)
    review = ReviewFactory(application=second, reviewer=ada)
    with time_machine.travel(due_in(days=3, hours=12), tick=False):
        reminders_evaluate()
    review.status = ReviewStatus.SUBMITTED
    review.save()
    with time_machine.travel(due_in(days=3), tick=False):
        emails_deliver_due()
    assert [m.subject for m in mail.outbox] == ['"Study visits 2027": 1 application still to score']


def test_reviews_due_is_cancelled_when_nothing_is_left_to_score(review_call):
    ada = UserFactory(email="ada@review.eu", is_reviewer=True)
    review = ReviewFactory(application=submitted(review_call), reviewer=ada)
    with time_machine.travel(due_in(days=3, hours=12), tick=False):
        reminders_evaluate()
    review.status = ReviewStatus.RECUSED
    review.save()
    with time_machine.travel(due_in(days=3), tick=False):
        emails_deliver_due()
    row = OutboundEmail.objects.get(kind=ReminderKind.REVIEWS_DUE)
    assert (row.status, row.cancel_reason) == (
        DeliveryStatus.CANCELLED,
        "Nothing is left to score.",
    )
    assert mail.outbox == []


def test_reviews_due_not_after_decisions_nor_when_turned_off(review_call):
    ada = UserFactory(email="ada@review.eu", is_reviewer=True)
    ReviewFactory(application=submitted(review_call), reviewer=ada)
    ReminderRule.objects.create(kind=ReminderKind.REVIEWS_DUE, enabled=False)
    with time_machine.travel(due_in(days=3), tick=False):
        reminders_evaluate()
    assert rows(ReminderKind.REVIEWS_DUE) == []
    ReminderRule.objects.filter(kind=ReminderKind.REVIEWS_DUE).update(enabled=True)
    review_call.status = CallStatus.PUBLISHED
    review_call.save()
    with time_machine.travel(due_in(days=3), tick=False):
        reminders_evaluate()
    assert rows(ReminderKind.REVIEWS_DUE) == []


def test_reviews_due_not_to_a_reviewer_who_opted_out(review_call):
    ada = UserFactory(email="ada@review.eu", is_reviewer=True)
    ReviewFactory(application=submitted(review_call), reviewer=ada)
    ReminderOptOut.objects.create(address="ada@review.eu", kind=ReminderKind.REVIEWS_DUE)
    with time_machine.travel(due_in(days=3), tick=False):
        reminders_evaluate()
        emails_deliver_due()
    assert rows(ReminderKind.REVIEWS_DUE) == []
    assert mail.outbox == []


def test_reviews_due_in_the_reviewers_zone(review_call):
    ada = UserFactory(email="ada@review.eu", is_reviewer=True, time_zone="Asia/Tokyo")
    ReviewFactory(application=submitted(review_call), reviewer=ada)
    with time_machine.travel(due_in(days=3), tick=False):
        reminders_evaluate()
        emails_deliver_due()
    [message] = mail.outbox
    assert "are due by 20 December 2026, 21:00 (Asia/Tokyo)." in message.body


def test_reviews_due_plan_queries_do_not_grow_with_reviewers(review_call):
    ReviewFactory(application=submitted(review_call))
    one = _plan_queries(ReminderKind.REVIEWS_DUE, due_in(days=3))
    other = CallFactory(
        status=CallStatus.OPEN,
        opens_at=due_in(days=40),
        closes_at=due_in(days=10),
        review_deadline=DEADLINE,
    )
    for call in (review_call, other):
        for _ in range(4):
            application = submitted(call)
            ReviewFactory(application=application)
            ReviewFactory(application=application)
    # A reviewer in conflict: the check is correlated, not a query per reviewer.
    conflicted = submitted(review_call)
    ReviewFactory(application=conflicted, reviewer=city_officer(conflicted.city))
    CityMembershipFactory()
    many = _plan_queries(ReminderKind.REVIEWS_DUE, due_in(days=3))
    # The calls due soon; their reviewers with something to score.
    assert (one[0], many[0]) == (2, 2)
    assert (one[1], many[1]) == (1, 17)


def test_reviews_due_not_for_applications_of_the_reviewers_country_when_excluded(review_call):
    review_call.exclude_same_country = True
    review_call.save()
    application = submitted(review_call)
    # An officer of another city of the applicant's country: in conflict for this call.
    compatriot = city_officer(CityFactory(country=application.city.country), email="c@r.eu")
    ReviewFactory(application=application, reviewer=compatriot)
    ReviewFactory(application=application, reviewer=UserFactory(email="ada@review.eu"))
    with time_machine.travel(due_in(days=3), tick=False):
        reminders_evaluate()
    assert [row[0] for row in rows(ReminderKind.REVIEWS_DUE)] == ["ada@review.eu"]


@pytest.mark.parametrize(
    ("signal_name", "reason"),
    [
        ("application_submitted", "The city has submitted its application."),
        ("application_withdrawn", "The city withdrew its application."),
    ],
)
def test_call_closes_is_cancelled_at_once_when_the_city_submits_or_withdraws(
    cohort, call, signal_name, reason
):
    from visits import signals
    from visits.models import Application

    braga, porto = enrolled(cohort), enrolled(cohort)
    city_officer(braga, email="ana@braga.pt")
    city_officer(porto, email="rui@porto.pt")
    application = ApplicationFactory(call=call, city=braga)
    with time_machine.travel(closes_in(days=7, hours=12), tick=False):
        reminders_evaluate()
        # What visits.applying sends inside application_submit / application_withdraw.
        getattr(signals, signal_name).send(sender=Application, application=application)
    assert [(row[0], row[3]) for row in rows(ReminderKind.CALL_CLOSES)] == [
        ("ana@braga.pt", DeliveryStatus.CANCELLED),
        ("rui@porto.pt", DeliveryStatus.PENDING),
    ]
    assert OutboundEmail.objects.get(to="ana@braga.pt").cancel_reason == reason
