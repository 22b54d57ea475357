"""The reminders pages in a real browser (issue 13): the admins' outbox, an email's preview and
the rules, everyone's reminders page and the unsubscribe link's pages, reached by their links,
axe and Content-Security-Policy clean."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from notifications.enums import DeliveryStatus, ReminderKind
from notifications.models import OutboundEmail
from notifications.services import new_message_id
from reminders.catalogue import occurrence_at
from reminders.models import ReminderOptOut, ReminderRule
from reminders.planning import unsubscribe_token
from sessions.models import Session
from sessions.services import session_slot_label
from tests import factories
from tests.browser.conftest import sign_in_as
from tests.browser.test_pages import assert_accessible_and_csp_clean
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def outbox(transactional_db):
    """A sent reminder with its HTML part (which holds a script that must not run), a failed
    invitation, and a session reminder planned for tomorrow, not rendered yet."""
    now = timezone.now()
    factories.OutboundEmailFactory(
        key="sent",
        to="ana@braga.pt",
        kind=ReminderKind.SESSION_STARTS,
        subject='Tomorrow: "Urban greening"',
        body="Hello Ana,\n\nThe session starts tomorrow.\n",
        html_body=(
            '<!DOCTYPE html><html lang="en"><head><title>Tomorrow</title></head><body>'
            "<p>Hello Ana,</p><p>The session starts tomorrow.</p>"
            "<script>document.title = 'ran'</script></body></html>"
        ),
        headers={"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        attachments=[["session.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar"]],
        status=DeliveryStatus.SENT,
        sent_at=now,
    )
    factories.OutboundEmailFactory(
        key="failed",
        to="nobody@nowhere.example",
        subject="You are invited",
        status=DeliveryStatus.FAILED,
        last_error="Refused for good: 550 5.1.1 unknown mailbox",
    )
    start = now + datetime.timedelta(days=2)
    session = factories.SessionFactory(
        cohort=factories.CohortFactory(
            starts_on=timezone.localdate() - datetime.timedelta(days=30),
            ends_on=timezone.localdate() + datetime.timedelta(days=60),
        ),
        title="Urban greening",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        meeting_url="https://meet.example.org/greening",
    )
    registration = factories.RegistrationFactory(
        session=session, email="rui@lisboa.pt", full_name="Rui"
    )
    OutboundEmail.objects.create(
        key=f"session_starts:session:{session.pk}:r{registration.pk}:{occurrence_at(1440, start)}",
        to="rui@lisboa.pt",
        kind=ReminderKind.SESSION_STARTS,
        topic=f"session:{session.pk}",
        subject="",
        body="",
        send_after=start - datetime.timedelta(hours=24),
        message_id=new_message_id(),
    )


def test_admin_reads_the_outbox_previews_an_email_and_sets_a_rule(page, outbox):
    admin = factories.UserFactory(is_programme_admin=True, full_name="Ada Admin")
    sign_in_as(page, admin, PASSWORD)

    page.get_by_role("link", name="Check the outbox: every email sent and planned").click()
    page.get_by_role("heading", level=1, name="Outbox").wait_for()
    assert page.locator("tr[data-email]").count() == 3
    assert_accessible_and_csp_clean(page)

    page.get_by_role("link", name='Tomorrow: "Urban greening"').click()
    page.get_by_role("heading", level=1, name='Tomorrow: "Urban greening"').wait_for()
    frame = page.frame_locator("iframe.email-html")
    assert frame.locator("p").first.inner_text() == "Hello Ana,"
    # The sandbox runs no script of the email's.
    assert frame.locator("title").inner_text() == "Tomorrow"
    assert page.title().startswith("Email in the outbox")
    assert_accessible_and_csp_clean(page)

    page.go_back()
    page.get_by_role("link", name="Rendered when sent").click()
    page.get_by_text("Preview, as it would be sent now").wait_for()
    # Written now, for a session two days ahead: its day and time in the person's zone (the
    # session's own, as the address has no account), not "tomorrow".
    session = Session.objects.get(title="Urban greening")
    when = session_slot_label(session, zone=ZoneInfo(session.time_zone))
    assert page.locator('[data-part="subject"]').inner_text() == (
        f'Coming up: "Urban greening", {when}'
    )
    assert_accessible_and_csp_clean(page)

    page.go_back()
    page.get_by_role("button", name="Cancel", exact=True).click()
    page.get_by_role("status").wait_for()
    assert page.get_by_role("status").inner_text() == "1 email cancelled."
    assert_accessible_and_csp_clean(page)

    page.get_by_role("link", name="Reminder rules").click()
    page.get_by_role("heading", level=1, name="Reminder rules").wait_for()
    assert_accessible_and_csp_clean(page)
    page.get_by_role(
        "link", name="Change “A session you are registered for is about to start”"
    ).click()
    page.get_by_label("When").fill("2d, 90m")
    page.get_by_role("button", name="Save the rule").click()
    page.get_by_role("status").wait_for()
    assert ReminderRule.objects.get().offsets == [2880, 90]
    assert page.locator('[data-rule="session_starts"] [data-field="timing"]').inner_text() == (
        "2d 90m before"
    )
    assert_accessible_and_csp_clean(page)

    page.get_by_role(
        "link", name="Change “A session you are registered for is about to start”"
    ).click()
    page.get_by_label("When").fill("soon")
    page.get_by_role("button", name="Save the rule").click()
    page.get_by_text("“soon” is not a time we can read.").wait_for()
    assert_accessible_and_csp_clean(page)


def test_person_chooses_their_reminders_from_the_account_menu(page, transactional_db):
    officer = factories.city_officer(full_name="Ana Silva")
    sign_in_as(page, officer, PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()
    page.get_by_role("navigation", name="Your account").get_by_role(
        "link", name="Reminders"
    ).click()
    page.wait_for_url("**/reminders/preferences/")
    assert_accessible_and_csp_clean(page)

    box = page.get_by_label("A session you are registered for is about to start")
    assert box.is_checked()
    box.uncheck()
    page.get_by_role("button", name="Save my choice").click()
    page.get_by_role("status").wait_for()
    assert not page.get_by_label("A session you are registered for is about to start").is_checked()
    assert list(ReminderOptOut.objects.values_list("address", "kind")) == [
        (officer.email, ReminderKind.SESSION_STARTS)
    ]
    assert_accessible_and_csp_clean(page)


def test_unsubscribe_link_pages_are_accessible_signed_out(page, transactional_db):
    token = unsubscribe_token(address="ana@braga.pt", kind=ReminderKind.SESSION_STARTS)

    page.goto(f"/reminders/unsubscribe/{token}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Stop these reminders?"
    assert_accessible_and_csp_clean(page)

    page.get_by_role("button", name="Unsubscribe").click()
    page.get_by_role("heading", level=1, name="You are unsubscribed").wait_for()
    assert list(ReminderOptOut.objects.values_list("address", "kind")) == [
        ("ana@braga.pt", ReminderKind.SESSION_STARTS)
    ]
    assert_accessible_and_csp_clean(page)

    response = page.goto(f"/reminders/unsubscribe/{token[:-4]}abcd/")
    assert response.status == 400
    assert page.get_by_role("heading", level=1).inner_text() == "This link cannot be used"
    assert_accessible_and_csp_clean(page)
