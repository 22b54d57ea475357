from celery import shared_task

from reports import exports


@shared_task(name="reports.build_export")
def build_export_file(export_id: int) -> str:
    """Build an export file. Not retried by Celery: an error is recorded on the export (failed,
    with the reason) for the person to ask again, and a lost task or worker is recovered by
    reports.sweep_stuck_exports."""
    return str(exports.export_file_build(export_id=export_id))


@shared_task(name="reports.sweep_stuck_exports")
def sweep_stuck_exports() -> int:
    return exports.report_exports_sweep()


@shared_task(name="reports.expire_exports")
def expire_exports() -> int:
    """Delete the export files whose time is up (settings.REPORT_EXPORTS_KEEP_DAYS)."""
    return exports.export_files_expire()
