"""Settings for the city peer-learning portal, driven by environment variables.

No DATABASE_URL: SQLite in the project folder. No REDIS_URL: local-memory cache and Celery tasks
run eagerly in the web process. `.env.example` lists every variable a production install sets.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.release import code_fingerprint

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=true for local development).")
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "rest_framework",
    # django-rest-knox: hashed, expiring API tokens. Its own token model is swapped for
    # accounts.ApiToken (KNOX_TOKEN_MODEL below); the app stays installed because knox.auth
    # imports knox.models.
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_celery_beat",
    # Project apps, lowest layer first (ARCHITECTURE.md; the import contract in pyproject.toml
    # holds the same order, tests/test_architecture.py compares them).
    "portal",
    "notifications",
    "taxonomy",
    "accounts",
    "cities",
    "cohorts",
    "sessions.apps.PeerSessionsConfig",
    "roadmaps",
    "feedback",
    "visits",
    "reminders",
    "reports",
    "home",
]
# The demo and scale generators and their commands (seed_demo, demo_logins, seed_scale,
# seed_reference): in development and tests, not in a production install.
DEVELOPMENT_DATA = env_bool("DEVELOPMENT_DATA", default=DEBUG)
if DEVELOPMENT_DATA:
    INSTALLED_APPS.append("devdata")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.PermissionsPolicyMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "portal.middleware.InlineStylePagesCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After locale and auth: a signed-in person's pages follow their account's language.
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After sessions, locale, auth and messages: its 400 page is a page like the others.
    "portal.form_guard.FormCharacterGuardMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

# Django's form renderer, with <select> drawn in Python (same markup, a fraction of the time).
FORM_RENDERER = "portal.form_rendering.FormRenderer"

# Database: PostgreSQL when DATABASE_URL is set, SQLite otherwise.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE") or "60"),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Two people saving at once must wait their turn, not get "database is locked" (500).
    # IMMEDIATE: every atomic block takes the write lock at BEGIN, so no transaction has to
    # upgrade a read lock (SQLite refuses that at once, whatever the timeout) and the version
    # check of a roadmap field reads what the previous writer committed (the second one gets
    # 409). timeout: how long a writer waits for the lock. WAL: pages are read while someone
    # writes. synchronous FULL: a save answered 200 survives a power cut (an autosave does not
    # wait for the disk: portal/drafts.py, which restores this value after each).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE",
        timeout=20,
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and Celery: Redis when REDIS_URL is set, local memory and eager tasks otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # The release's own keys: a fragment drawn by older templates is never served
            # (config/release.py).
            "KEY_PREFIX": f"{os.environ.get('CACHE_KEY_PREFIX', 'portal')}:"
            f"{code_fingerprint(BASE_DIR)}",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions where they are cheapest and still shared by every process: with Redis, read from the
# cache and written through to the database (a Redis restart signs nobody out); without it, the
# database only, since a local-memory cache is per process and would keep a session that
# another process ended (sign-out, password change) alive.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None  # results that matter are written to the database by services
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Accounts: our own user model (email, no username) and django-allauth.
AUTH_USER_MODEL = "accounts.User"
# Permissions come from django-rules (each app's rules.py) and, for the Django admin only, from
# ProgrammeAdminBackend; the two sign-in backends answer no permission question, so a page's
# header costs no permission queries (accounts/backends.py). The test client's force_login()
# takes the first backend that has get_user(): UserBackend (rules' backend has none).
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "accounts.backends.UserBackend",
    "accounts.backends.AllauthBackend",
    "accounts.backends.ProgrammeAdminBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[City peer learning] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
# allauth's defaults limit failed sign-ins per client address (10 a minute) and per account
# (5 in 5 minutes). Behind the TLS proxy (README) every request comes from the proxy's address,
# so the per-address limit would count everyone's failures together: ten made-up sign-ins a
# minute would lock every person out. TRUSTED_PROXY_COUNT is the number of proxies in front of
# the portal that append the client's address to X-Forwarded-For; allauth then reads the
# address that many entries from the end (the one the outermost trusted proxy saw). Default 0:
# without a proxy the header is whatever the client wrote, so it is ignored. A proxy that puts
# the client's address in a header of its own instead (X-Real-IP, CF-Connecting-IP) is named
# by TRUSTED_CLIENT_IP_HEADER; it must then set that header on every request. An empty
# variable (`TRUSTED_PROXY_COUNT=` in an env file) means the default, as for the numbers below.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT") or "0")
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = os.environ.get("TRUSTED_CLIENT_IP_HEADER", "") or None
INVITATION_VALID_DAYS = int(os.environ.get("INVITATION_VALID_DAYS") or "14")

# Email: SMTP when EMAIL_URL-style variables are set, the console otherwise.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT") or "25")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "City peer learning <noreply@example.org>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Internationalisation: English is complete; add a language by listing it here and running
# `make messages` (docs/i18n.md).
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("pt", _("Portuguese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Brussels"
USE_TZ = True
# One way to write dates and times per language (portal/formats/__init__.py says which).
FORMAT_MODULE_PATH = ["portal.formats"]

# Static files: WhiteNoise serves them in production (compressed, cache-busted names).
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "portal.staticfiles.ManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Files the portal makes (export files, roadmap PDFs and ZIPs) go through Django's storage API:
# MEDIA_ROOT on this machine by default; with S3_BUCKET, an S3-compatible object store
# (django-storages), which several web and worker machines share. Files are private: a
# download is a permission-checked view that redirects to a URL signed for
# S3_SIGNED_URL_SECONDS (portal/files.py). S3_PUBLIC_ENDPOINT_URL: the store's address as
# browsers reach it, when it differs from the one the portal uses (MinIO in docker-compose).
S3_BUCKET = os.environ.get("S3_BUCKET", "")
S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "") or None
S3_PUBLIC_ENDPOINT_URL = os.environ.get("S3_PUBLIC_ENDPOINT_URL", "") or None
S3_SIGNED_URL_SECONDS = int(os.environ.get("S3_SIGNED_URL_SECONDS") or "300")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": S3_ENDPOINT_URL,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID", "") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY", "") or None,
            "region_name": os.environ.get("S3_REGION", "") or None,
            "signature_version": "s3v4",
            # MinIO and most S3-compatible stores serve buckets by path, not by host name.
            "addressing_style": os.environ.get("S3_ADDRESSING_STYLE")
            or ("path" if S3_ENDPOINT_URL else None),
            "querystring_auth": True,
            "querystring_expire": S3_SIGNED_URL_SECONDS,
            "default_acl": None,  # the bucket's own (private)
            "file_overwrite": False,
        },
    }
# How long an export file is kept before the periodic task deletes it (reports/exports.py).
REPORT_EXPORTS_KEEP_DAYS = int(os.environ.get("REPORT_EXPORTS_KEEP_DAYS") or "7")

# Security. Production (DEBUG off) gets secure cookies, HSTS and an HTTPS redirect; a proxy in
# front terminates TLS and says so with X-Forwarded-Proto.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("SECURE_HSTS_SECONDS") or "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
# Joining the browsers' HSTS preload list binds every subdomain of the install's domain and takes
# months to undo, so it is the operator's choice (SECURE_HSTS_PRELOAD=true), not a default; the
# deploy check's reminder about it (W021) is silenced so `check --deploy` can fail on anything else.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Django's own Content-Security-Policy: scripts only from our origin, never inline.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    # No inline style either; the Django admin and Swagger UI, which need it, get an exception
    # from portal.middleware.InlineStylePagesCSPMiddleware.
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Browser features the portal never uses, off for its pages and anything framed in them
# (portal.middleware.PermissionsPolicyMiddleware). Only names Chromium knows: it logs an error
# in the console of every page for a name it does not (a browser test checks there is none).
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ]
}

# Django REST framework: one error shape for every error (portal.api.errors.exception_handler).
REST_FRAMEWORK = {
    # The API token class (knox's, accounts/authentication.py) comes first on purpose: DRF takes
    # the WWW-Authenticate header from the first class, and only a class that sends one turns
    # "not signed in" into 401. So an anonymous call gets 401 (with `WWW-Authenticate: Token`)
    # and a signed-in person without the permission gets 403. Browsers still sign in with the
    # session cookie (then CSRF holds).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # A signed-in person, plus the view's django-rules `permission_required` when it names one.
    "DEFAULT_PERMISSION_CLASSES": ["portal.api.permissions.RulePermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "portal.api.filters.FilterBackend",
        "rest_framework.filters.SearchFilter",
        "portal.api.filters.StableOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.PagePagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON bodies only (portal/api/parsers.py): one request body type per operation in the schema.
    "DEFAULT_PARSER_CLASSES": ["portal.api.parsers.JSONParser"],
    # drf-spectacular's, plus the error responses of every operation (portal/api/schema.py).
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
    # DRF throttles (none is configured) read the client address from X-Forwarded-For with
    # the same proxy count as allauth's sign-in limits. DRF never reads
    # TRUSTED_CLIENT_IP_HEADER: behind a proxy that uses such a header, a DRF throttle would key
    # on the proxy's address (REMOTE_ADDR) unless its get_ident() reads the header.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
# API tokens (django-rest-knox): only a SHA-512 hash of each token is stored, with its first 15
# characters to find it; each is named and expires (accounts/services.py sets the expiry). The
# header stays `Authorization: Token <token>`, as with the tokens used before.
KNOX_TOKEN_MODEL = "accounts.ApiToken"
REST_KNOX = {"AUTH_HEADER_PREFIX": "Token"}
# knox's migrations would create its own token table, which is never used once its model is
# swapped (they do not mark the model swappable): skip them.
MIGRATION_MODULES = {"knox": None}
SPECTACULAR_SETTINGS = {
    "TITLE": "City peer-learning portal API",
    "DESCRIPTION": (
        "Cities, cohorts, sessions, Reflection Roadmaps, feedback and study visits.\n\n"
        "**Signing in.** Send an API token with every request as "
        "`Authorization: Token <token>`. Make one on your account page (`/accounts/tokens/`) "
        "or with `POST /api/v1/auth/token/` (your email and password, a `name` and "
        "`lifetime_days`). A token is shown only once, when it is made: the portal keeps only "
        "a hash of it. It works until it expires or is revoked: on the account page, by a "
        "programme admin, or by any change of your password. A missing, wrong, expired or "
        "revoked token answers 401 with `WWW-Authenticate: Token`. In a browser the session "
        "of the website works too (with its CSRF token for writes)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Schema and docs are public (the decision is written in portal/api/urls.py).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_PUBLIC": True,
    # Swagger UI comes from the sidecar package (same origin, no CDN); its start-up script is a
    # separate same-origin file (SpectacularSwaggerSplitView), so CSP needs no inline script.
    "SWAGGER_UI_DIST": "SIDECAR",
    # No online validator badge: it would fetch an image from validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Request and response bodies are separate components (`RoadmapCommentRequest` and
    # `RoadmapComment`): a request model does not ask for read-only fields such as `id`.
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `status` field with their own choices: name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "EnrolmentStatusEnum": "cohorts.enums.EnrolmentStatus",
        "PhaseKindEnum": "cohorts.enums.PhaseKind",
        "SessionStatusEnum": "sessions.enums.SessionStatus",
        "RoadmapStatusEnum": "roadmaps.enums.RoadmapStatus",
        "ExportStatusEnum": "roadmaps.enums.ExportStatus",
        "QuestionKindEnum": "feedback.enums.QuestionKind",
        "CallStatusEnum": "visits.enums.CallStatus",
        "ApplicationStatusEnum": "visits.enums.ApplicationStatus",
        "ReviewStatusEnum": "visits.enums.ReviewStatus",
        "CriterionKindEnum": "visits.enums.CriterionKind",
        "DecisionEnum": "visits.enums.Decision",
        "AggregationEnum": "visits.enums.Aggregation",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs several INFO lines per PDF; keep only its warnings.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}
