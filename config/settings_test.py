"""Test override of the one settings module: fast hashing, mail kept in memory, plain HTTP."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production")
# Tests run with production behaviour (DEBUG off) except where a browser on http://localhost
# needs plain-HTTP cookies; test_security checks the production values with `check --deploy`.
os.environ["DEBUG"] = "false"
os.environ["SECURE_SSL_REDIRECT"] = "false"
os.environ["DEVELOPMENT_DATA"] = "true"  # the seed commands and the demo data

from config.settings import *  # noqa: F403

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
