"""0003_email_retries: which failed emails the upgrade gives back to the retry schedule."""

import datetime
import importlib

import pytest
import time_machine
from django.apps import apps

from notifications.models import OutboundEmail

NOW = datetime.datetime(2025, 3, 3, 10, 0, tzinfo=datetime.UTC)
email_retries = importlib.import_module("notifications.migrations.0003_email_retries")


@pytest.mark.django_db
def test_upgrade_retries_only_recent_failed_emails_with_attempts_left():
    def email(key, *, status="failed", attempts=2, age=datetime.timedelta(hours=3)):
        return OutboundEmail.objects.create(
            key=key,
            to="officer@braga.example.org",
            subject="Invitation",
            body="Join us.",
            status=status,
            attempts=attempts,
            created_at=NOW - age,
        ).key

    keys = [
        email("recent"),
        email("a-day-old", age=datetime.timedelta(days=1)),
        email("months-old", age=datetime.timedelta(days=90)),
        email("no-attempts-left", attempts=5),
        email("sent", status="sent", attempts=1),
    ]
    with time_machine.travel(NOW, tick=False):
        # The migration's function, run on today's model (its fields are the migrated ones).
        email_retries.failed_with_attempts_left_retry(apps, None)

    assert {
        key: OutboundEmail.objects.values_list("status", "next_attempt_at").get(key=key)
        for key in keys
    } == {
        "recent": ("retry", NOW),
        "a-day-old": ("retry", NOW),
        "months-old": ("failed", None),
        "no-attempts-left": ("failed", None),
        "sent": ("sent", None),
    }
