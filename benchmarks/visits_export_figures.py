"""`python -m benchmarks.visits_export_figures`: the Group Study Visits exports' CSV-to-COPY
ratios and their peak memory (benchmarks/bench_visits_exports.py says how), on the benchmark
database the harness uses (benchmarks/bench.sqlite3, or DATABASE_URL)."""

import sys

from benchmarks.harness import configure_django, prepare_database


def run(argv=None) -> int:
    configure_django()
    prepare_database(reseed=False, out=sys.stdout)
    # Imported once Django is set up: the benchmark modules import models at their top.
    from benchmarks.bench_visits_exports import main

    return main(argv)


if __name__ == "__main__":
    sys.exit(run())
