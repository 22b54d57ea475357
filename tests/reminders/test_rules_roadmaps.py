"""A roadmap phase closes in 7 days and in 2 days; a returned roadmap is not resubmitted after 5
days: who gets what, when, and who does not."""

import datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.enums import PhaseKind
from notifications.enums import DeliveryStatus, ReminderKind
from notifications.models import OutboundEmail
from notifications.services import emails_deliver_due
from portal.links import site_url
from reminders.catalogue import RULES
from reminders.models import ReminderOptOut, ReminderRule
from reminders.planning import reminders_evaluate
from reminders.rules_roadmaps import phase_closes_at
from roadmaps import services as roadmap_services
from roadmaps.enums import RoadmapStatus
from roadmaps.models import Roadmap, RoadmapTransition
from tests import factories
from tests.roadmaps.conftest import clock, fill, programme  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

D = datetime.date
# The technical support phase ends on Sunday 14 March 2027: it closes at midnight in Brussels
# (CET, UTC+1), 23:00 UTC.
CLOSES = datetime.datetime(2027, 3, 14, 23, 0, tzinfo=datetime.UTC)


def before(**delta) -> datetime.datetime:
    return CLOSES - datetime.timedelta(**delta)


def planned(kind=ReminderKind.PHASE_CLOSES):
    return sorted(OutboundEmail.objects.filter(kind=kind).values_list("to", "send_after", "status"))


def officer(city, email, **fields):
    return factories.city_officer(city=city, email=email, full_name=email.split("@")[0], **fields)


@pytest.fixture
def world():
    """Cohort 9 with its technical support phase ending on 14 March 2027. Lisbon (a draft
    roadmap: Ana, and Ivo whose account is closed) and Porto (returned: Pia) are enrolled and
    reminded; Braga (submitted: Bea) is enrolled and not; Faro asked to join (a roadmap row,
    no accepted enrolment: Fred); Coimbra (Carla) is enrolled in another cohort, whose phase
    ends later; the cohort's facilitator is no officer."""
    cohort = factories.CohortFactory(
        name="Cohort 9", starts_on=D(2026, 9, 1), ends_on=D(2027, 6, 30)
    )
    phase = factories.PhaseFactory(
        cohort=cohort,
        kind=PhaseKind.TECHNICAL_SUPPORT,
        name="Technical support",
        starts_on=D(2027, 2, 1),
        ends_on=D(2027, 3, 14),
    )
    other = factories.CohortFactory(
        name="Cohort 10", starts_on=D(2026, 9, 1), ends_on=D(2027, 6, 30)
    )
    factories.PhaseFactory(cohort=other, starts_on=D(2027, 2, 1), ends_on=D(2027, 4, 30))
    cities = {
        name: factories.CityFactory(name=name)
        for name in ["Lisbon", "Porto", "Braga", "Faro", "Coimbra"]
    }
    # Enrolled before the officers exist: the enrolment emails go to nobody.
    for name in ["Lisbon", "Porto", "Braga"]:
        factories.enrolment_accepted(cohort=cohort, city=cities[name])
    factories.enrolment_accepted(cohort=other, city=cities["Coimbra"])
    factories.EnrolmentFactory(cohort=cohort, city=cities["Faro"])
    factories.RoadmapFactory(cohort=cohort, city=cities["Faro"])
    Roadmap.objects.filter(city=cities["Porto"]).update(
        status=RoadmapStatus.RETURNED, percent_complete=80
    )
    Roadmap.objects.filter(city=cities["Braga"]).update(status=RoadmapStatus.SUBMITTED)
    people = {
        "ana": officer(cities["Lisbon"], "ana@lisboa.pt"),
        "ivo": officer(cities["Lisbon"], "ivo@lisboa.pt", is_active=False),
        "pia": officer(cities["Porto"], "pia@porto.pt"),
        "bea": officer(cities["Braga"], "bea@braga.pt"),
        "fred": officer(cities["Faro"], "fred@faro.pt"),
        "carla": officer(cities["Coimbra"], "carla@coimbra.pt"),
    }
    facilitator = factories.UserFactory(email="lea@programme.eu", is_facilitator=True)
    cohort.facilitators.add(facilitator)
    return SimpleNamespace(cohort=cohort, phase=phase, cities=cities, people=people)


def test_phase_closes_at_the_end_of_its_last_day_in_the_portals_zone():
    assert phase_closes_at(D(2027, 3, 14)) == CLOSES
    # Summer time (CEST, UTC+2).
    assert phase_closes_at(D(2027, 7, 1)) == datetime.datetime(
        2027, 7, 1, 22, 0, tzinfo=datetime.UTC
    )


def test_officers_of_unsubmitted_roadmaps_get_both_reminders_when_due(world):
    with time_machine.travel(before(days=8, hours=12), tick=False):
        reminders_evaluate()
        assert planned() == []
    with time_machine.travel(before(days=8), tick=False):
        reminders_evaluate()
    assert planned() == [
        ("ana@lisboa.pt", before(days=7), DeliveryStatus.PENDING),
        ("pia@porto.pt", before(days=7), DeliveryStatus.PENDING),
    ]

    with time_machine.travel(before(days=7), tick=False):
        reminders_evaluate()
        assert emails_deliver_due() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@lisboa.pt", "pia@porto.pt"]
    by_address = {m.to[0]: m for m in mail.outbox}
    ana = by_address["ana@lisboa.pt"]
    lisbon = Roadmap.objects.get(city=world.cities["Lisbon"])
    assert ana.subject == (
        '"Technical support" closes on 14 March 2027: your Reflection Roadmap is not submitted'
    )
    assert ana.body.startswith(
        "Hello ana,\n\n"
        'The phase "Technical support" of Cohort 9 closes on 14 March 2027, 23:59 '
        "(Europe/Brussels).\n"
        "The Reflection Roadmap of Lisbon is not submitted yet. It is 0% complete.\n\n"
        f"Open the roadmap: {site_url(reverse('roadmap_edit', args=[lisbon.pk]))}\n"
    )
    assert ana.extra_headers["List-Unsubscribe"].startswith("<http")
    [(html, mimetype)] = ana.alternatives
    assert mimetype == "text/html" and "It is 0% complete." in html
    assert (
        "The Reflection Roadmap of Porto was returned with comments and is not submitted again "
        "yet. It is 80% complete." in by_address["pia@porto.pt"].body
    )

    with time_machine.travel(before(days=2), tick=False):
        reminders_evaluate()
        assert emails_deliver_due() == 2
    with time_machine.travel(before(hours=1), tick=False):
        reminders_evaluate()
        assert emails_deliver_due() == 0
    assert planned() == [
        ("ana@lisboa.pt", before(days=7), DeliveryStatus.SENT),
        ("ana@lisboa.pt", before(days=2), DeliveryStatus.SENT),
        ("pia@porto.pt", before(days=7), DeliveryStatus.SENT),
        ("pia@porto.pt", before(days=2), DeliveryStatus.SENT),
    ]


def test_closing_date_is_shown_in_the_readers_zone(world):
    world.people["ana"].time_zone = "Asia/Tokyo"
    world.people["ana"].save()
    with time_machine.travel(before(days=2), tick=False):
        reminders_evaluate()
        emails_deliver_due()
    [ana] = [m for m in mail.outbox if m.to == ["ana@lisboa.pt"]]
    assert ana.subject.startswith('"Technical support" closes on 15 March 2027:')
    assert "closes on 15 March 2027, 07:59 (Asia/Tokyo)." in ana.body


def test_a_late_start_plans_only_the_latest_reminder(world):
    with time_machine.travel(before(hours=36), tick=False):
        reminders_evaluate()
        emails_deliver_due()
    assert planned() == [
        ("ana@lisboa.pt", before(days=2), DeliveryStatus.SENT),
        ("pia@porto.pt", before(days=2), DeliveryStatus.SENT),
    ]


def test_a_moved_phase_end_cancels_the_reminders_of_the_old_date(world):
    with time_machine.travel(before(days=8), tick=False):
        reminders_evaluate()
    world.phase.ends_on = D(2027, 3, 21)
    world.phase.save()
    with time_machine.travel(before(days=7), tick=False):
        # Sent before any evaluation: the rendering sees the new date.
        assert emails_deliver_due() == 0
    assert set(
        OutboundEmail.objects.filter(kind=ReminderKind.PHASE_CLOSES).values_list(
            "status", "cancel_reason"
        )
    ) == {(DeliveryStatus.CANCELLED, "The phase's end date changed.")}
    # The new end is reminded of in its time.
    with time_machine.travel(before(days=1), tick=False):
        reminders_evaluate()
    assert [row for row in planned() if row[2] == DeliveryStatus.PENDING] == [
        ("ana@lisboa.pt", before(days=0), DeliveryStatus.PENDING),
        ("pia@porto.pt", before(days=0), DeliveryStatus.PENDING),
    ]


def test_rows_are_cancelled_when_sent_if_no_longer_true(world):
    with time_machine.travel(before(days=8), tick=False):
        reminders_evaluate()
    # Ana is no longer an officer of Lisbon; Porto's roadmap was accepted (not through
    # roadmap_submit, whose receiver would cancel at once).
    world.people["ana"].city_memberships.all().delete()
    Roadmap.objects.filter(city=world.cities["Porto"]).update(status=RoadmapStatus.ACCEPTED)
    with time_machine.travel(before(days=7), tick=False):
        assert emails_deliver_due() == 0
    assert sorted(
        OutboundEmail.objects.filter(kind=ReminderKind.PHASE_CLOSES).values_list(
            "to", "cancel_reason"
        )
    ) == [
        ("ana@lisboa.pt", "The person is no longer an officer of the city."),
        ("pia@porto.pt", "The roadmap was submitted."),
    ]
    assert mail.outbox == []


def test_opted_out_officer_and_rule_turned_off(world):
    ReminderOptOut.objects.create(address="pia@porto.pt", kind=ReminderKind.PHASE_CLOSES)
    with time_machine.travel(before(days=8), tick=False):
        reminders_evaluate()
    assert [row[0] for row in planned()] == ["ana@lisboa.pt"]
    ReminderRule.objects.create(kind=ReminderKind.PHASE_CLOSES, enabled=False)
    with time_machine.travel(before(days=7, hours=12), tick=False):
        result = reminders_evaluate()
    assert result[ReminderKind.PHASE_CLOSES].cancelled == 1
    with time_machine.travel(before(days=7), tick=False):
        assert emails_deliver_due() == 0
    assert planned() == [("ana@lisboa.pt", before(days=7), DeliveryStatus.CANCELLED)]


def test_submitting_the_roadmap_cancels_its_pending_reminders(programme):  # noqa: F811
    # The programme's study visit preparation phase ends on 28 February 2025 (closes at 23:00
    # UTC); the roadmap fixture's clock is on 15 February 2025.
    closes = datetime.datetime(2025, 2, 28, 23, 0, tzinfo=datetime.UTC)
    with time_machine.travel(closes - datetime.timedelta(days=7, hours=12), tick=False):
        reminders_evaluate()
        assert planned() == [
            ("ana@lisboa.pt", closes - datetime.timedelta(days=7), DeliveryStatus.PENDING),
            ("rui@lisboa.pt", closes - datetime.timedelta(days=7), DeliveryStatus.PENDING),
        ]
        fill(programme)
        roadmap_services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
        assert set(
            OutboundEmail.objects.filter(kind=ReminderKind.PHASE_CLOSES).values_list(
                "status", "cancel_reason"
            )
        ) == {(DeliveryStatus.CANCELLED, "The roadmap was submitted.")}
        assert reminders_evaluate()[ReminderKind.PHASE_CLOSES].planned == 0


# --- Returned and not resubmitted -------------------------------------------------------------


def test_returned_roadmap_reminds_its_officers_after_five_days(programme):  # noqa: F811
    returned_at = datetime.datetime(2025, 2, 15, 9, 0, tzinfo=datetime.UTC)
    fill(programme)
    roadmap_services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    roadmap_services.roadmap_return(
        roadmap=programme.roadmap, acting_user=programme.lead, note="Quantify the targets."
    )
    due = returned_at + datetime.timedelta(days=5)
    with time_machine.travel(due - datetime.timedelta(days=1, minutes=1), tick=False):
        reminders_evaluate()
        assert planned(ReminderKind.ROADMAP_RETURNED) == []
    with time_machine.travel(due - datetime.timedelta(hours=12), tick=False):
        reminders_evaluate()
    assert planned(ReminderKind.ROADMAP_RETURNED) == [
        ("ana@lisboa.pt", due, DeliveryStatus.PENDING),
        ("rui@lisboa.pt", due, DeliveryStatus.PENDING),
    ]
    mail.outbox.clear()
    with time_machine.travel(due, tick=False):
        reminders_evaluate()
        emails_deliver_due()
    reminders = [m for m in mail.outbox if "waiting" in m.subject]
    assert sorted(m.to[0] for m in reminders) == ["ana@lisboa.pt", "rui@lisboa.pt"]
    [message] = [m for m in reminders if m.to == ["ana@lisboa.pt"]]
    assert message.subject == "Lisbon's Reflection Roadmap is waiting to be submitted again"
    link = site_url(reverse("roadmap_edit", args=[programme.roadmap.pk]))
    assert message.body.startswith(
        "Hello Ana,\n\n"
        "Lea Lead returned the Reflection Roadmap of Lisbon for Online Discussion Groups "
        "cohort 1 on 15 February 2025, and it has not been submitted again. It is 100% "
        "complete.\n\n"
        "The facilitator's note:\nQuantify the targets.\n\n"
        f"Change it and submit it again: {link}\n\n"
        "--\nYou receive this reminder"
    )
    with time_machine.travel(due + datetime.timedelta(days=3), tick=False):
        reminders_evaluate()
        emails_deliver_due()
    assert len([m for m in mail.outbox if "waiting" in m.subject]) == 2


def test_resubmitting_cancels_and_a_second_return_plans_anew(programme):  # noqa: F811
    fill(programme)
    roadmap_services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    roadmap_services.roadmap_return(roadmap=programme.roadmap, acting_user=programme.lead)
    first = datetime.datetime(2025, 2, 15, 9, 0, tzinfo=datetime.UTC)
    again = first + datetime.timedelta(days=4, hours=12)
    with time_machine.travel(again, tick=False):
        reminders_evaluate()
        assert len(planned(ReminderKind.ROADMAP_RETURNED)) == 2
        roadmap_services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
        roadmap_services.roadmap_return(
            roadmap=programme.roadmap, acting_user=programme.lead, note="One more pass."
        )
    with time_machine.travel(again + datetime.timedelta(days=5), tick=False):
        reminders_evaluate()
        emails_deliver_due()
    rows = OutboundEmail.objects.filter(kind=ReminderKind.ROADMAP_RETURNED).order_by("pk")
    assert [(row.to, row.send_after, row.status, row.cancel_reason) for row in rows] == [
        (
            "ana@lisboa.pt",
            first + datetime.timedelta(days=5),
            "cancelled",
            "The roadmap was submitted.",
        ),
        (
            "rui@lisboa.pt",
            first + datetime.timedelta(days=5),
            "cancelled",
            "The roadmap was submitted.",
        ),
        ("ana@lisboa.pt", again + datetime.timedelta(days=5), "sent", ""),
        ("rui@lisboa.pt", again + datetime.timedelta(days=5), "sent", ""),
    ]
    # The second return's transition is in the key.
    latest = RoadmapTransition.objects.filter(to_status=RoadmapStatus.RETURNED).latest("pk")
    assert f":t{latest.pk}-7200m@" in rows[3].key
    assert "One more pass." in rows[3].body


def test_a_newer_status_change_cancels_the_reminder_when_sent(programme):  # noqa: F811
    fill(programme)
    roadmap_services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    roadmap_services.roadmap_return(roadmap=programme.roadmap, acting_user=programme.lead)
    first = datetime.datetime(2025, 2, 15, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(first + datetime.timedelta(days=4, hours=12), tick=False):
        reminders_evaluate()
    # Returned again without going through the services (say, an import): the planned rows
    # belong to the first return.
    factories.RoadmapTransitionFactory(
        roadmap=programme.roadmap,
        from_status=RoadmapStatus.SUBMITTED,
        to_status=RoadmapStatus.RETURNED,
        by=programme.lead,
        at=first + datetime.timedelta(days=4, hours=13),
    )
    with time_machine.travel(first + datetime.timedelta(days=5), tick=False):
        emails_deliver_due()
    assert not [m for m in mail.outbox if "waiting" in m.subject]
    assert set(
        OutboundEmail.objects.filter(kind=ReminderKind.ROADMAP_RETURNED).values_list(
            "status", "cancel_reason"
        )
    ) == {(DeliveryStatus.CANCELLED, "The roadmap was returned again since.")}


def test_returned_reminder_skips_other_roadmaps_and_people(world):
    """Only RETURNED roadmaps whose latest change is the return, to active officers."""
    at = before(days=20, hours=12)  # 22 February 2027, 12:00 in Brussels
    lisbon = Roadmap.objects.get(city=world.cities["Lisbon"])
    braga = Roadmap.objects.get(city=world.cities["Braga"])
    porto = Roadmap.objects.get(city=world.cities["Porto"])
    for roadmap in (lisbon, porto, braga):
        factories.RoadmapTransitionFactory(
            roadmap=roadmap,
            from_status=RoadmapStatus.SUBMITTED,
            to_status=RoadmapStatus.RETURNED,
            by=None,
            at=at,
        )
    # Braga's return was followed by a new submission; Lisbon was never returned (a draft).
    factories.RoadmapTransitionFactory(
        roadmap=braga,
        from_status=RoadmapStatus.RETURNED,
        to_status=RoadmapStatus.SUBMITTED,
        by=None,
        at=at + datetime.timedelta(days=1),
    )
    with time_machine.travel(at + datetime.timedelta(days=5), tick=False):
        reminders_evaluate()
        emails_deliver_due()
    assert planned(ReminderKind.ROADMAP_RETURNED) == [
        ("pia@porto.pt", at + datetime.timedelta(days=5), DeliveryStatus.SENT)
    ]
    [message] = [m for m in mail.outbox if m.to == ["pia@porto.pt"]]
    # No one named as the facilitator, and no note.
    assert "The Reflection Roadmap of Porto for Cohort 9 was returned on 22 February 2027" in (
        message.body
    )
    assert "The facilitator's note" not in message.body


# --- Queries --------------------------------------------------------------------------------


def enrolled_cities(cohort, count: int, officers_each: int) -> None:
    for _n in range(count):
        city = factories.CityFactory()
        factories.enrolment_accepted(cohort=cohort, city=city)
        for _ in range(officers_each):
            factories.city_officer(city=city)


def returned_roadmaps(count: int, officers_each: int, at) -> None:
    for _ in range(count):
        roadmap = factories.RoadmapFactory(status=RoadmapStatus.RETURNED)
        factories.RoadmapTransitionFactory(
            roadmap=roadmap,
            from_status=RoadmapStatus.SUBMITTED,
            to_status=RoadmapStatus.RETURNED,
            by=None,
            at=at,
        )
        for _ in range(officers_each):
            factories.city_officer(city=roadmap.city)


def plan_counted(kind, now):
    rule = RULES[kind]
    with CaptureQueriesContext(connection) as queries:
        found = len(
            list(
                rule.plan(now=now, until=now + datetime.timedelta(hours=24), setting=rule.defaults)
            )
        )
    return found, len(queries)


@pytest.mark.parametrize("cities, officers_each", [(1, 1), (12, 3)])
def test_phase_plan_queries_do_not_grow_with_recipients(cities, officers_each):
    cohort = factories.CohortFactory()
    factories.PhaseFactory(cohort=cohort, starts_on=D(2027, 2, 1), ends_on=D(2027, 3, 14))
    enrolled_cities(cohort, cities, officers_each)
    # Both offsets' windows: one query each.
    assert plan_counted(ReminderKind.PHASE_CLOSES, before(days=7, hours=12)) == (
        cities * officers_each,
        2,
    )


@pytest.mark.parametrize("roadmaps, officers_each", [(1, 1), (12, 3)])
def test_returned_plan_queries_do_not_grow_with_recipients(roadmaps, officers_each):
    at = before(days=10)
    returned_roadmaps(roadmaps, officers_each, at)
    assert plan_counted(
        ReminderKind.ROADMAP_RETURNED, at + datetime.timedelta(days=4, hours=12)
    ) == (
        roadmaps * officers_each,
        1,
    )
