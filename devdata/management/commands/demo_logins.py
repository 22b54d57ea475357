from django.core.management.base import BaseCommand

from devdata.demo_accounts import DEMO_LOGINS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the demo logins that seed_demo creates, one per line: email password role."

    def handle(self, *args, **options):
        self.stdout.write("# Demo logins (created by manage.py seed_demo): email password role")
        for email, role in DEMO_LOGINS:
            self.stdout.write(f"{email} {DEMO_PASSWORD} {role.value}")
