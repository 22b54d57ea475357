from django.core.management.base import BaseCommand

from devdata.demo import reference_data_load


class Command(BaseCommand):
    help = (
        "Apply the reference data of taxonomy/reference.py and roadmaps/reference.py again "
        "(thematic sectors, enabling factors, enabling themes, countries, NetZeroCities "
        "services); `migrate` loads it already. Puts back rows changed since; unchanged rows "
        "are left alone."
    )

    def handle(self, *args, **options):
        report = reference_data_load()
        if options["verbosity"] >= 1:
            self.stdout.write(f"Reference data: {report.summary()}.")
        if options["verbosity"] >= 2:
            self.stdout.write("\n".join(report.lines()))
