"""Two people saving the same roadmap at the same moment, against a real server on SQLite.

`make run` serves the portal with runserver on a SQLite file. Two officers of Lisbon sign in
and their saves are fired together (a threading.Barrier) for several rounds:

- the same field from the same base version: one is saved, the other is told (409) and the
  stored text is the winner's;
- two different fields: both are saved;
- the page without JavaScript (the whole form) while a colleague's autosave lands: both saved
  on different fields; on the same field one is saved and the other is shown the winner's text.

No round may answer 5xx ("database is locked"). The server is a separate process with its own
environment, so this runs on SQLite even where the suite itself runs on PostgreSQL (CI).
"""

import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import closing
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest
import requests

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 10
ANA = "ana@lisboa.example"
RUI = "rui@lisboa.example"

# The server process: the schema, Lisbon's roadmap in a cohort whose phases have all started
# (every section is open) with Lisbon's two officers, then what bin/serve runs for `make run`
# (runserver, without the autoreloader's second process). Decision: the tables are created from
# the models (migrate --run-syncdb with migrations off, as pytest-django's --nomigrations does)
# because replaying every migration costs 10 s of CPU; the server itself runs config.settings.
SERVE = f"""
import datetime, sys
import django
django.setup()
from django.apps import apps
from django.core.management import call_command
from django.db import connections
from django.test.utils import override_settings
from django.utils import timezone

with override_settings(MIGRATION_MODULES={{app.label: None for app in apps.get_app_configs()}}):
    call_command("migrate", run_syncdb=True, verbosity=0)

from accounts.models import User
from cohorts.services import cohort_create
from roadmaps.services import roadmap_open
from tests import factories

today = timezone.localdate()
cohort = cohort_create(
    programme="odg", number=1, name="Online Discussion Groups cohort 1",
    starts_on=today - datetime.timedelta(days=120), ends_on=today + datetime.timedelta(days=30),
    acting_user=User.objects.create(email="lea@example.org", is_facilitator=True),
)
lisbon = factories.CityFactory(name="Lisbon")
factories.city_officer(city=lisbon, email={ANA!r}, full_name="Ana Silva")
factories.city_officer(city=lisbon, email={RUI!r}, full_name="Rui Costa")
roadmap_open(cohort=cohort, city=lisbon)
connections.close_all()
call_command("runserver", sys.argv[1], use_reloader=False)
"""


@dataclass
class LiveServer:
    url: str
    database: Path
    roadmap: int


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_env(database: Path) -> dict[str, str]:
    """The environment of `make run`, on a database of its own: no PostgreSQL, no Redis."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="true",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture(scope="module")
def live_server_on_sqlite(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sqlite_races")
    database = folder / "db.sqlite3"
    address = f"127.0.0.1:{_free_port()}"
    log_path = folder / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-c", SERVE, address],
            cwd=ROOT,
            env=_server_env(database),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://{address}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/health/", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the server did not start:\n{log_path.read_text()}")
            time.sleep(0.1)
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
            (roadmap,) = connection.execute("SELECT id FROM roadmaps_roadmap").fetchone()
        yield LiveServer(url=url, database=database, roadmap=roadmap)
    finally:
        server.terminate()
        server.wait(timeout=10)


class Person:
    """One signed-in browser: a session cookie and the CSRF token the page script sends."""

    def __init__(self, server: LiveServer, email: str):
        self.server = server
        self.http = requests.Session()
        login = f"{server.url}/accounts/login/"
        self.http.get(login, timeout=10)
        answer = self.http.post(
            login,
            data={
                "login": email,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.http.cookies["csrftoken"],
            },
            headers={"Referer": login},
            allow_redirects=False,
            timeout=10,
        )
        assert answer.status_code == 302, answer.text[:500]

    @property
    def edit_url(self) -> str:
        return f"{self.server.url}/roadmaps/{self.server.roadmap}/"

    def autosave(self, key: str, value: str, base_version: int) -> requests.Response:
        return self.http.post(
            f"{self.edit_url}autosave/",
            data=json.dumps({"key": key, "value": value, "base_version": base_version}),
            headers={
                "Content-Type": "application/json",
                "X-CSRFToken": self.http.cookies["csrftoken"],
            },
            timeout=30,
        )

    def post_form(self, values: dict[str, tuple[str, int]]) -> requests.Response:
        """Post the page without JavaScript: every field with the version it was loaded at."""
        data = {"csrfmiddlewaretoken": self.http.cookies["csrftoken"]}
        for key, (value, version) in values.items():
            data[key] = value
            data[f"version.{key}"] = str(version)
        return self.http.post(
            self.edit_url,
            data=data,
            headers={"Referer": self.edit_url},
            allow_redirects=False,
            timeout=30,
        )


def stored(server: LiveServer) -> dict[str, tuple[str, int]]:
    """The roadmap's saved fields as the server's database holds them: key -> (text, version)."""
    with closing(sqlite3.connect(f"file:{server.database}?mode=ro", uri=True)) as connection:
        rows = connection.execute(
            "SELECT key, value, version FROM roadmaps_roadmapvalue WHERE roadmap_id = ?",
            (server.roadmap,),
        ).fetchall()
    return {key: (value, version) for key, value, version in rows}


def at_once(*saves):
    """Run the saves (callables) in threads released together; return their answers in order."""
    barrier = threading.Barrier(len(saves))
    answers: list = [None] * len(saves)

    def run(index, save):
        barrier.wait()
        answers[index] = save()

    threads = [threading.Thread(target=run, args=(i, save)) for i, save in enumerate(saves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.fixture(scope="module")
def people(live_server_on_sqlite):
    return Person(live_server_on_sqlite, ANA), Person(live_server_on_sqlite, RUI)


def test_same_field_same_version_one_saved_one_told(live_server_on_sqlite, people):
    ana, rui = people
    key = "representative.role"
    outcomes = Counter()
    for round_number in range(ROUNDS):
        version = stored(live_server_on_sqlite).get(key, ("", 0))[1]
        texts = (f"Ana's role {round_number}", f"Rui's role {round_number}")
        answers = at_once(
            partial(ana.autosave, key, texts[0], version),
            partial(rui.autosave, key, texts[1], version),
        )
        codes = [answer.status_code for answer in answers]
        outcomes[tuple(sorted(codes))] += 1
        if sorted(codes) != [200, 409]:
            continue
        winner = codes.index(200)
        loser = 1 - winner
        assert answers[winner].json()["version"] == version + 1
        conflict = answers[loser].json()["conflict"]
        assert (conflict["yours"], conflict["theirs"], conflict["their_version"]) == (
            texts[loser],
            texts[winner],
            version + 1,
        )
        assert stored(live_server_on_sqlite)[key] == (texts[winner], version + 1)
    assert outcomes == {(200, 409): ROUNDS}, outcomes


def test_different_fields_both_saved(live_server_on_sqlite, people):
    ana, rui = people
    outcomes = Counter()
    for round_number in range(ROUNDS):
        before = stored(live_server_on_sqlite)
        first = before.get("representative.first_name", ("", 0))[1]
        last = before.get("representative.last_name", ("", 0))[1]
        answers = at_once(
            partial(ana.autosave, "representative.first_name", f"Ana {round_number}", first),
            partial(rui.autosave, "representative.last_name", f"Costa {round_number}", last),
        )
        outcomes[tuple(answer.status_code for answer in answers)] += 1
        after = stored(live_server_on_sqlite)
        if all(answer.status_code == 200 for answer in answers):
            assert after["representative.first_name"] == (f"Ana {round_number}", first + 1)
            assert after["representative.last_name"] == (f"Costa {round_number}", last + 1)
    assert outcomes == {(200, 200): ROUNDS}, outcomes


def test_page_without_javascript_and_autosave_of_another_field_both_saved(
    live_server_on_sqlite, people
):
    ana, rui = people
    outcomes = Counter()
    for round_number in range(ROUNDS):
        loaded = stored(live_server_on_sqlite)
        first_name = loaded.get("representative.first_name", ("", 0))
        role_version = loaded.get("representative.role", ("", 0))[1]
        # Ana's page posts the first name back as she loaded it, with a new role; Rui's
        # autosave changes the first name at the same moment.
        form = {
            "representative.first_name": first_name,
            "representative.role": (f"Officer {round_number}", role_version),
        }
        answers = at_once(
            partial(ana.post_form, form),
            partial(
                rui.autosave, "representative.first_name", f"Rui {round_number}", first_name[1]
            ),
        )
        # 302: the form is saved and the page reloads.
        outcomes[tuple(answer.status_code for answer in answers)] += 1
        after = stored(live_server_on_sqlite)
        if [answer.status_code for answer in answers] == [302, 200]:
            assert after["representative.role"] == (f"Officer {round_number}", role_version + 1)
            assert after["representative.first_name"] == (f"Rui {round_number}", first_name[1] + 1)
    assert outcomes == {(302, 200): ROUNDS}, outcomes


def test_page_without_javascript_and_autosave_of_the_same_field_one_saved_one_told(
    live_server_on_sqlite, people
):
    ana, rui = people
    key = "representative.last_name"
    outcomes = Counter()
    for round_number in range(ROUNDS):
        version = stored(live_server_on_sqlite).get(key, ("", 0))[1]
        texts = (f"Silva {round_number}", f"Costa {round_number}")
        answers = at_once(
            partial(ana.post_form, {key: (texts[0], version)}),
            partial(rui.autosave, key, texts[1], version),
        )
        codes = tuple(answer.status_code for answer in answers)
        outcomes[codes] += 1
        if codes == (302, 409):  # the page was first: Rui is shown Ana's text
            assert answers[1].json()["conflict"]["theirs"] == texts[0]
            assert stored(live_server_on_sqlite)[key] == (texts[0], version + 1)
        elif codes == (400, 200):  # the autosave was first: the page shows Rui's text, keeps Ana's
            assert texts[1] in answers[0].text
            assert texts[0] in answers[0].text
            assert stored(live_server_on_sqlite)[key] == (texts[1], version + 1)
    assert set(outcomes) <= {(302, 409), (400, 200)}, outcomes
