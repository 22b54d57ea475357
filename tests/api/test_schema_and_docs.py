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
        "/api/v1/enrolments/",
        "/api/v1/enrolments/{id}/",
        "/api/v1/enrolments/{id}/accept/",
        "/api/v1/enrolments/{id}/decline/",
        "/api/v1/me/",
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
        "/api/v1/sessions/",
        "/api/v1/sessions/{id}/",
        "/api/v1/sessions/{id}/attendance/",
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
