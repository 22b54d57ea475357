"""A real Celery worker takes the email task from Redis and delivers it exactly once.

The worker runs in a thread of the test process (celery.contrib.testing), so it shares the
locmem mail outbox; it opens its own database connection, so the rows must be committed
(transaction=True) in a database that another connection can see: PostgreSQL, not in-memory SQLite.
"""

import os
import queue
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.db import connection, connections, transaction

from config.celery import app
from notifications.enums import DeliveryStatus
from notifications.models import OutboundEmail
from notifications.services import email_queue
from notifications.tasks import deliver_email
from tests.conftest import require

WAIT_SECONDS = 30


class FinishedTasks:
    """Collect the tasks the worker finishes (task_postrun runs in the worker's thread)."""

    def __init__(self):
        self._finished = queue.Queue()

    def on_postrun(self, task=None, args=None, retval=None, state=None, **kwargs):
        outcome = {"returned": retval, "state": state, "eager": bool(task.request.is_eager)}
        self._finished.put((task.name, list(args or []), outcome))
        # Close the worker thread's database connection: an open one would keep the test
        # database from being flushed and dropped.
        connections.close_all()

    def wait_for(self, name: str, args: list) -> dict:
        """Return the outcome of the first finished `name(*args)`, skipping other tasks."""
        deadline = time.monotonic() + WAIT_SECONDS
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                finished_name, finished_args, outcome = self._finished.get(timeout=remaining)
            except queue.Empty:
                break
            if (finished_name, finished_args) == (name, args):
                return outcome
        pytest.fail(f"the worker did not finish {name}{tuple(args)} in {WAIT_SECONDS} s")


@pytest.fixture
def redis_worker():
    """Start a worker consuming from Redis, with tasks sent there instead of run eagerly."""
    require(bool(os.environ.get("REDIS_URL")), "REDIS_URL is not set: no Redis broker")
    require(
        app.conf.broker_url.startswith("redis://"),
        f"Celery's broker is {app.conf.broker_url}, not Redis",
    )
    require(
        connection.vendor == "postgresql",
        "DATABASE_URL is not PostgreSQL: a worker thread cannot see an in-memory SQLite database",
    )
    finished = FinishedTasks()
    task_postrun.connect(finished.on_postrun, weak=False)
    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield finished
    finally:
        app.conf.task_always_eager = was_eager
        task_postrun.disconnect(finished.on_postrun)


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_worker_delivers_queued_email_through_redis(redis_worker):
    with transaction.atomic():
        # On commit, email_queue publishes deliver_email to Redis; the worker picks it up.
        email = email_queue(
            key="invitation:1",
            to="officer@lisboa.pt",
            subject="Your invitation",
            body="Join the cohort.",
        )

    outcome = redis_worker.wait_for("notifications.deliver_email", [email.pk])

    assert outcome == {"returned": True, "state": "SUCCESS", "eager": False}
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (DeliveryStatus.SENT, 1, "")
    assert email.sent_at is not None
    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [
        (["officer@lisboa.pt"], "Your invitation", "Join the cohort.")
    ]


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_worker_second_delivery_of_a_sent_email_sends_nothing(redis_worker):
    email = OutboundEmail.objects.create(
        key="reminder:7", to="officer@mannheim.de", subject="Roadmap due", body="Friday."
    )

    deliver_email.delay(email.pk)
    first = redis_worker.wait_for("notifications.deliver_email", [email.pk])
    deliver_email.delay(email.pk)
    second = redis_worker.wait_for("notifications.deliver_email", [email.pk])

    assert first == {"returned": True, "state": "SUCCESS", "eager": False}
    assert second == {"returned": False, "state": "SUCCESS", "eager": False}
    email.refresh_from_db()
    assert (email.status, email.attempts) == (DeliveryStatus.SENT, 1)
    assert [m.to for m in mail.outbox] == [["officer@mannheim.de"]]
