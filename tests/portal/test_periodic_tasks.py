"""The periodic services also run without a broker, through one management command."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from config.celery import app
from notifications.enums import DeliveryStatus
from notifications.models import OutboundEmail
from roadmaps.enums import ExportStatus
from roadmaps.models import RoadmapExport
from tests import factories
from tests.roadmaps.outputs_factories import city_named, roadmap_with

NOW = datetime.datetime(2025, 3, 3, 10, 0, tzinfo=datetime.UTC)


def test_beat_schedule_names_only_registered_tasks():
    app.loader.import_default_modules()

    assert {entry["task"] for entry in app.conf.beat_schedule.values()} <= set(app.tasks)


@pytest.mark.django_db
def test_run_periodic_tasks_runs_the_sweeper_and_sends_a_lost_email(
    django_capture_on_commit_callbacks,
):
    OutboundEmail.objects.create(
        key="lost",
        to="officer@braga.example.org",
        subject="Roadmap returned",
        body="See the comments.",
        created_at=NOW - datetime.timedelta(minutes=30),
    )
    out = StringIO()

    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        call_command("run_periodic_tasks", stdout=out)

    assert out.getvalue() == (
        "evaluate-reminders: reminders.evaluate -> {'planned': 0, 'cancelled': 0}\n"
        "expire-report-exports: reports.expire_exports -> 0\n"
        "sweep-stuck-emails: notifications.sweep_stuck_emails -> 1\n"
        "sweep-stuck-exports: roadmaps.sweep_stuck_exports -> 0\n"
        "sweep-stuck-report-exports: reports.sweep_stuck_exports -> 0\n"
    )
    assert OutboundEmail.objects.get(key="lost").status == DeliveryStatus.SENT
    assert [message.to for message in mail.outbox] == [["officer@braga.example.org"]]


@pytest.mark.django_db
def test_run_periodic_tasks_builds_an_export_whose_task_was_lost(
    django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    cohort = factories.CohortFactory()
    # Started (the ZIP leaves out roadmaps in which nothing was written).
    roadmap_with(
        cohort=cohort,
        city=city_named("Braga", "PT", "Portugal"),
        values={"phase1.challenge": "Heating the old town"},
    )
    # Its task was lost 6 minutes ago (the broker was down at commit).
    export = RoadmapExport.objects.create(
        cohort=cohort, queued_at=NOW - datetime.timedelta(minutes=6)
    )
    out = StringIO()

    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        call_command("run_periodic_tasks", stdout=out)

    assert out.getvalue() == (
        "evaluate-reminders: reminders.evaluate -> {'planned': 0, 'cancelled': 0}\n"
        "expire-report-exports: reports.expire_exports -> 0\n"
        "sweep-stuck-emails: notifications.sweep_stuck_emails -> 0\n"
        "sweep-stuck-exports: roadmaps.sweep_stuck_exports -> 1\n"
        "sweep-stuck-report-exports: reports.sweep_stuck_exports -> 0\n"
    )
    export.refresh_from_db()
    assert (export.status, export.attempts, export.done, export.finished_at) == (
        ExportStatus.READY,
        1,
        1,
        NOW,
    )
