"""Schemathesis against the API's own OpenAPI schema, as a programme admin and as a city officer.

Every operation gets a bounded number of generated requests (valid and invalid ones) against the
small world of tests/api/world.py, built afresh for each operation and role. Half the requests
aim at its real objects instead of a made-up id, so the fuzzer reaches past 404.

The checks: no server error, and every answer as the schema says (a documented status code, the
documented content type and headers, a body that matches the documented shape).
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories
from tests.api.world import build_world

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# A few seconds per operation and role: the whole run stays well within two minutes.
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"max-examples": 10, "database": "none"},
        # The schema has no examples; `@schema.given` below cannot run with that phase.
        "phases": {"examples": {"enabled": False}},
    }
)


def token_of(user) -> str:
    response = Client().post(
        "/api/v1/auth/token/",
        {"email": user.email, "password": factories.PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


@pytest.fixture(params=["admin", "officer"])
def caller(request, db):
    world = build_world()
    headers = {"Authorization": f"Token {token_of(getattr(world, request.param))}"}
    # schemathesis calls the WSGI application itself, not through Django's test client, so
    # Django's request signals run close_old_connections, which closes a connection that is
    # inside a transaction: the test's own, on PostgreSQL ("connection already closed", a 500).
    # Django's test client disconnects it the same way for each of its requests (and connects
    # it again after them, so this comes after token_of).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield world, headers
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Loaded when the module is collected (the schema view reads no data). schemathesis's lazy
# `from_fixture` loader does not run under pytest 9.
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json", get_wsgi_application(), config=CONFIG
)


@schema.parametrize()
@schema.given(aim_at_real_object=st.booleans())
# The world is built once per operation and role (`caller`) and shared by its examples, on
# purpose: what one request changed is what the next one meets.
@settings(
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ]
)
def test_api_answers_as_its_schema_says(case, caller, aim_at_real_object):
    world, headers = caller
    if aim_at_real_object and "id" in (case.path_parameters or {}):
        case.path_parameters["id"] = world.id_for(case.operation.path)
    case.call_and_validate(headers=headers, checks=CHECKS)
