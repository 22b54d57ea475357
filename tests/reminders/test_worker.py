"""Exactly once with real workers on Redis (issue 13, "Quality"): two evaluations at the same
moment plan and send each reminder once; a worker killed in the middle of a batch and a new
one started after it send each reminder once.

Both need PostgreSQL (other connections, threads and processes, see the test's rows) and Redis;
with CI=true they fail rather than skip when either is missing (tests/conftest.py `require`).
"""

import datetime
import email
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import before_task_publish, task_postrun
from django.conf import settings
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from config.celery import app
from notifications.enums import DeliveryStatus, ReminderKind
from notifications.models import OutboundEmail
from notifications.services import STUCK_AFTER, emails_sweep_stuck
from reminders.catalogue import occurrence_at
from reminders.planning import reminders_evaluate
from tests.conftest import require
from tests.factories import (
    CityFactory,
    CohortFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
)
from tests.reminders.mail_files import HOLDING, accepted

WAIT_SECONDS = 30


def require_postgres_and_redis() -> None:
    require(bool(os.environ.get("REDIS_URL")), "REDIS_URL is not set: no Redis broker")
    require(
        app.conf.broker_url.startswith("redis://"),
        f"Celery's broker is {app.conf.broker_url}, not Redis",
    )
    require(
        connection.vendor == "postgresql",
        "DATABASE_URL is not PostgreSQL: other connections cannot see an in-memory SQLite database",
    )


def wait_until(condition, what: str, *, logs=()) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    written = "".join(
        f"\n--- {path.name} ---\n{path.read_text(errors='replace')[-3000:]}" for path in logs
    )
    pytest.fail(f"{what}: not after {WAIT_SECONDS} s{written}")


def registrations_due_now(*, sessions: int, each: int) -> list:
    """`sessions` sessions starting in 30 minutes with `each` registrations: one reminder per
    registration ("in 1 hour", due now; the one a day ahead is past and not planned). One
    person in three has an account, in French, so the worker renders both kinds."""
    starts = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(minutes=30)
    cohort = CohortFactory()
    city = CityFactory()
    registrations = []
    for n in range(sessions):
        session = SessionFactory(
            cohort=cohort,
            title=f"Exactly once {n}",
            starts_at=starts + datetime.timedelta(minutes=n),
            meeting_url="https://meet.example.org/once",
        )
        for k in range(each):
            address = f"person-{n}-{k}@braga.example.org"
            if k % 3 == 0:
                UserFactory(email=address, language="fr")
            registrations.append(RegistrationFactory(session=session, city=city, email=address))
    return registrations


def expected_keys(registrations) -> set[str]:
    return {
        f"session_starts:session:{r.session_id}:r{r.pk}:{occurrence_at(60, r.session.starts_at)}"
        for r in registrations
    }


def statuses() -> Counter:
    return Counter(
        OutboundEmail.objects.filter(kind=ReminderKind.SESSION_STARTS).values_list(
            "status", flat=True
        )
    )


# --- Two evaluations at once, a worker of two threads on Redis --------------------------------


class TasksInFlight:
    """Tasks published and finished in this process: the evaluations' threads and the worker's
    threads (deliver_due queues itself again) both publish here. `before_task_publish` counts
    a task before a worker can take it, so `idle()` is never true while one is on its way."""

    def __init__(self):
        self._lock = threading.Lock()
        self.published = Counter()
        self.finished = Counter()

    def on_publish(self, sender=None, **kwargs):
        with self._lock:
            self.published[sender] += 1

    def on_postrun(self, task=None, **kwargs):
        with self._lock:
            self.finished[task.name] += 1
        # The worker thread's connection, closed so that the test database can be flushed.
        connections.close_all()

    def idle(self) -> bool:
        with self._lock:
            return self.published == self.finished


@pytest.fixture
def thread_worker():
    """A worker of two threads in this process, taking tasks from Redis (so the locmem outbox
    is shared with the test); tasks are published there instead of run eagerly."""
    require_postgres_and_redis()
    tasks = TasksInFlight()
    before_task_publish.connect(tasks.on_publish, weak=False)
    task_postrun.connect(tasks.on_postrun, weak=False)
    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.control.purge()  # nothing left over by an earlier run
    try:
        with start_worker(
            app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=30
        ):
            yield tasks
    finally:
        app.conf.task_always_eager = was_eager
        before_task_publish.disconnect(tasks.on_publish)
        task_postrun.disconnect(tasks.on_postrun)


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_evaluation_run_twice_at_once_sends_each_message_once(thread_worker):
    registrations = registrations_due_now(sessions=4, each=10)
    barrier = threading.Barrier(2)
    errors = []

    def evaluate():
        # Each thread has its own database connection (Django's are per thread): the two
        # evaluations are two transactions racing for the same keys.
        try:
            barrier.wait(timeout=10)
            # Outside a transaction, so each queues notifications.deliver_due at once.
            reminders_evaluate()
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=evaluate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_SECONDS)
    assert errors == []
    wait_until(
        lambda: statuses() == {DeliveryStatus.SENT: 40} and thread_worker.idle(),
        "every reminder sent and the worker idle",
    )

    # Each evaluation queued a delivery; both ran (maybe at once, on two threads) and any
    # batch they queued after them.
    assert thread_worker.published["notifications.deliver_due"] >= 2
    rows = list(
        OutboundEmail.objects.filter(kind=ReminderKind.SESSION_STARTS).values_list(
            "key", "to", "status", "attempts"
        )
    )
    assert {key for key, *_ in rows} == expected_keys(registrations)
    assert len(rows) == 40
    # Claimed once each: no row was taken by both deliveries.
    assert {(status, attempts) for _key, _to, status, attempts in rows} == {
        (DeliveryStatus.SENT, 1)
    }
    # Each registration got exactly one email.
    assert sorted(to for m in mail.outbox for to in m.to) == sorted(r.email for r in registrations)
    # Ten per session, each about its own session.
    assert Counter(
        n for m in mail.outbox for n in range(4) if f"Exactly once {n}" in m.subject
    ) == dict.fromkeys(range(4), 10)


# --- A worker process killed in the middle of a batch, and a new one --------------------------

# The first worker sends this many reminders and is killed while it holds the next one.
HOLD_AFTER = 10


def worker_database_url() -> str:
    """The test database pytest-django made ("test_<name>"), as DATABASE_URL names it."""
    db = connection.settings_dict
    return (
        f"postgres://{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}@"
        f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'])}"
    )


class WorkerProcesses:
    """`celery -A config worker --pool=solo` processes on the test database, their mail written
    to files in one directory (tests/reminders/mail_files.py), their logs kept for failures."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.mail_dir = directory / "mail"
        self.mail_dir.mkdir()
        self.processes = []
        self.logs = []

    def start(self, *, hold_after: int | None = None) -> subprocess.Popen:
        number = len(self.processes) + 1
        log = self.directory / f"worker-{number}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.reminders.worker_settings",
            "DATABASE_URL": worker_database_url(),
            "REMINDER_TEST_MAIL_DIR": str(self.mail_dir),
            "REMINDER_TEST_MAIL_HOLD_AFTER": "" if hold_after is None else str(hold_after),
        }
        with log.open("wb") as output:
            process = subprocess.Popen(
                [
                    sys.executable, "-m", "celery", "-A", "config", "worker",
                    "--pool=solo", "--without-gossip", "--without-mingle",
                    "--without-heartbeat", "--loglevel=INFO", "-n", f"worker{number}@%h",
                ],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.processes.append(process)
        self.logs.append(log)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()  # a warm shutdown: the current task finishes
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

    def recipients(self) -> Counter:
        """How many messages each address was sent, from the files."""
        return Counter(
            email.message_from_bytes(path.read_bytes())["To"] for path in accepted(self.mail_dir)
        )


@pytest.fixture
def worker_processes(tmp_path):
    require_postgres_and_redis()
    workers = WorkerProcesses(tmp_path)
    # This process publishes too (the evaluation, the sweeper): to Redis, not eagerly.
    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.control.purge()
    try:
        yield workers
    finally:
        workers.stop_all()
        app.conf.task_always_eager = was_eager
        app.control.purge()


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_a_batch_and_started_again_sends_each_once(
    worker_processes,
):
    registrations = registrations_due_now(sessions=3, each=8)
    reminders_evaluate()  # 24 rows due; notifications.deliver_due waits in Redis

    first = worker_processes.start(hold_after=HOLD_AFTER)
    wait_until(
        (worker_processes.mail_dir / HOLDING).exists,
        f"the first worker sending its reminder number {HOLD_AFTER + 1}",
        logs=worker_processes.logs,
    )
    # Stopped in the middle of its batch: ten sent, the eleventh claimed and in the hands of
    # the mail "server", which has not accepted it, the rest waiting.
    assert statuses() == {
        DeliveryStatus.SENT: HOLD_AFTER,
        DeliveryStatus.SENDING: 1,
        DeliveryStatus.PENDING: 24 - HOLD_AFTER - 1,
    }
    assert len(accepted(worker_processes.mail_dir)) == HOLD_AFTER
    held = OutboundEmail.objects.get(status=DeliveryStatus.SENDING)
    os.kill(first.pid, signal.SIGKILL)
    assert first.wait(timeout=WAIT_SECONDS) == -signal.SIGKILL

    # The killed worker's task is unacknowledged in Redis, given back only after the broker's
    # visibility timeout (an hour); the held row stays "sending". The sweeper frees it, as
    # `run_periodic_tasks` (or beat) would a quarter of an hour later, and queues a batch.
    # It counts the planned reminders due: the freed one and the 13 waiting.
    later = timezone.now() + STUCK_AFTER + datetime.timedelta(minutes=1)
    assert emails_sweep_stuck(now=later) == 24 - HOLD_AFTER
    held.refresh_from_db()
    assert held.status == DeliveryStatus.PENDING
    worker_processes.start()
    wait_until(
        lambda: statuses() == {DeliveryStatus.SENT: 24},
        "every reminder sent by the second worker",
        logs=worker_processes.logs,
    )
    worker_processes.stop_all()

    # Exactly once: each person has one message in the mail "server", and the outbox agrees.
    # The one way a message can go twice is a worker stopped after the server accepted it and
    # before its row was marked sent (notifications.services, module docstring): the row is
    # freed and sent again. This test does not land there: the kill comes while the backend
    # holds a message it has not accepted, and accepting (the file's rename) is its last step.
    assert worker_processes.recipients() == Counter({r.email: 1 for r in registrations})
    rows = dict(
        OutboundEmail.objects.filter(kind=ReminderKind.SESSION_STARTS).values_list(
            "key", "attempts"
        )
    )
    assert set(rows) == expected_keys(registrations)
    # The held row was claimed twice (the killed worker's attempt and the second worker's);
    # every other row once.
    held.refresh_from_db()
    assert (held.status, held.attempts) == (DeliveryStatus.SENT, 2)
    assert Counter(rows.values()) == Counter({1: 23, 2: 1})
