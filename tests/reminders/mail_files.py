"""A mail "server" the worker processes of tests/reminders/test_worker.py send to: each message
accepted is one file in a directory, so the test counts what went out across processes (a
killed worker's locmem outbox dies with it).

Accepting is the file appearing, in one step: the message is written under a temporary name
and renamed, so a file the test sees is a whole message, and a worker killed before the rename
has handed nothing over.

With `REMINDER_MAIL_HOLD_AFTER` = N, the backend accepts N messages and then holds the next
one, without accepting it, until the process is killed, after writing `holding` in the
directory so the test knows when to kill: the stop lands in the middle of a batch at a known
point, every time.
"""

import os
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

HOLDING = "holding"
SUFFIX = ".eml"


def accepted(directory: Path) -> list[Path]:
    """The messages accepted so far, one file each."""
    return sorted(directory.glob(f"*{SUFFIX}"))


class FileMailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        directory = Path(settings.REMINDER_TEST_MAIL_DIR)
        hold_after = settings.REMINDER_TEST_MAIL_HOLD_AFTER
        for message in email_messages:
            if hold_after is not None and len(accepted(directory)) >= hold_after:
                (directory / HOLDING).write_text(str(os.getpid()))
                while True:  # until the test kills this process
                    time.sleep(0.05)
            name = f"{time.time_ns()}-{uuid.uuid4().hex}"
            partial = directory / f"{name}.part"
            partial.write_bytes(message.message().as_bytes())
            os.replace(partial, directory / f"{name}{SUFFIX}")
        return len(email_messages)
