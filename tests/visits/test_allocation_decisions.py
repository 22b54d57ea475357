"""Publishing the decisions, the emails, and what a withdrawal does (visits/decisions.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import OutboundEmail
from portal.errors import ApplicationError
from portal.permissions import PermissionRefused
from tests import factories
from tests.visits.alloc_world import apply, build, placements
from visits import signals
from visits.allocation import allocation_run
from visits.decisions import call_publish_decisions, decisions_notify
from visits.enums import ApplicationStatus, CallStatus, Decision
from visits.models import Application, Call

S, W, N = Decision.SELECTED, Decision.WAITLISTED, Decision.NOT_SELECTED

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return factories.UserFactory(is_programme_admin=True)


@pytest.fixture
def allocated(admin):
    """mannheim (1 place) and guimaraes (1 place); a waitlist of 2 at most."""
    world = build(capacities=(("mannheim", 1), ("guimaraes", 1)))
    apply(world, "leuven", 1, ["mannheim"])
    apply(world, "tartu", 2, ["guimaraes"], language="fr")
    apply(world, "espoo", 3, ["guimaraes"])
    apply(world, "graz", 4, ["mannheim", "guimaraes"])
    apply(world, "vigo", 5, ["mannheim"])
    allocation_run(acting_user=admin, call=world.call)
    return world


def _withdraw(application: Application) -> None:
    """What the applying part does: the status, then the signal, in one transaction."""
    Application.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.WITHDRAWN, withdrawn_at=timezone.now()
    )
    application.refresh_from_db()
    signals.application_withdrawn.send(sender=Application, application=application)


def _emails():
    return sorted(OutboundEmail.objects.values_list("to", "subject"))


def test_publishing_emails_each_applicant_its_decision_once(admin, allocated):
    world = allocated
    assert placements(world) == {
        "leuven": (S, "mannheim", None),
        "tartu": (S, "guimaraes", None),
        "espoo": (W, None, 1),
        "graz": (W, None, 2),
        "vigo": (N, None, None),
    }

    told = call_publish_decisions(acting_user=admin, call=world.call)

    call = Call.objects.get(pk=world.call.pk)
    assert (told, call.status, call.published_at is not None) == (5, CallStatus.PUBLISHED, True)
    officer = {name: person.email for name, person in world.officers.items()}
    assert _emails() == sorted(
        [
            (officer["leuven"], "Group Study Visit: Mannheim welcomes your city"),
            # Tartu's officer reads French (apply(..., language="fr")).
            (officer["tartu"], "Visite d'étude de groupe : Guimaraes accueille votre ville"),
            (
                officer["espoo"],
                'Group Study Visits: your city is on the waitlist of "Group Study Visits 2025"',
            ),
            (
                officer["graz"],
                'Group Study Visits: your city is on the waitlist of "Group Study Visits 2025"',
            ),
            (officer["vigo"], 'Group Study Visits: the decision on "Group Study Visits 2025"'),
        ]
    )
    leuven = OutboundEmail.objects.get(to=officer["leuven"])
    assert (
        'Leuven is selected in "Group Study Visits 2025" for the Group Study Visit hosted by '
        "Mannheim, from 12 May 2025 to 13 May 2025."
    ) in leuven.body
    graz = OutboundEmail.objects.get(to=officer["graz"])
    assert 'Graz is on the waitlist of "Group Study Visits 2025", in position 2.' in graz.body
    assert leuven.key == f"visit-decision:{world.applications['leuven'].pk}:selected:" + str(
        world.officers["leuven"].pk
    )
    assert not Application.objects.filter(call=call, decision_notified_at=None).exists()


def test_the_email_is_in_the_recipients_language(admin, allocated):
    call_publish_decisions(acting_user=admin, call=allocated.call)

    tartu = OutboundEmail.objects.get(to=allocated.officers["tartu"].email)

    # Django's own French catalogue writes the month: the body was rendered in French.
    assert "19 mai 2025" in tartu.body
    assert "19 May 2025" not in tartu.body


def test_publishing_twice_is_refused_with_a_message_and_sends_nothing_more(admin, allocated):
    call_publish_decisions(acting_user=admin, call=allocated.call)
    sent = _emails()

    with pytest.raises(ApplicationError) as refused:
        call_publish_decisions(acting_user=admin, call=allocated.call)

    assert refused.value.message.startswith("The decisions of this call were published on ")
    assert refused.value.message.endswith(": they are published once.")
    assert _emails() == sent


def test_a_retried_notification_never_sends_twice(admin, allocated):
    call_publish_decisions(acting_user=admin, call=allocated.call)
    count = OutboundEmail.objects.count()
    # As a retry that lost track of what it recorded.
    Application.objects.filter(call=allocated.call).update(decision_notified_at=None)

    decisions_notify(call=allocated.call)

    assert OutboundEmail.objects.count() == count == 5


def test_publishing_without_any_decision_is_refused(admin):
    world = build()
    apply(world, "leuven", 1, ["mannheim"])

    with pytest.raises(ApplicationError) as refused:
        call_publish_decisions(acting_user=admin, call=world.call)

    assert refused.value.message == "No application has a decision yet: allocate the places first."
    assert Call.objects.get(pk=world.call.pk).status == CallStatus.OPEN


def test_only_admins_publish(allocated):
    with pytest.raises(PermissionRefused):
        call_publish_decisions(acting_user=allocated.officers["leuven"], call=allocated.call)

    assert Call.objects.get(pk=allocated.call.pk).status == CallStatus.OPEN


def test_withdrawal_after_publishing_promotes_the_first_waiting_city_that_asked_for_the_visit(
    admin, allocated
):
    world = allocated
    call_publish_decisions(acting_user=admin, call=world.call)
    before = OutboundEmail.objects.count()

    # leuven leaves mannheim: espoo (1st on the waitlist) asked only for guimaraes, so graz
    # (2nd, who asked for mannheim) is promoted.
    _withdraw(world.applications["leuven"])

    assert placements(world) == {
        "leuven": (S, None, None),
        "tartu": (S, "guimaraes", None),
        "espoo": (W, None, 1),
        "graz": (S, "mannheim", None),
        "vigo": (N, None, None),
    }
    new = OutboundEmail.objects.order_by("pk")[before:]
    assert [(email.to, email.subject) for email in new] == [
        (world.officers["graz"].email, "Group Study Visit: Mannheim welcomes your city")
    ]


def test_withdrawal_after_publishing_with_nobody_waiting_for_the_visit_leaves_it_free(
    admin, allocated
):
    world = allocated
    call_publish_decisions(acting_user=admin, call=world.call)
    before = OutboundEmail.objects.count()

    _withdraw(world.applications["espoo"])  # waitlisted: graz moves up
    _withdraw(world.applications["tartu"])  # guimaraes freed: graz asked for it

    assert placements(world)["graz"] == (S, "guimaraes", None)
    _withdraw(world.applications["graz"])  # nobody waits any more

    assert placements(world) == {
        "leuven": (S, "mannheim", None),
        "tartu": (S, None, None),
        "espoo": (W, None, None),
        "graz": (S, None, None),
        "vigo": (N, None, None),
    }
    assert OutboundEmail.objects.count() == before + 1


def test_withdrawal_before_publishing_runs_the_allocation_again(allocated):
    world = allocated

    _withdraw(world.applications["tartu"])

    assert placements(world) == {
        "leuven": (S, "mannheim", None),
        "tartu": ("", None, None),
        "espoo": (S, "guimaraes", None),
        "graz": (W, None, 1),
        "vigo": (W, None, 2),
    }
    assert OutboundEmail.objects.count() == 0


def test_publishing_writes_in_a_fixed_number_of_reads(admin):
    """Reads do not grow with the applicants; the outbox writes one row per email."""
    world = build(capacities=(("mannheim", 10), ("guimaraes", 10)))
    for rank in range(1, 13):
        apply(world, f"city{rank}", rank, ["mannheim"])
    allocation_run(acting_user=admin, call=world.call)

    with CaptureQueriesContext(connection) as queries:
        call_publish_decisions(acting_user=admin, call=world.call)

    reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and "notifications_outboundemail" not in q["sql"]
    ]
    # The permission's admin check needs none; the call's lock, whether any decision exists,
    # the applications, their memberships with the officers.
    assert len(reads) == 4
