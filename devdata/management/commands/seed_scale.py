"""Generate EU-scale synthetic data for load tests and benchmarks (see devdata/scale.py)."""

import time

from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from devdata.scale import (
    EMAIL_DOMAIN,
    SCALE_PASSWORD,
    ScaleConfig,
    StepReport,
    scale_data_present,
    scale_flush,
    scale_generate,
)


class Command(BaseCommand):
    help = (
        "Generate synthetic cities, users, cohorts, sessions, climate actions, enrolments, "
        "registrations, attendance, a feedback survey of 100,000 responses and a Group Study "
        "Visits call of 20,000 applications with 3 reviews each at EU scale. "
        "Generated rows are "
        "marked (cities 'Scaleville 00001', users @scale.example.org, cohorts from 1000) so the "
        "demo data is never touched; --flush deletes earlier generated rows first."
    )

    def add_arguments(self, parser):
        defaults = ScaleConfig()
        parser.add_argument("--cities", type=int, default=defaults.cities)
        parser.add_argument("--users", type=int, default=defaults.users)
        parser.add_argument("--cohorts", type=int, default=defaults.cohorts)
        parser.add_argument("--seed", type=int, default=defaults.seed)
        parser.add_argument(
            "--survey-responses",
            type=int,
            default=defaults.survey_responses,
            help="Submitted responses of 20 questions in the scale survey (default: two per "
            "user, 100,000 at the default size; 0: no survey).",
        )
        parser.add_argument(
            "--visit-applications",
            type=int,
            default=defaults.visit_applications,
            help="Submitted applications, with 3 reviews each, in the scale Group Study Visits "
            "call (default: two per generated city, 20,000 at the default size; 0: no call).",
        )
        parser.add_argument(
            "--due-reminders",
            type=int,
            default=defaults.due_reminders,
            help="Registrations for the sessions of the reminders benchmark, which start "
            "within a day of its evaluation (default: one per user, 50,000 at the default "
            "size; 0: none).",
        )
        parser.add_argument(
            "--flush",
            action="store_true",
            help="Delete previously generated rows first (otherwise the command refuses).",
        )
        parser.add_argument(
            "--skip-reference",
            action="store_true",
            help="Do not run seed_reference first (the reference data is already loaded).",
        )

    def handle(self, *args, **options):
        config = ScaleConfig(
            cities=options["cities"],
            users=options["users"],
            cohorts=options["cohorts"],
            seed=options["seed"],
            survey_responses=options["survey_responses"],
            visit_applications=options["visit_applications"],
            due_reminders=options["due_reminders"],
        )
        for name in ("cities", "users", "cohorts"):
            if getattr(config, name) < 1 or getattr(config, name) > 99_999:
                raise CommandError(f"--{name} must be between 1 and 99999.")
        if config.survey_responses is not None and not 0 <= config.survey_responses <= 1_000_000:
            raise CommandError("--survey-responses must be between 0 and 1000000.")
        if config.visit_applications is not None and not 0 <= config.visit_applications <= 99_999:
            raise CommandError("--visit-applications must be between 0 and 99999.")
        if config.due_reminders is not None and not 0 <= config.due_reminders <= 1_000_000:
            raise CommandError("--due-reminders must be between 0 and 1000000.")
        verbose = options["verbosity"] >= 1
        started = time.perf_counter()
        if not options["skip_reference"]:
            call_command("seed_reference", verbosity=0)
        if scale_data_present():
            if not options["flush"]:
                raise CommandError(
                    "Generated data is already present; run again with --flush to replace it."
                )
            flush_started = time.perf_counter()
            scale_flush()
            if verbose:
                self.stdout.write(
                    f"flushed earlier generated rows in {time.perf_counter() - flush_started:.1f}s"
                )

        def report(step: StepReport) -> None:
            if verbose:
                self.stdout.write(f"{step.name:<20} {step.rows:>8} rows  {step.seconds:6.2f}s")

        try:
            reports = scale_generate(config=config, on_step=report)
        except ValueError as error:
            raise CommandError(str(error)) from error
        after_bulk_load()
        if verbose:
            total_rows = sum(step.rows for step in reports)
            self.stdout.write(
                self.style.SUCCESS(
                    f"{total_rows} rows in {time.perf_counter() - started:.1f}s "
                    f"(seed {config.seed}); every *@{EMAIL_DOMAIN} user signs in with "
                    f"{SCALE_PASSWORD!r}."
                )
            )


def after_bulk_load() -> None:
    """What the database and the cache need after rows were written in bulk.

    The rows were written with bulk_create, which raises no data version (portal/fragments.py),
    and a flush may have deleted rows that cached fragments show: clear the cache (it holds only
    what can be computed again; database-backed sessions survive). ANALYZE gives the query
    planner the new tables' statistics: without them SQLite picked the enrolments' status index
    and read every accepted enrolment to find one person's few.

    On PostgreSQL only the portal's own tables: a bare ANALYZE also takes the cluster's shared
    catalogs (pg_authid, pg_database), whose lock is held to the end of the transaction, so two
    test processes seeding at once (pytest-xdist, each test in a transaction) waited for each
    other's whole test.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tables = connection.introspection.django_table_names(only_existing=True)
            cursor.execute("ANALYZE " + ", ".join(map(connection.ops.quote_name, sorted(tables))))
        else:
            cursor.execute("ANALYZE")
    cache.clear()
