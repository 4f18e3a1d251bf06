"""The version of the published cells: one number that moves forward with every commit that changes them.

Answers built from the cells (the API's ``benchmarks/``) are cached and tagged (``ETag``, ``Last-Modified``) by this
version, so it must change with every publishing commit. ``max(computed_at)`` cannot promise that on its own: a
pass stamps its cells before it commits, and the fast and the rollup pass run side by side, so the later commit
can carry the earlier stamp and leave the maximum where it was.

So the engine advances the version right after each publishing commit (``cells_version_advance``, called on
commit): to the time of the commit in microseconds, or to one more than the version it finds, whichever is larger.
Readers take it from the cache. When it is missing (the cache was emptied, or the version expired) a reader falls
back to ``max(computed_at)``, which matches the cells it can see at that moment, and stores it only if no one stored
a version meanwhile (``add``), so it never moves a version back. The version expires after ``VERSION_SECONDS``: an
advance lost to an unreachable cache is corrected within that time.

Each process keeps the version it read for ``LOCAL_SECONDS`` (0.1), so a busy API asks the cache ten times a second
rather than on every request: an answer can lag the newest cells by that tenth of a second (the process that
advances the version forgets its copy at once).

Public API
----------
``cells_version() -> int | None``
    The current version (None while no cell exists).
``cells_version_advance() -> None``
    Called by the engine on commit of every pass that publishes cells.
``version_time(version) -> datetime``
    The moment a version stands for, for ``Last-Modified``.
"""

import datetime
import threading
import time

from django.core.cache import cache
from django.db.models import Max

from .models import BenchmarkCell

__all__ = ["KEY", "cells_version", "cells_version_advance", "forget_local_version", "version_time"]

KEY = "benchmarks:cells-version"
VERSION_SECONDS = 60
LOCAL_SECONDS = 0.1
NONE = 0  # stored for "no cells yet", so that an empty table is cached too

_local = threading.local()  # (version, read at): per thread, so no lock is needed


def cells_version() -> int | None:
    kept = getattr(_local, "version", None)
    if kept is not None and time.monotonic() - kept[1] < LOCAL_SECONDS:
        value = kept[0]
    else:
        value = cache.get(KEY)
        if value is None:
            newest = BenchmarkCell.objects.aggregate(newest=Max("computed_at"))["newest"]
            value = NONE if newest is None else _micros(newest)
            cache.add(KEY, value, VERSION_SECONDS)
        _local.version = (value, time.monotonic())
    return None if value == NONE else int(value)


def forget_local_version() -> None:
    _local.version = None


def cells_version_advance() -> None:
    forget_local_version()
    now = time.time_ns() // 1000
    advance = getattr(cache, "advance", None)
    if advance is not None:  # the Redis cache does it atomically
        advance(KEY, now, VERSION_SECONDS)
        return
    current = cache.get(KEY)
    cache.set(KEY, max(now, (current or 0) + 1), VERSION_SECONDS)


def version_time(version: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(version / 1_000_000, tz=datetime.UTC)


def _micros(moment: datetime.datetime) -> int:
    return int(moment.timestamp() * 1_000_000)
