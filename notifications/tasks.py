from celery import shared_task

from notifications import services


@shared_task(name="notifications.deliver_email")
def deliver_email(email_id: int) -> bool:
    return services.email_deliver(email_id=email_id)


@shared_task(name="notifications.sweep_stuck_emails")
def sweep_stuck_emails() -> int:
    return services.emails_sweep_stuck()
