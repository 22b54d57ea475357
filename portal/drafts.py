"""A transaction for a draft save: committed without waiting for the disk.

Decision: an autosave (roadmaps.services.roadmap_field_save) is written to the database and
its 200 answered as soon as its transaction commits, without waiting for the commit to be
flushed to disk. On 2 December 2026 that wait was a third of a field save's time, and it is
paid at every pause in typing. What it gives up: if the database server loses power (not if
the portal crashes or restarts), the saves of its last fraction of a second may be lost. The
database stays consistent (a transaction is there whole or not at all), and every other write
(submitting, reviewing, enrolling, every page's Save button) still waits for the disk.

- PostgreSQL: `SET LOCAL synchronous_commit TO OFF` for this transaction only; the server
  flushes it within three times `wal_writer_delay` (0.6 s by default).
- SQLite: `PRAGMA synchronous = NORMAL` around this transaction, then back to FULL, the
  connection's setting (config/settings.py). With WAL, NORMAL syncs at checkpoints instead of
  at each commit.

Inside a transaction opened by the caller the commit is the caller's, and so is its setting.
"""

from contextlib import contextmanager

from django.db import connection, transaction

# What config/settings.py gives every SQLite connection, restored after a draft save.
SQLITE_SYNCHRONOUS = "FULL"


@contextmanager
def draft_transaction():
    """transaction.atomic(), committed without waiting for the disk when it is the outermost."""
    outermost = not connection.in_atomic_block
    if connection.vendor == "sqlite" and outermost:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = NORMAL")
        try:
            with transaction.atomic():
                yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA synchronous = {SQLITE_SYNCHRONOUS}")
        return
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield
