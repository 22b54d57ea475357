"""`python -m benchmarks.dataset_figures`: the analysts' survey-answers data set's CSV-to-COPY
ratio at 100,000 and 1,000,000 answers and its peak memory (CSV and XLSX)
(benchmarks/datasets_export.py says how), on the benchmark database the harness uses
(benchmarks/bench.sqlite3, or DATABASE_URL)."""

import sys

from benchmarks.harness import configure_django, prepare_database


def run(argv=None) -> int:
    configure_django()
    prepare_database(reseed=False, out=sys.stdout)
    # Imported once Django is set up: the benchmark module imports models at its top.
    from benchmarks.datasets_export import main

    return main(argv)


if __name__ == "__main__":
    sys.exit(run())
