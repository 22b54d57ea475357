"""The admins' outbox: every email, filtered, counted, previewed, cancelled and sent again."""

import datetime
import html
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client

from notifications.enums import DeliveryStatus, ReminderKind
from notifications.models import OutboundEmail
from reminders.planning import reminders_evaluate
from reminders.selectors import outbox_counts_forget
from tests import factories
from tests.queries import session_queries

pytestmark = pytest.mark.django_db

URL = "/reminders/outbox/"
NOON = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def admin():
    return factories.UserFactory(
        is_programme_admin=True, full_name="Ada Admin", time_zone="Europe/Lisbon"
    )


@pytest.fixture
def admin_page(admin):
    client = Client()
    client.force_login(admin)
    return client


def email(*, minutes: int = 0, **fields) -> OutboundEmail:
    """An email queued `minutes` after NOON."""
    return factories.OutboundEmailFactory(
        created_at=NOON + datetime.timedelta(minutes=minutes), **fields
    )


def reminder(*, to: str, send_after: datetime.datetime, status=DeliveryStatus.PENDING, **fields):
    """A planned session reminder, not rendered yet."""
    return factories.OutboundEmailFactory(
        to=to,
        kind=ReminderKind.SESSION_STARTS,
        topic="session:1",
        subject="",
        body="",
        send_after=send_after,
        status=status,
        created_at=NOON,
        **fields,
    )


ROW = re.compile(r'<tr data-email="(\d+)" data-status="(\w+)">(.*?)</tr>', re.S)


def rows(response) -> list[tuple]:
    """Each listed email as (id, status, its cells' text)."""
    assert response.status_code == 200
    found = []
    for pk, status, cells in ROW.findall(response.content.decode()):
        text = [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", cells, re.S)
        ]
        found.append((int(pk), status, text))
    return found


def listed_ids(response) -> list[int]:
    return [pk for pk, _status, _cells in rows(response)]


def counts(response) -> dict[str, int]:
    return {
        status: int(count)
        for status, count in re.findall(
            r'<dd data-count="(\w+)">(\d+)</dd>', response.content.decode()
        )
    }


def messages_of(response) -> list[str]:
    return [
        " ".join(html.unescape(text).split())
        for text in re.findall(
            r'<p class="message message-\w+">(.*?)</p>', response.content.decode(), re.S
        )
    ]


# --- The list ------------------------------------------------------------------------------------


def test_outbox_lists_every_email_newest_first_with_its_status_and_why(admin_page):
    invitation = email(to="ana@braga.pt", subject="You are invited", status=DeliveryStatus.SENT)
    failed = email(
        minutes=5,
        to="bad@nowhere.example",
        subject="Your city was selected",
        status=DeliveryStatus.FAILED,
        last_error="Refused for good: 550 5.1.1 unknown mailbox",
    )
    planned = reminder(to="joao@porto.pt", send_after=NOON + datetime.timedelta(hours=20))
    moved = reminder(
        to="rui@lisboa.pt",
        send_after=NOON + datetime.timedelta(hours=2),
        status=DeliveryStatus.CANCELLED,
        cancel_reason="The session was moved.",
    )

    listed = rows(admin_page.get(URL))

    assert listed == [
        (
            moved.pk,
            "cancelled",
            [
                "Rendered when sent",
                "",
                "1 December 2026, 14:00 (planned)",
                "rui@lisboa.pt",
                "A session you are registered for is about to start",
                "Cancelled The session was moved.",
                "",
            ],
        ),
        (
            planned.pk,
            "pending",
            [
                "Rendered when sent",
                "",
                "2 December 2026, 08:00 (planned)",
                "joao@porto.pt",
                "A session you are registered for is about to start",
                "Pending",
                "Cancel",
            ],
        ),
        (
            failed.pk,
            "failed",
            [
                "Your city was selected",
                "",
                "1 December 2026, 12:05",
                "bad@nowhere.example",
                "Service message",
                "Failed Refused for good: 550 5.1.1 unknown mailbox",
                "Send again",
            ],
        ),
        (
            invitation.pk,
            "sent",
            [
                "You are invited",
                "",
                "1 December 2026, 12:00",
                "ana@braga.pt",
                "Service message",
                "Sent",
                "",
            ],
        ),
    ]


def test_counts_per_status_are_shown_and_kept_for_a_minute(admin_page):
    email(status=DeliveryStatus.SENT)
    email(status=DeliveryStatus.SENT)
    email(status=DeliveryStatus.FAILED)
    reminder(to="ana@braga.pt", send_after=NOON)

    with time_machine.travel(NOON, tick=False):
        first = admin_page.get(URL)
        email(status=DeliveryStatus.RETRY)
        kept = admin_page.get(URL)
    with time_machine.travel(NOON + datetime.timedelta(seconds=61), tick=False):
        later = admin_page.get(URL)

    expected = {
        "pending": 1,
        "sending": 0,
        "sent": 2,
        "retry": 0,
        "failed": 1,
        "cancelled": 0,
    }
    assert counts(first) == expected
    assert counts(kept) == expected
    assert "5 emails, by status" not in kept.content.decode()
    assert "they may be up to a minute old" in kept.content.decode()
    assert counts(later) == {**expected, "retry": 1}
    assert "5 emails, by status" in later.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "failed"}, ["failed"]),
        ({"status": "pending"}, ["planned", "pending"]),
        ({"kind": "service"}, ["failed", "pending", "sent"]),
        ({"kind": "session_starts"}, ["planned"]),
        ({"kind": "service", "status": "pending"}, ["pending"]),
        ({"to": "BRAGA"}, ["planned", "sent"]),
        # Days in the admin's zone (Lisbon), of when the email goes or went out.
        ({"since": "2026-12-02"}, ["planned"]),
        ({"until": "2026-12-01"}, ["failed", "pending", "sent"]),
        ({"since": "2026-12-01", "until": "2026-12-01", "to": "porto"}, ["failed"]),
    ],
)
def test_filters_select_the_emails(admin_page, query, expected):
    made = {
        "sent": email(to="ana@braga.pt", status=DeliveryStatus.SENT),
        "pending": email(minutes=1, to="rui@lisboa.pt"),
        "failed": email(minutes=2, to="joao@porto.pt", status=DeliveryStatus.FAILED),
        "planned": reminder(to="bea@braga.pt", send_after=NOON + datetime.timedelta(days=1)),
    }
    names = {row.pk: name for name, row in made.items()}

    listed = listed_ids(admin_page.get(URL, query))

    assert [names[pk] for pk in listed] == expected


CHOICE = "Select a valid choice."


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"status": "lost"}, f"{CHOICE} lost is not one of the available choices."),
        ({"kind": "birthday"}, f"{CHOICE} birthday is not one of the available choices."),
        ({"since": "yesterday"}, "Enter a valid date."),
        ({"until": "2026-13-01"}, "Enter a valid date."),
        # Far-off years cannot be turned into moments of the admin's days (no 500).
        ({"until": "9999-12-31"}, "Choose a date from the year 2000 to the year 2999."),
        ({"since": "0001-01-01"}, "Choose a date from the year 2000 to the year 2999."),
    ],
)
def test_a_filter_that_does_not_validate_says_why_and_lists_nothing(admin_page, query, error):
    email()

    response = admin_page.get(URL, query)

    assert listed_ids(response) == []
    assert error in response.content.decode()
    assert "No email matches these filters." in response.content.decode()


def test_pages_of_fifty_newest_first_keep_the_filters(admin_page):
    made = [email(minutes=number, to=f"p{number}@braga.pt") for number in range(52)]
    email(to="other@porto.pt")

    first = admin_page.get(URL, {"to": "braga"})
    second = admin_page.get(URL, {"to": "braga", "page": 2})

    assert listed_ids(first) == [row.pk for row in reversed(made)][:50]
    assert listed_ids(second) == [made[1].pk, made[0].pk]
    assert '<a href="?to=braga&amp;page=2" rel="next">Older emails</a>' in first.content.decode()
    assert "Page 2 of 2" in second.content.decode()


def test_status_filter_pages_come_from_the_counts(admin_page):
    for number in range(51):
        email(minutes=number, status=DeliveryStatus.FAILED)

    response = admin_page.get(URL, {"status": "failed", "page": 2})

    assert len(listed_ids(response)) == 1
    assert "Page 2 of 2" in response.content.decode()


# --- One email -----------------------------------------------------------------------------------


def test_a_sent_email_shows_its_text_html_headers_and_attachments(admin_page):
    sent = email(
        to="ana@braga.pt",
        subject='Tomorrow: "Urban greening"',
        body="Hello Ana,\n\nThe session starts tomorrow.\n",
        html_body='<p>Hello Ana,</p><script>alert("x")</script>',
        headers={"List-Unsubscribe": "<https://portal.example.org/reminders/unsubscribe/x/>"},
        attachments=[["session.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar"]],
        message_id="<123@portal.example.org>",
        status=DeliveryStatus.SENT,
        kind=ReminderKind.SESSION_STARTS,
    )

    page = admin_page.get(f"{URL}{sent.pk}/").content.decode()

    assert "<h1>Tomorrow: &quot;Urban greening&quot;</h1>" in page
    assert 'data-preview="stored">As it was written for sending.' in page
    assert (
        '<pre class="email-text" data-part="text">'
        "Hello Ana,\n\nThe session starts tomorrow.\n</pre>"
    ) in page
    # The HTML runs nothing: a sandboxed frame (no allow-scripts), its markup escaped in srcdoc.
    assert (
        '<iframe class="email-html" data-part="html" sandbox="" srcdoc="&lt;p&gt;Hello Ana,'
        '&lt;/p&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"'
    ) in page
    assert "<script>alert" not in page
    assert (
        "<dt>List-Unsubscribe</dt><dd>&lt;https://portal.example.org/reminders/unsubscribe/x/&gt;"
        "</dd><dt>Message-ID</dt><dd>&lt;123@portal.example.org&gt;</dd>"
    ) in page
    assert "<li>session.ics (text/calendar, 32\xa0bytes)</li>" in page
    assert "Cancel this email" not in page and "Send again" not in page


@pytest.fixture
def session_reminder():
    """A session of 10 December 2026, 09:00 UTC, with Ana registered, and its reminders planned
    30 hours before (the 24-hour one is due at 09:00 on the 9th)."""
    start = datetime.datetime(2026, 12, 10, 9, 0, tzinfo=datetime.UTC)
    session = factories.SessionFactory(
        cohort=factories.CohortFactory(
            starts_on=datetime.date(2026, 9, 1), ends_on=datetime.date(2027, 2, 28)
        ),
        title="Urban greening",
        starts_at=start,
        ends_at=start + datetime.timedelta(minutes=90),
        meeting_url="https://meet.example.org/greening",
    )
    factories.RegistrationFactory(session=session, email="ana@braga.pt", full_name="Ana")
    with time_machine.travel(start - datetime.timedelta(hours=30), tick=False):
        reminders_evaluate()
    return session, OutboundEmail.objects.get(kind=ReminderKind.SESSION_STARTS)


def test_a_planned_reminder_is_previewed_as_it_would_be_sent_now_and_nothing_is_saved(
    admin_page, session_reminder
):
    _session, planned = session_reminder
    before = OutboundEmail.objects.values().get(pk=planned.pk)

    with time_machine.travel(datetime.datetime(2026, 12, 9, 8, 0, tzinfo=datetime.UTC)):
        page = admin_page.get(f"{URL}{planned.pk}/").content.decode()

    assert "Preview, as it would be sent now" in page
    assert '<p data-part="subject">Tomorrow: &quot;Urban greening&quot;</p>' in page
    assert "https://meet.example.org/greening" in page
    assert "<dt>List-Unsubscribe-Post</dt><dd>List-Unsubscribe=One-Click</dd>" in page
    assert re.search(r"<li>session\.ics \(text/calendar, [\d.]+\xa0(bytes|KB)\)</li>", page)
    assert OutboundEmail.objects.values().get(pk=planned.pk) == before
    assert mail.outbox == []


def test_a_planned_reminder_that_no_longer_applies_says_why(admin_page, session_reminder):
    session, planned = session_reminder
    type(session).objects.filter(pk=session.pk).update(status="cancelled")

    page = admin_page.get(f"{URL}{planned.pk}/").content.decode()

    assert "If it were sent now, it would not be: The session was cancelled." in page
    assert OutboundEmail.objects.get(pk=planned.pk).status == DeliveryStatus.PENDING


def test_an_unknown_email_is_not_found(admin_page):
    assert admin_page.get(f"{URL}999/").status_code == 404


# --- Actions -------------------------------------------------------------------------------------


def test_admin_cancels_one_waiting_email_with_their_name_as_the_reason(admin_page):
    waiting = email(to="ana@braga.pt")
    other = email(to="rui@lisboa.pt")

    response = admin_page.post(
        f"{URL}cancel/", {"only": waiting.pk, "email": [other.pk], "next": f"{URL}?to=braga"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{URL}?to=braga"
    waiting.refresh_from_db()
    assert (waiting.status, waiting.cancel_reason) == (
        DeliveryStatus.CANCELLED,
        "Cancelled by Ada Admin in the outbox.",
    )
    assert OutboundEmail.objects.get(pk=other.pk).status == DeliveryStatus.PENDING
    assert messages_of(admin_page.get(response["Location"])) == ["1 email cancelled."]


def test_cancel_chosen_cancels_the_waiting_ones_and_leaves_a_sent_one_as_it_was(admin_page):
    waiting = email()
    retrying = email(status=DeliveryStatus.RETRY)
    sent = email(status=DeliveryStatus.SENT, sent_at=NOON)
    planned = reminder(to="ana@braga.pt", send_after=NOON)

    response = admin_page.post(
        f"{URL}cancel/", {"email": [waiting.pk, retrying.pk, sent.pk, planned.pk]}, follow=True
    )

    statuses = dict(OutboundEmail.objects.values_list("pk", "status"))
    assert statuses == {
        waiting.pk: DeliveryStatus.CANCELLED,
        retrying.pk: DeliveryStatus.CANCELLED,
        sent.pk: DeliveryStatus.SENT,
        planned.pk: DeliveryStatus.CANCELLED,
    }
    assert OutboundEmail.objects.get(pk=sent.pk).cancel_reason == ""
    assert messages_of(response) == [
        "3 emails cancelled.",
        "1 email was left as it was: only emails waiting to be sent or to be retried can be "
        "cancelled.",
    ]
    # The counts at the top follow at once.
    assert counts(response)["cancelled"] == 3


def test_cancelling_a_sent_email_changes_nothing(admin_page):
    sent = email(status=DeliveryStatus.SENT, sent_at=NOON, subject="Welcome")
    before = OutboundEmail.objects.values().get(pk=sent.pk)

    response = admin_page.post(f"{URL}cancel/", {"only": sent.pk}, follow=True)

    assert OutboundEmail.objects.values().get(pk=sent.pk) == before
    assert messages_of(response) == [
        "1 email was left as it was: only emails waiting to be sent or to be retried can be "
        "cancelled."
    ]


def test_send_again_gives_a_failed_email_fresh_attempts(
    admin_page, django_capture_on_commit_callbacks
):
    failed = email(status=DeliveryStatus.FAILED, attempts=8, last_error="Gave up")
    pending = email()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_page.post(
            f"{URL}send-again/", {"email": [failed.pk, pending.pk]}, follow=True
        )

    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (DeliveryStatus.SENT, 1)
    assert [message.to for message in mail.outbox] == [[failed.to]]
    assert OutboundEmail.objects.get(pk=pending.pk).status == DeliveryStatus.PENDING
    assert messages_of(response) == [
        "1 failed email queued to be sent again.",
        "1 email had not failed and was left as it was: only failed emails are sent again.",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Tick the emails first: none was chosen."),
        ({"email": ["3", "x"]}, "Choose emails from the outbox's list."),
        ({"only": "-1"}, "Ensure this value is greater than or equal to 1."),
        # A digit to str.isdigit() but no number, and ids no database row can have (no 500).
        ({"email": ["²"]}, "Choose emails from the outbox's list."),
        ({"email": ["99999999999999999999999"]}, "Choose emails from the outbox's list."),
        (
            {"only": "99999999999999999999999"},
            "Ensure this value is less than or equal to 9223372036854775807.",
        ),
    ],
)
@pytest.mark.parametrize("action", ["cancel", "send-again"])
def test_an_action_without_emails_says_so_and_changes_nothing(admin_page, action, data, message):
    waiting = email()

    response = admin_page.post(f"{URL}{action}/", data, follow=True)

    assert messages_of(response) == [message]
    assert OutboundEmail.objects.get(pk=waiting.pk).status == DeliveryStatus.PENDING


def test_an_action_returns_only_to_a_page_of_the_site(admin_page):
    waiting = email()

    response = admin_page.post(
        f"{URL}cancel/", {"only": waiting.pk, "next": "https://evil.example/"}
    )

    assert response["Location"] == URL


# --- Who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer", "facilitator", "reviewer"])
def test_only_programme_admins_see_the_outbox_and_act_on_it(client, role, request):
    waiting = email()
    failed = email(status=DeliveryStatus.FAILED)
    client.force_login(request.getfixturevalue(role))

    answers = [
        client.get(URL).status_code,
        client.get(f"{URL}{waiting.pk}/").status_code,
        client.post(f"{URL}cancel/", {"only": waiting.pk}).status_code,
        client.post(f"{URL}cancel/", {}).status_code,
        client.post(f"{URL}send-again/", {"only": failed.pk}).status_code,
    ]

    assert answers == [403, 403, 403, 403, 403]
    assert dict(OutboundEmail.objects.values_list("pk", "status")) == {
        waiting.pk: DeliveryStatus.PENDING,
        failed.pk: DeliveryStatus.FAILED,
    }


def test_signed_out_people_are_sent_to_sign_in(client):
    waiting = email()

    for path in (URL, f"{URL}{waiting.pk}/"):
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (
            302,
            f"/accounts/login/?next={path}",
        )
    assert client.post(f"{URL}cancel/", {"only": waiting.pk}).status_code == 302
    assert OutboundEmail.objects.get(pk=waiting.pk).status == DeliveryStatus.PENDING


# --- Queries -------------------------------------------------------------------------------------


def _queries(client, django_assert_num_queries, expected, path=URL, query=None):
    with django_assert_num_queries(expected + session_queries()):
        assert client.get(path, query or {}).status_code == 200


def _fill(number: int) -> None:
    for index in range(number):
        email(minutes=index, status=DeliveryStatus.SENT if index % 3 else DeliveryStatus.FAILED)
        reminder(to=f"p{index}@braga.pt", send_after=NOON)


def test_outbox_queries_do_not_grow_with_the_emails(admin_page, django_assert_num_queries):
    _fill(1)
    # Counts afresh: user, the counts by kind and status, the page's rows (the paginator's
    # count comes from the counts).
    _queries(admin_page, django_assert_num_queries, 3)
    # Counts kept: user, the rows.
    _queries(admin_page, django_assert_num_queries, 2)
    _queries(admin_page, django_assert_num_queries, 2, query={"status": "failed"})
    # A recipient's filter counts what it selects: user, the count, the rows.
    _queries(admin_page, django_assert_num_queries, 3, query={"to": "braga"})

    _fill(40)
    outbox_counts_forget()

    _queries(admin_page, django_assert_num_queries, 3)
    _queries(admin_page, django_assert_num_queries, 2)
    _queries(admin_page, django_assert_num_queries, 2, query={"status": "failed"})
    _queries(admin_page, django_assert_num_queries, 3, query={"to": "braga"})
    assert len(listed_ids(admin_page.get(URL))) == 50


def test_email_page_queries_are_few(admin_page, django_assert_num_queries, session_reminder):
    _session, planned = session_reminder
    sent = email(status=DeliveryStatus.SENT)
    # user, the email with its recipient
    _queries(admin_page, django_assert_num_queries, 2, path=f"{URL}{sent.pk}/")
    with time_machine.travel(datetime.datetime(2026, 12, 9, 8, 0, tzinfo=datetime.UTC)):
        response = admin_page.get(f"{URL}{planned.pk}/")
    assert "Preview, as it would be sent now" in response.content.decode()


@pytest.mark.parametrize("language", ["en", "fr", "pt"])
@pytest.mark.parametrize("zone", ["Europe/Lisbon", "America/Sao_Paulo", "Asia/Tokyo"])
def test_rows_dates_are_written_as_the_date_filter_writes_them(language, zone):
    from zoneinfo import ZoneInfo

    from django.utils import timezone, translation
    from django.utils.formats import date_format

    from reminders.views_outbox import _when_formatter

    moments = [
        NOON + datetime.timedelta(minutes=minutes)
        for minutes in (0, 1, 59, 61, 11 * 60 + 59, 12 * 60, 13 * 60 + 7, 3 * 24 * 60 + 5)
    ] + [datetime.datetime(2027, 3, 28, 0, 30, tzinfo=datetime.UTC)]  # Lisbon's clocks move
    with translation.override(language), timezone.override(ZoneInfo(zone)):
        formatted = _when_formatter()
        written = [formatted(timezone.localtime(moment)) for moment in moments]
        expected = [
            date_format(timezone.localtime(moment), "DATETIME_FORMAT") for moment in moments
        ]

    assert written == expected


def test_filter_form_speaks_each_readers_language(admin_page, admin):
    email(status=DeliveryStatus.FAILED)
    english = admin_page.get(URL, {"status": "failed"}).content.decode()
    admin.language = "fr"
    admin.save()

    french = admin_page.get(URL, {"status": "sent"}).content.decode()

    assert '<option value="failed" selected>Failed</option>' in english
    assert '<label for="id_status">Status:</label>' in english
    assert '<label for="id_status">Statut\xa0:</label>' in french
    assert '<option value="sent" selected>Envoyé</option>' in french
