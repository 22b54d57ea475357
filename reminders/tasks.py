from celery import shared_task

from reminders import planning


@shared_task(name="reminders.evaluate")
def evaluate_reminders() -> dict:
    """Evaluate every reminder rule once (Celery beat, every minute; config/celery.py)."""
    results = planning.reminders_evaluate()
    return {kind: [found.planned, found.cancelled] for kind, found in results.items()}
