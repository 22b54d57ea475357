"""The ZIP of a cohort's roadmaps: built by the Celery task after commit (eager in tests), with
progress, stored in MEDIA and downloaded only by the cohort's facilitators and admins."""

import datetime
import io
import zipfile

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cohorts.enums import Programme
from roadmaps import exports
from roadmaps.enums import ExportFailure, ExportStatus
from roadmaps.exports import (
    QUEUE_LOST_AFTER,
    roadmap_export_build,
    roadmap_export_restart,
    roadmap_export_start,
    roadmap_exports_sweep,
)
from roadmaps.models import RoadmapExport
from roadmaps.tasks import build_export
from tests import factories
from tests.roadmaps.outputs_factories import city_named, roadmap_with

# A roadmap somebody has started: the ZIP holds only those (roadmaps.exports.exported_roadmaps).
STARTED = {"phase1.challenge": "Heat in summer"}

CHALLENGE = {"phase1.challenge": "Heating the historic centre"}
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def lead(db):
    return factories.UserFactory(is_facilitator=True)


@pytest.fixture
def cohort(lead):
    # Twinning: its numbers never meet those of the factory's Online Discussion Groups.
    cohort = factories.CohortFactory(programme=Programme.TWINNING, number=4, name="Twinning 4")
    cohort.facilitators.add(lead)
    for name, iso_code, country in [
        ("Liepāja", "LV", "Latvia"),
        ("Čačak", "RS", "Serbia"),
        ("Eskişehir", "TR", "Türkiye"),
    ]:
        roadmap_with(cohort=cohort, city=city_named(name, iso_code, country), values=CHALLENGE)
    return cohort


def zip_names(export: RoadmapExport) -> list[str]:
    with export.file.open("rb") as stored, zipfile.ZipFile(stored) as archive:
        return archive.namelist()


def test_export_start_builds_one_pdf_per_roadmap_after_commit(
    cohort, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        export = roadmap_export_start(cohort=cohort, acting_user=lead)
        # Nothing is built before the transaction commits.
        assert RoadmapExport.objects.get(pk=export.pk).status == ExportStatus.PENDING

    assert len(callbacks) == 1
    export.refresh_from_db()
    assert (export.status, export.done, export.total, export.error) == (
        ExportStatus.READY,
        3,
        3,
        "",
    )
    assert export.requested_by == lead
    assert export.finished_at is not None
    assert export.file.name.startswith("roadmap-exports/")
    assert export.file.name.endswith("-reflection-roadmaps-cohort-4.zip")
    with export.file.open("rb") as stored, zipfile.ZipFile(stored) as archive:
        assert archive.namelist() == [
            "reflection-roadmap-cacak-4.pdf",
            "reflection-roadmap-eskisehir-4.pdf",
            "reflection-roadmap-liepaja-4.pdf",
        ]
        assert {archive.read(name)[:5] for name in archive.namelist()} == {b"%PDF-"}


def test_export_same_city_name_in_two_countries_gets_two_files(cohort, lead):
    roadmap_with(cohort=cohort, city=city_named("Valencia", "ES", "Spain"), values=STARTED)
    venezuela = city_named("Valencia", "VE", "Venezuela")
    roadmap_with(cohort=cohort, city=venezuela, values=STARTED)
    export = RoadmapExport.objects.create(cohort=cohort, requested_by=lead)

    assert roadmap_export_build(export_id=export.pk) == ExportStatus.READY

    export.refresh_from_db()
    names = zip_names(export)
    valencias = [name for name in names if "valencia" in name]
    assert len(names) == 5
    assert len(set(valencias)) == 2
    assert f"reflection-roadmap-valencia-ve-{venezuela.pk}-4.pdf" in valencias


def test_export_progress_is_committed_roadmap_by_roadmap(cohort, lead, monkeypatch):
    export = RoadmapExport.objects.create(cohort=cohort, requested_by=lead)
    seen = []
    real_pdf = exports.roadmap_pdf_file

    def pdf_and_progress(*, roadmap):
        # What a page polling the export reads while the task works on this roadmap.
        row = RoadmapExport.objects.get(pk=export.pk)
        seen.append((row.status, row.done, row.total))
        return real_pdf(roadmap=roadmap)

    monkeypatch.setattr(exports, "roadmap_pdf_file", pdf_and_progress)
    roadmap_export_build(export_id=export.pk)

    assert seen == [
        (ExportStatus.RUNNING, 0, 3),
        (ExportStatus.RUNNING, 1, 3),
        (ExportStatus.RUNNING, 2, 3),
    ]


def test_export_task_twice_builds_once(cohort, lead):
    export = RoadmapExport.objects.create(cohort=cohort, requested_by=lead)
    assert build_export.delay(export.pk).get() == "ready"
    first_file = RoadmapExport.objects.get(pk=export.pk).file.name

    assert build_export.delay(export.pk).get() == "skipped"
    assert RoadmapExport.objects.get(pk=export.pk).file.name == first_file


def test_export_task_of_a_deleted_export_does_nothing(cohort, lead):
    export = RoadmapExport.objects.create(cohort=cohort, requested_by=lead)
    export_id = export.pk
    export.delete()
    assert build_export.delay(export_id).get() == "skipped"


def test_export_start_while_one_is_running_returns_it(cohort, lead):
    running = RoadmapExport.objects.create(
        cohort=cohort, requested_by=lead, status=ExportStatus.RUNNING, total=3
    )
    assert roadmap_export_start(cohort=cohort, acting_user=lead) == running
    assert RoadmapExport.objects.count() == 1


def test_export_start_after_a_lost_export_builds_that_one_at_once(
    cohort, lead, django_capture_on_commit_callbacks
):
    """A click no longer waits 30 minutes behind an export whose task was lost: the export is
    queued again at once (its worker died 11 minutes ago, after the first of 3 PDFs)."""
    stuck = RoadmapExport.objects.create(
        cohort=cohort,
        requested_by=lead,
        status=ExportStatus.RUNNING,
        attempts=1,
        done=1,
        total=3,
        claimed_at=NOW - datetime.timedelta(minutes=12),
        progressed_at=NOW - datetime.timedelta(minutes=11),
    )
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        export = roadmap_export_start(cohort=cohort, acting_user=lead)

    export.refresh_from_db()
    assert (export.pk, export.status, export.attempts, export.done) == (
        stuck.pk,
        ExportStatus.READY,
        2,
        3,
    )
    assert RoadmapExport.objects.count() == 1


def test_export_failure_is_recorded(cohort, lead, monkeypatch):
    def broken_pdf(*, roadmap):
        raise OSError("disk full")

    monkeypatch.setattr(exports, "roadmap_pdf_file", broken_pdf)
    export = RoadmapExport.objects.create(cohort=cohort, requested_by=lead)

    assert roadmap_export_build(export_id=export.pk) == ExportStatus.FAILED

    export.refresh_from_db()
    assert (export.status, export.error, bool(export.file)) == (
        ExportStatus.FAILED,
        "OSError: disk full",
        False,
    )
    assert export.finished_at is not None


# The pages.


def test_export_request_page_flow(client, cohort, lead, django_capture_on_commit_callbacks):
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("roadmap_export_request", args=[cohort.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("roadmap_cohort_overview", args=[cohort.pk])

    export = RoadmapExport.objects.get()
    html = client.get(response["Location"]).content.decode()
    download = reverse("roadmap_export_download", args=[export.pk])
    assert "The ZIP of 3 roadmaps is ready" in html
    # The page opened afresh offers the link; only a fragment swapped in while the person
    # waits downloads by itself (test_export_ready_while_waiting_downloads_by_itself).
    assert f'<a href="{download}" download data-export-download>Download the ZIP</a>' in html
    assert "data-auto-download" not in html

    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        'attachment; filename="reflection-roadmaps-cohort-4.zip"'
    )
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert len(archive.namelist()) == 3


def test_export_request_with_htmx_answers_the_status_fragment(client, cohort, lead):
    client.force_login(lead)
    # Without capturing on-commit callbacks the task never runs: the export stays pending.
    response = client.post(
        reverse("roadmap_export_request", args=[cohort.pk]), headers={"HX-Request": "true"}
    )
    export = RoadmapExport.objects.get()
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-export-status="pending"' in html
    assert "Building the ZIP: 0 of 3 roadmaps" in html
    assert f'hx-get="{reverse("roadmap_export_status", args=[export.pk])}"' in html


def test_export_status_fragment_shows_progress_then_the_link(client, cohort, lead):
    export = RoadmapExport.objects.create(
        cohort=cohort, requested_by=lead, status=ExportStatus.RUNNING, done=12, total=40
    )
    client.force_login(lead)
    url = reverse("roadmap_export_status", args=[export.pk])

    running = client.get(url).content.decode()
    assert "Building the ZIP: 12 of 40 roadmaps" in running
    assert '<progress max="40" value="12">' in running
    assert 'hx-trigger="load delay:2s"' in running

    roadmap_export_build(export_id=RoadmapExport.objects.create(cohort=cohort).pk)
    RoadmapExport.objects.filter(pk=export.pk).delete()
    ready = RoadmapExport.objects.get()
    html = client.get(reverse("roadmap_export_status", args=[ready.pk])).content.decode()
    assert "The ZIP of 3 roadmaps is ready" in html
    # Ready: the fragment no longer polls.
    assert "hx-get" not in html


def test_export_failed_fragment_stops_polling_and_offers_to_build_again(client, cohort, lead):
    export = RoadmapExport.objects.create(
        cohort=cohort,
        status=ExportStatus.FAILED,
        failure=ExportFailure.BUILD_ERROR,
        error="OSError: disk full",
    )
    client.force_login(lead)
    html = client.get(reverse("roadmap_export_status", args=[export.pk])).content.decode()
    restart = reverse("roadmap_export_restart", args=[export.pk])

    assert 'data-export-status="failed"' in html
    assert "The ZIP could not be built. An error stopped the build." in html
    assert "hx-trigger" not in html
    assert "hx-get" not in html
    assert f'<form method="post" action="{restart}" hx-post="{restart}"' in html
    assert "Build the ZIP again</button>" in html
    # The technical error is for the admin only.
    assert "disk full" not in html


def test_export_download_before_ready_is_404(client, cohort, lead):
    export = RoadmapExport.objects.create(cohort=cohort, status=ExportStatus.RUNNING)
    client.force_login(lead)
    assert client.get(reverse("roadmap_export_download", args=[export.pk])).status_code == 404


def test_export_admin_may_request_and_download(client, cohort, django_capture_on_commit_callbacks):
    admin = factories.UserFactory(is_programme_admin=True)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("roadmap_export_request", args=[cohort.pk]))
    export = RoadmapExport.objects.get()
    response = client.get(reverse("roadmap_export_download", args=[export.pk]))
    assert (export.requested_by, response.status_code, response["Cache-Control"]) == (
        admin,
        200,
        "private, no-store",
    )


def test_export_others_get_404(client, cohort, lead):
    roadmap_export_build(export_id=RoadmapExport.objects.create(cohort=cohort).pk)
    export = RoadmapExport.objects.get()
    officer = factories.city_officer(city=cohort.roadmaps.first().city)
    other_facilitator = factories.UserFactory(is_facilitator=True)
    factories.CohortFactory().facilitators.add(other_facilitator)
    reviewer = factories.UserFactory(is_reviewer=True)
    statuses = set()
    for user in (officer, other_facilitator, reviewer):
        client.force_login(user)
        statuses |= {
            client.post(reverse("roadmap_export_request", args=[cohort.pk])).status_code,
            client.get(reverse("roadmap_export_status", args=[export.pk])).status_code,
            client.get(reverse("roadmap_export_download", args=[export.pk])).status_code,
            client.post(reverse("roadmap_export_restart", args=[export.pk])).status_code,
        }
    assert statuses == {404}
    assert RoadmapExport.objects.count() == 1


# Recovery: lost tasks, dead workers, restarts.


def ago(minutes: int) -> datetime.datetime:
    return NOW - datetime.timedelta(minutes=minutes)


def sweep(captured, *, execute: bool, at=NOW) -> tuple[int, int]:
    """Run the sweeper at `at`; return how many exports it queued again and tasks it sent."""
    with time_machine.travel(at, tick=False), captured(execute=execute) as callbacks:
        queued = roadmap_exports_sweep()
    return queued, len(callbacks)


def test_export_broker_down_at_commit_then_the_sweeper_builds_it(
    client, cohort, lead, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(build_export, "delay", broker_down)
    monkeypatch.setattr(build_export, "apply_async", broker_down)
    client.force_login(lead)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("roadmap_export_request", args=[cohort.pk]))
    monkeypatch.undo()

    # The request succeeded; the export waits, its task lost.
    assert response.status_code == 302
    export = RoadmapExport.objects.get()
    assert (export.status, export.queued_at, export.attempts) == (ExportStatus.PENDING, NOW, 0)
    # Not yet: the task may only be slow to start.
    assert sweep(django_capture_on_commit_callbacks, execute=True, at=NOW + QUEUE_LOST_AFTER) == (
        0,
        0,
    )
    assert sweep(django_capture_on_commit_callbacks, execute=True, at=ago(-6)) == (1, 1)

    export.refresh_from_db()
    assert (export.status, export.attempts, export.done, export.total) == (
        ExportStatus.READY,
        1,
        3,
        3,
    )
    assert len(zip_names(export)) == 3


def test_export_sweeper_requeues_lost_work_and_fails_what_cannot_recover(
    cohort, lead, django_capture_on_commit_callbacks
):
    def export(name, status, *, queued=0, progressed=None, attempts=0):
        row = RoadmapExport.objects.create(
            cohort=cohort,
            status=status,
            attempts=attempts,
            done=2 if status == ExportStatus.RUNNING else 0,
            total=3,
            queued_at=ago(queued),
            claimed_at=None if progressed is None else ago(queued),
            progressed_at=None if progressed is None else ago(progressed),
        )
        return name, row.pk

    rows = dict(
        [
            export("pending-new", ExportStatus.PENDING, queued=4),
            export("pending-lost", ExportStatus.PENDING, queued=6),
            export("pending-never-started", ExportStatus.PENDING, queued=31),
            export("running", ExportStatus.RUNNING, queued=40, progressed=9, attempts=1),
            export("running-dead", ExportStatus.RUNNING, queued=40, progressed=11, attempts=2),
            export("running-dead-3-times", ExportStatus.RUNNING, progressed=11, attempts=3),
            export("failed", ExportStatus.FAILED, queued=90),
        ]
    )

    assert sweep(django_capture_on_commit_callbacks, execute=False) == (2, 2)

    after = {
        name: RoadmapExport.objects.values_list("status", "failure", "done", "attempts").get(pk=pk)
        for name, pk in rows.items()
    }
    assert after == {
        "pending-new": (ExportStatus.PENDING, "", 0, 0),
        "pending-lost": (ExportStatus.PENDING, "", 0, 0),
        "pending-never-started": (ExportStatus.FAILED, ExportFailure.NOT_STARTED, 0, 0),
        "running": (ExportStatus.RUNNING, "", 2, 1),
        "running-dead": (ExportStatus.PENDING, "", 0, 2),
        "running-dead-3-times": (ExportStatus.FAILED, ExportFailure.WORKER_STOPPED, 2, 3),
        "failed": (ExportStatus.FAILED, "", 0, 0),
    }
    # The re-queued dead build waits afresh (it is not "stuck" at once); the lost task keeps
    # its time, so it is given up on 30 minutes after it was first queued.
    assert RoadmapExport.objects.get(pk=rows["running-dead"]).queued_at == NOW
    assert RoadmapExport.objects.get(pk=rows["pending-lost"]).queued_at == ago(6)
    assert RoadmapExport.objects.get(pk=rows["running-dead-3-times"]).error == (
        "The worker stopped during each of 3 builds."
    )


def test_export_never_started_says_no_worker_started_it_in_time(
    client, cohort, lead, django_capture_on_commit_callbacks
):
    """Still queued (perhaps behind other work) after 30 minutes: failed with words that do not
    claim the request was lost, and the facilitator may build it again."""
    export = RoadmapExport.objects.create(cohort=cohort, total=3, queued_at=ago(31))
    assert sweep(django_capture_on_commit_callbacks, execute=False) == (0, 0)
    client.force_login(lead)
    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("roadmap_export_status", args=[export.pk])).content.decode()

    minutes = int(exports.GIVE_UP_AFTER.total_seconds() // 60)
    export.refresh_from_db()
    assert (export.status, export.failure, export.error) == (
        ExportStatus.FAILED,
        ExportFailure.NOT_STARTED,
        f"Not started within {minutes} minutes.",
    )
    assert (
        f"The ZIP could not be built. No background worker started it within {minutes} minutes.</p>"
    ) in html
    assert "Build the ZIP again</button>" in html


def test_export_worker_killed_mid_build_is_rebuilt_up_to_three_times_then_fails(
    cohort, lead, monkeypatch, django_capture_on_commit_callbacks
):
    class WorkerKilled(BaseException):
        """The worker process dies: nothing after this point runs."""

    def killed(*, roadmap):
        raise WorkerKilled

    monkeypatch.setattr(exports, "roadmap_pdf_file", killed)
    export = RoadmapExport.objects.create(cohort=cohort, requested_by=lead, queued_at=NOW)
    at = NOW
    with time_machine.travel(at, tick=False), pytest.raises(WorkerKilled):
        roadmap_export_build(export_id=export.pk)
    for _rebuild in range(2):
        at += datetime.timedelta(minutes=15)
        with pytest.raises(WorkerKilled):
            sweep(django_capture_on_commit_callbacks, execute=True, at=at)
    export.refresh_from_db()
    assert (export.status, export.attempts) == (ExportStatus.RUNNING, 3)

    at += datetime.timedelta(minutes=15)
    assert sweep(django_capture_on_commit_callbacks, execute=True, at=at) == (0, 0)

    export.refresh_from_db()
    assert (export.status, export.failure, export.attempts, export.finished_at) == (
        ExportStatus.FAILED,
        ExportFailure.WORKER_STOPPED,
        3,
        at,
    )


@pytest.mark.parametrize(
    "new_attempt",
    [
        pytest.param(2, id="sweeper-requeued-it"),
        # A restart counts attempts from 0 again: the new build is attempt 1 like the old one,
        # and only its claim time tells them apart.
        pytest.param(1, id="restarted-same-attempt-number"),
    ],
)
def test_export_build_that_lost_its_claim_writes_nothing(cohort, lead, monkeypatch, new_attempt):
    """A build thought dead (no progress for 10 minutes) wakes up after the export was given to
    a new build: it stops at its next write and leaves the export to the new one."""
    export = RoadmapExport.objects.create(cohort=cohort, requested_by=lead)
    real_pdf = exports.roadmap_pdf_file

    def slow_then_superseded(*, roadmap):
        # Meanwhile the sweeper re-queued the export (or a person restarted it after it was
        # failed) and a new build claimed it.
        RoadmapExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.RUNNING, attempts=new_attempt, done=0, claimed_at=ago(-15)
        )
        return real_pdf(roadmap=roadmap)

    monkeypatch.setattr(exports, "roadmap_pdf_file", slow_then_superseded)
    with time_machine.travel(NOW, tick=False):
        assert roadmap_export_build(export_id=export.pk) == "skipped"

    export.refresh_from_db()
    assert (
        export.status,
        export.attempts,
        export.claimed_at,
        export.done,
        export.file.name,
    ) == (ExportStatus.RUNNING, new_attempt, ago(-15), 0, "")


def test_export_stuck_without_a_sweeper_stops_polling_and_offers_to_build_again(
    client, cohort, lead
):
    export = RoadmapExport.objects.create(
        cohort=cohort, requested_by=lead, total=3, queued_at=ago(31)
    )
    client.force_login(lead)
    url = reverse("roadmap_export_status", args=[export.pk])
    with time_machine.travel(ago(1), tick=False):
        waiting = client.get(url).content.decode()
    with time_machine.travel(NOW, tick=False):
        stuck = client.get(url).content.decode()
        overview = client.get(reverse("roadmap_cohort_overview", args=[cohort.pk])).content.decode()

    assert 'hx-trigger="load delay:2s"' in waiting
    for html in (stuck, overview):
        assert 'data-export-status="stuck"' in html
        assert "The ZIP has not moved for 30 minutes: the background worker may be down." in html
        assert "Build the ZIP again</button>" in html
        assert "hx-trigger" not in html.split('id="export-status"')[-1]

    with time_machine.travel(NOW, tick=False):
        client.post(reverse("roadmap_export_restart", args=[export.pk]))
    export.refresh_from_db()
    assert (export.status, export.queued_at) == (ExportStatus.PENDING, NOW)


def test_export_restart_of_a_failed_export_builds_it_for_the_person_who_asked(
    client, cohort, lead, django_capture_on_commit_callbacks
):
    export = RoadmapExport.objects.create(
        cohort=cohort,
        requested_by=lead,
        status=ExportStatus.FAILED,
        failure=ExportFailure.WORKER_STOPPED,
        error="The worker stopped during each of 3 builds.",
        attempts=3,
        total=2,
        finished_at=ago(60),
    )
    co_facilitator = factories.UserFactory(is_facilitator=True)
    cohort.facilitators.add(co_facilitator)
    client.force_login(co_facilitator)
    url = reverse("roadmap_export_restart", args=[export.pk])

    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = client.post(url, headers={"HX-Request": "true"})
        restarted = RoadmapExport.objects.get(pk=export.pk)
        for callback in callbacks:
            callback()

    html = response.content.decode()
    assert (response.status_code, len(callbacks)) == (200, 1)
    assert 'data-export-status="pending"' in html
    assert "Building the ZIP: 0 of 3 roadmaps" in html
    assert 'hx-trigger="load delay:2s"' in html
    assert (
        restarted.status,
        restarted.requested_by,
        restarted.attempts,
        restarted.failure,
        restarted.error,
        restarted.queued_at,
        restarted.finished_at,
    ) == (ExportStatus.PENDING, co_facilitator, 0, "", "", NOW, None)
    export.refresh_from_db()
    assert (export.status, export.attempts, len(zip_names(export))) == (ExportStatus.READY, 1, 3)


def test_export_restart_without_javascript_redirects_to_the_overview(
    client, cohort, lead, django_capture_on_commit_callbacks
):
    export = RoadmapExport.objects.create(cohort=cohort, status=ExportStatus.FAILED)
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("roadmap_export_restart", args=[export.pk]))
    assert (response.status_code, response["Location"]) == (
        302,
        reverse("roadmap_cohort_overview", args=[cohort.pk]),
    )
    assert RoadmapExport.objects.get(pk=export.pk).status == ExportStatus.READY


@pytest.mark.parametrize(
    ("status", "progressed_minutes_ago"),
    [(ExportStatus.READY, None), (ExportStatus.RUNNING, 1), (ExportStatus.PENDING, None)],
)
def test_export_restart_of_an_export_that_has_not_failed_is_refused(
    client, cohort, lead, django_capture_on_commit_callbacks, status, progressed_minutes_ago
):
    export = RoadmapExport.objects.create(
        cohort=cohort,
        status=status,
        done=1,
        total=3,
        queued_at=ago(2),
        progressed_at=None if progressed_minutes_ago is None else ago(progressed_minutes_ago),
    )
    before = RoadmapExport.objects.values().get(pk=export.pk)
    client.force_login(lead)
    url = reverse("roadmap_export_restart", args=[export.pk])
    with (
        time_machine.travel(NOW, tick=False),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        plain = client.post(url, follow=True)
        fragment = client.post(url, headers={"HX-Request": "true"})

    refusal = "Only the latest ZIP, once it has failed, can be built again."
    assert callbacks == []
    assert RoadmapExport.objects.values().get(pk=export.pk) == before
    assert [str(message) for message in plain.context["messages"]] == [refusal]
    assert fragment.status_code == 200
    assert refusal in fragment.content.decode()
    assert f'data-export-status="{status}"' in fragment.content.decode()


def test_export_restart_of_an_export_replaced_by_a_newer_one_is_refused(
    client, cohort, lead, django_capture_on_commit_callbacks
):
    """A stale tab: a colleague started a newer export since this one failed. The answer shows
    the newer export (polled while it runs), not the old one with the same button again."""
    old = RoadmapExport.objects.create(
        cohort=cohort,
        status=ExportStatus.FAILED,
        failure=ExportFailure.BUILD_ERROR,
        created_at=ago(9),
        queued_at=ago(9),
        finished_at=ago(8),
    )
    newer = RoadmapExport.objects.create(
        cohort=cohort,
        status=ExportStatus.RUNNING,
        attempts=1,
        done=1,
        total=3,
        created_at=ago(2),
        queued_at=ago(2),
        claimed_at=ago(2),
        progressed_at=ago(1),
    )
    before = list(RoadmapExport.objects.order_by("pk").values())
    client.force_login(lead)
    url = reverse("roadmap_export_restart", args=[old.pk])
    with (
        time_machine.travel(NOW, tick=False),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        fragment = client.post(url, headers={"HX-Request": "true"})
        plain = client.post(url, follow=True)

    refusal = "A newer ZIP has been requested since; its progress is shown below."
    html = fragment.content.decode()
    assert (callbacks, list(RoadmapExport.objects.order_by("pk").values())) == ([], before)
    assert fragment.status_code == 200
    assert refusal in html
    assert 'data-export-status="running"' in html
    assert "Building the ZIP: 1 of 3 roadmaps" in html
    assert f'hx-get="{reverse("roadmap_export_status", args=[newer.pk])}"' in html
    assert 'hx-trigger="load delay:2s"' in html
    assert "Build the ZIP again" not in html
    assert "/restart" not in html
    # Without JavaScript: the same words above the overview, which shows the newest export.
    assert [str(message) for message in plain.context["messages"]] == [refusal]
    assert plain.context["export"] == newer


def test_export_restart_by_another_cohorts_facilitator_is_404_and_changes_nothing(
    client, cohort, django_capture_on_commit_callbacks
):
    export = RoadmapExport.objects.create(cohort=cohort, status=ExportStatus.FAILED)
    other = factories.UserFactory(is_facilitator=True)
    factories.CohortFactory().facilitators.add(other)
    client.force_login(other)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("roadmap_export_restart", args=[export.pk]))
    assert (response.status_code, callbacks) == (404, [])
    assert RoadmapExport.objects.get(pk=export.pk).status == ExportStatus.FAILED


def test_export_restart_service_checks_the_acting_user(cohort):
    export = RoadmapExport.objects.create(cohort=cohort, status=ExportStatus.FAILED)
    officer = factories.city_officer(city=cohort.roadmaps.first().city)
    with pytest.raises(PermissionDenied):
        roadmap_export_restart(export=export, acting_user=officer)
    with pytest.raises(PermissionDenied):
        roadmap_export_start(cohort=cohort, acting_user=officer)
    assert RoadmapExport.objects.get(pk=export.pk).status == ExportStatus.FAILED


def test_export_leaves_out_the_roadmaps_nobody_started(cohort, lead):
    """Issue 10: no blank templates in the ZIP; a roadmap with text in an optional field only
    is kept (nothing written is left out)."""
    roadmap_with(cohort=cohort, city=city_named("Aalborg", "DK", "Denmark"))
    roadmap_with(
        cohort=cohort,
        city=city_named("Braga", "PT", "Portugal"),
        values={"phase1.overview": ""},  # a field written, then emptied
    )
    roadmap_with(
        cohort=cohort, city=city_named("Faro", "PT", "Portugal"), values={"phase3.note": "Later"}
    )
    export = roadmap_export_start(cohort=cohort, acting_user=lead)
    assert export.total == 4

    assert roadmap_export_build(export_id=export.pk) == ExportStatus.READY

    export.refresh_from_db()
    assert (export.done, export.total) == (4, 4)
    assert zip_names(export) == [
        "reflection-roadmap-cacak-4.pdf",
        "reflection-roadmap-eskisehir-4.pdf",
        "reflection-roadmap-faro-4.pdf",
        "reflection-roadmap-liepaja-4.pdf",
    ]


def test_export_ready_while_waiting_downloads_by_itself(client, cohort, lead):
    """The status fragment htmx swaps in is marked for static/js/roadmap/export.js to click
    its link; the page opened afresh on a ready ZIP is not."""
    export = roadmap_export_start(cohort=cohort, acting_user=lead)
    roadmap_export_build(export_id=export.pk)
    client.force_login(lead)
    status_url = reverse("roadmap_export_status", args=[export.pk])

    polled = client.get(status_url, headers={"HX-Request": "true"}).content.decode()
    opened = client.get(status_url).content.decode()
    page = client.get(reverse("roadmap_cohort_overview", args=[cohort.pk])).content.decode()

    download = reverse("roadmap_export_download", args=[export.pk])
    assert '<div class="export-progress" data-export-status="ready" data-auto-download>' in polled
    assert f'<a href="{download}" download data-export-download>' in polled
    assert "data-auto-download" not in opened
    assert "data-auto-download" not in page
    assert "js/roadmap/export.js" in page
