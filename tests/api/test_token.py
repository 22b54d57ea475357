"""POST /api/v1/auth/token/: email and password in, a new named and expiring API token out;
the token then signs API calls in until it expires or is revoked."""

import datetime
import hashlib

import pytest
import time_machine
import yaml
from allauth.account import app_settings as allauth_settings
from allauth.account.models import EmailAddress
from allauth.core.internal.ratelimit import parse_rates
from django.test import Client

from accounts import services
from accounts.models import ApiToken
from tests import factories
from tests.factories import PASSWORD

URL = "/api/v1/auth/token/"
NOW = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)


def ask_token(client, email, password, **fields):
    return client.post(
        URL, {"email": email, "password": password, **fields}, content_type="application/json"
    )


def me_status(client, secret: str) -> int:
    return client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {secret}").status_code


def test_token_for_right_password_is_new_named_expiring_and_signs_in(client, officer):
    with time_machine.travel(NOW, tick=False):
        response = ask_token(client, officer.email.upper(), PASSWORD)
        me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {response.json()['token']}")

    assert response.status_code == 200
    token = ApiToken.objects.get(user=officer)
    body = response.json()
    assert body == {
        "token": body["token"],
        "name": "API token",
        "created_at": "2026-03-02T10:30:00+01:00",
        "expires_at": "2026-04-01T11:30:00+02:00",  # 30 days later, in summer time
    }
    assert (token.name, token.created, token.expiry) == (
        "API token",
        NOW,
        NOW + datetime.timedelta(days=30),
    )
    assert (me.status_code, me.json()["email"]) == (200, officer.email)


def test_token_is_stored_as_a_hash_only(client, officer):
    secret = ask_token(client, officer.email, PASSWORD).json()["token"]

    token = ApiToken.objects.get(user=officer)
    assert len(secret) == 64
    assert token.digest == hashlib.sha512(secret.encode()).hexdigest()
    assert token.token_key == secret[:15]
    stored = [str(value) for value in ApiToken.objects.values_list().get()]
    assert [value for value in stored if secret in value] == []


def test_token_takes_a_name_and_a_lifetime(client, officer):
    with time_machine.travel(NOW, tick=False):
        response = ask_token(
            client, officer.email, PASSWORD, name="  Monthly report ", lifetime_days=90
        )

    assert response.status_code == 200
    assert (response.json()["name"], response.json()["expires_at"]) == (
        "Monthly report",
        "2026-05-31T11:30:00+02:00",
    )
    token = ApiToken.objects.get(user=officer)
    assert (token.name, token.expiry) == ("Monthly report", NOW + datetime.timedelta(days=90))


def test_each_request_makes_another_token_and_both_work(client, officer):
    first = ask_token(client, officer.email, PASSWORD, name="laptop").json()["token"]
    second = ask_token(client, officer.email, PASSWORD, name="server").json()["token"]

    assert first != second
    assert sorted(ApiToken.objects.filter(user=officer).values_list("name", flat=True)) == [
        "laptop",
        "server",
    ]
    assert (me_status(client, first), me_status(client, second)) == (200, 200)


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"lifetime_days": 1000}, {"lifetime_days": ['"1000" is not a valid choice.']}),
        ({"lifetime_days": "forever"}, {"lifetime_days": ['"forever" is not a valid choice.']}),
        ({"name": "x" * 101}, {"name": ["Ensure this field has no more than 100 characters."]}),
        ({"name": "   "}, {"name": ["This field may not be blank."]}),
    ],
)
def test_token_with_a_field_not_valid_is_400_at_the_field(client, officer, fields, errors):
    response = ask_token(client, officer.email, PASSWORD, **fields)

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == errors
    assert ApiToken.objects.count() == 0


def test_token_past_the_limit_per_person_is_400_until_one_expires(client, officer):
    with time_machine.travel(NOW, tick=False):
        services.api_token_create(user=officer, name="old", lifetime_days=7, acting_user=officer)
        for number in range(services.API_TOKENS_PER_PERSON - 1):
            services.api_token_create(
                user=officer, name=f"script {number}", lifetime_days=30, acting_user=officer
            )

        response = ask_token(client, officer.email, PASSWORD)

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "non_field_errors": [
            "You already have 20 API tokens, the most one person may hold. Revoke one you no "
            "longer use on your account page, then try again."
        ]
    }
    with time_machine.travel(NOW + datetime.timedelta(days=8), tick=False):
        response = ask_token(client, officer.email, PASSWORD, name="new")

    assert response.status_code == 200
    names = set(ApiToken.objects.filter(user=officer).values_list("name", flat=True))
    assert "old" not in names  # the expired token made room and is gone
    assert len(names) == services.API_TOKENS_PER_PERSON


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
    assert ApiToken.objects.count() == 0


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
    assert ApiToken.objects.count() == 0


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
    officer = factories.city_officer()
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)

    response = ask_token(client, officer.email, PASSWORD)

    assert response.status_code == 200


def test_token_endpoint_refuses_get(client, db):
    response = client.get(URL)

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def assert_refused_as_401(response) -> None:
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "error": {"status": 401, "code": "authentication_failed", "message": "Invalid token."}
    }


def test_expired_token_is_401_and_purged_when_the_next_token_is_made(client, officer):
    with time_machine.travel(NOW, tick=False):
        token, secret = services.api_token_create(
            user=officer, name="short", lifetime_days=7, acting_user=officer
        )
        assert me_status(client, secret) == 200

    with time_machine.travel(token.expiry - datetime.timedelta(seconds=1), tick=False):
        assert me_status(client, secret) == 200
    with time_machine.travel(token.expiry, tick=False):
        response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {secret}")
        # Refusing it writes nothing: the account page still lists it, as expired.
        assert ApiToken.objects.filter(pk=token.pk).exists()
        services.api_token_create(user=officer, name="new", lifetime_days=7, acting_user=officer)

    assert_refused_as_401(response)
    assert list(ApiToken.objects.filter(user=officer).values_list("name", flat=True)) == ["new"]


def test_token_request_reads_only_the_candidate_token_whatever_else_has_expired(
    client, officer, django_assert_num_queries
):
    with time_machine.travel(NOW, tick=False):
        _token, secret = services.api_token_create(
            user=officer, name="current", lifetime_days=7, acting_user=officer
        )
    # Made afterwards, so that making the current token did not purge them.
    with time_machine.travel(NOW - datetime.timedelta(days=10), tick=False):
        for number in range(3):
            services.api_token_create(
                user=officer, name=f"old {number}", lifetime_days=7, acting_user=officer
            )
    # The token with its person (one query), then the person's roles and cities
    # (MeSerializer). knox's cleanup added a read of all the person's tokens, and a DELETE and
    # a user lookup for each expired one.
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(3):
        response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {secret}")

    assert (response.status_code, response.json()["email"]) == (200, officer.email)
    assert ApiToken.objects.filter(user=officer).count() == 4


def test_revoked_token_is_401(client, officer):
    token, secret = services.api_token_create(
        user=officer, name="script", lifetime_days=30, acting_user=officer
    )
    services.api_token_revoke(token=token, acting_user=officer)

    assert_refused_as_401(client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {secret}"))


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("é", id="not ASCII"),
        pytest.param("\x7f\xff", id="control and Latin-1"),
        pytest.param("é" * 64, id="not ASCII, right length"),
        pytest.param("\x00" + "a" * 63, id="NUL"),  # a 500 on PostgreSQL once queried
        pytest.param("a" * 65, id="too long"),
        pytest.param("a" * 63, id="too short"),
        pytest.param("A" * 64, id="uppercase hexadecimal"),
        pytest.param("g" * 64, id="not hexadecimal"),
    ],
)
def test_token_not_shaped_like_a_token_is_401_before_any_query(
    client, db, django_assert_num_queries, token
):
    with django_assert_num_queries(0):
        response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")

    assert_refused_as_401(response)


def test_token_right_in_all_but_one_character_is_401(client, officer):
    _token, secret = services.api_token_create(
        user=officer, name="script", lifetime_days=7, acting_user=officer
    )
    wrong = secret[:-1] + ("0" if secret[-1] != "0" else "1")

    assert_refused_as_401(client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {wrong}"))


def test_schema_documents_the_token_endpoint_and_the_token_header(client, db):
    schema = yaml.safe_load(client.get("/api/schema/").content)

    operation = schema["paths"][URL]["post"]
    assert operation["security"] == [{}]
    assert list(operation["requestBody"]["content"]) == ["application/json"]
    request = schema["components"]["schemas"]["TokenCreateRequest"]
    assert (sorted(request["properties"]), sorted(request["required"])) == (
        ["email", "lifetime_days", "name", "password"],
        ["email", "password"],
    )
    responses = operation["responses"]
    assert sorted(responses) == ["200", "400", "403", "429"]
    assert responses["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TokenResponse"
    }
    for status in ["400", "403", "429"]:
        assert responses[status]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": 'Token-based authentication with required prefix "Token"',
    }
    assert schema["paths"]["/api/v1/me/"]["get"]["security"][0] == {"tokenAuth": []}
    assert "`Authorization: Token <token>`" in schema["info"]["description"]
