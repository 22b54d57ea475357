"""`python -m benchmarks.report_export_memory`: the peak memory of a report export's build
(reports.exports.export_file_build), XLSX and CSV, at 100,000 and 1,000,000 rows.

The rows come from a generated data set (registered for the run, no database reads: what is
measured is the export's own path, the rows passing through the progress count, the writer and
the save into the storage) of 4 columns: an integer, a text, an aware moment (turned into the
person's local time for the XLSX) and a personal email address. Four, because openpyxl writes
a few thousand cells a second under tracemalloc: 1,000,000 rows are 4,000,000 cells. The build
runs whole, as the Celery task runs it: the claim, a progress record every 2,000 rows, the
temporary file, the save into the storage (MEDIA_ROOT in a temporary folder) and the email.

The peak is tracemalloc's (Python's allocations; openpyxl's write-only workbook keeps the rows
in a temporary file, the CSV is written to one chunk by chunk), the time is the traced run's
(tracemalloc slows every allocation). Flat means: the peak at 1,000,000 rows is about that at
100,000.

The database is a SQLite file of its own in a temporary folder (migrated at start) unless
DATABASE_URL is set. Measured: see the README ("Benchmarks", issue 14's exports).
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import tempfile
import time
import tracemalloc

KEY = "generated-rows"


def generated_rows(count: int):
    """`count` rows of 4 columns, made as they are asked for."""
    moment = datetime.datetime(2025, 3, 3, 10, 0, tzinfo=datetime.UTC)
    for number in range(count):
        yield [
            number,
            f"City {number % 10_000}",
            moment + datetime.timedelta(minutes=number % 100_000),
            f"person{number % 50_000}@example.org",
        ]


def generated_dataset(count: int):
    from reports.datasets import Column, Dataset

    return Dataset(
        key=KEY,
        title="Generated rows",
        description="A row of generated values, made for the benchmark.",
        columns=(
            Column("row_id", "The row's number.", kind="integer"),
            Column("city", "A city's name."),
            Column("moment", "A moment.", kind="datetime"),
            Column("email", "A person's address.", personal=True),
        ),
        rows=lambda filters: generated_rows(count),
        count=lambda filters: count,
    )


def build_peak(*, user, fmt: str, count: int) -> tuple[int, float, int]:
    """Build one export of `count` generated rows; return its peak traced bytes, the traced
    seconds and the file's size."""
    from reports.datasets import DATASETS, dataset_register
    from reports.exports import export_file_build
    from reports.models import ExportFile

    before = DATASETS.get(KEY)
    dataset_register(generated_dataset(count))
    export = ExportFile.objects.create(requested_by=user, dataset_key=KEY, format=fmt)
    try:
        tracemalloc.start()
        started = time.perf_counter()
        try:
            status = export_file_build(export_id=export.pk)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        seconds = time.perf_counter() - started
    finally:
        if before is None:
            DATASETS.pop(KEY, None)
        else:
            DATASETS[KEY] = before
    export.refresh_from_db()
    if status != "ready" or export.rows_written != count:
        raise RuntimeError(f"export {export.pk}: {status}, {export.rows_written} rows")
    size = export.size
    export.file.delete(save=False)
    return peak, seconds, size


def memory_table(sizes: list[int], formats: list[str], *, user, out) -> dict:
    """Print a row per format and size; return {(format, size): peak bytes}."""
    # Loaded once per process, not by an export: imported before the first measure.
    import openpyxl.cell
    import openpyxl.styles
    import openpyxl.writer.excel  # noqa: F401

    out.write("Peak memory (tracemalloc) of an export's build, by rows\n")
    out.write(f"{'format':<6}  {'rows':>9}  {'peak MiB':>8}  {'traced s':>8}  {'file MiB':>8}\n")
    peaks = {}
    for fmt in formats:
        for count in sizes:
            peak, seconds, size = build_peak(user=user, fmt=fmt, count=count)
            peaks[fmt, count] = peak
            out.write(
                f"{fmt:<6}  {count:>9,}  {peak / 2**20:>8.2f}  {seconds:>8.1f}  "
                f"{size / 2**20:>8.1f}\n"
            )
            out.flush()
    return peaks


def main(argv=None, out=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.report_export_memory", description=__doc__
    )
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--formats", nargs="+", default=["xlsx", "csv"])
    parser.add_argument(
        "--warmup", type=int, default=1000, help="rows of an untraced build first (imports)"
    )
    args = parser.parse_args(argv)
    out = out or sys.stdout
    folder = tempfile.mkdtemp(prefix="report-export-memory-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3")
    os.environ["MEDIA_ROOT"] = os.path.join(folder, "media")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.pop("REDIS_URL", None)  # tasks (the email's delivery) run in this process
    from benchmarks.harness import configure_django

    database = configure_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from accounts.models import User

    user, _ = User.objects.get_or_create(
        email="export-memory@example.org",
        defaults={"full_name": "Export benchmark", "is_programme_admin": True},
    )
    out.write(f"Database: {database}\n")
    if args.warmup:
        # The modules an export loads the first time (templates, the outbox): not its memory.
        for fmt in args.formats:
            build_peak(user=user, fmt=fmt, count=args.warmup)
    memory_table(args.rows, args.formats, user=user, out=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
