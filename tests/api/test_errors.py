"""Every API error has one JSON shape: {"error": {"status", "code", "message", ["fields"]}}."""

import pytest
from django.core.exceptions import PermissionDenied

from portal.api.errors import exception_handler
from portal.permissions import PermissionRefused
from tests import factories


def test_anonymous_call_is_401_with_token_challenge(client, db):
    response = client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "error": {
            "status": 401,
            "code": "not_authenticated",
            "message": "Authentication credentials were not provided.",
        }
    }


def test_bad_token_is_401(client, db):
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token not-a-real-token")

    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "status": 401,
            "code": "authentication_failed",
            "message": "Invalid token.",
        }
    }


def test_unknown_city_id_is_404(client, officer):
    client.force_login(officer)

    response = client.get("/api/v1/cities/999999/")

    assert response.status_code == 404
    assert response.json() == {
        "error": {"status": 404, "code": "not_found", "message": "Not found."}
    }


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing-here/", "/api/v2/cities/", "/api/x", "/api/", "/api/v1/me"]
)
def test_unknown_api_path_is_404_json_even_anonymous(client, db, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": {"status": 404, "code": "not_found", "message": "Not found."}
    }


def test_write_to_read_only_endpoint_is_405(client, officer):
    client.force_login(officer)

    response = client.post("/api/v1/cities/", {"name": "Atlantis"}, content_type="application/json")

    assert response.status_code == 405
    assert response.json() == {
        "error": {
            "status": 405,
            "code": "method_not_allowed",
            "message": 'Method "POST" not allowed.',
        }
    }


def test_invalid_filter_is_400_with_fields(client, officer):
    client.force_login(officer)

    response = client.get("/api/v1/cities/", {"type": "bogus"})

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "status": 400,
            "code": "invalid",
            "message": "Some of the data is not valid.",
            "fields": {
                "type": ["“bogus” is not one of the choices: mission, mission_minded, pilot, twin."]
            },
        }
    }


def test_session_write_without_csrf_is_403(db):
    from django.test import Client

    officer = factories.city_officer()
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)

    response = client.delete("/api/v1/cities/1/")

    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "status": 403,
            "code": "permission_denied",
            "message": "CSRF Failed: CSRF cookie not set.",
        }
    }


def test_server_error_under_api_is_json(client, officer, settings):
    settings.ROOT_URLCONF = "tests.api.urls_server_error"
    client.raise_request_exception = False
    client.force_login(officer)

    response = client.get("/api/v1/boom/")

    assert response.status_code == 500
    assert response.json() == {
        "error": {
            "status": 500,
            "code": "server_error",
            "message": "Something went wrong on our side. It has been logged.",
        }
    }


def test_server_error_elsewhere_is_the_html_page(client, officer, settings):
    settings.ROOT_URLCONF = "tests.api.urls_server_error"
    client.raise_request_exception = False

    response = client.get("/boom/")

    assert response.status_code == 500
    assert response["Content-Type"] == "text/html; charset=utf-8"


def test_a_services_refusal_is_403_with_its_message():
    response = exception_handler(PermissionRefused("You cannot cancel this session."), {})

    assert response.status_code == 403
    assert response.data == {
        "error": {
            "status": 403,
            "code": "permission_denied",
            "message": "You cannot cancel this session.",
        }
    }


def test_a_refusal_without_a_message_says_so_in_general_words():
    response = exception_handler(PermissionDenied(), {})

    assert response.status_code == 403
    assert response.data["error"]["message"] == (
        "You do not have permission to perform this action."
    )
