from celery import shared_task

from reminders import planning


@shared_task(name="reminders.evaluate")
def evaluate_reminders() -> dict:
    """Evaluate every reminder rule once (Celery beat, every minute; config/celery.py); return
    how many reminders were planned and cancelled, all rules together."""
    results = planning.reminders_evaluate().values()
    return {
        "planned": sum(found.planned for found in results),
        "cancelled": sum(found.cancelled for found in results),
    }
