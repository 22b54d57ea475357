"""Session notices through notifications.notify: each person reads them in their account's
language and time zone, whoever acted; the plain text and the HTML part say the same; links and
the Message-ID come from SITE_URL."""

import datetime
import re

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import translation

from sessions import services
from sessions.models import Registration
from tests import factories
from tests.portal_pages.helpers import sign_in
from tests.sessions.conftest import signed_calendar_link

SITE = "https://portal.example.eu:8443"


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2024, 12, day, hour, minute)


def html_part(message) -> str:
    (html, mimetype), *_others = message.alternatives
    assert (mimetype, _others) == ("text/html", [])
    return html


@pytest.fixture
def readers(programme):
    """Marie reads French in Brussels, João English in Lisbon; both registered by Ana."""
    marie = factories.UserFactory(
        email="marie@lisboa.pt",
        full_name="Marie Dupont",
        language="fr",
        time_zone="Europe/Brussels",
    )
    joao = factories.UserFactory(
        email="joao@lisboa.pt", full_name="João Costa", language="en", time_zone="Europe/Lisbon"
    )
    services.registrations_create(
        session=programme.heating,
        city=programme.city,
        people=[("Marie Dupont", "marie@lisboa.pt"), ("João Costa", "joao@lisboa.pt")],
        acting_user=programme.officer,
    )
    return marie, joao


@override_settings(SITE_URL=SITE)
def test_session_moved_by_an_english_speaker_reaches_each_reader_in_their_language_and_zone(
    programme, readers, django_capture_on_commit_callbacks
):
    pk = programme.heating.pk
    # The facilitator acts in English; 10:00 in Brussels is 09:00 in Lisbon.
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.session_update(
            session=programme.heating,
            starts_at=at(5, 10),
            ends_at=at(5, 11, 30),
            acting_user=programme.lead,
        )

    by_address = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_address) == ["joao@lisboa.pt", "marie@lisboa.pt"]
    marie, joao = by_address["marie@lisboa.pt"], by_address["joao@lisboa.pt"]
    # Each person's calendar link is their own registration's signed one, account or not.
    marie_ics, joao_ics = (
        signed_calendar_link(SITE, Registration.objects.get(email=email))
        for email in ("marie@lisboa.pt", "joao@lisboa.pt")
    )
    assert marie_ics != joao_ics
    assert marie.subject == "Nouvel horaire pour « Energy: district heating »"
    assert marie.body == (
        "Bonjour Marie Dupont,\n\n"
        "La session « Energy: district heating » de Online Discussion Groups cohort 1 a été "
        "déplacée.\n\n"
        "Nouvel horaire : 5 décembre 2024 à 10:00\N{EN DASH}11:30 (Europe/Brussels)\n"
        "Lien de la réunion en ligne : https://meet.example.org/heating\n\n"
        f"Page de la session : {SITE}/sessions/{pk}/\n"
        f"Ajoutez-la à votre calendrier : {marie_ics}\n\n"
        "Vous recevez cet e-mail parce que votre ville vous a inscrit à cette session.\n"
    )
    assert joao.subject == 'New time for "Energy: district heating"'
    assert "New time: 5 December 2024, 09:00\N{EN DASH}10:30 (Europe/Lisbon)\n" in joao.body
    assert f"Add it to your calendar: {joao_ics}\n" in joao.body
    # The HTML part says the same in the same language, with the links clickable.
    marie_html = html_part(marie)
    assert '<html lang="fr">' in marie_html
    assert (
        "Nouvel horaire : 5 décembre 2024 à 10:00\N{EN DASH}11:30 (Europe/Brussels)" in marie_html
    )
    assert f'<a href="{marie_ics}">' in marie_html
    joao_html = html_part(joao)
    assert f'<a href="{joao_ics}">' in joao_html
    assert '<html lang="en">' in joao_html
    assert "New time: 5 December 2024, 09:00\N{EN DASH}10:30 (Europe/Lisbon)" in joao_html
    # Message-IDs are on the site's host, one per email.
    ids = [message.extra_headers["Message-ID"] for message in (marie, joao)]
    assert all(re.fullmatch(r"<[^@<>]+@portal\.example\.eu>", value) for value in ids), ids
    assert ids[0] != ids[1]
    assert all(
        message.message()["Message-ID"] == message.extra_headers["Message-ID"]
        for message in (marie, joao)
    )


def test_session_cancelled_escapes_the_title_in_html_only(
    programme, readers, django_capture_on_commit_callbacks
):
    services.session_update(
        session=programme.heating, title='Heat & <b>"power"</b>', acting_user=programme.lead
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(session=programme.heating, acting_user=programme.lead)

    joao = next(message for message in mail.outbox if message.to == ["joao@lisboa.pt"])
    assert joao.subject == 'Cancelled: "Heat & <b>"power"</b>"'
    assert (
        'The session "Heat & <b>"power"</b>" of Online Discussion Groups cohort 1, planned for '
        "4 December 2024, 09:00\N{EN DASH}10:30 (Europe/Lisbon), is cancelled."
    ) in joao.body
    html = html_part(joao)
    assert (
        '<p>The session "Heat &amp; &lt;b&gt;&quot;power&quot;&lt;/b&gt;" of Online Discussion '
        "Groups cohort 1, planned for 4 December 2024, 09:00\N{EN DASH}10:30 (Europe/Lisbon), "
        "is cancelled.</p>"
    ) in html
    assert (
        "<title>Cancelled: &quot;Heat &amp; &lt;b&gt;&quot;power&quot;&lt;/b&gt;&quot;</title>"
        in html
    )


# --- Calendar events link to SITE_URL too ------------------------------------------------------


@override_settings(SITE_URL="http://127.0.0.1:8803")
def test_session_ics_and_feed_link_to_site_url_not_to_the_request(client, programme):
    # `make run PORT=8803` sets SITE_URL (bin/serve): calendar events lead to that port.
    sign_in(client, programme.officer)
    pk = programme.heating.pk
    feed = services.calendar_feed_get_or_create(user=programme.officer)

    download = client.get(f"/sessions/{pk}/calendar.ics").content.decode()
    subscribed = client.get(f"/calendar/{feed.token}.ics").content.decode()

    for body in (download, subscribed):
        assert f"UID:session-{pk}@127.0.0.1\r\n" in body
        assert f"\r\n page: http://127.0.0.1:8803/sessions/{pk}/\r\n" in body
        assert "testserver" not in body
