"""The version of the published cells: a number in the cache that moves forward on every publishing commit.

``max(computed_at)`` alone would not do: a pass stamps its cells before it commits, and the fast and the rollup pass
run side by side, so the later commit can carry the earlier stamp. So every publishing pass advances the version on
commit, to the commit's time in microseconds or one more than the version it finds, whichever is larger. A reader
whose cache lost the version starts it again from ``max(computed_at)`` (indexed), with ``add`` so that it never
overwrites a version an engine stored meanwhile. See docs/decisions/0004-api-speed-with-standard-parts.md.
"""

import datetime
import time

from django.core.cache import cache, caches
from django.db.models import Max

from .models import BenchmarkCell

__all__ = ["KEY", "cells_version", "cells_version_advance", "cells_version_with", "version_time"]

KEY = "benchmarks:cells-version"
# An advance lost while the cache was unreachable is corrected within this time (readers then start again from the
# table); each expiry costs one indexed max() query.
VERSION_SECONDS = 60
NONE = 0  # stored for "no cells yet", so that an empty table is cached too


def cells_version() -> int | None:
    """The current version, None while no cell exists."""
    return cells_version_with([])[0]


def cells_version_with(keys: list[str]) -> tuple[int | None, dict]:
    """The current version, and the cached values of ``keys`` read in the same round trip to the cache."""
    found = cache.get_many([KEY, *keys])
    value = found.pop(KEY, None)
    if value is None:
        newest = BenchmarkCell.objects.aggregate(newest=Max("computed_at"))["newest"]
        value = NONE if newest is None else int(newest.timestamp() * 1_000_000)
        cache.add(KEY, value, VERSION_SECONDS)
    return (None if value == NONE else int(value)), found


def cells_version_advance() -> None:
    """Called on commit of every pass that publishes cells. This process forgets the answers it keeps for a moment
    (the ``process`` cache); the others do within that moment."""
    current = cache.get(KEY) or 0
    cache.set(KEY, max(time.time_ns() // 1000, current + 1), VERSION_SECONDS)
    caches["process"].clear()


def version_time(version: int) -> datetime.datetime:
    """The moment a version stands for, for ``Last-Modified``."""
    return datetime.datetime.fromtimestamp(version / 1_000_000, tz=datetime.UTC)
