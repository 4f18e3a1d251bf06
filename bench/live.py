"""Commit-to-cell latency with a real Celery worker: pay surveys submitted through the service at a steady rate.

    .venv/bin/python bench/live.py [--rows 1000000] [--rate 20] [--seconds 60] [--redis-url redis://127.0.0.1:6379/0]
                                   [--database-url postgres://...] [--concurrency 2] [--worker-log FILE]

Uses the database of bench/rebuild.py (``bench_benchmarks``, loaded with --rows observations if it does not hold them
yet), starts ``celery -A portal worker`` on a queue of its own, then files partner surveys with
``trainers.services.survey_submit`` (trainer None, a partner Source, unique external ids) at --rate a second. Latency
of one write runs from its commit until the published cells count it, reported for three sets of its cells: (a) its
leaf (d, t, c), (b) its four cells of its own domain, (c) all eight, with the all-domains ones. On PostgreSQL the
fast pass publishes all eight from the count state. Target: p95 <= 2 s for all three, and the p95 of (c) at 5,000,000
rows within 1.5 times the one at 1,000,000 (run it twice: --rows 1000000, then --rows 5000000).
"""

import argparse
import datetime
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from decimal import Decimal

from common import ROOT, create_database, database_url, django_setup, load_observations, observation_count

GROUPS = (("(a) leaf cell (d,t,c)", 1), ("(b) 4 domain cells", 4), ("(c) all 8 cells", 8))
"""What is reported: a label and how many of the write's ancestors (domain cells first) must count it."""


def start_worker(url: str, redis_url: str, queue: str, concurrency: int, log: str | None) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url, "DJANGO_SETTINGS_MODULE": "portal.settings.local"}
    command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "-Q", queue, f"--concurrency={concurrency}",
               "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
    # With --worker-log, the engine's INFO lines (each pass: cells, leaves, seconds) go to that file.
    command += [f"--logfile={log}", "--loglevel=INFO"] if log else ["--loglevel=WARNING"]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rate", type=float, default=20.0, help="writes a second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    parser.add_argument("--database-url")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (one may be in a rollup)")
    parser.add_argument("--worker-log", help="write the worker's log, with each pass and its duration, to this file")
    args = parser.parse_args()

    # The run's own queue, for the tasks this process enqueues and for those the worker's passes enqueue in turn.
    queue = f"bench-live-{uuid.uuid4().hex[:8]}"
    os.environ["CELERY_TASK_DEFAULT_QUEUE"] = queue
    url, owned = database_url(args.database_url)
    if owned:
        create_database(url)
    django_setup(url, redis_url=args.redis_url)
    if not args.rows <= observation_count() <= args.rows * 1.1:  # live runs add a few thousand rows each
        print(f"Loading {args.rows:,} synthetic observations with COPY...", flush=True)
        load_observations(args.rows)

    from django.db import connection

    from benchmarks import engine
    from benchmarks.engine.cells import ancestors
    from benchmarks.models import BenchmarkCell, Currency, Domain, Platform, cell_key
    from benchmarks.sources import source_get_or_create
    from benchmarks.tasks import rollup_interval
    from trainers.choices import SurveyStatus
    from trainers.services import survey_submit

    print("Publishing every cell before the run...", flush=True)
    engine.rebuild_all(progress=lambda message: None)
    worker = start_worker(url, args.redis_url, queue, args.concurrency, args.worker_log)
    time.sleep(5)  # let the worker connect before the clock starts

    rng = random.Random(7)
    domains = list(Domain.objects.all())
    platforms = list(Platform.objects.all())
    usd = Currency.objects.get(code="USD")
    source = source_get_or_create(slug="bench-live", name="Bench live", kind="partner")
    month = datetime.date.today().replace(day=1)
    run = uuid.uuid4().hex[:6]
    # Only this script writes during the run, and only new observations: a cell includes write n once it counts
    # its count after the rebuild plus every accepted write up to n that falls in it.
    counts = dict(BenchmarkCell.objects.values_list("cell_key", "observations"))
    pending: dict[int, tuple[float, list[tuple[str, int]], list[float | None]]] = {}
    latencies: list[list[float]] = [[] for _ in GROUPS]
    lock = threading.Lock()
    done = threading.Event()

    def watch() -> None:
        """Poll the cells of pending writes every 20 ms; record when each group of a write's cells counts it."""
        while not (done.is_set() and not pending):
            with lock:
                snapshot = dict(pending)
            if snapshot:
                keys = {key for _, cells, _ in snapshot.values() for key, _ in cells}
                seen = dict(BenchmarkCell.objects.filter(cell_key__in=keys).values_list("cell_key", "observations"))
                now = time.monotonic()
                with lock:
                    for number, (committed, cells, reached) in snapshot.items():
                        for group, (_label, size) in enumerate(GROUPS):
                            if reached[group] is None and all(seen.get(k, 0) >= n for k, n in cells[:size]):
                                reached[group] = now - committed
                                latencies[group].append(reached[group])
                        if all(r is not None for r in reached):
                            pending.pop(number, None)
            time.sleep(0.02)
        connection.close()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    total = int(args.rate * args.seconds)
    print(f"Submitting {total} surveys at {args.rate:g}/s with {observation_count():,} observations present...",
          flush=True)  # fmt: skip
    started = time.monotonic()
    commit_times, flagged = [], 0
    for number in range(total):
        time.sleep(max(0.0, started + number / args.rate - time.monotonic()))
        domain, tier = rng.choice(domains), rng.choice(["entry", "skilled", "expert", "top_expert"])
        country = rng.choice(["US", "GB", "IN", "PH", "DE"])
        before = time.monotonic()
        survey = survey_submit(
            trainer=None, source=source, external_id=f"live:{run}:{number}", period=month,
            platform=rng.choice(platforms), domain=domain, tier=tier, country=country, currency=usd,
            amount=Decimal(str(round(rng.lognormvariate(3.3, 0.5), 2))), unit="hour",
        ).survey  # fmt: skip
        committed = time.monotonic()
        commit_times.append(committed - before)
        if survey.status != SurveyStatus.ACCEPTED:
            flagged += 1  # an outlier: held for review, left out of every cell, nothing to wait for
            continue
        cells = []
        for cell in ancestors((domain.pk, tier, country, "reported")):  # the four domain cells come first
            key = cell_key(*cell)
            counts[key] = counts.get(key, 0) + 1
            cells.append((key, counts[key]))
        with lock:
            pending[number] = (committed, cells, [None] * len(GROUPS))
    written = time.monotonic() - started
    done.set()
    watcher.join(timeout=rollup_interval() + 120)
    worker.terminate()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:  # a long rollup pass still running: its figures are not part of the run
        worker.kill()

    accepted = total - flagged
    print(f"surveys:                {total} in {written:.1f} s ({flagged} flagged as outliers, {accepted} accepted)")
    print(f"commit time (survey):   p50 {statistics.median(commit_times) * 1000:.0f} ms, "
          f"p95 {percentile(commit_times, 0.95) * 1000:.0f} ms")  # fmt: skip
    print(f"unpublished after the run: {len(pending)}")
    print("commit -> cell latency (target p95 <= 2 s for each):")
    for (label, _size), values in zip(GROUPS, latencies, strict=True):
        if values:
            print(f"  {label:<24} n={len(values):<5} p50 {percentile(values, 0.5):6.2f} s   "
                  f"p95 {percentile(values, 0.95):6.2f} s   max {max(values):6.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
