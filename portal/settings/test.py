"""Settings for the test suite: fast hashing, in-memory email, no lock-out between tests unless a test asks for it."""

import os
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")

from .base import *  # noqa: F403


def _worker_redis_url(url: str, worker: str) -> str:
    """REDIS_URL moved to the database numbered after the xdist worker (gw0: the one named, gw1: the next), so that
    parallel workers never clear or count each other's keys."""
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0) + int(worker.removeprefix("gw"))
    if number > 15:
        raise RuntimeError(f"REDIS_URL {url}: xdist worker {worker} needs Redis database {number}; there are 16 (0-15)")
    return urlunsplit(parts._replace(path=f"/{number}"))


if os.environ.get("REDIS_URL") and os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["REDIS_URL"] = _worker_redis_url(os.environ["REDIS_URL"], os.environ["PYTEST_XDIST_WORKER"])
    REDIS_URL = os.environ["REDIS_URL"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "documents": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":  # noqa: F405
    # One test database per run, so two runs on one server (a developer's and CI's) never drop each other's.
    DATABASES["default"]["TEST"] = {"NAME": f"test_portal_{os.getpid()}"}  # noqa: F405
# Web tests always run tasks eagerly; tests that need a real worker start one against REDIS_URL themselves.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}, "process": CACHES["process"]}  # noqa: F405
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "partner": "100000/min", "user": "100000/min"},
}
WHITENOISE_AUTOREFRESH = True  # serve from the finders; there is no collectstatic in tests
