"""Development on one machine: SQLite by default, console email, debug pages, in-process tasks without REDIS_URL."""

import os

os.environ.setdefault("SECRET_KEY", "local-development-only-not-secret")
os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: F403
