"""Celery tasks of the benchmark engine: thin wrappers that call one engine function each.

Every task is idempotent: running one twice, or two at once, leaves the same cells. The periodic ones hold a cache
lock (the Read the Docs way) so that a run that overlaps a slow earlier one returns at once instead of repeating
its work; the on-commit recompute takes no such lock, because it must not drop the leaves its commit marked.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from celery import shared_task
from django.core.cache import cache

from . import engine

logger = logging.getLogger(__name__)

# Time limits: a recompute touches a few dozen cells and takes well under a second on a million observations;
# a minute means it is stuck behind a lock. A full rebuild of a million observations takes seconds; ten minutes
# (the project default) leaves room for a much bigger table before the task is killed.
RECOMPUTE_TIME_LIMIT = 60
REBUILD_TIME_LIMIT = 10 * 60
LOCK_EXPIRY = REBUILD_TIME_LIMIT  # a lock never outlives the longest task that can hold it, even if its worker died


@contextmanager
def cache_lock(name: str, *, expiry: int = LOCK_EXPIRY) -> Iterator[bool]:
    """Yield whether this process got the named lock; the lock is released on exit, or expires on its own."""
    key = f"benchmarks:lock:{name}"
    acquired = cache.add(key, "locked", expiry)
    try:
        yield acquired
    finally:
        if acquired:
            cache.delete(key)


@shared_task(ignore_result=True, soft_time_limit=RECOMPUTE_TIME_LIMIT - 5, time_limit=RECOMPUTE_TIME_LIMIT)
def recompute_dirty_cells() -> int:
    """Enqueued after every commit that marks leaves dirty; recomputes all of them (coalescing)."""
    return engine.recompute_dirty()


@shared_task(ignore_result=True, soft_time_limit=RECOMPUTE_TIME_LIMIT - 5, time_limit=RECOMPUTE_TIME_LIMIT)
def sweep_dirty_cells() -> int:
    """Every minute: recompute leaves that a lost message or a broker outage left listed dirty."""
    with cache_lock("sweep", expiry=RECOMPUTE_TIME_LIMIT) as acquired:
        if not acquired:
            logger.info("A sweep is already running; skipping this one.")
            return 0
        return engine.recompute_dirty()


@shared_task(ignore_result=True, soft_time_limit=REBUILD_TIME_LIMIT - 30, time_limit=REBUILD_TIME_LIMIT)
def rebuild_all_cells() -> int:
    """Nightly, and on demand from the admin: recompute every cell from scratch and publish them at once."""
    with cache_lock("rebuild") as acquired:
        if not acquired:
            logger.info("A rebuild is already running; skipping this one.")
            return 0
        return engine.rebuild_all()


@shared_task(ignore_result=True, soft_time_limit=REBUILD_TIME_LIMIT - 30, time_limit=REBUILD_TIME_LIMIT)
def record_history() -> int:
    """Monthly: write this month's history point of every cell (re-running overwrites the month's points)."""
    with cache_lock("history") as acquired:
        if not acquired:
            logger.info("History is already being recorded; skipping this run.")
            return 0
        return engine.record_history()
