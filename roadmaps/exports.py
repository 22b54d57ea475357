"""The ZIP of a cohort's roadmaps as PDF, built in the background (roadmaps.tasks.build_export).

The export is a row with a status and a progress count (done of total): the page polls it and
offers the file when it is ready. The file is kept in the default storage (MEDIA_ROOT, or S3
when configured) under a name nobody can guess and is only served by the download view, which
checks who is asking (and on S3 redirects to a short-lived signed URL: portal/files.py).

It is queued like the emails (notifications.services), with what every background build shares
(portal.jobs.BackgroundBuilds, used by report exports too): the task is sent after commit and a
broker that is down leaves the row "pending"; a build claims the row (one build at a time, each
with its attempt number) and writes only while its claim holds; the sweeper, run by beat and by
`manage.py run_periodic_tasks`, sends lost tasks again, re-queues a build whose worker died
(MAX_ATTEMPTS builds at most) and fails an export no worker started in time, so the page stops
polling and offers to build it again.
"""

import datetime
import logging
import secrets
import tempfile
import zipfile

from django.core.files import File
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cohorts.models import Cohort
from portal.errors import ApplicationError
from portal.jobs import BackgroundBuilds, Superseded
from portal.permissions import permission_check
from roadmaps.enums import ExportFailure, ExportStatus
from roadmaps.models import Roadmap, RoadmapExport, RoadmapValue
from roadmaps.pdf import roadmap_pdf_filename
from roadmaps.pdf_files import roadmap_pdf_file
from roadmaps.summary import alphabetical

logger = logging.getLogger(__name__)

IN_PROGRESS = (ExportStatus.PENDING, ExportStatus.RUNNING)
# A pending export whose task has not started this long after it was queued: the task was lost
# (the broker was down at commit, or restarted), so the sweeper sends it again. Sending it twice
# is harmless: the second task finds the export claimed and does nothing.
QUEUE_LOST_AFTER = datetime.timedelta(minutes=5)
# A build adds a PDF every second or so; none for this long means its worker died.
STALLED_AFTER = datetime.timedelta(minutes=10)
# No sign of life this long (never started, or no progress): the sweeper fails a pending export
# (ExportFailure.NOT_STARTED, whose label states these minutes), and the page stops polling even
# where no sweeper runs. A pending export may only be queued behind other work: it shares the
# worker's one queue with the emails. A queue of its own would shorten that wait only with a
# worker process of its own (the same two processes serving two queues are just as busy).
GIVE_UP_AFTER = datetime.timedelta(minutes=30)
MAX_ATTEMPTS = 3
# The permission the export services ask (roadmaps.rules); the object is the cohort.
EXPORT = "roadmaps.export_cohort_roadmaps"


def exported_roadmaps(*, cohort_id: int) -> QuerySet[Roadmap]:
    """The cohort's roadmaps the ZIP holds: those with text in at least one field.

    Decision (issue 10): a roadmap nobody has started (no field has ever kept any text) is
    left out, so the ZIP is not padded with blank templates; the overview lists those cities
    as "Not started". One with text in an optional field only is kept: nothing written is left
    out.
    """
    written = RoadmapValue.objects.filter(roadmap=OuterRef("pk")).exclude(value="")
    return Roadmap.objects.filter(Exists(written), cohort_id=cohort_id)


def export_filename(*, cohort: Cohort) -> str:
    return f"reflection-roadmaps-cohort-{cohort.number}.zip"


def _send_build(export_id: int):
    from roadmaps.tasks import build_export

    return build_export.delay(export_id)


# The claim, the queuing after commit and the sweeper every background build shares.
BUILDS = BackgroundBuilds(
    model=RoadmapExport,
    waiting=ExportStatus.PENDING,
    building=ExportStatus.RUNNING,
    failed=ExportStatus.FAILED,
    progress_field="done",
    send_task=_send_build,
    label="Roadmap exports",
    failed_worker_stopped={
        "failure": ExportFailure.WORKER_STOPPED,
        "error": f"The worker stopped during each of {MAX_ATTEMPTS} builds.",
    },
    failed_not_started={
        "failure": ExportFailure.NOT_STARTED,
        "error": f"Not started within {GIVE_UP_AFTER.total_seconds() // 60:.0f} minutes.",
    },
    queue_lost_after=QUEUE_LOST_AFTER,
    stalled_after=STALLED_AFTER,
    give_up_after=GIVE_UP_AFTER,
    max_attempts=MAX_ATTEMPTS,
)


def _queue_build(export_id: int) -> None:
    BUILDS.queue(export_id)


def _stuck(now: datetime.datetime) -> Q:
    return BUILDS.stuck(now)


def export_is_stuck(export: RoadmapExport, *, now: datetime.datetime | None = None) -> bool:
    """Whether the page should stop polling an export in progress and offer to build it again.

    Read on the row in hand (the page has just loaded it), rather than asked again of the
    database: the status fragment is polled every two seconds while a ZIP is built.
    """
    return BUILDS.is_stuck(export, now=now)


def _sweep(exports: QuerySet[RoadmapExport], now: datetime.datetime) -> int:
    """Queue again or fail what was lost among `exports`; return how many were queued again."""
    return BUILDS.sweep(exports, now)


def roadmap_exports_sweep(*, now: datetime.datetime | None = None) -> int:
    """Recover the exports whose task or worker was lost; return how many were queued again."""
    return _sweep(RoadmapExport.objects.all(), now or timezone.now())


def roadmap_export_start(*, cohort: Cohort, acting_user) -> RoadmapExport:
    """Ask for a ZIP of the cohort's roadmaps; the task starts once this transaction commits.

    A second click while an export of the cohort is under way returns that export rather than
    building the same ZIP twice; if that export's task or worker was lost it is recovered first.
    Raise PermissionRefused unless `acting_user` may export the cohort's roadmaps.
    """
    permission_check(acting_user, EXPORT, cohort)
    with transaction.atomic():
        # Lock the cohort row so two simultaneous requests cannot both start an export.
        Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
        current = RoadmapExport.objects.filter(cohort=cohort, status__in=IN_PROGRESS)
        _sweep(current, timezone.now())
        running = current.order_by("-created_at", "-pk").first()
        if running is not None:
            return running
        export = RoadmapExport.objects.create(
            cohort=cohort,
            requested_by=acting_user,
            status=ExportStatus.PENDING,
            total=exported_roadmaps(cohort_id=cohort.pk).count(),
        )
        _queue_build(export.pk)
    return export


def cohort_latest_export(*, cohort_id: int) -> RoadmapExport | None:
    """The cohort's newest export: the only one its page shows."""
    return (
        RoadmapExport.objects.select_related("cohort")
        .filter(cohort_id=cohort_id)
        .order_by("-created_at", "-pk")
        .first()
    )


def roadmap_export_restart(*, export: RoadmapExport, acting_user) -> RoadmapExport:
    """Build a failed (or stuck) export again, as a fresh request by `acting_user`.

    Refused for an export that is ready or still moving (code "conflict"), and for one that a
    newer export of the cohort has replaced (code "superseded": the page then shows the newest).
    Raise PermissionRefused unless `acting_user` may export the cohort's roadmaps.
    """
    permission_check(acting_user, EXPORT, export.cohort)
    now = timezone.now()
    with transaction.atomic():
        Cohort.objects.select_for_update().filter(pk=export.cohort_id).first()
        newest = cohort_latest_export(cohort_id=export.cohort_id)
        if newest is not None and newest.pk != export.pk:
            raise ApplicationError(
                _("A newer ZIP has been requested since; its progress is shown below."),
                code="superseded",
            )
        restartable = RoadmapExport.objects.filter(
            Q(status=ExportStatus.FAILED) | _stuck(now), pk=export.pk
        )
        if not restartable.update(
            status=ExportStatus.PENDING,
            requested_by=acting_user,
            attempts=0,
            done=0,
            total=exported_roadmaps(cohort_id=export.cohort_id).count(),
            error="",
            failure="",
            queued_at=now,
            claimed_at=None,
            progressed_at=None,
            finished_at=None,
        ):
            raise ApplicationError(
                _("Only the latest ZIP, once it has failed, can be built again."),
                code="conflict",
            )
        _queue_build(export.pk)
    export.refresh_from_db()
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
    """Build the ZIP of an export and return its status; "skipped" when claimed or gone.

    Runs outside any transaction: each progress update is committed at once so that the page
    polling the export sees it move (and the sweeper sees that the worker is alive).
    """
    claim = BUILDS.claim(export_id)
    if claim is None:
        return "skipped"
    # Every write of this build holds only while its claim does.
    mine = RoadmapExport.objects.filter(claim)
    export = RoadmapExport.objects.select_related("cohort").get(pk=export_id)
    roadmaps = sorted(
        exported_roadmaps(cohort_id=export.cohort_id)
        .select_related("city__country", "cohort")
        .prefetch_related("values"),
        key=lambda roadmap: (alphabetical(roadmap.city.name), roadmap.pk),
    )
    mine.update(total=len(roadmaps), done=0)
    names = _unique_names(roadmaps)
    try:
        with tempfile.TemporaryFile() as scratch:
            with zipfile.ZipFile(scratch, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for done, roadmap in enumerate(roadmaps, start=1):
                    # The stored PDF of each roadmap printed before (a download, an earlier ZIP).
                    archive.writestr(names[roadmap.pk], roadmap_pdf_file(roadmap=roadmap))
                    if not mine.update(done=done, progressed_at=timezone.now()):
                        raise Superseded
            scratch.seek(0)
            # A random part in the stored name: MEDIA may be served by a web server one day,
            # and the name must not be guessable from the cohort number.
            stored_name = f"{secrets.token_hex(8)}-{export_filename(cohort=export.cohort)}"
            export.file.save(stored_name, File(scratch), save=False)
    except Superseded:
        logger.warning("Roadmap export %s: this build gave way to a newer one", export_id)
        return "skipped"
    except Exception as error:
        logger.exception("Roadmap export %s failed", export_id)
        mine.update(
            status=ExportStatus.FAILED,
            failure=ExportFailure.BUILD_ERROR,
            # For the admin; the page shows the failure's plain words to the facilitator.
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        return ExportStatus.FAILED
    if not mine.update(
        file=export.file.name, status=ExportStatus.READY, finished_at=timezone.now()
    ):
        export.file.delete(save=False)  # a newer build owns the export: keep no orphan file
        return "skipped"
    return ExportStatus.READY
