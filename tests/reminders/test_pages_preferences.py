"""The reminders page of a person's account: a checkbox per kind of reminder that concerns them."""

import datetime
import html
import re

import pytest
from django.test import Client
from django.utils import timezone

from notifications.enums import DeliveryStatus, ReminderKind
from notifications.models import OutboundEmail
from reminders.models import ReminderOptOut, ReminderRule
from tests import factories
from tests.queries import session_queries
from tests.reminders.test_services import stub_rules

pytestmark = pytest.mark.django_db

URL = "/reminders/preferences/"
EVERYONE = [ReminderKind.SESSION_STARTS, ReminderKind.SURVEY_UNANSWERED]


@pytest.fixture(autouse=True)
def every_rule(monkeypatch):
    stub_rules(monkeypatch)


def checkboxes(response) -> dict[str, bool]:
    """Each kind offered, and whether its box is ticked."""
    assert response.status_code in (200, 400)
    return {
        name: " checked" in attributes
        for name, attributes in re.findall(
            r'<input type="checkbox" name="(\w+)"([^>]*)>', response.content.decode()
        )
    }


@pytest.mark.parametrize(
    ("role", "kinds"),
    [
        (
            "officer",
            [
                ReminderKind.SESSION_STARTS,
                ReminderKind.PHASE_CLOSES,
                ReminderKind.ROADMAP_RETURNED,
                ReminderKind.SURVEY_UNANSWERED,
                ReminderKind.CALL_CLOSES,
            ],
        ),
        ("facilitator", [*EVERYONE, ReminderKind.FACILITATOR_DIGEST]),
        ("reviewer", [*EVERYONE, ReminderKind.REVIEWS_DUE]),
        ("programme_admin", ReminderKind.values),
    ],
)
def test_each_person_is_offered_the_reminders_that_can_reach_them(client, request, role, kinds):
    client.force_login(request.getfixturevalue(role))

    assert checkboxes(client.get(URL)) == dict.fromkeys(kinds, True)


def test_a_person_without_a_role_is_offered_the_reminders_of_everyone(client):
    client.force_login(factories.UserFactory())

    assert list(checkboxes(client.get(URL))) == EVERYONE


def test_the_page_says_what_each_reminder_is_and_that_service_messages_always_go(client, officer):
    client.force_login(officer)

    page = html.unescape(client.get(URL).content.decode())

    # The box first, then its name, then what it is (the box is described by it).
    assert (
        '<div class="choice"><input type="checkbox" name="session_starts" '
        'aria-describedby="id_session_starts_helptext" id="id_session_starts" checked>'
        '<label for="id_session_starts">A session you are registered for is about to start</label>'
        "</div>\n  "
        '<div class="helptext" id="id_session_starts_helptext">Before a scheduled session'
    ) in page
    assert (
        "Before a scheduled session starts, with its join link and an .ics file. A moved "
        "session is reminded of at its new time; a cancelled one is not."
    ) in page
    assert (
        "Service messages are always sent, whatever you choose here: password resets, "
        "invitations, decisions about your city's enrolments and applications, and changes to "
        "sessions you are registered for."
    ) in page
    assert f"Choose the reminders the portal sends to {officer.email}." in page
    # The account's pages link to it.
    assert '<a href="/reminders/preferences/" aria-current="page">Reminders</a>' in page
    assert (
        '<a href="/reminders/preferences/">Reminders</a>'
        in client.get("/accounts/profile/").content.decode()
    )


def test_a_rule_turned_off_says_so(client, officer):
    ReminderRule.objects.create(kind=ReminderKind.PHASE_CLOSES, enabled=False, offsets=[2880])
    client.force_login(officer)

    page = client.get(URL).content.decode()

    assert page.count("Programme admins have turned this reminder off for everyone for now.") == 1


def test_person_unticks_a_reminder_and_ticks_it_again(client, facilitator):
    client.force_login(facilitator)
    planned = factories.OutboundEmailFactory(
        to=facilitator.email,
        kind=ReminderKind.FACILITATOR_DIGEST,
        subject="",
        body="",
        send_after=timezone.now() + datetime.timedelta(hours=5),
    )

    response = client.post(URL, {"session_starts": "on", "survey_unanswered": "on"}, follow=True)

    assert response.redirect_chain == [(URL, 302)]
    assert checkboxes(response) == {
        ReminderKind.SESSION_STARTS: True,
        ReminderKind.SURVEY_UNANSWERED: True,
        ReminderKind.FACILITATOR_DIGEST: False,
    }
    assert '<p class="message message-success">Your choice of reminders is saved.</p>' in (
        response.content.decode()
    )
    assert list(ReminderOptOut.objects.values_list("address", "kind")) == [
        (facilitator.email, ReminderKind.FACILITATOR_DIGEST)
    ]
    assert OutboundEmail.objects.get(pk=planned.pk).status == DeliveryStatus.CANCELLED

    response = client.post(URL, dict.fromkeys([*EVERYONE, "facilitator_digest"], "on"))

    assert response.status_code == 302
    assert not ReminderOptOut.objects.exists()


def test_a_kind_posted_that_the_page_does_not_offer_changes_nothing(client, facilitator):
    client.force_login(facilitator)

    client.post(URL, dict.fromkeys([*EVERYONE, "facilitator_digest", "phase_closes"], "on"))
    client.post(URL, dict.fromkeys([*EVERYONE, "facilitator_digest"], "on"))

    assert not ReminderOptOut.objects.exists()


def test_an_unsubscribe_by_link_shows_unticked(client, officer):
    ReminderOptOut.objects.create(address=officer.email.lower(), kind=ReminderKind.CALL_CLOSES)
    client.force_login(officer)

    boxes = checkboxes(client.get(URL))

    assert [kind for kind, ticked in boxes.items() if not ticked] == [ReminderKind.CALL_CLOSES]


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(URL)

    assert response["Location"] == f"/accounts/login/?next={URL}"
    assert client.post(URL, {}).status_code == 302
    assert not ReminderOptOut.objects.exists()


def test_preferences_queries_do_not_grow_with_the_choices(
    client, programme_admin, django_assert_num_queries
):
    client.force_login(programme_admin)
    # user, whether they are a city officer (their roles), the rules' rows, their opt-outs
    with django_assert_num_queries(4 + session_queries()):
        assert client.get(URL).status_code == 200
    for kind in ReminderKind.values:
        ReminderOptOut.objects.create(address=programme_admin.email, kind=kind)
        ReminderOptOut.objects.create(address=f"other-{kind}@example.org", kind=kind)
        ReminderRule.objects.create(kind=kind, enabled=False, offsets=[60])

    with django_assert_num_queries(4 + session_queries()):
        assert checkboxes(client.get(URL)) == dict.fromkeys(ReminderKind.values, False)


def test_the_kept_checkboxes_follow_a_choice_saved_any_way(client, officer):
    """The checkboxes are kept in the cache under what they show: a choice made through the
    service, by the unsubscribe link or straight in the database shows on the next request."""
    client.force_login(officer)
    assert checkboxes(client.get(URL))[ReminderKind.SESSION_STARTS] is True

    ReminderOptOut.objects.create(address=officer.email, kind=ReminderKind.SESSION_STARTS)
    assert checkboxes(client.get(URL))[ReminderKind.SESSION_STARTS] is False

    ReminderRule.objects.create(kind=ReminderKind.CALL_CLOSES, enabled=False, offsets=[60])
    assert "turned this reminder off for everyone" in client.get(URL).content.decode()


def test_two_people_one_after_the_other_each_see_their_own_choices(officer):
    other = factories.city_officer()
    ReminderOptOut.objects.create(address=other.email, kind=ReminderKind.PHASE_CLOSES)
    first, second = Client(), Client()
    first.force_login(officer)
    second.force_login(other)

    mine = checkboxes(first.get(URL))
    theirs = checkboxes(second.get(URL))

    assert [kind for kind, ticked in mine.items() if not ticked] == []
    assert [kind for kind, ticked in theirs.items() if not ticked] == [ReminderKind.PHASE_CLOSES]
    assert f"sends to {other.email}." in second.get(URL).content.decode()


def test_unticking_every_box_turns_every_reminder_off(client):
    person = factories.UserFactory()
    client.force_login(person)

    assert client.post(URL, {}).status_code == 302

    assert sorted(ReminderOptOut.objects.values_list("kind", flat=True)) == sorted(EVERYONE)
