"""The session admin: times, status, title and meeting link are read-only, sessions are neither
added nor deleted there, and the "Cancel selected sessions" action goes through session_cancel
(its checks and its emails)."""

import datetime
import re

from django.contrib.admin import site
from django.core import mail

from sessions import services
from sessions.enums import SessionStatus
from sessions.models import Session
from tests import factories
from tests.portal_pages.helpers import sign_in
from tests.sessions.conftest import schedule

CHANGELIST = "/admin/peer_sessions/session/"


def _messages(page: str) -> list[str]:
    return [
        " ".join(m.split())
        for m in re.findall(r'<li class="(?:success|warning|error)">(.*?)</li>', page, re.S)
    ]


def test_session_admin_change_form_shows_times_status_title_and_link_read_only(client, programme):
    sign_in(client, factories.UserFactory(is_programme_admin=True))

    page = client.get(f"{CHANGELIST}{programme.heating.pk}/change/").content.decode()

    fields = r'name="(starts_at|ends_at|status|title|meeting_url|revision)[^"]*"'
    assert re.findall(fields, page) == []
    assert re.findall(r'<div class="readonly">(.*?)</div>', page)[:5] == [
        "4 December 2024, 10:00",
        "4 December 2024, 11:30",
        "Scheduled",
        "Energy: district heating",
        '<a href="https://meet.example.org/heating">https://meet.example.org/heating</a>',
    ]


def test_session_admin_change_form_shows_who_scheduled_and_changed_it_read_only(client, programme):
    sign_in(client, factories.UserFactory(is_programme_admin=True))

    page = client.get(f"{CHANGELIST}{programme.heating.pk}/change/").content.decode()

    assert re.findall(r'name="(created_by|updated_by)"', page) == []
    lead = f'<a href="/admin/accounts/user/{programme.lead.pk}/change/">Lea Lead</a>'
    assert re.findall(r'<div class="readonly">(.*?)</div>', page)[5:] == [lead, lead]


def test_session_admin_save_records_the_admin_as_last_editor(rf, programme):
    admin = factories.UserFactory(is_programme_admin=True)
    request = rf.post(CHANGELIST)
    request.user = admin
    programme.heating.summary = "Two cities compared their heat networks."

    site._registry[Session].save_model(request, programme.heating, form=None, change=True)

    programme.heating.refresh_from_db()
    assert (
        programme.heating.summary,
        programme.heating.created_by,
        programme.heating.updated_by,
    ) == ("Two cities compared their heat networks.", programme.lead, admin)


def test_session_admin_offers_no_delete_selected_action(client, programme):
    sign_in(client, factories.UserFactory(is_programme_admin=True))

    page = client.get(CHANGELIST).content.decode()

    assert re.findall(
        r'<option value="([^"]*)"', page.split('name="action"')[1].split("</select>")[0]
    ) == [
        "",
        "cancel_sessions",
    ]


def test_session_admin_delete_selected_posted_anyway_deletes_nothing(client, programme):
    sign_in(client, factories.UserFactory(is_programme_admin=True))

    response = client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [programme.heating.pk], "post": "yes"},
        follow=True,
    )

    assert "No action selected." in response.content.decode()
    assert list(Session.objects.values_list("title", "status")) == [
        ("Energy: district heating", SessionStatus.SCHEDULED)
    ]


def test_session_admin_delete_page_is_forbidden(client, programme):
    sign_in(client, factories.UserFactory(is_programme_admin=True))

    get = client.get(f"{CHANGELIST}{programme.heating.pk}/delete/")
    post = client.post(f"{CHANGELIST}{programme.heating.pk}/delete/", {"post": "yes"})

    assert (get.status_code, post.status_code) == (403, 403)
    assert Session.objects.filter(pk=programme.heating.pk).exists()


def test_session_admin_has_no_add_page(client, programme):
    sign_in(client, factories.UserFactory(is_programme_admin=True))

    assert client.get(f"{CHANGELIST}add/").status_code == 403


def test_session_admin_cancel_action_cancels_through_the_service(
    client, programme, django_capture_on_commit_callbacks
):
    services.registrations_create(
        session=programme.heating,
        city=programme.city,
        people=[("Ana Silva", "ana@lisboa.pt")],
        acting_user=programme.officer,
    )
    mobility = schedule(
        programme.cohort,
        "Mobility",
        datetime.datetime(2024, 12, 5, 10, 0),
        datetime.datetime(2024, 12, 5, 11, 0),
    )
    services.session_cancel(session=mobility, acting_user=programme.lead)
    sign_in(client, factories.UserFactory(is_programme_admin=True))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST,
            {
                "action": "cancel_sessions",
                "_selected_action": [programme.heating.pk, mobility.pk],
            },
            follow=True,
        )

    assert _messages(response.content.decode()) == [
        "Mobility: This session is already cancelled.",
        "Sessions cancelled: 1. Everyone registered is told by email.",
    ]
    assert list(Session.objects.order_by("starts_at").values_list("title", "status")) == [
        ("Energy: district heating", SessionStatus.CANCELLED),
        ("Mobility", SessionStatus.CANCELLED),
    ]
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["ana@lisboa.pt"], 'Cancelled: "Energy: district heating"')
    ]
