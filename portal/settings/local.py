"""Development on one machine: SQLite by default, console email, debug pages, tasks in-process unless REDIS_URL is set."""

import os

os.environ.setdefault("SECRET_KEY", "local-development-only-not-secret")
os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: E402,F403
