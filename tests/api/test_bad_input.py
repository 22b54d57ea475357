"""Hostile JSON bodies get a clear 400 in the API's error shape from every write endpoint, and
nothing is saved.

The endpoints are read from the OpenAPI schema (every POST, PUT and PATCH with a request body),
plus the roadmap page's autosave, which takes the same JSON; their path ids are filled with real
objects of a programme built through the services, and the caller is a programme admin, so
each request passes authentication and permissions and reaches the body.
"""

import json

import pytest
from django.apps import apps
from drf_spectacular.generators import SchemaGenerator

from cohorts.models import Enrolment
from feedback.models import Survey
from portal.api.parsers import MAX_JSON_BODY_BYTES, MAX_JSON_DEPTH, parse_json_body
from roadmaps.models import Roadmap, RoadmapComment, RoadmapValue
from tests import factories
from tests.roadmaps import conftest as roadmap_fixtures
from visits.enums import CallStatus
from visits.models import Review

# The programme of the roadmap tests (a cohort, Lisbon's roadmap, a climate action, a session).
clock = roadmap_fixtures.clock
programme = roadmap_fixtures.programme

WRITE_METHODS = ("post", "put", "patch")
# Each resource of a path, and the object of the programme its {id} stands for.
OBJECTS = {
    "cities": lambda p: p.lisbon,
    "climate-actions": lambda p: p.action,
    "enrolments": lambda p: Enrolment.objects.get(cohort=p.cohort, city=p.lisbon),
    "roadmaps": lambda p: p.roadmap,
    "sessions": lambda p: p.cohort.sessions.get(),
    "surveys": lambda p: (
        Survey.objects.filter(cohort=p.cohort).first()
        or factories.SurveyFactory(cohort=p.cohort, is_published=True)
    ),
    "visit-applications": lambda p: _visit_review(p).application,
    "visit-reviews": lambda p: _visit_review(p),
}


def _visit_review(programme):
    """A review of Lisbon's application to an open study visits call (made once)."""
    review = Review.objects.filter(application__city=programme.lisbon).first()
    if review is None:
        call = factories.CallFactory(status=CallStatus.OPEN)
        application = factories.ApplicationFactory(call=call, city=programme.lisbon)
        review = factories.ReviewFactory(application=application)
    return review


APPS = [
    "accounts",
    "cities",
    "cohorts",
    "peer_sessions",
    "roadmaps",
    "feedback",
    "notifications",
    "taxonomy",
    "visits",
]

NUL = "x\x00y"
SURROGATE = "x\ud800y"
DEEP = b"[" * 100_000 + b"]" * 100_000


def write_operations() -> list[tuple[str, str, dict]]:
    """(method, path, request body schema) of every operation that takes a body."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    operations = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method not in WRITE_METHODS or "requestBody" not in operation:
                continue
            body = operation["requestBody"]["content"]["application/json"]["schema"]
            if "$ref" in body:
                body = components[body["$ref"].rsplit("/", 1)[1]]
            operations.append((method, path, body))
    return operations


def body_of(schema: dict, text: str) -> dict:
    """An object with every property the schema names, each string (also inside lists) being
    `text`: the poisoned character must be refused wherever it is."""
    body = {}
    for name, prop in schema.get("properties", {}).items():
        kind = prop.get("type")
        if kind == "array":
            body[name] = [text]
        elif kind == "integer":
            body[name] = 1
        elif kind == "boolean":
            body[name] = True
        else:
            body[name] = text
    body[f"extra{text}"] = text  # a key holding the character too
    return body


def url_of(path: str, programme) -> str:
    if "{id}" not in path:
        return path
    resource = path.split("/")[3]
    assert resource in OBJECTS, f"add the object whose id fills {path} to OBJECTS"
    return path.replace("{id}", str(OBJECTS[resource](programme).pk))


def snapshot() -> dict:
    """Row counts of every model, and what a save would change in the rows that exist."""
    counts = {
        model._meta.label: model.objects.count()
        for label in APPS
        for model in apps.get_app_config(label).get_models()
    }
    return {
        "counts": counts,
        "roadmaps": list(Roadmap.objects.order_by("pk").values_list("pk", "status", "updated_at")),
        "values": list(RoadmapValue.objects.order_by("pk").values_list("pk", "version")),
        "enrolments": list(Enrolment.objects.order_by("pk").values_list("pk", "status")),
        "comments": list(RoadmapComment.objects.order_by("pk").values_list("pk", "body")),
    }


@pytest.fixture
def endpoints(programme):
    """(method, url, body schema) of every JSON write endpoint, for a programme admin."""
    found = [
        (method, url_of(path, programme), schema) for method, path, schema in write_operations()
    ]
    autosave_schema = {"properties": {"key": {}, "value": {}, "base_version": {"type": "integer"}}}
    found.append(("post", f"/roadmaps/{programme.roadmap.pk}/autosave/", autosave_schema))
    return found


def send(client, method: str, url: str, body: bytes):
    return getattr(client, method)(url, data=body, content_type="application/json")


def assert_refused(response, code: str | None) -> None:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert set(error) <= {"status", "code", "message", "fields"}
    assert error["status"] == 400
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code, error


def test_the_sweep_covers_the_endpoints_that_were_found_to_fail(endpoints, programme):
    urls = {(method, url) for method, url, _schema in endpoints}
    roadmap = programme.roadmap.pk
    assert {
        ("post", "/api/v1/auth/token/"),
        ("post", f"/api/v1/roadmaps/{roadmap}/fields/"),
        ("post", "/api/v1/registrations/"),
        ("post", f"/roadmaps/{roadmap}/autosave/"),
    } <= urls


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        pytest.param(lambda schema: DEEP, "too_deep", id="100000-levels"),
        pytest.param(
            lambda schema: json.dumps(body_of(schema, NUL)).encode(),
            "invalid_character",
            id="nul-in-every-string",
        ),
        pytest.param(
            lambda schema: json.dumps(body_of(schema, SURROGATE)).encode(),
            "invalid_character",
            id="lone-surrogate",
        ),
        pytest.param(
            lambda schema: json.dumps({"value": "x" * (MAX_JSON_BODY_BYTES + 1)}).encode(),
            "too_large",
            id="over-the-json-limit",
        ),
        pytest.param(
            # Over Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): refused before the parser.
            lambda schema: json.dumps({"value": "x" * 3_000_000}).encode(),
            "too_large",
            id="over-djangos-limit",
        ),
        pytest.param(lambda schema: b"key=value&base_version=1", "parse_error", id="not-json"),
        pytest.param(lambda schema: b"\xff\xfe{}", "parse_error", id="not-utf-8"),
        pytest.param(lambda schema: b'{"value": NaN}', "parse_error", id="nan"),
        pytest.param(lambda schema: b"[]", None, id="a-list-for-an-object"),
        pytest.param(lambda schema: b'"text"', None, id="a-string-for-an-object"),
        pytest.param(lambda schema: b"null", None, id="null-for-an-object"),
    ],
)
def test_every_write_endpoint_refuses_a_hostile_body_with_400_and_saves_nothing(
    admin_client, endpoints, payload, code
):
    for method, url, schema in endpoints:
        before = snapshot()

        response = send(admin_client, method, url, payload(schema))

        assert_refused(response, code)
        assert snapshot() == before, f"{method.upper()} {url} saved something"


def test_the_token_endpoint_refuses_deep_nesting_without_signing_in(client, db):
    response = send(client, "post", "/api/v1/auth/token/", DEEP)

    assert_refused(response, "too_deep")
    assert response.json()["error"]["message"] == (
        f"The JSON is nested too deeply: at most {MAX_JSON_DEPTH} levels."
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (NUL, "The text contains a NUL character (code 0), which cannot be saved."),
        (
            SURROGATE,
            "The text contains an unpaired UTF-16 surrogate (U+D800), which is not a character "
            "and cannot be saved.",
        ),
    ],
)
def test_a_roadmap_field_with_a_forbidden_character_is_refused_with_its_reason(
    admin_client, programme, text, message
):
    body = {"key": "phase1.challenge", "value": text, "base_version": 0}
    for url in (
        f"/api/v1/roadmaps/{programme.roadmap.pk}/fields/",
        f"/roadmaps/{programme.roadmap.pk}/autosave/",
    ):
        response = send(admin_client, "post", url, json.dumps(body).encode())

        assert_refused(response, "invalid_character")
        assert response.json()["error"]["message"] == message
    assert not RoadmapValue.objects.filter(roadmap=programme.roadmap).exists()


def test_an_autosave_over_the_size_limit_answers_json_the_page_can_show(admin_client, programme):
    body = {"key": "phase1.challenge", "value": "x" * 3_000_000, "base_version": 0}

    response = send(
        admin_client, "post", f"/roadmaps/{programme.roadmap.pk}/autosave/", json.dumps(body)
    )

    assert_refused(response, "too_large")
    assert response.json()["error"]["message"] == (
        "The request is too large: send at most 1024 KB."
    )


def test_an_autosave_sent_as_a_form_is_refused_in_json(admin_client, programme):
    response = admin_client.post(
        f"/roadmaps/{programme.roadmap.pk}/autosave/",
        {"key": "phase1.challenge", "value": "text", "base_version": "0"},
    )

    assert response.status_code == 415
    assert response.json() == {
        "error": {
            "status": 415,
            "code": "unsupported_media_type",
            "message": "Send the field as JSON.",
        }
    }


# --- The guard itself ------------------------------------------------------------------------


def test_the_guard_accepts_json_at_the_depth_limit_and_a_surrogate_pair():
    # The object is one level, the arrays in it the others; brackets in strings are text.
    at_limit = "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)
    body = json.dumps({"deep": json.loads(at_limit), "text": "[" * 1000, "emoji": "\U0001f600"})

    assert parse_json_body(body.encode()) == {
        "deep": json.loads(at_limit),
        "text": "[" * 1000,
        "emoji": "\U0001f600",
    }


def test_the_guard_refuses_one_level_more_than_the_limit():
    from portal.api.parsers import BadJSONBody

    over = "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)

    with pytest.raises(BadJSONBody) as refused:
        parse_json_body(over.encode())
    assert refused.value.get_codes() == "too_deep"
