"""The OpenAPI schema and the Swagger UI docs: public, same-origin, no inline script."""

import json
import re
from html.parser import HTMLParser

import pytest
import yaml
from django.test import Client


class ScriptCollector(HTMLParser):
    """Collect every <script>: its src and the text between its tags."""

    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append({"src": dict(attrs).get("src"), "body": ""})
            self._inside = True

    def handle_endtag(self, tag):
        if tag == "script":
            self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.scripts[-1]["body"] += data


def test_schema_is_public_openapi_3_yaml_with_our_endpoints(client, db):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oai.openapi; charset=utf-8"
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert sorted(schema["paths"]) == [
        "/api/v1/auth/token/",
        "/api/v1/cities/",
        "/api/v1/cities/{id}/",
        "/api/v1/climate-actions/",
        "/api/v1/climate-actions/{id}/",
        "/api/v1/cohorts/",
        "/api/v1/cohorts/{id}/",
        "/api/v1/countries/",
        "/api/v1/countries/{id}/",
        "/api/v1/datasets/",
        "/api/v1/datasets/dictionary.csv",
        "/api/v1/datasets/{key}/",
        "/api/v1/enabling-factors/",
        "/api/v1/enabling-factors/{id}/",
        "/api/v1/enabling-themes/",
        "/api/v1/enabling-themes/{id}/",
        "/api/v1/enrolments/",
        "/api/v1/enrolments/{id}/",
        "/api/v1/enrolments/{id}/accept/",
        "/api/v1/enrolments/{id}/decline/",
        "/api/v1/me/",
        "/api/v1/netzerocities-services/",
        "/api/v1/netzerocities-services/{id}/",
        "/api/v1/phases/",
        "/api/v1/phases/{id}/",
        "/api/v1/registrations/",
        "/api/v1/registrations/{id}/",
        "/api/v1/roadmaps/",
        "/api/v1/roadmaps/{id}/",
        "/api/v1/roadmaps/{id}/accept/",
        "/api/v1/roadmaps/{id}/comments/",
        "/api/v1/roadmaps/{id}/fields/",
        "/api/v1/roadmaps/{id}/history/",
        "/api/v1/roadmaps/{id}/return/",
        "/api/v1/roadmaps/{id}/submit/",
        "/api/v1/sectors/",
        "/api/v1/sectors/{id}/",
        "/api/v1/session-presentations/",
        "/api/v1/session-presentations/{id}/",
        "/api/v1/sessions/",
        "/api/v1/sessions/{id}/",
        "/api/v1/sessions/{id}/attendance/",
        "/api/v1/surveys/",
        "/api/v1/surveys/{id}/",
        "/api/v1/surveys/{id}/response/",
        "/api/v1/surveys/{id}/response/submit/",
        "/api/v1/surveys/{id}/responses/",
        "/api/v1/surveys/{id}/results/",
        "/api/v1/thematic-groups/",
        "/api/v1/thematic-groups/{id}/",
        "/api/v1/visit-applications/",
        "/api/v1/visit-applications/{id}/",
        "/api/v1/visit-applications/{id}/score/",
        "/api/v1/visit-applications/{id}/submit/",
        "/api/v1/visit-applications/{id}/withdraw/",
        "/api/v1/visit-calls/",
        "/api/v1/visit-calls/{id}/",
        "/api/v1/visit-calls/{id}/allocation/",
        "/api/v1/visit-calls/{id}/allocation/publish/",
        "/api/v1/visit-calls/{id}/allocation/run/",
        "/api/v1/visit-calls/{id}/scoring/",
        "/api/v1/visit-reviews/",
        "/api/v1/visit-reviews/{id}/",
        "/api/v1/visit-reviews/{id}/recuse/",
        "/api/v1/visit-reviews/{id}/submit/",
    ]
    assert sorted(schema["components"]["securitySchemes"]) == ["cookieAuth", "tokenAuth"]


def test_schema_as_json_describes_the_city_filters(client, db):
    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = json.loads(response.content)
    parameters = {p["name"] for p in schema["paths"]["/api/v1/cities/"]["get"]["parameters"]}
    assert parameters == {
        "cohort",
        "country",
        "type",
        "name",
        "thematic_interest",
        "search",
        "ordering",
        "page",
        "page_size",
    }


@pytest.fixture
def static_client(settings):
    # Tests run without collectstatic; let WhiteNoise find the files where `runserver` and
    # collectstatic would, so that the docs' script URLs can be fetched.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    return Client()


def test_docs_page_is_public_and_loads_only_same_origin_scripts(static_client, db):
    response = static_client.get("/api/docs/")

    assert response.status_code == 200
    assert "script-src 'self';" in response["Content-Security-Policy"]
    html = response.content.decode()
    collector = ScriptCollector()
    collector.feed(html)
    assert [script["src"] for script in collector.scripts] == [
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
        "/api/docs/?script=",
    ]
    # No inline script: every <script> has a src and an empty body.
    assert [script["body"].strip() for script in collector.scripts] == ["", "", ""]
    # Nothing at all from another origin (no CDN): every src/href is a path on this site.
    assert [
        url for url in re.findall(r'(?:src|href)="([^"]+)"', html) if not url.startswith("/")
    ] == []

    for script in collector.scripts:
        served = static_client.get(script["src"])
        assert served.status_code == 200, script["src"]
        assert served["Content-Type"].startswith(("application/javascript", "text/javascript"))
        assert len(b"".join(served.streaming_content) if served.streaming else served.content) > 0


def test_docs_start_up_script_points_at_our_schema(client, db):
    response = client.get("/api/docs/", {"script": ""})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript"
    body = response.content.decode()
    assert 'url: "/api/schema/"' in body
    assert '"validatorUrl": null' in body


@pytest.fixture
def schema(client, db):
    return json.loads(client.get("/api/schema/", {"format": "json"}).content)


def operations_of(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method.upper(), operation


def test_every_operation_documents_its_errors_in_the_one_error_shape(schema):
    error = {"$ref": "#/components/schemas/Error"}
    documented = {}
    for path, method, operation in operations_of(schema):
        for status, response in operation["responses"].items():
            if status.startswith("4") and status != "409":
                assert response["content"] == {"application/json": {"schema": error}}, (
                    method,
                    path,
                    status,
                )
        documented[f"{method} {path}"] = sorted(operation["responses"])

    assert documented["GET /api/v1/cities/"] == ["200", "400", "401", "403", "404"]
    assert documented["GET /api/v1/cities/{id}/"] == ["200", "401", "403", "404"]
    assert documented["GET /api/v1/me/"] == ["200", "401"]
    assert documented["GET /api/v1/cohorts/{id}/"] == ["200", "401", "404"]
    assert documented["POST /api/v1/roadmaps/{id}/fields/"] == [
        "200",
        "400",
        "401",
        "403",
        "404",
        "409",
    ]
    assert documented["POST /api/v1/roadmaps/{id}/comments/"] == [
        "201",
        "400",
        "401",
        "403",
        "404",
    ]
    assert documented["DELETE /api/v1/registrations/{id}/"] == [
        "204",
        "400",
        "401",
        "403",
        "404",
    ]
    assert "429" in documented["POST /api/v1/auth/token/"]
    assert schema["components"]["schemas"]["Error"] == {
        "type": "object",
        "description": "The body of every refusal.",
        "properties": {"error": {"$ref": "#/components/schemas/ErrorDetail"}},
        "required": ["error"],
    }


def test_a_field_save_documents_its_saved_and_conflict_bodies(schema):
    responses = schema["paths"]["/api/v1/roadmaps/{id}/fields/"]["post"]["responses"]

    def ref(status):
        return responses[status]["content"]["application/json"]["schema"]["$ref"]

    assert ref("200") == "#/components/schemas/FieldSaved"
    assert ref("409") == "#/components/schemas/FieldConflict"
    assert sorted(schema["components"]["schemas"]["FieldSaved"]["properties"]) == [
        "key",
        "percent_complete",
        "saved_at",
        "saved_at_display",
        "version",
    ]
    assert sorted(schema["components"]["schemas"]["FieldConflict"]["properties"]) == [
        "conflict",
        "error",
    ]


def test_roadmap_comments_are_documented_as_the_plain_list_they_are(schema):
    operation = schema["paths"]["/api/v1/roadmaps/{id}/comments/"]["get"]

    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Comment"},
    }
    assert [p["name"] for p in operation["parameters"]] == ["id"]


def test_sub_resources_do_not_list_the_collections_filters(schema):
    parameters = {
        f"{method} {path}": sorted(p["name"] for p in operation.get("parameters", []))
        for path, method, operation in operations_of(schema)
        if path.count("/") > 5  # /api/v1/<collection>/{id}/<sub-resource>/
    }

    assert parameters == {
        "POST /api/v1/enrolments/{id}/accept/": ["id"],
        "POST /api/v1/enrolments/{id}/decline/": ["id"],
        "POST /api/v1/roadmaps/{id}/accept/": ["id"],
        "GET /api/v1/roadmaps/{id}/comments/": ["id"],
        "POST /api/v1/roadmaps/{id}/comments/": ["id"],
        "POST /api/v1/roadmaps/{id}/fields/": ["id"],
        "GET /api/v1/roadmaps/{id}/history/": ["id", "key", "page", "page_size"],
        "POST /api/v1/roadmaps/{id}/return/": ["id"],
        "POST /api/v1/roadmaps/{id}/submit/": ["id"],
        "GET /api/v1/sessions/{id}/attendance/": ["id"],
        "POST /api/v1/sessions/{id}/attendance/": ["id"],
        # The caller's own response: which of their cities, for a survey answered per city.
        "GET /api/v1/surveys/{id}/response/": ["city", "id"],
        "PUT /api/v1/surveys/{id}/response/": ["id"],
        "POST /api/v1/surveys/{id}/response/submit/": ["id"],
        # The results page's own filters, and the responses' pages.
        "GET /api/v1/surveys/{id}/responses/": [
            "city_type",
            "cohort",
            "country",
            "group",
            "id",
            "page",
            "page_size",
        ],
        "GET /api/v1/surveys/{id}/results/": ["city_type", "cohort", "country", "group", "id"],
        # Group Study Visits (visits/api.py): one object and what hangs from it.
        "GET /api/v1/visit-applications/{id}/score/": ["id"],
        "POST /api/v1/visit-applications/{id}/submit/": ["id"],
        "POST /api/v1/visit-applications/{id}/withdraw/": ["id"],
        "GET /api/v1/visit-calls/{id}/allocation/": ["id"],
        "POST /api/v1/visit-calls/{id}/allocation/publish/": ["id"],
        "POST /api/v1/visit-calls/{id}/allocation/run/": ["id"],
        "POST /api/v1/visit-calls/{id}/scoring/": ["id"],
        "POST /api/v1/visit-reviews/{id}/recuse/": ["id"],
        "POST /api/v1/visit-reviews/{id}/submit/": ["id"],
    }


def test_request_bodies_are_json_only_and_do_not_ask_for_read_only_fields(schema):
    for path, _method, operation in operations_of(schema):
        if "requestBody" in operation:
            assert list(operation["requestBody"]["content"]) == ["application/json"], path

    comment_request = schema["components"]["schemas"]["CommentRequest"]
    assert sorted(comment_request["properties"]) == ["body", "section"]
    assert sorted(comment_request["required"]) == ["body", "section"]
