"""A transaction for a draft save: committed without waiting for the disk.

Decision: an autosave (roadmaps.services.roadmap_field_save) is written to the database and
its 200 answered as soon as its transaction commits, without waiting for the commit to be
flushed to disk. On 2 December 2026 that wait was a third of a field save's time, and it is
paid at every pause in typing. What it gives up: if the database server loses power (not if
the portal crashes or restarts), the saves of its last fraction of a second may be lost. The
database stays consistent (a transaction is there whole or not at all), and every other write
(submitting, reviewing, enrolling, every page's Save button) still waits for the disk.

- PostgreSQL: `SET LOCAL synchronous_commit TO OFF`, for this transaction only, sent by the
  caller with its writes (`Draft.statements`: it counts only at COMMIT, and a round trip of its
  own cost as much as a write); the server flushes within three times `wal_writer_delay`.
- SQLite: `PRAGMA synchronous = NORMAL` around this transaction, then the connection's own
  setting again (config/settings.py). With WAL, NORMAL syncs at checkpoints, not at each commit.

Inside a transaction opened by the caller the commit is the caller's, and so is its setting.
On PostgreSQL an ordinary field save is one statement in autocommit, with no transaction of its
own to open (roadmaps.field_save_pg): it sends the same `SET LOCAL` in its query string.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction


@dataclass
class Draft:
    # Statements the caller sends with its writes, in the same transaction.
    statements: list[tuple[str, list]] = field(default_factory=list)


@contextmanager
def draft_transaction():
    """transaction.atomic(), committed without waiting for the disk when it is the outermost.
    Yields a `Draft` whose `statements` the caller runs with its writes."""
    outermost = not connection.in_atomic_block
    if connection.vendor == "sqlite" and outermost:
        with _sqlite_synchronous("NORMAL"), transaction.atomic():
            yield Draft()
        return
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            yield Draft(statements=[("SET LOCAL synchronous_commit TO OFF", [])])
        else:
            yield Draft()


@contextmanager
def _sqlite_synchronous(level: str):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA synchronous = {level}")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA synchronous = {int(before)}")
        except Exception:
            # A connection left at NORMAL would not wait for the disk on later writes either:
            # close it, and the next query opens one with the settings' own PRAGMAs.
            connection.close()
            raise
