"""`python -m benchmarks.export_figures`: the survey exports' CSV-to-COPY ratio and their peak
memory at 100,000 and 1,000,000 answers (benchmarks/bench_feedback_export.py says how), on the
benchmark database the harness uses (benchmarks/bench.sqlite3, or DATABASE_URL)."""

import sys

from benchmarks.harness import configure_django


def run(argv=None) -> int:
    configure_django()
    # Imported once Django is set up: the benchmark modules import models at their top.
    from benchmarks.bench_feedback_export import main

    return main(argv)


if __name__ == "__main__":
    sys.exit(run())
