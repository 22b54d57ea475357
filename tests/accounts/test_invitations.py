"""Inviting a city officer by email, and accepting the invitation from the link."""

import datetime
import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, User
from cities.models import CityMembership
from notifications.models import OutboundEmail
from tests import factories
from tests.factories import PASSWORD

NEW_PASSWORD = "a-long-pass-phrase-42"


@pytest.fixture
def lisbon(db):
    return factories.CityFactory(name="Lisbon", country=factories.CountryFactory(iso_code="PT"))


def invite(client, inviter, city, email, capture):
    client.force_login(inviter)
    with capture(execute=True):
        return client.post(reverse("invitation_create"), {"email": email, "city": city.pk})


def accept_link_path(body: str) -> str:
    match = re.search(settings.SITE_URL + r"(/invitations/[\w-]+/)", body)
    assert match is not None, body
    return match.group(1)


@pytest.mark.parametrize("inviter_fixture", ["facilitator", "programme_admin"])
def test_invitation_create_by_staff_sends_one_email_with_the_link(
    client, request, lisbon, inviter_fixture, django_capture_on_commit_callbacks
):
    inviter = request.getfixturevalue(inviter_fixture)

    response = invite(
        client, inviter, lisbon, "Ana.Silva@Lisboa.example", django_capture_on_commit_callbacks
    )

    assert (response.status_code, response["Location"]) == (302, reverse("invitation_create"))
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.city, invitation.invited_by) == (
        "ana.silva@lisboa.example",
        lisbon,
        inviter,
    )
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(
        days=settings.INVITATION_VALID_DAYS
    )
    outbound = OutboundEmail.objects.get()
    assert (outbound.key, outbound.to, outbound.status) == (
        f"invitation:{invitation.pk}",
        "ana.silva@lisboa.example",
        "sent",
    )
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["ana.silva@lisboa.example"]
    assert sent.subject == "You are invited to represent Lisbon"
    assert accept_link_path(sent.body) == f"/invitations/{invitation.token}/"
    response = client.get(reverse("invitation_create"))
    assert [str(m) for m in response.context["messages"]] == [
        "Invitation sent to ana.silva@lisboa.example for Lisbon."
    ]


@pytest.mark.parametrize("role_fixture", ["officer", "reviewer"])
def test_invitation_create_by_officer_or_reviewer_is_forbidden(
    client, request, lisbon, role_fixture, django_capture_on_commit_callbacks
):
    response = invite(
        client,
        request.getfixturevalue(role_fixture),
        lisbon,
        "ana@example.org",
        django_capture_on_commit_callbacks,
    )

    assert response.status_code == 403
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


def test_invitation_create_for_existing_officer_of_the_city_is_refused_at_email(
    client, facilitator, lisbon, django_capture_on_commit_callbacks
):
    factories.city_officer(city=lisbon, email="ana@example.org")

    response = invite(
        client, facilitator, lisbon, "ANA@example.org", django_capture_on_commit_callbacks
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "email": ["ana@example.org is already an officer of Lisbon."]
    }
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


def test_invitation_create_for_existing_account_adds_the_city_at_once(
    client, facilitator, lisbon, django_capture_on_commit_callbacks
):
    porto_officer = factories.city_officer(email="ana@example.org")

    response = invite(
        client, facilitator, lisbon, "ana@example.org", django_capture_on_commit_callbacks
    )

    assert response.status_code == 302
    assert sorted(
        CityMembership.objects.filter(user=porto_officer).values_list("city__name", flat=True)
    ) == sorted([porto_officer.city_memberships.first().city.name, "Lisbon"])
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == porto_officer
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "You now also represent Lisbon"
    assert f"{settings.SITE_URL}/accounts/login/" in mail.outbox[0].body
    assert invitation.token not in mail.outbox[0].body
    porto_officer.refresh_from_db()
    assert porto_officer.check_password(PASSWORD)
    response = client.get(reverse("invitation_create"))
    assert [str(m) for m in response.context["messages"]] == [
        "ana@example.org already had an account: they are now an officer of Lisbon and were "
        "told by email."
    ]


def test_invitation_accept_sets_password_verifies_email_and_signs_in(
    client, facilitator, lisbon, django_capture_on_commit_callbacks
):
    invitation = services.invitation_create(
        email="ana@example.org", city=lisbon, invited_by=facilitator
    )

    response = client.post(
        reverse("invitation_accept", args=[invitation.token]),
        {"full_name": "Ana Silva", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert (response.status_code, response["Location"]) == (302, "/")
    user = User.objects.get(email="ana@example.org")
    assert user.full_name == "Ana Silva"
    assert user.check_password(NEW_PASSWORD)
    assert list(CityMembership.objects.filter(user=user).values_list("city__name", flat=True)) == [
        "Lisbon"
    ]
    assert list(
        EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary")
    ) == [("ana@example.org", True, True)]
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert client.session["_auth_user_id"] == str(user.pk)

    home = client.get("/")
    assert home.status_code == 200
    assert [str(m) for m in home.context["messages"]] == ["Welcome! You now represent Lisbon."]
    assert [city.name for city in home.context["sections"][0].cities] == ["Lisbon"]
    officer_section = re.search(
        r'<section[^>]*data-role="city_officer".*?</section>', home.content.decode(), re.S
    )
    assert officer_section is not None
    assert "Lisbon" in officer_section.group(0)


def test_invitation_accept_then_sign_in_with_the_new_password(client, facilitator, lisbon):
    invitation = services.invitation_create(
        email="ana@example.org", city=lisbon, invited_by=facilitator
    )
    client.post(
        reverse("invitation_accept", args=[invitation.token]),
        {"full_name": "Ana Silva", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    client.post(reverse("account_logout"))

    response = client.post(
        reverse("account_login"), {"login": "ana@example.org", "password": NEW_PASSWORD}
    )

    assert (response.status_code, response["Location"]) == (302, "/")


def test_invitation_accept_reused_link_says_already_used(client, facilitator, lisbon):
    invitation = services.invitation_create(
        email="ana@example.org", city=lisbon, invited_by=facilitator
    )
    url = reverse("invitation_accept", args=[invitation.token])
    client.post(url, {"full_name": "Ana", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.post(reverse("account_logout"))

    response = client.get(url)

    assert response.status_code == 410
    assert response.context["reason"] == "used"
    assert (
        "This invitation has already been used. Sign in with your email and password."
        in response.content.decode()
    )


def test_invitation_accept_post_on_used_link_changes_nothing(client, facilitator, lisbon):
    invitation = services.invitation_create(
        email="ana@example.org", city=lisbon, invited_by=facilitator
    )
    url = reverse("invitation_accept", args=[invitation.token])
    client.post(url, {"full_name": "Ana", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.post(reverse("account_logout"))

    response = client.post(
        url, {"full_name": "Eve", "password1": "eve-takes-over-9", "password2": "eve-takes-over-9"}
    )

    assert response.status_code == 410
    user = User.objects.get(email="ana@example.org")
    assert (user.full_name, user.check_password(NEW_PASSWORD)) == ("Ana", True)


def test_invitation_accept_expired_link_says_expired(client, facilitator, lisbon):
    with time_machine.travel(datetime.datetime(2025, 3, 1, 9, 0, tzinfo=datetime.UTC)):
        invitation = services.invitation_create(
            email="ana@example.org", city=lisbon, invited_by=facilitator
        )
    url = reverse("invitation_accept", args=[invitation.token])
    last_valid = invitation.expires_at - datetime.timedelta(seconds=1)

    with time_machine.travel(last_valid):
        assert client.get(url).status_code == 200
    with time_machine.travel(invitation.expires_at):
        response = client.get(url)

    assert response.status_code == 410
    assert response.context["reason"] == "expired"
    assert (
        "This invitation has expired. Ask the person who invited you to send a new one."
        in response.content.decode()
    )
    assert not User.objects.filter(email="ana@example.org").exists()


def test_invitation_accept_unknown_token_is_404(client, db):
    response = client.get(reverse("invitation_accept", args=["no-such-token"]))

    assert response.status_code == 404


def test_invitation_accept_mismatched_passwords_keep_the_name(client, facilitator, lisbon):
    invitation = services.invitation_create(
        email="ana@example.org", city=lisbon, invited_by=facilitator
    )

    response = client.post(
        reverse("invitation_accept", args=[invitation.token]),
        {"full_name": "Ana Silva", "password1": NEW_PASSWORD, "password2": "something-else-42"},
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"password2": ["The two passwords are not the same."]}
    assert "The two passwords are not the same." in response.content.decode()
    assert 'value="Ana Silva"' in response.content.decode()
    assert not User.objects.filter(email="ana@example.org").exists()


def test_invitation_accept_too_short_password_is_refused_at_the_field(client, facilitator, lisbon):
    invitation = services.invitation_create(
        email="ana@example.org", city=lisbon, invited_by=facilitator
    )

    response = client.post(
        reverse("invitation_accept", args=[invitation.token]),
        {"full_name": "Ana Silva", "password1": "x7#q", "password2": "x7#q"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "password1": ["This password is too short. It must contain at least 8 characters."]
    }
    assert "This password is too short. It must contain at least 8 characters." in (
        response.content.decode()
    )
    assert 'value="Ana Silva"' in response.content.decode()
    assert not User.objects.filter(email="ana@example.org").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_invitation_accept_when_account_appeared_later_needs_sign_in(client, facilitator, lisbon):
    invitation = services.invitation_create(
        email="ana@example.org", city=lisbon, invited_by=facilitator
    )
    ana = factories.UserFactory(email="ana@example.org")
    url = reverse("invitation_accept", args=[invitation.token])

    # Anonymous: the link cannot set the existing account's password.
    response = client.post(
        url, {"full_name": "Eve", "password1": "eve-takes-over-9", "password2": "eve-takes-over-9"}
    )
    assert response.status_code == 200
    assert f'href="/accounts/login/?next={url}"' in response.content.decode()
    ana.refresh_from_db()
    assert ana.check_password(PASSWORD)
    assert CityMembership.objects.filter(user=ana).count() == 0

    # Signed in as the invitee: one click adds the city.
    client.force_login(ana)
    response = client.post(url)
    assert (response.status_code, response["Location"]) == (302, "/")
    assert list(CityMembership.objects.filter(user=ana).values_list("city__name", flat=True)) == [
        "Lisbon"
    ]


def test_invitation_accept_signed_in_as_someone_else_adds_nothing(client, facilitator, lisbon):
    invitation = services.invitation_create(
        email="ana@example.org", city=lisbon, invited_by=facilitator
    )
    factories.UserFactory(email="ana@example.org")
    client.force_login(facilitator)

    response = client.post(reverse("invitation_accept", args=[invitation.token]))

    assert response.status_code == 200
    assert response.context["signed_in_as_invitee"] is False
    assert CityMembership.objects.count() == 0
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_invitation_create_page_lists_cities_for_staff(client, facilitator, lisbon):
    client.force_login(facilitator)

    response = client.get(reverse("invitation_create"))

    assert response.status_code == 200
    assert list(response.context["form"].fields["city"].queryset) == [lisbon]


def test_invitation_accept_page_names_city_and_email(client, facilitator, lisbon):
    invitation = services.invitation_create(
        email="ana@example.org", city=lisbon, invited_by=facilitator
    )

    response = client.get(reverse("invitation_accept", args=[invitation.token]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Represent Lisbon</h1>" in content
    assert "Choose a password for ana@example.org." in content
    assert timezone.now() < invitation.expires_at
