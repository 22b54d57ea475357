"""Failed sign-ins are limited per client and per account, never for everyone at once.

Behind the TLS proxy of the README every request reaches the portal from the proxy's address.
The proxy appends the address it saw to X-Forwarded-For; with TRUSTED_PROXY_COUNT=1 the portal
counts failures per that address. Without a trusted proxy the header is the client's own words
and is ignored.
"""

import runpy

import pytest
from allauth.account import app_settings as allauth_settings
from allauth.core.internal.ratelimit import parse_rates
from django.conf import settings as django_settings
from django.urls import reverse

from accounts.models import ApiToken
from tests.factories import PASSWORD

RATE_LIMIT_MESSAGE = "Too many failed login attempts. Try again later."
WRONG_PASSWORD_MESSAGE = "The email address and/or password you specified are not correct."
ATTACKER = "203.0.113.7"
PERSON = "198.51.100.20"
SETTINGS_FILE = django_settings.BASE_DIR / "config" / "settings.py"


def limit(per: str) -> int:
    """allauth's limit of failed sign-ins per client address ("ip") or per account ("key")."""
    rates = parse_rates(allauth_settings.RATE_LIMITS["login_failed"])
    return next(rate.amount for rate in rates if rate.per == per)


def settings_from_environment(monkeypatch, **variables) -> dict:
    """The settings config/settings.py makes from these environment variables."""
    for name in ["TRUSTED_PROXY_COUNT", "TRUSTED_CLIENT_IP_HEADER"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


@pytest.fixture
def behind_one_proxy(settings, monkeypatch):
    """The settings of an install with TRUSTED_PROXY_COUNT=1, as docker-compose.yml runs it."""
    configured = settings_from_environment(monkeypatch, TRUSTED_PROXY_COUNT="1")
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = configured["ALLAUTH_TRUSTED_PROXY_COUNT"]
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = configured["ALLAUTH_TRUSTED_CLIENT_IP_HEADER"]


def sign_in(client, email, password, *, forwarded_for=None, **headers):
    if forwarded_for is not None:
        headers["x-forwarded-for"] = forwarded_for
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, headers=headers
    )


def ask_token(client, email, password, *, forwarded_for):
    return client.post(
        "/api/v1/auth/token/",
        {"email": email, "password": password},
        content_type="application/json",
        headers={"x-forwarded-for": forwarded_for},
    )


def page_errors(response) -> list[str]:
    return response.context["form"].non_field_errors()


def fail_with_made_up_emails(client, count: int, *, forwarded_for) -> None:
    for number in range(count):
        response = sign_in(
            client, f"nobody{number}@example.org", "guess", forwarded_for=forwarded_for
        )
        assert page_errors(response) == [WRONG_PASSWORD_MESSAGE]


def test_proxy_trust_comes_from_the_environment(monkeypatch):
    default = settings_from_environment(monkeypatch)
    proxied = settings_from_environment(monkeypatch, TRUSTED_PROXY_COUNT="1")
    by_header = settings_from_environment(monkeypatch, TRUSTED_CLIENT_IP_HEADER="X-Real-IP")

    def trust(configured):
        return (
            configured["ALLAUTH_TRUSTED_PROXY_COUNT"],
            configured["ALLAUTH_TRUSTED_CLIENT_IP_HEADER"],
            configured["REST_FRAMEWORK"]["NUM_PROXIES"],
        )

    assert trust(default) == (0, None, 0)
    assert trust(proxied) == (1, None, 1)
    assert trust(by_header) == (0, "X-Real-IP", 0)


def test_empty_number_variables_take_their_defaults(monkeypatch):
    # `TRUSTED_PROXY_COUNT=` in an env file stopped the portal at start-up (int("")).
    monkeypatch.setenv("DEBUG", "false")
    monkeypatch.setenv("SECRET_KEY", "a-key-for-this-test")
    names = [
        "TRUSTED_PROXY_COUNT",
        "INVITATION_VALID_DAYS",
        "EMAIL_PORT",
        "CONN_MAX_AGE",
        "SECURE_HSTS_SECONDS",
    ]
    configured = settings_from_environment(monkeypatch, **dict.fromkeys(names, ""))

    assert (
        configured["ALLAUTH_TRUSTED_PROXY_COUNT"],
        configured["REST_FRAMEWORK"]["NUM_PROXIES"],
        configured["INVITATION_VALID_DAYS"],
        configured["EMAIL_PORT"],
        configured["DATABASES"]["default"]["CONN_MAX_AGE"],
        configured["SECURE_HSTS_SECONDS"],
    ) == (0, 0, 14, 25, 60, 31536000)


def test_one_clients_failures_do_not_lock_out_another_behind_the_proxy(
    client, officer, behind_one_proxy
):
    fail_with_made_up_emails(client, limit("ip"), forwarded_for=ATTACKER)

    # The attacker's client is stopped, even when it writes a header of its own that the
    # proxy then appends to.
    for forwarded_for in [ATTACKER, f"192.0.2.99, {ATTACKER}"]:
        response = sign_in(client, "nobody@example.org", "guess", forwarded_for=forwarded_for)
        assert page_errors(response) == [RATE_LIMIT_MESSAGE]
    # Another person, through the same proxy, signs in.
    response = sign_in(client, officer.email, PASSWORD, forwarded_for=PERSON)
    assert (response.status_code, response["Location"]) == (302, "/")


def test_one_clients_failures_do_not_block_anothers_token_behind_the_proxy(
    client, officer, behind_one_proxy
):
    fail_with_made_up_emails(client, limit("ip"), forwarded_for=ATTACKER)

    refused = ask_token(client, officer.email, PASSWORD, forwarded_for=ATTACKER)
    response = ask_token(client, officer.email, PASSWORD, forwarded_for=PERSON)

    assert refused.status_code == 429
    assert response.status_code == 200
    assert list(ApiToken.objects.values_list("user", flat=True)) == [officer.pk]


def test_the_per_account_limit_holds_across_client_addresses(client, officer, behind_one_proxy):
    for number in range(limit("key")):
        response = sign_in(client, officer.email, "guess", forwarded_for=f"192.0.2.{number + 1}")
        assert page_errors(response) == [WRONG_PASSWORD_MESSAGE]

    # Guessing one account's password from many addresses is still stopped for that account.
    page = sign_in(client, officer.email, PASSWORD, forwarded_for=PERSON)
    token = ask_token(client, officer.email, PASSWORD, forwarded_for=PERSON)

    assert page_errors(page) == [RATE_LIMIT_MESSAGE]
    assert token.status_code == 429


def test_forged_forwarded_for_is_ignored_without_a_trusted_proxy(client, officer):
    # Each attempt claims another address; with no trusted proxy the portal counts the
    # connection's own address, so the limit still applies.
    for number in range(limit("ip")):
        response = sign_in(
            client, f"nobody{number}@example.org", "guess", forwarded_for=f"192.0.2.{number + 1}"
        )
        assert page_errors(response) == [WRONG_PASSWORD_MESSAGE]

    response = sign_in(client, officer.email, PASSWORD, forwarded_for="198.51.100.250")
    token = ask_token(client, officer.email, PASSWORD, forwarded_for="198.51.100.251")

    assert page_errors(response) == [RATE_LIMIT_MESSAGE]
    assert token.status_code == 429


def test_a_proxys_own_client_address_header_can_be_trusted_instead(
    client, officer, settings, monkeypatch
):
    configured = settings_from_environment(monkeypatch, TRUSTED_CLIENT_IP_HEADER="X-Real-IP")
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = configured["ALLAUTH_TRUSTED_CLIENT_IP_HEADER"]
    for number in range(limit("ip")):
        response = sign_in(
            client, f"nobody{number}@example.org", "guess", **{"x-real-ip": ATTACKER}
        )
        assert page_errors(response) == [WRONG_PASSWORD_MESSAGE]

    refused = sign_in(client, "nobody@example.org", "guess", **{"x-real-ip": ATTACKER})
    response = sign_in(client, officer.email, PASSWORD, **{"x-real-ip": PERSON})

    assert page_errors(refused) == [RATE_LIMIT_MESSAGE]
    assert (response.status_code, response["Location"]) == (302, "/")


def test_token_without_the_trusted_client_address_header_is_403_with_the_reason(
    client, officer, settings
):
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"

    response = client.post(
        "/api/v1/auth/token/",
        {"email": officer.email, "password": PASSWORD},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "status": 403,
            "code": "permission_denied",
            "message": "The portal cannot tell which address this request comes from, so it "
            "cannot limit failed sign-ins and refuses them. The header named by "
            "TRUSTED_CLIENT_IP_HEADER is probably missing: ask the portal's administrator.",
        }
    }
    assert ApiToken.objects.count() == 0
