"""A real Celery worker for the tests that prove the broker: `redis_worker` (a pytest plugin,
listed in tests/conftest.py's pytest_plugins, so every test may ask for it).

The worker runs in a thread of the test process (celery.contrib.testing), so it shares the
locmem mail outbox and the settings; it opens its own database connection, so the rows must be
committed (transaction=True) in a database that another connection can see: PostgreSQL, not
in-memory SQLite.
"""

import os
import queue
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connection, connections

from config.celery import app
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

    def wait_for(self, name: str, args: list, *, timeout: float = WAIT_SECONDS) -> dict:
        """Return the outcome of the first finished `name(*args)`, skipping other tasks."""
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                finished_name, finished_args, outcome = self._finished.get(timeout=remaining)
            except queue.Empty:
                break
            if (finished_name, finished_args) == (name, args):
                return outcome
        pytest.fail(f"the worker did not finish {name}{tuple(args)} in {timeout} s")


@pytest.fixture
def worker_requirements():
    """Skip (or, in CI, fail) unless Redis and PostgreSQL are there, before any later fixture:
    a test that seeds data before starting the worker lists this first, not to seed for a skip."""
    require(bool(os.environ.get("REDIS_URL")), "REDIS_URL is not set: no Redis broker")
    require(
        app.conf.broker_url.startswith("redis://"),
        f"Celery's broker is {app.conf.broker_url}, not Redis",
    )
    require(
        connection.vendor == "postgresql",
        "DATABASE_URL is not PostgreSQL: a worker thread cannot see an in-memory SQLite database",
    )


@pytest.fixture
def redis_worker(worker_requirements):
    """Start a worker consuming from Redis, with tasks sent there instead of run eagerly."""
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
