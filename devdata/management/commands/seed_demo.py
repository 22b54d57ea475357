from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from devdata.demo import demo_data_load, demo_surveys_load
from devdata.visits_load import demo_visits_load

# The demo's own writes queue emails (Coimbra's and Ljubljana's roadmaps submitted, Ljubljana's
# returned) to example.org officers. They are recorded in the outbox (marked sent) but go
# nowhere: with the console backend of a local run they would print over the demo logins that
# `make run` prints next, and an SMTP server would only bounce them. A worker (REDIS_URL set)
# delivers with its own settings, in its own log.
NO_DELIVERY = "django.core.mail.backends.dummy.EmailBackend"


class Command(BaseCommand):
    help = (
        "Load the reference data, then Online Discussion Groups cohort 1 as 000 reports it "
        "(cities, phases, thematic groups, sessions, facilitators), a cohort 2 in progress "
        "around the day it is first loaded, the demo logins, cohort 1's feedback surveys, and "
        "the Group Study Visits of 2025 (Mannheim, Guimarães, Bucharest) with a call open for "
        "cohort 2. Safe to run again: a second "
        "run creates and changes nothing, and cohort 2 keeps the dates of its first run."
    )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        call_command("seed_reference", verbosity=verbosity, stdout=self.stdout, stderr=self.stderr)
        # The load commits (and so delivers what it queued) before the setting is restored.
        with override_settings(EMAIL_BACKEND=NO_DELIVERY):
            report = demo_data_load()
        if verbosity >= 1:
            self.stdout.write(f"Demo data: {report.summary()}.")
        if verbosity >= 2:
            self.stdout.write("\n".join(report.lines()))
        # Cohort 1's feedback surveys (issue 11), on a line of their own.
        surveys = demo_surveys_load()
        if verbosity >= 1:
            self.stdout.write(f"Demo surveys: {surveys.summary()}.")
        if verbosity >= 2:
            self.stdout.write("\n".join(surveys.lines()))
        # Group Study Visits (issue 12): the 2025 call and a call open now, on a line of its
        # own. Publishing the 2025 decisions emails example.org officers: not delivered either.
        with override_settings(EMAIL_BACKEND=NO_DELIVERY):
            visits = demo_visits_load()
        if verbosity >= 1:
            self.stdout.write(f"Demo visits: {visits.summary()}.")
        if verbosity >= 2:
            self.stdout.write("\n".join(visits.lines()))
