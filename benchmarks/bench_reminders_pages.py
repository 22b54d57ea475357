"""The reminders pages people use (issue 13): the admins' outbox and everyone's preferences.

The outbox is measured with at least OUTBOX_ROWS emails in it. When `seed_scale` planned its
due reminders (the evaluation's benchmark data), those are the rows; otherwise the first run
adds a mix to the benchmark database (kept for later runs): planned reminders of every kind,
sent, failed and cancelled ones, and service messages.
"""

import datetime

from django.utils import timezone

from benchmarks.harness import benchmark, page, signed_in_client
from devdata.scale import scale_users
from notifications.enums import DeliveryStatus, ReminderKind
from notifications.models import OutboundEmail

OUTBOX_ROWS = 50_000
KEY_PREFIX = "bench-outbox:"


def outbox_filled() -> int:
    """Add emails until the outbox holds OUTBOX_ROWS; return how many it holds."""
    present = OutboundEmail.objects.count()
    missing = OUTBOX_ROWS - present
    if missing <= 0:
        return present
    now = timezone.now()
    kinds = ReminderKind.values
    start = OutboundEmail.objects.filter(key__startswith=KEY_PREFIX).count()
    rows = []
    for number in range(start, start + missing):
        # Mostly planned reminders still to go (as after an evaluation), then what a running
        # outbox holds: sent, cancelled, failed and retried emails, service messages among them.
        share = number % 20
        kind = "" if share in (0, 1) else kinds[number % len(kinds)]
        status = (
            DeliveryStatus.SENT
            if share in (0, 2, 3)
            else DeliveryStatus.CANCELLED
            if share == 4
            else DeliveryStatus.FAILED
            if share == 5
            else DeliveryStatus.RETRY
            if share == 6
            else DeliveryStatus.PENDING
        )
        planned = kind != "" and status == DeliveryStatus.PENDING
        rows.append(
            OutboundEmail(
                key=f"{KEY_PREFIX}{number}",
                to=f"person{number % 5000:04d}@scale.example.org",
                kind=kind,
                topic=f"session:{number % 2000}" if kind else "",
                subject="" if planned else f"Message number {number}",
                body="" if planned else "Hello,\n\nA message of the benchmark.\n",
                status=status,
                send_after=now + datetime.timedelta(minutes=number % 1440) if kind else None,
                created_at=now - datetime.timedelta(minutes=missing - (number - start)),
                sent_at=now if status == DeliveryStatus.SENT else None,
                last_error="550 5.1.1 unknown mailbox" if status == DeliveryStatus.FAILED else "",
                cancel_reason="The session was moved."
                if status == DeliveryStatus.CANCELLED
                else "",
            )
        )
    OutboundEmail.objects.bulk_create(rows, batch_size=2000)
    return OutboundEmail.objects.count()


def _admin():
    return scale_users().filter(is_programme_admin=True).order_by("email").first()


@benchmark("reminders outbox: programme admin, first page of 50,000+ emails")
def outbox_page():
    outbox_filled()
    return page(signed_in_client(_admin()), "/reminders/outbox/")


@benchmark("reminders outbox: programme admin, failed emails (status filter)")
def outbox_page_failed():
    outbox_filled()
    return page(signed_in_client(_admin()), "/reminders/outbox/?status=failed")


@benchmark("reminders outbox: programme admin, service messages (kind filter)")
def outbox_page_service():
    outbox_filled()
    return page(signed_in_client(_admin()), "/reminders/outbox/?kind=service")


@benchmark("reminders preferences: officer")
def preferences_officer():
    officer = (
        scale_users()
        .filter(is_facilitator=False, is_reviewer=False, is_programme_admin=False)
        .filter(city_memberships__isnull=False)
        .order_by("email")
        .first()
    )
    return page(signed_in_client(officer), "/reminders/preferences/")


@benchmark("reminders preferences: programme admin (every kind)")
def preferences_admin():
    return page(signed_in_client(_admin()), "/reminders/preferences/")
