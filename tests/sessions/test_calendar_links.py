"""A registered person's signed link to their session's .ics (sessions.calendar_links): it opens
without signing in, for people with no account; any other signature answers 404; the emails
carry it; the session pages link the personal feed."""

import datetime

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from sessions import services
from sessions.calendar_links import registration_calendar_signature, registration_calendar_url
from sessions.models import Registration
from tests import factories
from tests.portal_pages.helpers import sign_in
from tests.sessions.conftest import schedule, signed_calendar_link

SITE = "http://127.0.0.1:8000"  # SITE_URL of the test settings


def register(session, officer, city, *people) -> list[Registration]:
    return services.registrations_create(
        session=session, city=city, people=list(people), acting_user=officer
    )


@pytest.fixture
def rui(programme) -> Registration:
    """Rui Costa, registered by his city's officer; he has no account."""
    (registration,) = register(
        programme.heating, programme.officer, programme.city, ("Rui Costa", "rui@lisboa.pt")
    )
    return registration


def path_of(registration) -> str:
    return signed_calendar_link(SITE, registration).removeprefix(SITE)


def heating_event(pk: int, *, sequence: int = 0, status: str = "CONFIRMED") -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
        "PRODID:-//City peer-learning portal//Sessions//EN\r\n"
        "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n"
        "BEGIN:VEVENT\r\n"
        f"UID:session-{pk}@127.0.0.1\r\n"
        "DTSTAMP:20241101T090000Z\r\n"
        f"SEQUENCE:{sequence}\r\n"
        "DTSTART:20241204T090000Z\r\n"
        "DTEND:20241204T103000Z\r\n"
        "SUMMARY:Energy: district heating\r\n"
        "URL:https://meet.example.org/heating\r\n"
        "LOCATION:https://meet.example.org/heating\r\n"
        "DESCRIPTION:Online meeting link: https://meet.example.org/heating\\nSession \r\n"
        f" page: http://127.0.0.1:8000/sessions/{pk}/\r\n"
        f"STATUS:{status}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


# --- The link ----------------------------------------------------------------------------------


def test_signed_link_is_the_registrations_own_on_site_url(programme, rui):
    signature = signing.Signer(salt="sessions.calendar_links.registration").signature(
        f"registration:{rui.pk}:session:{programme.heating.pk}"
    )

    assert registration_calendar_url(rui) == (
        f"{SITE}/calendar/registrations/{rui.pk}/{signature}.ics"
    )


def test_signed_link_opens_signed_out_for_a_person_without_an_account(client, programme, rui):
    assert not factories.UserFactory._meta.model.objects.filter(email=rui.email).exists()

    response = client.get(path_of(rui))

    pk = programme.heating.pk
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="session-{pk}.ics"'
    # Calendar apps and mail clients fetch it again: never from a shared cache.
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    assert response.content.decode() == heating_event(pk)


def test_signed_link_opens_the_same_for_anyone_signed_in(client, programme, rui):
    # The signature is the credential, not the account: a stranger holding the email sees what
    # the email showed (title, times, meeting link).
    sign_in(client, factories.city_officer())

    response = client.get(path_of(rui))

    assert (response.status_code, response.content.decode()) == (
        200,
        heating_event(programme.heating.pk),
    )


def test_signed_link_of_a_cancelled_session_answers_with_the_cancelled_event(
    client, programme, rui
):
    services.session_cancel(session=programme.heating, acting_user=programme.lead)

    response = client.get(path_of(rui))

    assert (response.status_code, response.content.decode()) == (
        200,
        heating_event(programme.heating.pk, sequence=1, status="CANCELLED"),
    )


def test_signed_link_after_a_move_gives_the_new_time_and_a_higher_sequence(client, programme, rui):
    link = path_of(rui)  # sent before the move
    services.session_update(
        session=programme.heating,
        starts_at=datetime.datetime(2024, 12, 4, 14, 0),
        ends_at=datetime.datetime(2024, 12, 4, 15, 30),
        acting_user=programme.lead,
    )

    body = client.get(link).content.decode()

    assert "SEQUENCE:1\r\nDTSTART:20241204T130000Z\r\nDTEND:20241204T143000Z\r\n" in body


def _altered(signature: str) -> str:
    """The signature with its first character changed."""
    return ("B" if signature[0] == "A" else "A") + signature[1:]


def test_wrong_or_altered_signature_answers_404(client, programme, rui):
    good = registration_calendar_signature(rui)
    # Signatures the portal makes elsewhere, over the same value: another salt, none.
    value = f"registration:{rui.pk}:session:{programme.heating.pk}"
    other_salt = signing.Signer(salt="sessions.calendar_feed").signature(value)
    no_salt = signing.Signer().signature(value)
    feed = services.calendar_feed_get_or_create(user=programme.officer)

    statuses = {
        name: client.get(f"/calendar/registrations/{rui.pk}/{signature}.ics").status_code
        for name, signature in {
            "good": good,
            "altered": _altered(good),
            "truncated": good[:-1],
            "lengthened": good + "A",
            "another salt": other_salt,
            "no salt": no_salt,
            "a feed token": feed.token,
            "with the separator": f"{value}:{good}",
        }.items()
    }

    assert statuses == {
        "good": 200,
        "altered": 404,
        "truncated": 404,
        "lengthened": 404,
        "another salt": 404,
        "no salt": 404,
        "a feed token": 404,
        "with the separator": 404,
    }


def test_signature_for_one_session_does_not_open_another(client, programme, rui):
    other = schedule(
        programme.cohort,
        "Buildings: renovation",
        datetime.datetime(2024, 12, 11, 10, 0),
        datetime.datetime(2024, 12, 11, 11, 0),
    )
    (rui_other,) = register(
        other, programme.officer, programme.city, ("Rui Costa", "rui@lisboa.pt")
    )
    heating_signature = registration_calendar_signature(rui)
    # A signature over Rui's registration for the heating session's number, but naming the
    # other session: what the link names and what was signed must both match.
    crossed = signing.Signer(salt="sessions.calendar_links.registration").signature(
        f"registration:{rui.pk}:session:{other.pk}"
    )

    assert client.get(path_of(rui_other)).status_code == 200
    assert (
        client.get(f"/calendar/registrations/{rui_other.pk}/{heating_signature}.ics").status_code
        == 404
    )
    assert client.get(f"/calendar/registrations/{rui.pk}/{crossed}.ics").status_code == 404


def test_signed_link_of_a_removed_registration_answers_404(client, programme, rui):
    link = path_of(rui)
    services.registration_delete(registration=rui, acting_user=programme.officer)

    assert client.get(link).status_code == 404


def test_unknown_registration_answers_404(client, programme, rui):
    stranger = Registration(pk=rui.pk + 1000, session=programme.heating)

    assert client.get(path_of(stranger)).status_code == 404


def test_signed_link_survives_a_secret_key_rotation_while_the_old_key_is_a_fallback(
    client, programme, rui
):
    with override_settings(SECRET_KEY="the-old-key-" + "x" * 50):
        old_link = path_of(rui)

    with override_settings(SECRET_KEY_FALLBACKS=["the-old-key-" + "x" * 50]):
        assert client.get(old_link).status_code == 200
    assert client.get(old_link).status_code == 404


# --- The emails carry it -----------------------------------------------------------------------


def test_moved_email_link_opens_signed_out_for_each_person(
    client, programme, django_capture_on_commit_callbacks
):
    register(
        programme.heating,
        programme.officer,
        programme.city,
        ("Rui Costa", "rui@lisboa.pt"),
        ("Ana Silva", "ana@lisboa.pt"),  # the officer, who has an account
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.session_update(
            session=programme.heating,
            starts_at=datetime.datetime(2024, 12, 4, 14, 0),
            ends_at=datetime.datetime(2024, 12, 4, 15, 30),
            acting_user=programme.lead,
        )

    links = {}
    for message in mail.outbox:
        (line,) = [ln for ln in message.body.splitlines() if ln.startswith("Add it to your")]
        links[message.to[0]] = line.removeprefix("Add it to your calendar: ")
    assert links == {
        email: signed_calendar_link(SITE, Registration.objects.get(email=email))
        for email in ("ana@lisboa.pt", "rui@lisboa.pt")
    }
    for link in links.values():
        response = client.get(link.removeprefix(SITE))
        assert response.status_code == 200
        assert "DTSTART:20241204T130000Z\r\n" in response.content.decode()


# --- Query count -------------------------------------------------------------------------------


def _queries(client, path) -> tuple[int, list[str], str]:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries), [q["sql"] for q in queries], response.content.decode()


def test_signed_link_query_count_does_not_grow(client, programme, rui):
    one, _sql, body_one = _queries(client, path_of(rui))

    # Many people registered, presenting cities and facilitators: none of it is read.
    register(
        programme.heating,
        programme.officer,
        programme.city,
        *[(f"Person {n}", f"person{n}@lisboa.pt") for n in range(25)],
    )
    services.session_set_presentations(
        session=programme.heating,
        presentations=[(programme.mission_city, [a.pk for a in programme.actions[:3]])],
        acting_user=programme.lead,
    )
    for _n in range(5):
        programme.heating.facilitators.add(factories.UserFactory(is_facilitator=True))
    many, sql, body_many = _queries(client, path_of(rui))

    assert body_one == body_many
    # One query: the registration with its session (a join); signed out, no session or user.
    assert (one, many) == (1, 1)
    assert 'FROM "peer_sessions_registration" INNER JOIN "peer_sessions_session"' in sql[0]


# --- The session pages link the personal feed --------------------------------------------------

FEED_LINK = (
    '<p data-block="calendar-feed">Every session you take part in, in your own calendar: '
    '<a href="/sessions/calendar/">Your calendar feed</a></p>'
)


@pytest.mark.parametrize("person", ["officer", "lead"])
def test_sessions_page_and_session_page_link_the_calendar_feed(client, programme, person):
    sign_in(client, getattr(programme, person))

    pages = [
        client.get("/sessions/").content.decode(),
        client.get(f"/sessions/{programme.heating.pk}/").content.decode(),
    ]

    assert [page.count(FEED_LINK) for page in pages] == [1, 1]


def test_registration_number_beyond_the_databases_integers_answers_404(client, programme, rui):
    signature = registration_calendar_signature(rui)

    response = client.get(f"/calendar/registrations/{10**30}/{signature}.ics")

    assert response.status_code == 404
