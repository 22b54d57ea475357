"""The reports' lists of issue 14 that are not figures: the exports page (reports.views_exports)
and the analysts' data dictionary, `GET /api/v1/datasets/` (reports.api; the CSV files
themselves are timed by benchmarks/dataset_figures.py).

The exports page lists a person's own newest exports (views_exports.LISTED). The scale data has
none: the first run gives the first programme admin EXPORTS rows of every status, in bulk (no
file is written: the list reads none), and later runs find them again in the benchmark database.
Before the runs, untimed, the exports still in progress are given a sign of life, so the page
shows them polling (as while a worker builds them), not given up.
"""

import datetime

from django.utils import timezone

from benchmarks.harness import benchmark, page, signed_in_client
from devdata.scale import scale_users
from reports.datasets import DATASETS
from reports.enums import ExportFailure, ExportFileStatus, ExportFormat
from reports.exports import exports_of
from reports.models import ExportFile

EXPORTS = 20
# The statuses of the rows, in turn: most ready, some of each other kind.
STATUSES = [
    ExportFileStatus.READY,
    ExportFileStatus.BUILDING,
    ExportFileStatus.READY,
    ExportFileStatus.WAITING,
    ExportFileStatus.FAILED,
    ExportFileStatus.READY,
    ExportFileStatus.EXPIRED,
]


def programme_admin():
    return scale_users().filter(is_programme_admin=True).order_by("email").first()


def _export(number: int, keys: list[str], user, now: datetime.datetime) -> ExportFile:
    status = STATUSES[number % len(STATUSES)]
    asked = now - datetime.timedelta(hours=3 * number)
    done = status in (ExportFileStatus.READY, ExportFileStatus.FAILED, ExportFileStatus.EXPIRED)
    rows = 1_000 * (number + 1)
    fmt = ExportFormat.CSV if number % 3 else ExportFormat.XLSX
    return ExportFile(
        requested_by=user,
        dataset_key=keys[number % len(keys)],
        format=fmt,
        query={"cohort": []},
        status=status,
        rows_written=rows if done else rows // 2,
        rows_expected=rows,
        file=f"report-exports/benchmark-{number}.{fmt}" if status == ExportFileStatus.READY else "",
        size=80 * rows if status == ExportFileStatus.READY else None,
        failure=ExportFailure.BUILD_ERROR if status == ExportFileStatus.FAILED else "",
        attempts=1,
        created_at=asked,
        queued_at=asked,
        claimed_at=None if status == ExportFileStatus.WAITING else asked,
        progressed_at=None if status == ExportFileStatus.WAITING else asked,
        finished_at=asked + datetime.timedelta(minutes=5) if done else None,
        expires_at=asked + datetime.timedelta(days=7) if done else None,
    )


def admin_with_exports():
    """The first programme admin, with EXPORTS exports of every status (made on the first run),
    those in progress given a sign of life now."""
    admin = programme_admin()
    now = timezone.now()
    missing = EXPORTS - exports_of(user=admin).count()
    if missing > 0:
        keys = sorted(DATASETS)
        ExportFile.objects.bulk_create(_export(n, keys, admin, now) for n in range(missing))
    exports_of(user=admin).filter(status=ExportFileStatus.WAITING).update(queued_at=now)
    exports_of(user=admin).filter(status=ExportFileStatus.BUILDING).update(
        queued_at=now, progressed_at=now
    )
    return admin


@benchmark("exports page: programme admin, 20 exports of every status")
def exports_page():
    return page(signed_in_client(admin_with_exports()), "/reports/exports/")


@benchmark("API: GET /api/v1/datasets/ (programme admin: the data dictionary)")
def api_datasets():
    return page(signed_in_client(programme_admin()), "/api/v1/datasets/")
