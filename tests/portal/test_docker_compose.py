"""docker-compose.yml, the Dockerfile and .env.example describe a stack that can start.

Docker does not run in the test environment, so these tests check the files against the code:
every command names a module, a Celery app or a management command that exists and accepts the
options given, and every variable has a value in .env.example.
"""

import itertools
import json
import re
from urllib.parse import urlsplit

import pytest

from tests.portal.deployment import (
    ROOT,
    command_problems,
    compose,
    compose_variables,
    dockerfile_instructions,
    env_example,
    healthcheck_argv,
    settings_variables,
)

APP_SERVICES = ["migrate", "web", "worker", "beat"]


def test_compose_services_are_the_whole_stack():
    services = compose()["services"]

    assert sorted(services) == sorted(
        [*APP_SERVICES, "postgres", "redis", "mailpit", "minio", "minio-bucket"]
    )
    assert services["minio"]["image"].split(":")[0] == "minio/minio"
    assert services["minio-bucket"]["image"].split(":")[0] == "minio/mc"
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    assert services["mailpit"]["image"].split(":")[0] == "axllent/mailpit"


def test_compose_app_services_share_one_image_definition():
    services = compose()["services"]

    definitions = {
        name: (services[name]["build"], services[name]["image"], services[name]["env_file"])
        for name in APP_SERVICES
    }

    assert set(definitions.values()) == {(".", "city-peer-learning-portal:latest", ".env")}
    assert (ROOT / "Dockerfile").is_file()


@pytest.mark.parametrize("service", APP_SERVICES)
def test_compose_command_names_what_exists(service):
    assert command_problems(compose()["services"][service]["command"]) == []


def test_compose_commands_run_the_expected_programs():
    services = compose()["services"]

    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["web"]["command"][:2] == ["gunicorn", "config.wsgi:application"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    assert (ROOT / "config" / "wsgi.py").is_file()
    assert (ROOT / "config" / "celery.py").is_file()


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        ("python manage.py no_such_command", "manage.py no_such_command: no such command"),
        (
            "python manage.py migrate --no-such-option",
            "manage.py migrate: Error: unrecognized arguments: --no-such-option",
        ),
        (
            "gunicorn portal.no_such_module:application",
            "portal.no_such_module:application: No module named 'portal.no_such_module'",
        ),
        ("gunicorn config.wsgi:app", "config.wsgi:app: module config.wsgi has no app"),
        ("celery -A config no_such_subcommand", "celery: no subcommand 'no_such_subcommand'"),
        (
            "celery -A config inspect no_such_action",
            "celery inspect: no inspect action 'no_such_action'",
        ),
        (
            "celery -A config worker --no-such-option",
            "celery -A config worker --no-such-option: No such option '--no-such-option'.",
        ),
        ("uwsgi --module config.wsgi", "uwsgi: not a program this project's image provides"),
        (
            "sh -c 'python manage.py migrate && python manage.py nope'",
            "manage.py nope: no such command",
        ),
    ],
)
def test_command_problems_reports_what_does_not_exist(command, problem):
    assert command_problems(command) == [problem]


def test_compose_healthchecks_cover_the_long_running_services():
    services = compose()["services"]

    with_healthcheck = sorted(
        name for name, service in services.items() if "healthcheck" in service
    )

    # beat has no endpoint to ask and migrate exits when done.
    assert with_healthcheck == ["mailpit", "minio", "postgres", "redis", "web", "worker"]
    for name in ["web", "worker"]:
        argv = healthcheck_argv(services[name]["healthcheck"]["test"])
        assert command_problems(argv) == [], name


def test_compose_web_healthcheck_passes_the_production_https_redirect(client, db, settings):
    services = compose()["services"]
    argv = healthcheck_argv(services["web"]["healthcheck"]["test"])
    host = env_example()["ALLOWED_HOSTS"].split(",")[0]
    settings.ALLOWED_HOSTS = [host]
    settings.SECURE_SSL_REDIRECT = True

    assert "'http://127.0.0.1:8000/health/'" in argv[2]
    assert "'X-Forwarded-Proto': 'https'" in argv[2]
    # Without the header production redirects to HTTPS, which gunicorn does not speak.
    plain = client.get("/health/", headers={"host": host})
    assert (plain.status_code, plain["Location"]) == (301, f"https://{host}/health/")
    response = client.get("/health/", headers={"host": host, "x-forwarded-proto": "https"})
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_compose_app_services_wait_for_their_dependencies():
    services = compose()["services"]
    healthy = {"condition": "service_healthy"}

    for name in ["web", "worker", "beat"]:
        assert services[name]["depends_on"] == {
            "postgres": healthy,
            "redis": healthy,
            "mailpit": healthy,
            "migrate": {"condition": "service_completed_successfully"},
            "minio-bucket": {"condition": "service_completed_successfully"},
        }, name
    assert services["migrate"]["depends_on"] == {"postgres": healthy}


def test_compose_volumes_are_named():
    document = compose()
    mounts = {
        name: [volume.split(":")[:2] for volume in service.get("volumes", [])]
        for name, service in document["services"].items()
    }

    assert sorted(document["volumes"]) == ["media", "minio-data", "postgres-data", "redis-data"]
    assert mounts == {
        "migrate": [["media", "/app/media"]],
        "web": [["media", "/app/media"]],
        "worker": [["media", "/app/media"]],
        "beat": [["media", "/app/media"]],
        "postgres": [["postgres-data", "/var/lib/postgresql/data"]],
        "redis": [["redis-data", "/data"]],
        "mailpit": [],
        "minio": [["minio-data", "/data"]],
        "minio-bucket": [],
    }
    # The media volume is mounted where the settings put uploaded files.
    assert env_example()["MEDIA_ROOT"] == "/app/media"


def test_compose_variables_exist_in_env_example():
    variables = compose_variables()

    assert {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"} <= variables
    assert variables - set(env_example()) == set()


def test_env_example_lists_every_variable_settings_reads():
    variables = settings_variables()

    assert {"SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL"} <= variables
    assert variables - set(env_example()) == set()


def test_env_example_points_at_the_compose_services():
    env = env_example()
    database = urlsplit(env["DATABASE_URL"])

    assert env["DEBUG"] == "false"
    assert (database.scheme, database.hostname, database.port) == ("postgres", "postgres", 5432)
    assert (database.username, database.password, database.path) == (
        env["POSTGRES_USER"],
        env["POSTGRES_PASSWORD"],
        f"/{env['POSTGRES_DB']}",
    )
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    # Clearing the cache flushes its Redis database; the broker's queue lives in another one.
    assert env["CELERY_BROKER_URL"] == "redis://redis:6379/1"
    assert (env["EMAIL_HOST"], env["EMAIL_PORT"]) == ("mailpit", "1025")
    assert env["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    # Files go to the minio service's bucket, which the minio-bucket step creates.
    assert (env["S3_ENDPOINT_URL"], env["S3_BUCKET"]) == ("http://minio:9000", "portal-files")
    host = env["ALLOWED_HOSTS"].split(",")[0]
    assert env["SITE_URL"] == f"https://{host}"
    assert env["CSRF_TRUSTED_ORIGINS"] == f"https://{host}"


def test_env_example_comments_every_variable():
    lines = (ROOT / ".env.example").read_text().splitlines()

    uncommented = [
        line.split("=")[0]
        for previous, line in itertools.pairwise(lines)
        if re.match(r"^[A-Z][A-Z0-9_]*=", line) and not previous.startswith("#")
    ]

    assert uncommented == []


def test_dockerfile_builds_a_non_root_gunicorn_image():
    instructions = dockerfile_instructions()
    by_keyword = {}
    for keyword, arguments in instructions:
        by_keyword.setdefault(keyword, []).append(arguments)

    assert by_keyword["FROM"] == ["python:3.13-slim"]
    assert by_keyword["USER"] == ["app"]
    copied = [arguments.split()[0] for arguments in by_keyword["COPY"]]
    assert copied == ["requirements/base.txt", "."]
    assert (ROOT / "requirements" / "base.txt").is_file()
    assert any("pip install -r requirements/base.txt" in run for run in by_keyword["RUN"])
    collectstatic = [run for run in by_keyword["RUN"] if "collectstatic" in run]
    assert len(collectstatic) == 1
    assert "SECRET_KEY=" in collectstatic[0]
    assert command_problems(["python", "manage.py", "collectstatic", "--noinput"]) == []
    # USER comes after the build steps, so the running container is not root.
    keywords = [keyword for keyword, _ in instructions]
    assert keywords.index("USER") > max(i for i, k in enumerate(keywords) if k == "RUN")
    command = json.loads(by_keyword["CMD"][0])
    assert command == compose()["services"]["web"]["command"]
    assert command_problems(command) == []


def test_dockerignore_keeps_secrets_and_local_state_out():
    ignored = (ROOT / ".dockerignore").read_text().splitlines()

    assert {".env", ".git", ".venv", "db.sqlite3", "media", "staticfiles"} <= set(ignored)
