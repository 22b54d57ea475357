"""Settings of the Celery worker processes tests/reminders/test_worker.py starts: the test
settings (the test database comes in DATABASE_URL), with tasks sent to the broker rather than
run eagerly, as in production, and mail written to files (tests/reminders/mail_files.py)."""

import os

from config.settings_test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
EMAIL_BACKEND = "tests.reminders.mail_files.FileMailBackend"
REMINDER_TEST_MAIL_DIR = os.environ["REMINDER_TEST_MAIL_DIR"]
REMINDER_TEST_MAIL_HOLD_AFTER = (
    int(os.environ["REMINDER_TEST_MAIL_HOLD_AFTER"])
    if os.environ.get("REMINDER_TEST_MAIL_HOLD_AFTER")
    else None
)
