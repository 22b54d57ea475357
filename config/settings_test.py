"""Test override of the one settings module: fast hashing, mail kept in memory, plain HTTP."""

import os
import tempfile
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production")
# Tests run with production behaviour (DEBUG off) except where a browser on http://localhost
# needs plain-HTTP cookies; test_security checks the production values with `check --deploy`.
os.environ["DEBUG"] = "false"
os.environ["SECURE_SSL_REDIRECT"] = "false"
os.environ["DEVELOPMENT_DATA"] = "true"  # the seed commands and the demo data


# At most this many test processes (Makefile: --maxprocesses): each takes its own of Redis's 16
# databases, two apart, so none lands on another's.
TEST_PROCESSES_MAX = 8


def _redis_database_moved(url: str, slot: int) -> str:
    parts = urlsplit(url)
    database = (int(parts.path.strip("/") or 0) + 2 * slot) % 16
    return urlunsplit(parts._replace(path=f"/{database}"))


def _worker_apart(worker: str, count: int) -> None:
    """Give one pytest-xdist worker process (`make test` runs several) what it must not share.

    Each worker has its own test database (pytest-django suffixes its name), but tests empty the
    cache between them (a Redis FLUSHDB, which would also empty the other worker's cache and its
    Celery queues) and write files under names made of row ids (the other worker's rows have the
    same ids). So each worker takes its own Redis database (the cache's and the broker's) and its
    own media folder. Written into the environment, so the processes a test starts (servers,
    Celery workers) inherit it; done once, since they import these settings again. A worker
    that replaces a crashed one gets the next id (gw2 of 2): the slot is the id modulo the count,
    the crashed one's."""
    if count > TEST_PROCESSES_MAX:
        raise RuntimeError(f"At most {TEST_PROCESSES_MAX} test processes, not {count}.")
    os.environ["PORTAL_TEST_WORKER"] = worker
    slot = int(worker.removeprefix("gw")) % count
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        if (url := os.environ.get(name, "")).startswith(("redis://", "rediss://")):
            os.environ[name] = _redis_database_moved(url, slot)
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix=f"portal-test-media-{worker}-")


if (_worker := os.environ.get("PYTEST_XDIST_WORKER")) and os.environ.get(
    "PORTAL_TEST_WORKER"
) != _worker:
    _worker_apart(_worker, int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))

from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Keep allauth's rate limits on (a test checks them) but make each test start clean:
# tests/conftest.py clears the cache between tests.

# Tasks run in the test process so that each test sees their effect; the one test that proves
# the broker and a real worker (tests/portal/test_celery_worker.py) turns this off for itself.
CELERY_TASK_ALWAYS_EAGER = True

# Serve static files through the finders, as runserver does; there is no collectstatic in tests.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
