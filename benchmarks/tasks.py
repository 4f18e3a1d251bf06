"""Celery tasks of the benchmark engine: thin wrappers that call one engine function each.

Every task is idempotent: running one twice, or two at once, leaves the same cells. The periodic ones hold a cache
lock (the Read the Docs way) so that a run that overlaps a slow earlier one returns at once instead of repeating
its work; the on-commit recompute takes no such lock, because it must not drop the leaves its commit marked.
"""

import datetime
import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from kombu.exceptions import OperationalError as BrokerError

from . import engine
from .engine import history

logger = logging.getLogger(__name__)

# Time limits: a recompute touches a few dozen cells and takes well under a second on a million observations;
# a minute means it is stuck behind a lock. A full rebuild of a million observations takes seconds; ten minutes
# (the project default) leaves room for a much bigger table before the task is killed.
RECOMPUTE_TIME_LIMIT = 60
# A rollup pass re-sorts the all-domains cells of every leaf listed since the last one: a few seconds, a good part of
# a rebuild at worst (every leaf of the table listed), so it gets the rebuild's room rather than the recompute's.
ROLLUP_TIME_LIMIT = 5 * 60
REBUILD_TIME_LIMIT = 10 * 60
LOCK_EXPIRY = REBUILD_TIME_LIMIT  # a lock never outlives the longest task that can hold it, even if its worker died


def rollup_key(name: str) -> str:
    """A cache key of the rollup schedule. It names the database: the leaves it schedules for are rows there, and
    two databases sharing one Redis (staging, tests) must not hold up each other's rollups."""
    return f"benchmarks:rollup:{name}:{connection.settings_dict['NAME']}"


def rollup_interval() -> float:
    """Seconds between two rollup passes at most (setting BENCHMARK_ROLLUP_INTERVAL_SECONDS, default 30)."""
    return float(getattr(settings, "BENCHMARK_ROLLUP_INTERVAL_SECONDS", 30))


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


# A bulk write's pass waits at least this many times as long as the last fast pass took (and at least
# BULK_RECOMPUTE_DELAY_SECONDS, at most the rollup interval): back-to-back batches then leave the worker, and the
# database, three quarters of their time or more. On a million observations a fast pass over every domain takes
# seconds; run every two seconds, it took a core from the writes it was recomputing for.
BULK_PASS_SPACING = 4


# A rollup pass starts at least this many times as long after the last one as that one took (and at least the rollup
# interval after it). On PostgreSQL it only refreshes outlier fences, from the count state; on SQLite it recomputes
# the all-domains cells from every observation: spaced so, it keeps at most about a fifth of a core.
ROLLUP_PASS_SPACING = 5


def bulk_countdown() -> float:
    """Seconds a bulk write's recompute waits, so that batches pushed one after another share one pass."""
    delay = float(getattr(settings, "BULK_RECOMPUTE_DELAY_SECONDS", 2))
    last_pass = cache.get(rollup_key("fast-pass-seconds")) or 0.0
    return max(delay, min(BULK_PASS_SPACING * last_pass, rollup_interval()))


def recompute_request(*, bulk: bool = False) -> None:
    """After a commit that listed dirty leaves: enqueue the live recompute, unless one is queued and not started yet.

    Bulk writes (``bulk=True``) ask for a pass of their own after ``bulk_countdown()``, so that batches pushed one
    after another share one pass instead of each starting one (see ``benchmarks.services.recompute_deferred``). A
    live write never waits for that one: it has its own key, and queues an immediate pass beside it.

    A queued task takes every leaf listed by the time it starts, so one is enough however many commits come in
    meanwhile (twenty writes a second would otherwise queue twenty passes a second). The "queued" key is set here
    and cleared by the task before it takes its leaves, so a leaf listed after a task started always has a task
    queued after it. The key expires on its own: a lost message holds up the recomputes for a while at worst, and
    the sweep covers that. Called in ``on_commit(..., robust=True)``: a broker that is down fails nothing.
    """
    countdown = bulk_countdown() if bulk else 0.0
    key = _queued_key(bulk)
    if not cache.add(key, "queued", RECOMPUTE_TIME_LIMIT + int(countdown)):
        return
    try:
        if bulk:
            recompute_dirty_cells.apply_async(kwargs={"bulk": True}, countdown=countdown)
        else:
            recompute_dirty_cells.apply_async()
    except Exception:
        cache.delete(key)
        raise


def _queued_key(bulk: bool) -> str:
    return rollup_key("bulk-recompute-queued" if bulk else "recompute-queued")


@shared_task(bind=True, ignore_result=True, soft_time_limit=RECOMPUTE_TIME_LIMIT - 5, time_limit=RECOMPUTE_TIME_LIMIT)
def recompute_dirty_cells(self, bulk: bool = False) -> int:
    """Enqueued by ``recompute_request`` after commits that mark leaves dirty: publishes the domain cells of all of
    them (coalescing), then schedules the rollup of their all-domains cells."""
    cache.delete(_queued_key(bulk))
    started = time.monotonic()
    recomputed = engine.recompute_domains()
    if recomputed:
        cache.set(rollup_key("fast-pass-seconds"), time.monotonic() - started, LOCK_EXPIRY)
    if engine.rollups_pending():
        # The rollup goes to the queue this task came from, so the workers serving the live path serve both.
        rollup_schedule(queue=(self.request.delivery_info or {}).get("routing_key"))
    return recomputed


def rollup_schedule(*, queue: str | None = None) -> None:
    """Run the rollup pass now if none ran for an interval, else once the interval since the last one has passed
    (the rollup interval, or ``ROLLUP_PASS_SPACING`` times the last pass's duration if longer).

    At most one run is scheduled at a time: the first caller sets the "scheduled" key, later ones see it and rely on
    that run, which clears the key before it takes its leaves, so a leaf handed over after that schedules a new run.
    The key expires on its own, so a lost message blocks scheduling for a while at worst; the sweep covers that.
    """
    interval = max(rollup_interval(), ROLLUP_PASS_SPACING * (cache.get(rollup_key("rollup-pass-seconds")) or 0.0))
    if not cache.add(rollup_key("scheduled"), "scheduled", int(interval) + RECOMPUTE_TIME_LIMIT):
        return
    last_run = cache.get(rollup_key("last-run")) or 0.0
    try:
        recompute_rollup_cells.apply_async(countdown=max(0.0, last_run + interval - time.time()), queue=queue)
    except BrokerError:  # the leaves stay listed, and the sweep rolls them up
        cache.delete(rollup_key("scheduled"))
        logger.warning("Could not schedule the rollup pass (broker down); the sweep will run it.", exc_info=True)


@shared_task(ignore_result=True, soft_time_limit=ROLLUP_TIME_LIMIT - 30, time_limit=ROLLUP_TIME_LIMIT)
def recompute_rollup_cells() -> int:
    """Scheduled by ``rollup_schedule``: the rollup pass over every leaf handed over since then (outlier fences, and
    on SQLite the all-domains cells), noting how long it took, which spaces out the next one."""
    cache.delete(rollup_key("scheduled"))
    started = time.time()
    cache.set(rollup_key("last-run"), started, LOCK_EXPIRY)
    recomputed = engine.recompute_rollups()
    cache.set(rollup_key("rollup-pass-seconds"), time.time() - started, LOCK_EXPIRY)
    return recomputed


@shared_task(ignore_result=True, soft_time_limit=RECOMPUTE_TIME_LIMIT - 5, time_limit=RECOMPUTE_TIME_LIMIT)
def sweep_dirty_cells() -> int:
    """Every minute: run both passes over leaves that a lost message or a broker outage left listed dirty."""
    with cache_lock("sweep", expiry=RECOMPUTE_TIME_LIMIT) as acquired:
        if not acquired:
            logger.info("A sweep is already running; skipping this one.")
            return 0
        return engine.recompute_dirty()


@shared_task(ignore_result=True, soft_time_limit=REBUILD_TIME_LIMIT - 30, time_limit=REBUILD_TIME_LIMIT)
def rebuild_all_cells() -> int:
    """Nightly, and on demand from the admin: recompute every cell from scratch and publish them at once, then
    rewrite the history points of every month of the horizon from the observations' periods."""
    with cache_lock("rebuild") as acquired:
        if not acquired:
            logger.info("A rebuild is already running; skipping this one.")
            return 0
        published = engine.rebuild_all()
        engine.backfill_history()
        return published


# Months whose history points an import changed wait here (one cache key each) for the next backfill task; a key
# lost with its message is caught by the nightly rebuild, which rewrites every month of the horizon.
HISTORY_PENDING_EXPIRY = 2 * 24 * 3600


def _history_month_key(month: datetime.date) -> str:
    return rollup_key(f"history-month:{month:%Y-%m}")


def history_request(months: Iterable[datetime.date]) -> None:
    """Ask for the history points of these months to be rewritten after the caller's transaction commits.

    Coalesced like ``recompute_request``: the months are noted, and a task is enqueued only when none is queued and
    not yet started; the task clears the "queued" key before it takes the noted months, so a month noted after it
    started always has a task queued after it.
    """
    months = sorted({month.replace(day=1) for month in months})
    if not months:
        return
    cache.set_many({_history_month_key(month): 1 for month in months}, HISTORY_PENDING_EXPIRY)
    if cache.add(rollup_key("history-queued"), "queued", REBUILD_TIME_LIMIT):
        backfill_history_months.delay_on_commit()


@shared_task(ignore_result=True, soft_time_limit=REBUILD_TIME_LIMIT - 30, time_limit=REBUILD_TIME_LIMIT)
def backfill_history_months() -> int:
    """Enqueued by ``history_request``: rewrite the history points of every month noted since the last run."""
    cache.delete(rollup_key("history-queued"))
    keys = {_history_month_key(month): month for month in history.horizon()}
    noted = cache.get_many(list(keys))
    if not noted:
        return 0
    cache.delete_many(list(noted))
    return engine.backfill_history(months=[keys[key] for key in noted])


@shared_task(ignore_result=True, soft_time_limit=REBUILD_TIME_LIMIT - 30, time_limit=REBUILD_TIME_LIMIT)
def record_history() -> int:
    """Monthly: write this month's history point of every cell from the observations' periods (re-running
    overwrites the month's points)."""
    with cache_lock("history") as acquired:
        if not acquired:
            logger.info("History is already being recorded; skipping this run.")
            return 0
        return engine.record_history()
