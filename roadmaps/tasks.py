from celery import shared_task

from roadmaps import exports


@shared_task(name="roadmaps.build_export")
def build_export(export_id: int) -> str:
    """Build a cohort's ZIP of roadmap PDFs. Not retried by Celery: an error is recorded on the
    export (failed, with the reason) for a person to build it again, and a lost task or worker
    is recovered by roadmaps.sweep_stuck_exports."""
    return str(exports.roadmap_export_build(export_id=export_id))


@shared_task(name="roadmaps.sweep_stuck_exports")
def sweep_stuck_exports() -> int:
    return exports.roadmap_exports_sweep()
