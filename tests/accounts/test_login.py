"""Signing in, out and resetting a password with django-allauth, by email address."""

import re

from allauth.account import app_settings as allauth_settings
from allauth.account.models import EmailAddress
from allauth.core.internal.ratelimit import parse_rates
from django.core import mail
from django.urls import reverse

from tests import factories
from tests.factories import PASSWORD

WRONG_PASSWORD_MESSAGE = "The email address and/or password you specified are not correct."
RATE_LIMIT_MESSAGE = "Too many failed login attempts. Try again later."


def sign_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_login_by_email_signs_in_and_goes_home(client, officer):
    response = sign_in(client, officer.email, PASSWORD)

    assert (response.status_code, response["Location"]) == (302, "/")
    assert signed_in_user_id(client) == str(officer.pk)


def test_login_by_email_ignores_letter_case(client, officer):
    response = sign_in(client, officer.email.upper(), PASSWORD)

    assert (response.status_code, response["Location"]) == (302, "/")
    assert signed_in_user_id(client) == str(officer.pk)


def test_login_form_has_no_username_field(client, db):
    response = client.get(reverse("account_login"))

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields) == ["login", "password", "remember"]
    assert form.fields["login"].widget.input_type == "email"


def test_login_wrong_password_shows_allauth_message(client, officer):
    response = sign_in(client, officer.email, "not-the-password")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [WRONG_PASSWORD_MESSAGE]
    assert WRONG_PASSWORD_MESSAGE in response.content.decode()
    assert signed_in_user_id(client) is None


def test_login_after_failed_attempt_limit_is_refused(client, officer):
    # allauth's default "login_failed" limit (per IP and per email): the smallest one bites first.
    limit = min(rate.amount for rate in parse_rates(allauth_settings.RATE_LIMITS["login_failed"]))
    for _attempt in range(limit):
        response = sign_in(client, officer.email, "not-the-password")
        assert response.context["form"].non_field_errors() == [WRONG_PASSWORD_MESSAGE]

    # Even the right password is refused until the limit expires.
    response = sign_in(client, officer.email, PASSWORD)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [RATE_LIMIT_MESSAGE]
    assert RATE_LIMIT_MESSAGE in response.content.decode()
    assert signed_in_user_id(client) is None


def test_login_successes_do_not_use_up_the_failed_attempt_limit(client, officer):
    limit = min(rate.amount for rate in parse_rates(allauth_settings.RATE_LIMITS["login_failed"]))
    for _attempt in range(limit + 1):
        response = sign_in(client, officer.email, PASSWORD)
        assert (response.status_code, response["Location"]) == (302, "/")
        client.post(reverse("account_logout"))


def test_login_unverified_email_goes_to_verification_sent_page(
    client, db, django_capture_on_commit_callbacks
):
    user = factories.UserFactory(email="new.officer@example.org")
    EmailAddress.objects.filter(user=user).update(verified=False)

    # allauth's emails leave through the outbox once the request's work commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_in(client, "new.officer@example.org", PASSWORD)

    assert (response.status_code, response["Location"]) == (
        302,
        reverse("account_email_verification_sent"),
    )
    assert signed_in_user_id(client) is None
    assert [message.to for message in mail.outbox] == [["new.officer@example.org"]]
    page = client.get(response["Location"])
    assert "We have sent you an email with a link to verify your address." in (
        page.content.decode()
    )


def test_email_verification_link_then_sign_in_works(client, db, django_capture_on_commit_callbacks):
    user = factories.UserFactory(email="new.officer@example.org")
    EmailAddress.objects.filter(user=user).update(verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(client, "new.officer@example.org", PASSWORD)
    link = re.search(r"https?://testserver(/accounts/confirm-email/\S+/)", mail.outbox[0].body)
    assert link is not None, mail.outbox[0].body

    # allauth confirms on POST only, so that mail scanners following links confirm nothing.
    assert client.get(link.group(1)).status_code == 200
    assert EmailAddress.objects.get(user=user).verified is False
    response = client.post(link.group(1))

    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified is True
    response = sign_in(client, "new.officer@example.org", PASSWORD)
    assert (response.status_code, response["Location"]) == (302, "/")


def test_signup_is_closed(client, db):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "stranger@example.org",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )

    assert response.status_code == 200
    assert response.templates[0].name == "account/signup_closed.html"
    assert not factories.User.objects.filter(email="stranger@example.org").exists()


def test_password_reset_sends_one_email_whose_link_sets_a_new_password(
    client, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": officer.email})

    assert (response.status_code, response["Location"]) == (
        302,
        reverse("account_reset_password_done"),
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [officer.email]
    link = re.search(r"https?://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    assert link is not None, mail.outbox[0].body

    # allauth moves the key out of the URL into the session before showing the form.
    response = client.get(link.group(1))
    assert response.status_code == 302
    form_url = response["Location"]
    response = client.post(
        form_url, {"password1": "a-brand-new-pass-phrase", "password2": "a-brand-new-pass-phrase"}
    )
    assert (response.status_code, response["Location"]) == (
        302,
        reverse("account_reset_password_from_key_done"),
    )

    assert sign_in(client, officer.email, PASSWORD).status_code == 200  # old one is refused
    response = sign_in(client, officer.email, "a-brand-new-pass-phrase")
    assert (response.status_code, response["Location"]) == (302, "/")
    assert signed_in_user_id(client) == str(officer.pk)


def test_password_reset_pages_use_the_portal_layout(client, db):
    response = client.get(reverse("account_reset_password"))

    assert response.status_code == 200
    assert [t.name for t in response.templates][:3] == [
        "account/password_reset.html",
        "account/base_entrance.html",
        "allauth/layouts/entrance.html",
    ]
    assert "base.html" in [t.name for t in response.templates]


def test_logout_by_post_signs_out(client, officer):
    client.force_login(officer)

    response = client.post(reverse("account_logout"))

    assert (response.status_code, response["Location"]) == (302, reverse("account_login"))
    assert signed_in_user_id(client) is None


def test_logout_by_get_only_asks_for_confirmation(client, officer):
    client.force_login(officer)

    response = client.get(reverse("account_logout"))

    assert response.status_code == 200
    assert signed_in_user_id(client) == str(officer.pk)
