"""The Celery app. The beat schedule is defined here, in one place."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic work. Each entry calls a task that wraps a service, and the same services run from a
# management command, so an install without a broker can use cron instead.
app.conf.beat_schedule = {
    # The reminder rules (reminders.catalogue): plan what is due, cancel what no longer
    # applies, and hand due reminders to the batch delivery. Safe to run twice at once.
    "evaluate-reminders": {
        "task": "reminders.evaluate",
        "schedule": 60.0,
    },
    "sweep-stuck-emails": {
        "task": "notifications.sweep_stuck_emails",
        "schedule": 300.0,
    },
    # Exports whose task was lost or whose worker died; the page of one stops polling after
    # roadmaps.exports.GIVE_UP_AFTER even if this never runs.
    "sweep-stuck-exports": {
        "task": "roadmaps.sweep_stuck_exports",
        "schedule": 300.0,
    },
    # The same for the report exports (reports/exports.py), and the deletion of their files
    # once REPORT_EXPORTS_KEEP_DAYS have passed.
    "sweep-stuck-report-exports": {
        "task": "reports.sweep_stuck_exports",
        "schedule": 300.0,
    },
    "expire-report-exports": {
        "task": "reports.expire_exports",
        "schedule": 3600.0,
    },
}
