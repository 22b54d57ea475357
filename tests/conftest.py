"""Fixtures shared by the whole suite.

Tests that need a real component (PostgreSQL, Redis and a worker, the browser) call
`require(...)`: on a laptop without it they are skipped with the reason; with CI=true they fail,
so CI can never go green by skipping the real thing.
"""

import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import translation

from tests import factories

# The real Celery worker of the tests that prove the broker (`redis_worker`).
pytest_plugins = ["tests.workers"]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip (or, in CI, fail) the calling test when a real component it needs is missing."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


# --- The fast subset ------------------------------------------------------------------------
#
# `make test-fast` runs `pytest -m "not slow"`. Slow are the tests that drive a browser or a real
# Celery worker (their markers), and the tests below, by node id prefix (a folder, a module or a
# test): each takes a second or more on a quiet 2-core machine. `make test` runs them all.
SLOW = {
    "subprocesses": [
        "tests/api/test_generated_client.py",  # and a live server
        "tests/js/test_node_units.py",
        "tests/portal/test_security.py::test_deploy_check_",
        "tests/portal/test_security.py::test_settings_import_",
        "tests/portal/test_serve.py",
        "tests/portal/test_storage_settings.py::test_with",
        "tests/portal/test_storage_settings.py::test_without",
        "tests/test_architecture.py::test_a_production_install_has_no_development_data",
    ],
    "PDF and ZIP builds": [
        "tests/portal/test_periodic_tasks.py::test_run_periodic_tasks_builds_an_export_whose_task",
        "tests/roadmaps/test_exports.py",
        "tests/roadmaps/test_pdf.py",
        "tests/feedback/test_exports.py::test_pdf_report_",
    ],
    "servers and databases of their own": [
        "tests/roadmaps/test_sqlite_races.py",
        "tests/reports/test_export_s3.py",  # an S3-compatible server (moto) and a subprocess
        "tests/seeds/test_reference_migrations.py",
    ],
    "schema fuzzing": ["tests/api/test_schema_fuzz.py"],
    "scale data": [
        "tests/scale/",
        "tests/feedback/test_exports_bench.py",
        "tests/reports/test_export_memory.py",
        "tests/portal/test_widgets.py::test_search_select_html_does_not_grow_with_candidates",
        "tests/portal/test_widgets.py::test_search_select_multiple_renders_the_chosen_facilitators_"
        "in_their_order[500]",
        "tests/portal/test_widgets.py::test_search_select_renders_only_the_chosen_city_in_one_"
        "query[500]",
    ],
}
SLOW_PREFIXES = tuple(prefix for prefixes in SLOW.values() for prefix in prefixes)
SLOW_MARKERS = {"browser", "redis"}


def is_slow(item) -> bool:
    return item.nodeid.startswith(SLOW_PREFIXES) or any(
        item.get_closest_marker(name) for name in SLOW_MARKERS
    )


def pytest_itemcollected(item):
    if is_slow(item):
        item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _default_language():
    # LocaleMiddleware activates each request's language in the thread and never deactivates
    # it, so a test that asked for a French page would leave French behind for the next test
    # (in random order, any test that checks English words or renders a PDF).
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clean_cache():
    # allauth's rate limits live in the cache: each test starts with a clean slate.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Migrate the test database, then empty the reference tables the data migrations filled.

    Decision: every test starts without reference data, and a test that needs it asks for
    `reference_data`. pytest-django flushes every table after a transactional test (live server,
    `transaction=True`), which deletes migration-made rows; it runs those tests after the others,
    in random order among themselves, so a baseline with the rows would hold for one and not for
    the next. An empty baseline is the same in every order, and each test's own sectors,
    countries and services are the only ones it sees. That the migrations load the data is
    proved on databases migrated from zero (tests/seeds/test_reference_migrations.py).
    """
    from cities.models import Country
    from portal.models import DataVersion
    from roadmaps.models import NetZeroCitiesService
    from taxonomy.models import EnablingFactor, EnablingTheme, ThematicSector

    with django_db_blocker.unblock():
        for model in (NetZeroCitiesService, Country, EnablingTheme, EnablingFactor, ThematicSector):
            model.objects.all().delete()
        # Those deletions raised the data versions of cached fragments (post_delete receivers,
        # portal/fragments.py): the baseline has none either.
        DataVersion.objects.all().delete()


@pytest.fixture
def reference_data(db):
    """The taxonomies, countries and services, as the data migrations load them.

    Loaded again for each test that asks, because a transactional test that ran before has
    flushed them (see django_db_setup).
    """
    call_command("seed_reference", verbosity=0)


@pytest.fixture
def officer(db):
    return factories.city_officer()


@pytest.fixture
def facilitator(db):
    return factories.UserFactory(is_facilitator=True)


@pytest.fixture
def reviewer(db):
    return factories.UserFactory(is_reviewer=True)


@pytest.fixture
def programme_admin(db):
    return factories.UserFactory(is_programme_admin=True)


@pytest.fixture
def admin_client(programme_admin):
    """A client signed in as a programme admin (pytest-django's own signs in a superuser it
    makes with a username). A new client: a test may also use `client`, signed out."""
    client = Client()
    client.force_login(programme_admin)
    return client


# --- The demo data, loaded once ---------------------------------------------------------------
#
# Decision: the demo data of `make demo` takes seconds to load, and dozens of tests read it. A
# test that asks for `demo_data` gets it from one load per test session: the first such test
# loads it inside a transaction that is never committed, each test runs inside that transaction
# in a savepoint rolled back after it (as any `db` test is), and the transaction is rolled back
# after the last of them, so every other test still starts from the empty baseline of
# django_db_setup. The tests that ask for it run one after the other (the hook below keeps them
# together wherever pytest-randomly puts the first of them). A test may change the demo data:
# its savepoint is rolled back like any test's, as with Django's setUpTestData. A test that
# needs to load the demo itself (the output of a first run) asks for `db` and calls seed_demo.

DEMO_FIXTURE = "demo_data"
_next_uses_demo = pytest.StashKey[bool]()


class _DemoDatabase:
    """The transaction that holds the demo data while the tests that read it run."""

    atomic = None

    def open(self, blocker) -> None:
        with blocker.unblock():
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                call_command("seed_demo", verbosity=0)
            except BaseException:
                self._roll_back(atomic)
                raise
        self.atomic = atomic

    def close(self, blocker) -> None:
        atomic, self.atomic = self.atomic, None
        if atomic is not None:
            with blocker.unblock():
                self._roll_back(atomic)

    @staticmethod
    def _roll_back(atomic) -> None:
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


_demo_database = _DemoDatabase()


def uses_demo(item) -> bool:
    return DEMO_FIXTURE in getattr(item, "fixturenames", ())


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the tests that use `demo_data` one after the other, where the first of them is (after
    pytest-randomly's shuffle and pytest-django's grouping), so the demo loads once."""
    demo = [item for item in items if uses_demo(item)]
    if not demo:
        return
    first = items.index(demo[0])
    others = [item for item in items if not uses_demo(item)]
    items[:] = others[:first] + demo + others[first:]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    # Read by _demo_transaction's teardown, which runs inside this hook.
    item.stash[_next_uses_demo] = nextitem is not None and uses_demo(nextitem)
    return (yield)


@pytest.fixture(scope="session")
def _demo_database_cleanup(django_db_setup, django_db_blocker):
    # Rolls the demo back before the test database is destroyed when a run stops early (-x).
    yield
    _demo_database.close(django_db_blocker)


@pytest.fixture
def _demo_transaction(request, _demo_database_cleanup, django_db_blocker):
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        raise pytest.UsageError(
            "demo_data is rolled back after each test; a transactional test loads the demo itself"
        )
    if _demo_database.atomic is None:
        if connection.in_atomic_block:
            raise pytest.UsageError(f"{request.node.nodeid}: ask for demo_data before db")
        _demo_database.open(django_db_blocker)
    yield
    if not request.node.stash.get(_next_uses_demo, False):
        _demo_database.close(django_db_blocker)


@pytest.fixture
def demo_data(_demo_transaction, db):
    """The demo data of `make demo` (reference data, cohorts 1 and 2, the demo logins), loaded
    once for all the tests that ask for it; each test's changes are rolled back after it."""
