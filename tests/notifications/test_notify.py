"""notifications.services.notify: one email from three templates, in the recipient's language
and time zone, queued once per key; the Message-ID is on the site's domain and kept on the row,
so a message sent again carries the same one."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.utils import translation

from notifications.enums import DeliveryStatus
from notifications.models import OutboundEmail
from notifications.services import Recipient, email_deliver, notify
from tests.notifications.mail_server import AcceptedThen

pytestmark = pytest.mark.django_db

STARTS = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=datetime.UTC)
TEMPLATES = {
    # Line breaks in the subject template are folded: a subject is one line.
    # Plain text is not HTML-escaped: the project's .txt templates turn autoescape off.
    "subject.txt": (
        "{% load i18n %}{% autoescape off %}{% translate 'Language' %}\n  {{ thing }}\n"
        "{% endautoescape %}"
    ),
    "body.txt": (
        "{% load i18n tz %}{% autoescape off %}{% get_current_language as lang %}"
        "{% get_current_timezone as zone %}\n{{ lang }} {{ zone }} {{ starts|date:'H:i' }} "
        "{{ thing }} {{ recipient.email }}\n\n{% endautoescape %}"
    ),
    "body.html": (
        "{% load tz %}{% get_current_timezone as zone %}"
        "<p>{{ subject }}|{{ zone }}|{{ starts|date:'H:i' }}|{{ thing }}</p>"
    ),
}


@pytest.fixture
def greeting_template(settings, tmp_path):
    """emails/greeting/ in a template folder of its own, before the project's."""
    folder = tmp_path / "emails" / "greeting"
    folder.mkdir(parents=True)
    for name, text in TEMPLATES.items():
        (folder / name).write_text(text)
    engine = {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    settings.TEMPLATES = [engine]
    return "greeting"


def test_notify_renders_in_the_recipients_language_and_zone_not_the_actors(
    greeting_template, django_capture_on_commit_callbacks
):
    reader = Recipient(email="marie@lisboa.pt", language="fr", time_zone="Europe/Lisbon")

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        email = notify(
            recipient=reader,
            template=greeting_template,
            context={"thing": "A & <b>", "starts": STARTS},
            key="greeting:1",
        )

    assert (email.to, email.subject, email.body, email.html_body) == (
        "marie@lisboa.pt",
        "Langue A & <b>",
        "fr Europe/Lisbon 09:00 A & <b> marie@lisboa.pt\n",
        "<p>Langue A &amp; &lt;b&gt;|Europe/Lisbon|09:00|A &amp; &lt;b&gt;</p>\n",
    )
    assert translation.get_language() == "en"
    [sent] = mail.outbox
    assert (sent.to, sent.subject, sent.body, sent.alternatives[0].mimetype) == (
        ["marie@lisboa.pt"],
        "Langue A & <b>",
        email.body,
        "text/html",
    )
    assert sent.alternatives[0].content == email.html_body


def test_notify_recipient_without_preferences_reads_the_portals_language_and_zone(
    greeting_template, settings
):
    settings.TIME_ZONE = "Europe/Brussels"
    with translation.override("fr"):
        email = notify(
            recipient=Recipient(email="someone@example.org"),
            template=greeting_template,
            context={"thing": "x", "starts": STARTS},
            key="greeting:2",
        )

    assert email.body == "en Europe/Brussels 10:00 x someone@example.org\n"


def test_notify_same_key_twice_queues_one_email(
    greeting_template, django_capture_on_commit_callbacks
):
    reader = Recipient(email="ana@lisboa.pt")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = notify(
            recipient=reader, template=greeting_template, context={"thing": "1"}, key="k"
        )
        second = notify(
            recipient=reader, template=greeting_template, context={"thing": "2"}, key="k"
        )

    assert (len(callbacks), first.pk, len(mail.outbox)) == (1, second.pk, 1)
    assert OutboundEmail.objects.get().body == "en Europe/Brussels  1 ana@lisboa.pt\n"


def test_message_id_is_on_the_site_domain_and_the_same_when_sent_again(
    greeting_template, settings, mail_server, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://portal.example.eu:8443"
    # The server takes the message but its reply is lost: the retry sends the same message.
    mail_server.answers = [AcceptedThen(smtplib.SMTPServerDisconnected("Connection lost"))]
    with django_capture_on_commit_callbacks(execute=True):
        email = notify(
            recipient=Recipient(email="ana@lisboa.pt"),
            template=greeting_template,
            context={"thing": "x"},
            key="greeting:3",
        )
    email.refresh_from_db()
    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=None)
    OutboundEmail.objects.filter(pk=email.pk).update(status=DeliveryStatus.PENDING)

    assert email_deliver(email_id=email.pk) is True

    first, again = mail.outbox
    assert email.message_id.startswith("<") and email.message_id.endswith("@portal.example.eu>")
    assert (
        first.message()["Message-ID"],
        again.message()["Message-ID"],
    ) == (email.message_id, email.message_id)


def test_row_queued_before_message_ids_gets_one_on_the_site_domain(mail_server, settings):
    settings.SITE_URL = "http://127.0.0.1:8803"
    email = OutboundEmail.objects.create(key="old:1", to="ana@lisboa.pt", subject="S", body="B")

    assert email_deliver(email_id=email.pk) is True

    [sent] = mail.outbox
    assert sent.message()["Message-ID"].endswith("@127.0.0.1>")
    assert (sent.body, sent.alternatives) == ("B", [])
