"""`python -m benchmarks.scoring_figures`: a whole call's scoring and ranking against one SQL
aggregate query computing the same totals (benchmarks/bench_visits_scoring.py says how), on the
benchmark database the harness uses (benchmarks/bench.sqlite3, or DATABASE_URL)."""

import sys

from benchmarks.harness import configure_django


def run(argv=None) -> int:
    configure_django()
    # Imported once Django is set up: the benchmark modules import models at their top.
    from benchmarks.bench_visits_scoring import main

    return main(argv)


if __name__ == "__main__":
    sys.exit(run())
