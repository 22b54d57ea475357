"""POST /api/v1/auth/token/: email and password in, API token out."""

from allauth.account import app_settings as allauth_settings
from allauth.account.models import EmailAddress
from allauth.core.internal.ratelimit import parse_rates
from rest_framework.authtoken.models import Token

from tests import factories
from tests.factories import PASSWORD

URL = "/api/v1/auth/token/"


def ask_token(client, email, password):
    return client.post(URL, {"email": email, "password": password}, content_type="application/json")


def test_token_for_right_password_then_works_as_authorization(client, officer):
    response = ask_token(client, officer.email.upper(), PASSWORD)

    assert response.status_code == 200
    token = Token.objects.get(user=officer)
    assert response.json() == {"token": token.key}
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert (me.status_code, me.json()["email"]) == (200, officer.email)


def test_token_is_the_same_on_the_second_request(client, officer):
    first = ask_token(client, officer.email, PASSWORD).json()
    second = ask_token(client, officer.email, PASSWORD).json()

    assert first == second
    assert Token.objects.filter(user=officer).count() == 1


def test_token_for_wrong_password_is_400_with_allauth_message(client, officer):
    response = ask_token(client, officer.email, "not-the-password")

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "status": 400,
            "code": "invalid",
            "message": "Some of the data is not valid.",
            "fields": {
                "non_field_errors": [
                    "The email address and/or password you specified are not correct."
                ]
            },
        }
    }
    assert Token.objects.count() == 0


def test_token_without_password_is_400_at_the_field(client, db):
    response = client.post(URL, {"email": "a@example.org"}, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"password": ["This field is required."]}


def test_token_for_unverified_email_is_refused(client, db):
    user = factories.UserFactory(email="new@example.org")
    EmailAddress.objects.filter(user=user).update(verified=False)

    response = ask_token(client, "new@example.org", PASSWORD)

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "email": [
            "Verify your email address first: sign in on the website to receive a new "
            "verification email."
        ]
    }
    assert Token.objects.count() == 0


def test_token_shares_the_failed_sign_in_limit(client, officer):
    limit = min(rate.amount for rate in parse_rates(allauth_settings.RATE_LIMITS["login_failed"]))
    for _attempt in range(limit):
        assert ask_token(client, officer.email, "not-the-password").status_code == 400

    response = ask_token(client, officer.email, PASSWORD)

    assert response.status_code == 429
    assert response.json() == {
        "error": {
            "status": 429,
            "code": "throttled",
            "message": "Too many failed login attempts. Try again later.",
        }
    }
    # The website's sign-in form is locked for this address too.
    page = client.post("/accounts/login/", {"login": officer.email, "password": PASSWORD})
    assert page.context["form"].non_field_errors() == [
        "Too many failed login attempts. Try again later."
    ]


def test_token_endpoint_needs_no_csrf_token(db):
    from django.test import Client

    officer = factories.city_officer()
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)

    response = ask_token(client, officer.email, PASSWORD)

    assert response.status_code == 200


def test_token_endpoint_refuses_get(client, db):
    response = client.get(URL)

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
