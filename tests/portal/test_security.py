"""Production security: the deploy checklist, the response headers, the refusal to start without a
secret key, and templates that the Content-Security-Policy does not have to loosen for."""

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.urls import reverse

from tests import factories
from tests.portal.deployment import ROOT, env_example

TEMPLATE_FILES = sorted(
    path
    for pattern in ["templates/**/*.html", "*/templates/**/*.html"]
    for path in ROOT.glob(pattern)
    if ".venv" not in path.parts
)
SCRIPT_ELEMENT = re.compile(
    r"<script\b(?P<attributes>[^>]*)>(?P<body>.*?)</script\s*>", re.I | re.S
)
START_TAG = re.compile(r"<[a-zA-Z][^>]*>", re.S)
EVENT_HANDLER = re.compile(r"\s(?P<name>on[a-z]+)\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"""\s(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def run_python(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run the project's Python with only the given environment (plus PATH), so no variable of the
    test process (DATABASE_URL, CI, ...) leaks into what is checked."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_env(tmp_path) -> dict[str, str]:
    env = env_example()
    # A real random key, as the operator is told to generate; the check refuses the placeholder.
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    # `check --deploy` does not query the database; SQLite spares the test a PostgreSQL server.
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'check.sqlite3'}"
    return env


def test_deploy_check_passes_with_the_production_environment(tmp_path):
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path)
    )

    assert (result.returncode, result.stderr) == (0, "")
    # The one silenced check is W021 (HSTS preload), an operator's choice: see settings.py.
    assert result.stdout == "System check identified no issues (1 silenced).\n"


def test_deploy_check_refuses_the_placeholder_secret_key(tmp_path):
    env = production_env(tmp_path)
    env["SECRET_KEY"] = env_example()["SECRET_KEY"]

    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)

    assert result.returncode == 1
    assert "(security.W009) Your SECRET_KEY has less than 50 characters" in result.stderr


def test_settings_import_without_secret_key_and_debug_fails():
    result = run_python(["-c", "import config.settings"], {})

    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: "
        "Set SECRET_KEY (or DEBUG=true for local development)."
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DEBUG": "true"}, "True insecure-development-key-only-used-with-DEBUG"),
        ({"SECRET_KEY": "a-key-from-the-environment"}, "False a-key-from-the-environment"),
    ],
)
def test_settings_import_needs_only_one_of_secret_key_or_debug(env, expected):
    code = "import config.settings as s; print(s.DEBUG, s.SECRET_KEY)"

    result = run_python(["-c", code], env)

    assert (result.returncode, result.stdout) == (0, f"{expected}\n")


def csp_directives(header: str) -> dict[str, str]:
    directives = {}
    for directive in header.split(";"):
        name, _, value = directive.strip().partition(" ")
        directives[name] = value
    return directives


def test_page_sends_the_security_headers(client, db):
    response = client.get(reverse("account_login"))

    assert response.status_code == 200
    directives = csp_directives(response["Content-Security-Policy"])
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    # Browsers ignore HSTS over plain HTTP, so Django sends it on secure requests only.
    assert "Strict-Transport-Security" not in response


# Features the portal never uses; each is off ("()": no origin may use it).
DENIED_FEATURES = ["camera", "microphone", "geolocation", "payment", "usb", "display-capture"]


def permissions_policy(header: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in header.split(", "))


@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/", "/api/v1/", "/api/docs/", "/no-such-page/", "/admin/"]
)
def test_every_response_sends_the_permissions_policy(client, db, path):
    response = client.get(path)

    policy = permissions_policy(response["Permissions-Policy"])
    assert {feature: policy[feature] for feature in DENIED_FEATURES} == dict.fromkeys(
        DENIED_FEATURES, "()"
    )
    # Deny-all: the portal lets no origin, not even its own, use any feature it names.
    assert set(policy.values()) == {"()"}


def test_signed_in_page_and_static_file_send_the_permissions_policy(client, db):
    client.force_login(factories.UserFactory(is_programme_admin=True))

    responses = [client.get("/cities/"), client.get("/static/css/portal.css")]

    assert [response.status_code for response in responses] == [200, 200]
    policies = [permissions_policy(response["Permissions-Policy"]) for response in responses]
    assert [policy["camera"] for policy in policies] == ["()", "()"]


def test_permissions_policy_comes_from_the_setting(client, db, settings):
    settings.PERMISSIONS_POLICY = {"camera": [], "fullscreen": ["self", '"https://x.example"']}

    response = client.get(reverse("account_login"))

    assert response["Permissions-Policy"] == 'camera=(), fullscreen=(self "https://x.example")'


def test_secure_page_sends_hsts(client, db):
    response = client.get(reverse("account_login"), secure=True)

    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def inline_script_problems(text: str) -> list[str]:
    """Return the inline script in a template: script bodies, on* handlers, javascript: URLs."""
    problems = [
        f"<script> with a body: {match['body'].strip()[:60]!r}"
        for match in SCRIPT_ELEMENT.finditer(text)
        if match["body"].strip()
    ]
    problems += [
        f"<script> without src: <script{match['attributes']}>"
        for match in SCRIPT_ELEMENT.finditer(text)
        if not re.search(r"\ssrc\s*=", match["attributes"])
    ]
    for tag in START_TAG.finditer(text):
        problems += [
            f"{m['name']}= handler in {tag[0][:60]!r}" for m in EVENT_HANDLER.finditer(tag[0])
        ]
        if JAVASCRIPT_URL.search(tag[0]):
            problems.append(f"javascript: URL in {tag[0][:60]!r}")
    return problems


@pytest.mark.parametrize(
    ("snippet", "problems"),
    [
        ('<script src="/static/js/portal.js" defer></script>', []),
        ('<button type="submit" class="online">Go</button>', []),
        (
            "<script>\n  alert(1);\n</script>",
            ["<script> with a body: 'alert(1);'", "<script> without src: <script>"],
        ),
        ('<button onclick="go()">Go</button>', ["onclick= handler in '<button onclick=\"go()\">'"]),
        (
            '<body\n  onload="start()">',
            ["onload= handler in '<body\\n  onload=\"start()\">'"],
        ),
        (
            '<a href="javascript:void(0)">x</a>',
            ["javascript: URL in '<a href=\"javascript:void(0)\">'"],
        ),
    ],
)
def test_inline_script_problems_finds_inline_script(snippet, problems):
    assert inline_script_problems(snippet) == problems


def test_templates_have_no_inline_script():
    found = {
        str(path.relative_to(ROOT)): problems
        for path in TEMPLATE_FILES
        if (problems := inline_script_problems(path.read_text()))
    }

    assert ROOT / "templates" / "base.html" in TEMPLATE_FILES
    assert found == {}
