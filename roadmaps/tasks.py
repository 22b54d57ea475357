from celery import shared_task

from roadmaps import exports


@shared_task(name="roadmaps.build_export")
def build_export(export_id: int) -> str:
    """Build a cohort's ZIP of roadmap PDFs. Not retried: a failure is recorded on the export
    (status failed, with the error) and the facilitator can ask again."""
    return str(exports.roadmap_export_build(export_id=export_id))
