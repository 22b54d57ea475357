"""Fixtures shared by the whole suite.

Tests that need a real component (PostgreSQL, Redis and a worker, the browser) call
`require(...)`: on a laptop without it they are skipped with the reason; with CI=true they fail,
so CI can never go green by skipping the real thing.
"""

import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from tests import factories


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip (or, in CI, fail) the calling test when a real component it needs is missing."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


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
    from roadmaps.models import NetZeroCitiesService
    from taxonomy.models import EnablingFactor, EnablingTheme, ThematicSector

    with django_db_blocker.unblock():
        for model in (NetZeroCitiesService, Country, EnablingTheme, EnablingFactor, ThematicSector):
            model.objects.all().delete()


@pytest.fixture
def reference_data(db):
    """The taxonomies, countries and services, as the data migrations load them.

    Loaded again for each test that asks, because a transactional test that ran before has
    flushed them (see django_db_setup).
    """
    from django.core.management import call_command

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
