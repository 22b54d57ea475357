"""`python -m benchmarks.reminder_figures`: 50,000 due reminders evaluated and queued against a
bulk insert of the same rows (benchmarks/bench_reminders.py says how), on the benchmark
database the harness uses (benchmarks/bench.sqlite3, or DATABASE_URL), seeded with seed_scale
if it has no scale data yet."""

import sys

from benchmarks.harness import configure_django


def run(argv=None) -> int:
    configure_django()
    from django.core.management import call_command

    from devdata.scale import scale_data_present

    call_command("migrate", interactive=False, verbosity=0)
    if not scale_data_present():
        sys.stdout.write("Generating the scale data (seed_scale), once per benchmark database...\n")
        call_command("seed_scale", flush=True)
    # Imported once Django is set up: the benchmark modules import models at their top.
    from benchmarks.bench_reminders import main

    return main(argv)


if __name__ == "__main__":
    sys.exit(run())
