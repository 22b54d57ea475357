"""Run every task of the Celery beat schedule once, here and now.

For an install without a broker (or a cron job instead of beat): `manage.py run_periodic_tasks`
does what beat would have done, with the same tasks and therefore the same services.
"""

from celery import current_app as app
from django.core.management.base import BaseCommand

# The project's Celery app (config/celery.py), made the current app when Django loads
# config.settings; reached through Celery so the top app does not import the configuration.


class Command(BaseCommand):
    help = "Run each periodic task of the beat schedule once, in this process."

    def handle(self, *args, **options):
        # Outside a worker the apps' tasks modules are not imported yet: register them first.
        app.loader.import_default_modules()
        for entry_name, entry in sorted(app.conf.beat_schedule.items()):
            task = app.tasks[entry["task"]]
            result = task.apply(args=entry.get("args", ()), kwargs=entry.get("kwargs", {}))
            result.get(propagate=True)  # a failing task fails the command, so cron reports it
            self.stdout.write(f"{entry_name}: {entry['task']} -> {result.result!r}")
