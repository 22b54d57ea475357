"""The reminders benchmark (benchmarks/bench_reminders.py) on small scale data: its bulk insert
writes exactly the rows the evaluation writes, and the figure is printed."""

import io
import re

import pytest
from django.core.management import call_command

from benchmarks import bench_reminders
from devdata.scale_reminders import DAY_AHEAD, HOUR_AHEAD
from notifications.models import OutboundEmail

# Committed, as in the benchmark: the evaluation queues its delivery when it commits.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def seeded():
    call_command(
        "seed_scale", "--cities", "40", "--users", "200", "--cohorts", "2",
        "--survey-responses", "0", "--visit-applications", "0", verbosity=0,
    )  # fmt: skip


def test_bulk_insert_writes_the_rows_the_evaluation_wrote(seeded):
    planned, queued = bench_reminders.evaluate(DAY_AHEAD)
    written = bench_reminders.snapshot(DAY_AHEAD)
    bench_reminders.clear(DAY_AHEAD)
    assert OutboundEmail.objects.count() == 0

    bench_reminders.bulk_insert(written)

    assert sum(planned.values()) == len(written) == 400
    assert queued == 1
    assert bench_reminders.snapshot(DAY_AHEAD) == written


def test_the_figure_is_printed_and_the_outbox_left_empty(seeded):
    out = io.StringIO()

    assert bench_reminders.main(["--repeat", "2"], out=out) == 0

    printed = out.getvalue()
    for label, rows, due in (("an hour ahead", 200, 200), ("a day ahead", 400, 200)):
        assert re.search(
            rf"{label} \({rows} rows planned, {due} due, one batch delivery queued\): "
            rf"evaluation \d+ ms, bulk insert of the same rows \d+ ms; ratio [\d.]+x "
            rf"\(target 3x\); again with nothing new \d+ ms",
            printed,
        )
    assert not OutboundEmail.objects.filter(created_at__in=[DAY_AHEAD, HOUR_AHEAD]).exists()
