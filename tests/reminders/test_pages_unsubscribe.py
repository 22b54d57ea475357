"""The unsubscribe link of every reminder email: a GET shows, a POST (the page's button or a
mail client's one-click) unsubscribes; a link tampered with, expired or for an unknown kind
gets a clear page and changes nothing."""

import datetime
import html
import re

import pytest
import time_machine
from django.core import mail, signing
from django.test import Client

from notifications.enums import DeliveryStatus, ReminderKind
from notifications.models import OutboundEmail
from notifications.services import emails_deliver_due
from reminders.models import ReminderOptOut
from reminders.planning import UNSUBSCRIBE_SALT, reminders_evaluate, unsubscribe_token
from tests import factories
from tests.queries import session_queries

pytestmark = pytest.mark.django_db

SENT = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
KIND = ReminderKind.SESSION_STARTS


def link(token: str) -> str:
    return f"/reminders/unsubscribe/{token}/"


@pytest.fixture
def token():
    with time_machine.travel(SENT, tick=False):
        return unsubscribe_token(address="Ana@Braga.pt", kind=KIND)


def text_of(response) -> str:
    main = re.search(r"<main[^>]*>(.*)</main>", response.content.decode(), re.S)[1]
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())
    return re.sub(r" ([.,:])(\s|$)", r"\1\2", text)


def opt_outs() -> list[tuple[str, str]]:
    return list(ReminderOptOut.objects.values_list("address", "kind"))


def test_opening_the_link_asks_and_changes_nothing(client, token):
    with time_machine.travel(SENT + datetime.timedelta(days=3)):
        response = client.get(link(token))

    assert response.status_code == 200
    assert text_of(response) == (
        "Stop these reminders? "
        "Reminders to ana@braga.pt of this kind: "
        "A session you are registered for is about to start "
        "Before a scheduled session starts, with its join link and an .ics file. A moved "
        "session is reminded of at its new time; a cancelled one is not. "
        "Unsubscribe "
        "Only this kind of reminder stops. Service messages (password resets, invitations, "
        "decisions) are always sent. "
        "With an account, you can choose every kind of reminder on your reminders page."
    )
    assert f'<form method="post" action="{link(token)}">' in response.content.decode()
    assert opt_outs() == []


def test_the_button_unsubscribes_and_the_page_links_to_the_preferences(token):
    client = Client(enforce_csrf_checks=True)
    planned = factories.OutboundEmailFactory(
        to="ana@braga.pt", kind=KIND, subject="", body="", send_after=SENT
    )

    with time_machine.travel(SENT + datetime.timedelta(days=3)):
        response = client.post(link(token))

    assert response.status_code == 200
    assert text_of(response) == (
        "You are unsubscribed "
        "The portal no longer sends “A session you are registered for is about to start” "
        "reminders to ana@braga.pt. "
        "Changed your mind? Sign in and tick it again on your reminders page."
    )
    assert '<a href="/reminders/preferences/">your reminders page</a>' in (
        response.content.decode()
    )
    assert opt_outs() == [("ana@braga.pt", KIND)]
    assert OutboundEmail.objects.get(pk=planned.pk).status == DeliveryStatus.CANCELLED


def test_a_mail_clients_one_click_post_unsubscribes_without_a_csrf_token(token):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        link(token),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert opt_outs() == [("ana@braga.pt", KIND)]


def test_unsubscribing_twice_changes_nothing_more(client, token):
    client.post(link(token))

    again = client.post(link(token))
    shown = client.get(link(token))

    assert opt_outs() == [("ana@braga.pt", KIND)]
    assert "It had stopped already: nothing changed." in text_of(again)
    assert "This address is already unsubscribed from these reminders." in text_of(shown)


def test_a_signed_in_person_can_use_someone_elses_link_only_for_its_address(client, token):
    client.force_login(factories.city_officer(email="rui@lisboa.pt"))

    client.post(link(token))

    assert opt_outs() == [("ana@braga.pt", KIND)]


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_link_tampered_with_is_refused_and_changes_nothing(client, token, method):
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")

    response = getattr(client, method)(link(tampered))

    assert response.status_code == 400
    assert text_of(response) == (
        "This link cannot be used "
        "This unsubscribe link is not one the portal made: it may have been cut short or "
        "changed when it was copied. Try the link from the email again. "
        "Nothing was changed. "
        "Sign in to choose your reminders on your reminders page."
    )
    assert '<a href="/reminders/preferences/">your reminders page</a>' in (
        response.content.decode()
    )
    assert opt_outs() == []


def test_a_link_for_another_address_signed_elsewhere_is_refused(client):
    # Signed with the calendar links' salt: a valid signature of the portal, not for this.
    forged = signing.dumps({"a": "ana@braga.pt", "k": KIND}, salt="sessions.calendar_links")

    assert client.post(link(forged)).status_code == 400
    assert opt_outs() == []


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_expired_link_is_refused_and_changes_nothing(client, token, method):
    with time_machine.travel(SENT + datetime.timedelta(days=181)):
        response = getattr(client, method)(link(token))

    assert response.status_code == 400
    assert text_of(response).startswith(
        "This link cannot be used "
        "This unsubscribe link has expired: a link works for 180 days after its email was sent. "
        "Nothing was changed."
    )
    assert opt_outs() == []


def test_a_link_still_works_on_its_last_day(client, token):
    with time_machine.travel(SENT + datetime.timedelta(days=179, hours=23)):
        assert client.post(link(token)).status_code == 200

    assert opt_outs() == [("ana@braga.pt", KIND)]


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_link_for_a_kind_that_no_longer_exists_is_not_found(client, method):
    token = signing.dumps({"a": "ana@braga.pt", "k": "birthday"}, salt=UNSUBSCRIBE_SALT)

    response = getattr(client, method)(link(token))

    assert response.status_code == 404
    assert "This unsubscribe link is for a kind of reminder the portal no longer sends." in (
        text_of(response)
    )
    assert opt_outs() == []


def test_other_methods_are_not_allowed(client, token):
    assert client.put(link(token)).status_code == 405
    assert opt_outs() == []


def test_the_link_in_a_sent_reminder_unsubscribes_in_one_click():
    start = datetime.datetime(2026, 12, 10, 9, 0, tzinfo=datetime.UTC)
    session = factories.SessionFactory(
        cohort=factories.CohortFactory(
            starts_on=datetime.date(2026, 9, 1), ends_on=datetime.date(2027, 2, 28)
        ),
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
    )
    factories.RegistrationFactory(session=session, email="Ana@Braga.pt")
    with time_machine.travel(start - datetime.timedelta(hours=24), tick=False):
        reminders_evaluate()
        emails_deliver_due()
    [message] = mail.outbox
    header = message.extra_headers["List-Unsubscribe"]
    path = re.fullmatch(r"<https?://[^/]+(/reminders/unsubscribe/[^>]+)>", header)[1]
    assert path in message.body

    response = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert opt_outs() == [("ana@braga.pt", KIND)]
    # The hour-before reminder is no longer planned.
    with time_machine.travel(start - datetime.timedelta(hours=1), tick=False):
        reminders_evaluate()
        emails_deliver_due()
    assert len(mail.outbox) == 1


def test_unsubscribe_page_queries_are_few(client, token, django_assert_num_queries):
    # Signed out: whether the address is unsubscribed already.
    with django_assert_num_queries(1):
        assert client.get(link(token)).status_code == 200
    # In a transaction (a savepoint in the test's): the opt-out read, then written in a
    # savepoint of get_or_create, and the planned rows cancelled.
    with django_assert_num_queries(7):
        assert client.post(link(token)).status_code == 200
    client.force_login(factories.UserFactory())
    with django_assert_num_queries(2 + session_queries()):
        assert client.get(link(token)).status_code == 200
