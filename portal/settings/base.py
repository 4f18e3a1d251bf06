"""Settings shared by every environment. Every value that differs between machines comes from the environment."""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

SECRET_KEY = env("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# How many proxies of ours stand in front of the app, each appending to X-Forwarded-For: the header is believed that
# far and no further (portal.client_ip). 0: clients reach the app directly and the header is ignored.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "rest_framework",
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "django_htmx",
    "simple_history",
    "allauth",
    "allauth.account",
    "axes",
    "benchmarks",
    "trainers",
    "postings",
    "alerts",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A too-large body is a 413 and a lost database a 503, not Django's 400 and 500 (see portal.refusals).
    "portal.refusals.RefusalMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must be last: it inspects the result of authentication done above it.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Connection health checks let the portal survive a database restart without restarting itself.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "portal:home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Verification documents (payout statements): outside STATIC_ROOT and MEDIA_ROOT, served by no URL; staff read them
# through a view that checks their permission (docs/decisions/0016-document-verification.md).
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private-media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "documents": {
        "BACKEND": "trainers.storage.PrivateStorage",
        "OPTIONS": {
            "location": PRIVATE_MEDIA_ROOT,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Cache and Celery -------------------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Each process's own memory, for what may be a moment old: a rendered benchmarks/ answer for a tenth of a second.
CACHES["process"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "process"}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Without a broker, tasks run in the web process right after the transaction that enqueued them commits.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
# A worker that dies mid-task leaves the message on the broker, so another worker runs it again.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Where tasks go unless told otherwise, from every process, workers included. A second deployment (or a benchmark
# run) sharing the broker names its own, with its workers started on it (`celery worker -Q`).
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# A whole rebuild of a million observations takes well under a minute; ten minutes means something is stuck.
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
# Publishing to a stopped broker must not hang a web request: fail fast, the sweep picks the work up later.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2, "max_retries": 0}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BEAT_SCHEDULE = {
    "sweep-dirty-cells": {"task": "benchmarks.tasks.sweep_dirty_cells", "schedule": 60.0},
    "nightly-rebuild": {"task": "benchmarks.tasks.rebuild_all_cells", "schedule": crontab(hour=3, minute=0)},
    "monthly-history": {
        "task": "benchmarks.tasks.record_history",
        "schedule": crontab(day_of_month=1, hour=4, minute=0),
    },
    "expire-postings": {"task": "postings.tasks.expire_postings", "schedule": crontab(minute=15)},
    "alerts-daily-digests": {"task": "alerts.tasks.searches_send_digests", "schedule": crontab(hour=7, minute=0)},
    "prune-idempotency-records": {
        "task": "portal.tasks.prune_idempotency_records",
        "schedule": crontab(hour=2, minute=30),
    },
}

# How long the answer to a surveys/batch/ push is replayed for the same Idempotency-Key.
API_IDEMPOTENCY_DAYS = env.int("API_IDEMPOTENCY_DAYS", default=7)
# A key verified for a read is remembered this long per process (portal.api.authentication); 0 turns that off.
API_KEY_CACHE_SECONDS = env.int("API_KEY_CACHE_SECONDS", default=5)

# --- Benchmarks -------------------------------------------------------------------------------------------------
BENCHMARK_MIN_CONTRIBUTORS = env.int("BENCHMARK_MIN_CONTRIBUTORS", default=5)
BENCHMARK_MIN_CONTRIBUTORS_TAILS = env.int("BENCHMARK_MIN_CONTRIBUTORS_TAILS", default=10)
BENCHMARK_WINDOW_MONTHS = env.int("BENCHMARK_WINDOW_MONTHS", default=12)
# A rebuild rewrites the history points of this many months, ending this month; older points are kept as they are.
BENCHMARK_HISTORY_MONTHS = env.int("BENCHMARK_HISTORY_MONTHS", default=24)
BENCHMARK_OUTLIER_MIN_OBSERVATIONS = env.int("BENCHMARK_OUTLIER_MIN_OBSERVATIONS", default=20)
BENCHMARK_OUTLIER_K = env.float("BENCHMARK_OUTLIER_K", default=3.0)
# A trainer account counts toward the suppression threshold once its email is verified and it is this many days old.
BENCHMARK_ACCOUNT_MIN_AGE_DAYS = env.int("BENCHMARK_ACCOUNT_MIN_AGE_DAYS", default=3)
# Told of every status the outlier re-screening changes, in the same transaction: surveys follow their observations.
BENCHMARK_SCREENING_FOLLOWER = "trainers.services.surveys_follow_screening"
# The all-domains cells are recomputed at most this often under load; the domain cells follow every write at once.
BENCHMARK_ROLLUP_INTERVAL_SECONDS = env.int("BENCHMARK_ROLLUP_INTERVAL_SECONDS", default=30)
# Bulk writes (imports, pushed batches) ask for their recompute this much later, so back-to-back batches share one.
BULK_RECOMPUTE_DELAY_SECONDS = env.float("BULK_RECOMPUTE_DELAY_SECONDS", default=2.0)
POSTING_LIFETIME_DAYS = env.int("POSTING_LIFETIME_DAYS", default=60)

# --- Alerts -----------------------------------------------------------------------------------------------------
# Instant job emails and band alerts a person receives in an hour at most; past it, a job waits for the daily digest
# and a band alert stays on the dashboard only (its email recorded as deferred).
ALERT_EMAILS_PER_HOUR = env.int("ALERT_EMAILS_PER_HOUR", default=10)
ALERT_MAX_SAVED_SEARCHES = env.int("ALERT_MAX_SAVED_SEARCHES", default=25)
# A recompute's band check waits this long, so that the recomputes of a burst of writes share one check per domain.
ALERT_BAND_CHECK_DELAY_SECONDS = env.int("ALERT_BAND_CHECK_DELAY_SECONDS", default=30)
# The address links in emails point to (emails are sent by workers, outside any request).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# --- REST API ---------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # The API key first: its challenge makes a request without credentials 401 rather than 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api.authentication.PartnerAPIKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    # DRF's own three, the JSON one refusing too-deep nesting and lone surrogates with a 400 (see the module).
    "DEFAULT_PARSER_CLASSES": [
        "portal.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.PortalCursorPagination",
    "DEFAULT_THROTTLE_CLASSES": ["portal.api.throttling.PortalRateThrottle"],
    # The portal's throttle asks portal.client_ip; this makes DRF's own throttle classes agree, should a view name one.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="120/min"),
        "partner": env("API_THROTTLE_PARTNER", default="600/min"),
        "user": env("API_THROTTLE_USER", default="300/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Trainer Pay Portal API",
    "DESCRIPTION": "Live compensation benchmarks for AI-trainer work, job postings and partner pay-data ingestion.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Accounts ---------------------------------------------------------------------------------------------------
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="optional")
ACCOUNT_UNIQUE_EMAIL = True
# Sign-up asks "I train AI" / "I hire trainers" and creates the trainer profile or the company.
ACCOUNT_SIGNUP_FORM_CLASS = "portal.accounts.SignupForm"
# allauth's rate limits and security emails take the client's address from portal.client_ip.
ACCOUNT_ADAPTER = "portal.accounts.AccountAdapter"
# Failed log-ins are counted by Axes alone (below). allauth's own count of them locks an email from every address, so
# anyone could keep a known account shut, and it answers a locked account differently from Axes.
ACCOUNT_RATE_LIMITS = {"login_failed": None}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Trainer Pay Portal <noreply@localhost>")
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")

# Log-in lock-out (portal.lockout): a name, whether or not an account has it, is locked at one address after
# AXES_FAILURE_LIMIT failures; an address, for every name, after AXES_IP_FAILURE_LIMIT; for the cool-off after the last.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=50)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "portal.lockout.LockoutHandler"
AXES_USERNAME_CALLABLE = "portal.lockout.login_name"
AXES_CLIENT_IP_CALLABLE = "portal.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True

# --- Security ---------------------------------------------------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
AXES_VERBOSE = False
FORMS_URLFIELD_ASSUME_HTTPS = True  # the Django 6 default, adopted now
