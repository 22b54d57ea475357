"""`make run PORT=N` serves on port N, and links in emails and calendar events lead there:
bin/serve sets SITE_URL from the port unless the caller set it (the settings read SITE_URL).

bin/serve is run for real from a copy of the project's bin/ whose .venv/bin/python and
.venv/bin/celery stand in for the real ones: they load the settings with the environment
bin/serve gave them and write down the SITE_URL the portal would use, instead of serving.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Reads the real settings module (with the environment bin/serve exported) and records the
# SITE_URL and the arguments the portal would run with.
STAND_IN = """#!/bin/sh
exec {python} - "$0" "$@" <<'PY'
import os, sys
sys.path.insert(0, {root!r})
import time
from config import settings_test as settings
command = [os.path.basename(sys.argv[1]), *sys.argv[2:]]
# bin/serve stops the worker and beat when the server exits: the server waits until they have
# written their line (the real server runs until Ctrl-C).
# Without a broker, the periodic tasks' loop (one line) runs first; with one, worker and beat.
if command[:3] == ["python", "manage.py", "runserver"]:
    expected = 2 if os.environ.get("REDIS_URL") else 1
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (
        not os.path.exists({log!r}) or len(open({log!r}).read().splitlines()) < expected
    ):
        time.sleep(0.1)
with open({log!r}, "a") as log:
    log.write(" ".join(command) + " -> " + settings.SITE_URL + "\\n")
PY
"""


@pytest.fixture
def serve(tmp_path):
    (tmp_path / "bin").mkdir()
    shutil.copy(ROOT / "bin" / "serve", tmp_path / "bin" / "serve")
    venv = tmp_path / ".venv" / "bin"
    venv.mkdir(parents=True)
    log = tmp_path / "ran.log"
    for name in ("python", "celery"):
        stand_in = venv / name
        stand_in.write_text(STAND_IN.format(python=sys.executable, root=str(ROOT), log=str(log)))
        stand_in.chmod(0o755)

    def run(*args: str, **env: str) -> list[str]:
        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in {"SITE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
        }
        subprocess.run(
            [str(tmp_path / "bin" / "serve"), *args],
            env={**environment, **env},
            check=True,
            capture_output=True,
            timeout=120,
        )
        return sorted(log.read_text().splitlines())

    return run


def test_serve_on_a_port_sets_site_url_to_that_port(serve):
    assert serve("8803") == [
        "python manage.py run_periodic_tasks -> http://127.0.0.1:8803",
        "python manage.py runserver 127.0.0.1:8803 -> http://127.0.0.1:8803",
    ]


def test_serve_without_a_port_serves_8000_and_links_there(serve):
    assert serve() == [
        "python manage.py run_periodic_tasks -> http://127.0.0.1:8000",
        "python manage.py runserver 127.0.0.1:8000 -> http://127.0.0.1:8000",
    ]


def test_serve_keeps_a_site_url_the_caller_set(serve):
    assert serve("8803", SITE_URL="https://portal.example.eu/") == [
        "python manage.py run_periodic_tasks -> https://portal.example.eu",
        "python manage.py runserver 127.0.0.1:8803 -> https://portal.example.eu",
    ]


def test_serve_gives_the_worker_and_beat_the_same_site_url(serve):
    # Emails written by periodic work (the reminders) are rendered in the worker.
    assert serve("8803", REDIS_URL="redis://127.0.0.1:6379/15") == [
        "celery -A config beat --loglevel=INFO -> http://127.0.0.1:8803",
        "celery -A config worker --loglevel=INFO --concurrency=2 -> http://127.0.0.1:8803",
        "python manage.py runserver 127.0.0.1:8803 -> http://127.0.0.1:8803",
    ]


def test_make_run_passes_its_port_to_serve():
    # Under `make test` this is a sub-make, which would print "Entering/Leaving directory".
    dry_run = subprocess.run(
        ["make", "--no-print-directory", "-n", "run", "PORT=8803"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout

    assert dry_run.splitlines()[-1] == "bin/serve 8803"
