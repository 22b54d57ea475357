from django.core.management import call_command
from django.core.management.base import BaseCommand

from devdata.demo import demo_data_load


class Command(BaseCommand):
    help = (
        "Load the reference data, then Online Discussion Groups cohort 1 as 000 reports it "
        "(cities, phases, thematic groups, sessions, facilitators), a cohort 2 in progress "
        "around the day it is first loaded, and the demo logins. Safe to run again: a second "
        "run creates and changes nothing, and cohort 2 keeps the dates of its first run."
    )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        call_command("seed_reference", verbosity=verbosity, stdout=self.stdout, stderr=self.stderr)
        report = demo_data_load()
        if verbosity >= 1:
            self.stdout.write(f"Demo data: {report.summary()}.")
        if verbosity >= 2:
            self.stdout.write("\n".join(report.lines()))
