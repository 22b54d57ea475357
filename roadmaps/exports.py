"""The ZIP of a cohort's roadmaps as PDF, built in the background (roadmaps.tasks.build_export).

The export is a row with a status and a progress count (done of total): the page polls it and
offers the file when it is ready. The file is stored in MEDIA under a name nobody can guess and
is only served by the download view, which checks who is asking.
"""

import datetime
import logging
import secrets
import tempfile
import zipfile

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from cohorts.models import Cohort
from roadmaps.enums import ExportStatus
from roadmaps.models import Roadmap, RoadmapExport
from roadmaps.pdf import roadmap_pdf, roadmap_pdf_filename
from roadmaps.summary import alphabetical

logger = logging.getLogger(__name__)

# An export still waiting or running after this long was lost (a worker stopped mid-way): a new
# request starts a fresh one instead of waiting for it forever.
STALE_AFTER = datetime.timedelta(minutes=30)
IN_PROGRESS = (ExportStatus.PENDING, ExportStatus.RUNNING)


def export_filename(*, cohort: Cohort) -> str:
    return f"reflection-roadmaps-cohort-{cohort.number}.zip"


def roadmap_export_start(*, cohort: Cohort, user) -> RoadmapExport:
    """Ask for a ZIP of the cohort's roadmaps; the task starts once this transaction commits.

    A second click while an export of the cohort is under way returns that export rather than
    building the same ZIP twice.
    """
    with transaction.atomic():
        # Lock the cohort row so two simultaneous requests cannot both start an export.
        Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
        running = (
            RoadmapExport.objects.filter(
                cohort=cohort,
                status__in=IN_PROGRESS,
                created_at__gte=timezone.now() - STALE_AFTER,
            )
            .order_by("-created_at")
            .first()
        )
        if running is not None:
            return running
        export = RoadmapExport.objects.create(
            cohort=cohort,
            requested_by=user,
            status=ExportStatus.PENDING,
            total=Roadmap.objects.filter(cohort=cohort).count(),
        )

        from roadmaps.tasks import build_export

        transaction.on_commit(lambda export_id=export.pk: build_export.delay(export_id))
    return export


def _unique_names(roadmaps: list[Roadmap]) -> dict[int, str]:
    """A file name per roadmap; two cities of the same name get their country code added."""
    slugs = {
        roadmap.pk: slugify(roadmap.city.name) or f"city-{roadmap.city_id}" for roadmap in roadmaps
    }
    taken: dict[str, int] = {}
    for slug in slugs.values():
        taken[slug] = taken.get(slug, 0) + 1
    names = {}
    for roadmap in roadmaps:
        slug = slugs[roadmap.pk]
        if taken[slug] > 1:
            slug = f"{slug}-{roadmap.city.country.iso_code.lower()}-{roadmap.city_id}"
        names[roadmap.pk] = roadmap_pdf_filename(roadmap=roadmap, city_slug=slug)
    return names


def roadmap_export_build(*, export_id: int) -> str:
    """Build the ZIP of an export and return its status; a no-op when already claimed or gone.

    Runs outside any transaction: each progress update is committed at once so that the page
    polling the export sees it move.
    """
    claimed = RoadmapExport.objects.filter(pk=export_id, status=ExportStatus.PENDING).update(
        status=ExportStatus.RUNNING
    )
    if not claimed:
        # Deleted, or a duplicated task already took it.
        return "skipped"
    export = RoadmapExport.objects.select_related("cohort").get(pk=export_id)
    roadmaps = sorted(
        Roadmap.objects.filter(cohort=export.cohort)
        .select_related("city__country", "cohort")
        .prefetch_related("values"),
        key=lambda roadmap: (alphabetical(roadmap.city.name), roadmap.pk),
    )
    RoadmapExport.objects.filter(pk=export_id).update(total=len(roadmaps), done=0)
    names = _unique_names(roadmaps)
    try:
        with tempfile.TemporaryFile() as scratch:
            with zipfile.ZipFile(scratch, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for done, roadmap in enumerate(roadmaps, start=1):
                    archive.writestr(names[roadmap.pk], roadmap_pdf(roadmap=roadmap))
                    RoadmapExport.objects.filter(pk=export_id).update(done=done)
            scratch.seek(0)
            export.refresh_from_db()
            # A random part in the stored name: MEDIA may be served by a web server one day,
            # and the name must not be guessable from the cohort number.
            stored_name = f"{secrets.token_hex(8)}-{export_filename(cohort=export.cohort)}"
            export.file.save(stored_name, File(scratch), save=False)
    except Exception as error:
        logger.exception("Roadmap export %s failed", export_id)
        RoadmapExport.objects.filter(pk=export_id).update(
            status=ExportStatus.FAILED,
            # For the admin; the page shows a plain "could not be built" to the facilitator.
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        return ExportStatus.FAILED
    export.status = ExportStatus.READY
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "status", "finished_at"])
    return ExportStatus.READY
