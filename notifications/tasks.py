from celery import shared_task

from notifications import services


# The hard time limit kills a delivery stuck on a silent mail server long before the sweeper
# would free its row (STUCK_AFTER), so no row is ever sent by two deliveries at once. Only the
# prefork pool (Celery's default, the one docker-compose.yml runs) enforces hard time limits.
@shared_task(
    name="notifications.deliver_email",
    time_limit=services.DELIVERY_TIME_LIMIT.total_seconds(),
)
def deliver_email(email_id: int) -> bool:
    return services.email_deliver(email_id=email_id)


@shared_task(name="notifications.sweep_stuck_emails")
def sweep_stuck_emails() -> int:
    return services.emails_sweep_stuck()


@shared_task(
    name="notifications.deliver_due", time_limit=services.DELIVERY_TIME_LIMIT.total_seconds()
)
def deliver_due() -> int:
    """Send due planned reminders a batch at a time. A full batch means there may be more: a
    worker hands them to a new task (a stopped worker loses one batch's turn, not the rest);
    run eagerly (no broker) it goes on itself, without nesting a task per batch."""
    sent = 0
    while True:
        batch = services.emails_deliver_batch(limit=services.BATCH_SIZE)
        sent += batch.sent
        if not batch.more:
            return sent  # none left that this delivery may claim now
        if not deliver_due.request.is_eager:
            services.deliver_due_soon()
            return sent
