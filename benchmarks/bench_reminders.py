"""Reminders (issue 13): "50,000 due reminders evaluated and queued, with throughput reported as
a ratio to a bulk insert of the same rows in the same run (at most 3x)".

`python -m benchmarks.reminder_figures` runs `main` below on the benchmark database the harness
uses (benchmarks/bench.sqlite3, or DATABASE_URL), on the reminder sessions of seed_scale
(devdata/scale_reminders.py: 100 sessions starting together, 50,000 registrations, three in
four of them generated users). No row of the harness's table: an evaluation is not a page.

What is timed, at two fixed moments (the sessions start at a fixed time; the evaluation is
given `now`):
- "an hour ahead" (devdata.scale_reminders.HOUR_AHEAD): from an empty outbox, the evaluation
  plans the 50,000 reminders "in 1 hour", every one due, and queues the batch delivery;
- "a day ahead" (DAY_AHEAD): it plans 100,000 rows, the 50,000 reminders "in 24 hours" due
  at once and the 50,000 "in 1 hour" for later, and queues the batch delivery.
Each against OutboundEmail.objects.bulk_create of the very rows that evaluation wrote (read
back once, untimed: the same field values, message ids included; model instances built inside
the timing, as the evaluation builds them), with the evaluation's batch size and its ON
CONFLICT DO NOTHING, in alternation, the rows deleted before every round (untimed; on
PostgreSQL a VACUUM ANALYZE of the outbox after, as the benchmark server runs no
autovacuum). The evaluation is all of `reminders_evaluate(now=...)`: every registered rule
(at that moment only the session rule has data), the opt-outs, the cancellation check, the
insert and whether anything is due. Queuing is publishing one task, notifications.deliver_due:
its `delay` is replaced by a counter (checked: once per evaluation), so no batch is sent and
no broker is needed. A third figure, "again", is the evaluation run once more with everything
planned (nothing new): what beat's run every minute costs meanwhile.
The medians of the rounds and their ratio are printed with the load average: the machine
is shared.

`--profile` prints where one evaluation spends its time (cProfile, the 25 costliest calls).

Measured on 3 December 2026, 08:44-09:14 UTC, 5 rounds each, on databases seeded with
`seed_scale --survey-responses 0 --visit-applications 0` (the survey and the call play no part
here), the shared 2-core machine (load average 0.7 to 3.7 during the runs, the benchmark's own
process and database server included; only the ratios mean anything):
- PostgreSQL, an hour ahead (50,000 rows, all due): 1.08x and 1.18x (evaluation 9.4 s and
  10.2 s, bulk insert 8.7 s and 8.6 s); a day ahead (100,000 rows, 50,000 due): 1.18x and
  1.15x (16.0 s and 18.0 s against 13.5 s and 15.6 s); again with nothing new 0.9-1.0 s an
  hour ahead, 1.6-1.8 s a day ahead;
- SQLite, an hour ahead: 1.15x and 1.15x (9.4 s and 11.0 s against 8.2 s and 9.6 s); a day
  ahead: 1.27x and 1.03x (26.3 s and 22.6 s against 20.7 s and 22.0 s); again 0.9-1.2 s and
  1.8-2.2 s.
Well within 3x: nothing was changed in the evaluation. Where the time goes (cProfile, SQLite, a
day ahead): about four fifths of the evaluation is the bulk insert itself (most of it Django
turning 100,000 rows of 20 fields into SQL, the same work as the reference's), the two queries
of the session rule and the Planned rows about a twentieth, the rest the rows' keys, message
ids and model instances.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from unittest import mock

from django.db import connection

from devdata.scale_reminders import DAY_AHEAD, HOUR_AHEAD, scale_reminder_sessions
from notifications.models import OutboundEmail
from notifications.tasks import deliver_due
from reminders.planning import INSERT_BATCH, reminders_evaluate
from sessions.models import Registration

REGISTRATIONS = 50_000
MOMENTS = [
    ("an hour ahead", HOUR_AHEAD),
    ("a day ahead", DAY_AHEAD),
]


def _rows_of(now):
    """The rows an evaluation at `now` wrote: each has created_at = now (a moment of 2022 no
    other row of the benchmark database has)."""
    return OutboundEmail.objects.filter(created_at=now)


def clear(now) -> None:
    rows = _rows_of(now)
    rows._raw_delete(rows.db)
    _vacuum()


def _vacuum() -> None:
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(OutboundEmail._meta.db_table)
        cursor.execute(f"VACUUM ANALYZE {table}")


class Queued:
    """Stands for notifications.deliver_due.delay: counts the batch deliveries queued."""

    def __init__(self):
        self.count = 0

    def __call__(self, *args, **kwargs):
        self.count += 1


def evaluate(now) -> tuple[dict, int]:
    """Run the evaluation at `now`; return what it planned per kind and the deliveries it
    queued."""
    queued = Queued()
    with mock.patch.object(deliver_due, "delay", queued):
        results = reminders_evaluate(now=now)
    return {kind: found.planned for kind, found in results.items()}, queued.count


def snapshot(now) -> list[dict]:
    """The field values of the rows the evaluation at `now` wrote, as bulk_create gets them."""
    return list(_rows_of(now).order_by("pk").values(*_fields()))


def _fields() -> list[str]:
    return [field.attname for field in OutboundEmail._meta.concrete_fields if not field.primary_key]


def bulk_insert(values: list[dict]) -> None:
    OutboundEmail.objects.bulk_create(
        [OutboundEmail(**row) for row in values], batch_size=INSERT_BATCH, ignore_conflicts=True
    )


def _timed(run) -> float:
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) * 1000


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


def measure(now, repeat: int, out) -> dict:
    """The rounds at one moment: evaluation and bulk insert, in alternating order."""
    clear(now)
    planned, queued = evaluate(now)
    values = snapshot(now)
    due = sum(1 for row in values if row["send_after"] <= now)
    if queued != 1 or len(values) != sum(planned.values()):
        raise RuntimeError(f"Unexpected evaluation: planned {planned}, queued {queued}.")
    evaluation_ms, insert_ms, again_ms = [], [], []

    def evaluation():
        clear(now)
        ms = _timed(lambda: evaluate(now))
        if _rows_of(now).count() != len(values):
            raise RuntimeError("The evaluation wrote other rows than the first time.")
        evaluation_ms.append(ms)
        again_ms.append(_timed(lambda: evaluate(now)))

    def insert():
        clear(now)
        insert_ms.append(_timed(lambda: bulk_insert(values)))

    for round_number in range(repeat):
        for run in (insert, evaluation) if round_number % 2 else (evaluation, insert):
            run()
    clear(now)
    return {
        "planned": planned,
        "rows": len(values),
        "due": due,
        "evaluation": statistics.median(evaluation_ms),
        "insert": statistics.median(insert_ms),
        "again": statistics.median(again_ms),
        "samples": (evaluation_ms, insert_ms, again_ms),
    }


def profile(now, out) -> None:
    clear(now)
    profiler = cProfile.Profile()
    profiler.enable()
    evaluate(now)
    profiler.disable()
    clear(now)
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)


def main(argv=None, out=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reminder_figures")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--registrations", type=int, default=REGISTRATIONS)
    parser.add_argument("--only", choices=["hour", "day"], default=None)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    out = out or sys.stdout
    sessions = scale_reminder_sessions(registrations=args.registrations)
    moments = [(label, now) for label, now in MOMENTS if args.only is None or args.only in label]
    registrations = Registration.objects.filter(session__in=sessions).count()
    out.write(
        f"{connection.vendor}: {registrations:,} registrations in the {len(sessions)} reminder "
        f"sessions of seed_scale; {_load()}\n"
    )
    if args.profile:
        for label, now in moments:
            out.write(f"Profile of one evaluation {label}:\n")
            profile(now, out)
        return 0
    for label, now in moments:
        found = measure(now, args.repeat, out)
        evaluation, insert = found["evaluation"], found["insert"]
        evaluation_ms, insert_ms, again_ms = found["samples"]
        out.write(
            f"{label} ({found['rows']:,} rows planned, {found['due']:,} due, one batch "
            f"delivery queued): evaluation {evaluation:.0f} ms, bulk insert of the same rows "
            f"{insert:.0f} ms; ratio {evaluation / insert:.2f}x (target 3x); again with "
            f"nothing new {found['again']:.0f} ms; {_load()}\n"
            f"  rounds (ms): evaluation {[round(ms) for ms in evaluation_ms]}, insert "
            f"{[round(ms) for ms in insert_ms]}, again {[round(ms) for ms in again_ms]}\n"
        )
    return 0
