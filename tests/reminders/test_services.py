"""The reminders' services: an admin's setting of a rule, a person's choice of reminders and the
signed unsubscribe link."""

import datetime

import pytest
from django.utils import timezone

from notifications.enums import DeliveryStatus, ReminderKind
from notifications.models import OutboundEmail
from portal.errors import ApplicationError
from portal.permissions import PermissionRefused
from reminders import services
from reminders.catalogue import RULES, Rule, Setting, Timing
from reminders.models import ReminderOptOut, ReminderRule
from tests import factories

pytestmark = pytest.mark.django_db


class StubRule(Rule):
    """A rule that plans nothing: stands in for a kind whose rule another module writes, so
    that these tests hold whichever rules are installed."""

    def plan(self, *, now, until, setting):
        return []


STUB_TIMINGS = {
    ReminderKind.SURVEY_UNANSWERED: Timing.AFTER,
    ReminderKind.ROADMAP_RETURNED: Timing.AFTER,
    ReminderKind.FACILITATOR_DIGEST: Timing.WEEKLY,
}


def stub_rules(monkeypatch) -> None:
    """Install a stub for every kind of reminder (the session rule stays the real one); the
    survey rule has limits, as the catalogue says of it."""
    for kind, label in ReminderKind.choices:
        if kind == ReminderKind.SESSION_STARTS:
            continue
        limits = kind == ReminderKind.SURVEY_UNANSWERED
        monkeypatch.setitem(
            RULES,
            kind,
            StubRule(
                kind=kind,
                audience=f"Audience of {label}.",
                description=f"Description of {label}.",
                timing=STUB_TIMINGS.get(kind, Timing.BEFORE),
                defaults=Setting(
                    enabled=True,
                    offsets=(480,) if kind == ReminderKind.FACILITATOR_DIGEST else (2880,),
                    max_reminders=2 if limits else None,
                    min_gap_days=3 if limits else None,
                ),
                has_limits=limits,
            ),
        )


@pytest.fixture
def stubs(monkeypatch):
    stub_rules(monkeypatch)


def planned_row(*, to: str, kind: str, status=DeliveryStatus.PENDING, **fields) -> OutboundEmail:
    return factories.OutboundEmailFactory(
        to=to,
        kind=kind,
        topic="session:1",
        subject="",
        body="",
        status=status,
        send_after=timezone.now() + datetime.timedelta(hours=3),
        **fields,
    )


# --- rule_update -----------------------------------------------------------------------------


def test_admin_sets_a_rule_and_who_changed_it_is_recorded(programme_admin):
    row = services.rule_update(
        acting_user=programme_admin,
        kind=ReminderKind.SESSION_STARTS,
        enabled=False,
        offsets=[60, 2880],
    )

    stored = ReminderRule.objects.get()
    assert stored == row
    assert (stored.kind, stored.enabled, stored.offsets, stored.updated_by) == (
        ReminderKind.SESSION_STARTS,
        False,
        [2880, 60],
        programme_admin,
    )
    assert (stored.max_reminders, stored.min_gap_days) == (None, None)


def test_a_second_change_updates_the_same_row(programme_admin):
    other_admin = factories.UserFactory(is_programme_admin=True)
    services.rule_update(
        acting_user=programme_admin, kind=ReminderKind.SESSION_STARTS, enabled=False, offsets=[60]
    )

    services.rule_update(
        acting_user=other_admin, kind=ReminderKind.SESSION_STARTS, enabled=True, offsets=[30]
    )

    assert list(ReminderRule.objects.values_list("enabled", "offsets", "updated_by")) == [
        (True, [30], other_admin.pk)
    ]


@pytest.mark.parametrize("role", ["officer", "facilitator", "reviewer"])
def test_only_programme_admins_change_rules(role, request):
    person = request.getfixturevalue(role)

    with pytest.raises(PermissionRefused) as refused:
        services.rule_update(
            acting_user=person, kind=ReminderKind.SESSION_STARTS, enabled=False, offsets=[60]
        )

    assert refused.value.message == "Only programme admins change rules."
    assert not ReminderRule.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"kind": "birthday"}, "kind", "There is no reminder rule “birthday”."),
        ({"offsets": []}, "offsets", "Give at least one time."),
        ({"offsets": [60, 60]}, "offsets", "Give each time once."),
        (
            {"offsets": [0]},
            "offsets",
            "“0h” is no time at all: give times of at least one minute.",
        ),
        ({"offsets": list(range(1, 12))}, "offsets", "Give at most 10 times; you gave 11."),
        (
            {"max_reminders": 3},
            "max_reminders",
            "This rule has no limits: it sends one reminder at each time.",
        ),
        (
            {"min_gap_days": 2},
            "min_gap_days",
            "This rule has no limits: it sends one reminder at each time.",
        ),
    ],
)
def test_bad_rule_settings_are_refused_and_nothing_is_written(
    programme_admin, changes, field, message
):
    arguments = {"kind": ReminderKind.SESSION_STARTS, "enabled": True, "offsets": [60], **changes}

    with pytest.raises(ApplicationError) as refused:
        services.rule_update(acting_user=programme_admin, **arguments)

    assert (refused.value.field, refused.value.message) == (field, message)
    assert not ReminderRule.objects.exists()


def test_limits_are_set_on_a_rule_that_has_them(programme_admin, stubs):
    services.rule_update(
        acting_user=programme_admin,
        kind=ReminderKind.SURVEY_UNANSWERED,
        enabled=True,
        offsets=[7200, 2880],
        max_reminders=3,
        min_gap_days=4,
    )

    assert list(ReminderRule.objects.values_list("offsets", "max_reminders", "min_gap_days")) == [
        ([2880, 7200], 3, 4)
    ]


MOST = "Give at most how many reminders as a number from 1 to 10."
APART = "Give how many days apart as a number from 0 to 365."


@pytest.mark.parametrize(
    ("limits", "field", "message"),
    [
        ({"max_reminders": 0}, "max_reminders", MOST),
        ({"max_reminders": 11}, "max_reminders", MOST),
        ({"min_gap_days": -1}, "min_gap_days", APART),
        ({"min_gap_days": "2"}, "min_gap_days", APART),
    ],
)
def test_limits_out_of_range_are_refused(programme_admin, stubs, limits, field, message):
    with pytest.raises(ApplicationError) as refused:
        services.rule_update(
            acting_user=programme_admin,
            kind=ReminderKind.SURVEY_UNANSWERED,
            enabled=True,
            offsets=[2880],
            **limits,
        )

    assert (refused.value.field, refused.value.message) == (field, message)


def test_weekly_rule_takes_a_time_of_the_week(programme_admin, stubs):
    services.rule_update(
        acting_user=programme_admin,
        kind=ReminderKind.FACILITATOR_DIGEST,
        enabled=True,
        offsets=[4 * 1440 + 1050],
    )
    with pytest.raises(ApplicationError) as refused:
        services.rule_update(
            acting_user=programme_admin,
            kind=ReminderKind.FACILITATOR_DIGEST,
            enabled=True,
            offsets=[7 * 1440],
        )

    assert refused.value.message == "A weekly time is a day and a time between Monday and Sunday."
    assert ReminderRule.objects.get().offsets == [4 * 1440 + 1050]


# --- opt_outs_set ------------------------------------------------------------------------------


def opted_out(address: str) -> list[str]:
    return sorted(ReminderOptOut.objects.filter(address=address).values_list("kind", flat=True))


def test_person_turns_reminders_off_and_on_again(stubs):
    officer = factories.city_officer(email="Ana@Braga.pt")

    services.opt_outs_set(
        acting_user=officer, kinds_off={ReminderKind.SESSION_STARTS, ReminderKind.PHASE_CLOSES}
    )
    assert opted_out("ana@braga.pt") == [ReminderKind.PHASE_CLOSES, ReminderKind.SESSION_STARTS]

    services.opt_outs_set(acting_user=officer, kinds_off={ReminderKind.PHASE_CLOSES})
    assert opted_out("ana@braga.pt") == [ReminderKind.PHASE_CLOSES]

    services.opt_outs_set(acting_user=officer, kinds_off=set())
    assert opted_out("ana@braga.pt") == []


def test_a_kind_that_does_not_concern_the_person_is_refused(facilitator, stubs):
    with pytest.raises(ApplicationError) as refused:
        services.opt_outs_set(acting_user=facilitator, kinds_off={ReminderKind.PHASE_CLOSES})

    assert refused.value.message == (
        "You cannot choose the reminder “phase_closes”: it does not concern you."
    )
    assert not ReminderOptOut.objects.exists()


def test_saving_leaves_a_kind_the_page_does_not_show_as_it_was(facilitator, stubs):
    # Unsubscribed by link from roadmap reminders, as a former city officer.
    ReminderOptOut.objects.create(address=facilitator.email, kind=ReminderKind.PHASE_CLOSES)

    services.opt_outs_set(acting_user=facilitator, kinds_off=set())

    assert opted_out(facilitator.email) == [ReminderKind.PHASE_CLOSES]


def test_turning_a_kind_off_cancels_its_planned_reminders_to_the_person(officer):
    mine = planned_row(to=officer.email.upper(), kind=ReminderKind.SESSION_STARTS)
    sent = planned_row(to=officer.email, kind=ReminderKind.SESSION_STARTS, status="sent")
    someone_else = planned_row(to="joao@porto.pt", kind=ReminderKind.SESSION_STARTS)

    services.opt_outs_set(acting_user=officer, kinds_off={ReminderKind.SESSION_STARTS})

    rows = OutboundEmail.objects.in_bulk([mine.pk, sent.pk, someone_else.pk])
    assert (rows[mine.pk].status, rows[mine.pk].cancel_reason) == (
        DeliveryStatus.CANCELLED,
        "The person unsubscribed from this kind of reminder.",
    )
    assert rows[sent.pk].status == DeliveryStatus.SENT
    assert rows[someone_else.pk].status == DeliveryStatus.PENDING


def test_signed_out_person_chooses_nothing(db):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionRefused):
        services.opt_outs_set(acting_user=AnonymousUser(), kinds_off=set())


# --- unsubscribe ---------------------------------------------------------------------------------


def test_unsubscribe_turns_one_kind_off_once():
    first = services.unsubscribe(address=" Ana@Braga.pt ", kind=ReminderKind.SESSION_STARTS)
    second = services.unsubscribe(address="ana@braga.pt", kind=ReminderKind.SESSION_STARTS)

    assert (first, second) == (True, False)
    assert list(ReminderOptOut.objects.values_list("address", "kind")) == [
        ("ana@braga.pt", ReminderKind.SESSION_STARTS)
    ]


def test_unsubscribe_cancels_that_kinds_planned_reminders_only(stubs):
    session_reminder = planned_row(to="ana@braga.pt", kind=ReminderKind.SESSION_STARTS)
    survey_reminder = planned_row(to="ana@braga.pt", kind=ReminderKind.SURVEY_UNANSWERED)

    services.unsubscribe(address="ana@braga.pt", kind=ReminderKind.SESSION_STARTS)

    statuses = dict(OutboundEmail.objects.values_list("pk", "status"))
    assert statuses == {
        session_reminder.pk: DeliveryStatus.CANCELLED,
        survey_reminder.pk: DeliveryStatus.PENDING,
    }


@pytest.mark.parametrize(
    ("address", "kind", "message"),
    [
        ("ana@braga.pt", "birthday", "There is no reminder rule “birthday”."),
        ("  ", ReminderKind.SESSION_STARTS, "The link names no email address."),
    ],
)
def test_unsubscribe_refuses_what_it_cannot_act_on(address, kind, message):
    with pytest.raises(ApplicationError) as refused:
        services.unsubscribe(address=address, kind=kind)

    assert refused.value.message == message
    assert not ReminderOptOut.objects.exists()
