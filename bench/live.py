"""Commit-to-cell latency with a real Celery worker: observations written through the service at a steady rate.

    .venv/bin/python bench/live.py [--rows 1000000] [--rate 20] [--seconds 60] [--redis-url redis://127.0.0.1:6379/0]
                                   [--database-url postgres://...] [--concurrency 1]

Uses the database of bench/rebuild.py (``bench_benchmarks``, loaded with --rows observations if it does not hold them
yet), starts ``celery -A portal worker`` on a queue of its own, then writes observations with
``benchmarks.services.observation_upsert`` at --rate a second. Latency of one write: from its commit until all of its
leaf's cells (the leaf and its seven ancestors are published in one transaction) include it. Target p95 <= 2 s.
"""

import argparse
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


def start_worker(url: str, redis_url: str, queue: str, concurrency: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url, "DJANGO_SETTINGS_MODULE": "portal.settings.local"}
    command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "-Q", queue, f"--concurrency={concurrency}",
               "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
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
    parser.add_argument("--concurrency", type=int, default=1, help="worker processes")
    args = parser.parse_args()

    url, owned = database_url(args.database_url)
    if owned:
        create_database(url)
    django_setup(url, redis_url=args.redis_url)
    if observation_count() < args.rows:
        print(f"Loading {args.rows:,} synthetic observations with COPY...", flush=True)
        load_observations(args.rows)

    from django.db import connection

    from benchmarks import engine
    from benchmarks.models import BenchmarkCell, Domain, Observation, Source, cell_key
    from benchmarks.querysets import window_start
    from benchmarks.services import observation_upsert
    from benchmarks.tasks import recompute_dirty_cells

    print("Publishing every cell before the run...", flush=True)
    engine.rebuild_all(progress=lambda message: None)
    queue = f"bench-live-{uuid.uuid4().hex[:8]}"
    recompute_dirty_cells.queue, recompute_dirty_cells._exec_options = queue, None
    worker = start_worker(url, args.redis_url, queue, args.concurrency)
    time.sleep(5)  # let the worker connect before the clock starts

    rng = random.Random(7)
    domains = list(Domain.objects.all())
    source = Source.objects.get_or_create(slug="bench-live", defaults={"name": "Bench live", "kind": "partner"})[0]
    since = window_start()
    run = uuid.uuid4().hex[:6]
    pending: dict[int, tuple[float, str, int]] = {}  # write number -> (commit time, cell key, observations expected)
    latencies: list[float] = []
    lock = threading.Lock()
    done = threading.Event()

    def watch() -> None:
        """Poll the leaf cells of pending writes every 20 ms; a write is live once its cell counts it."""
        while not (done.is_set() and not pending):
            with lock:
                snapshot = dict(pending)
            if snapshot:
                keys = {key for _, key, _ in snapshot.values()}
                counts = dict(BenchmarkCell.objects.filter(cell_key__in=keys).values_list("cell_key", "observations"))
                now = time.monotonic()
                with lock:
                    for number, (committed, key, expected) in snapshot.items():
                        if counts.get(key, 0) >= expected:
                            latencies.append(now - committed)
                            pending.pop(number, None)
            time.sleep(0.02)
        connection.close()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    total = int(args.rate * args.seconds)
    print(f"Writing {total} observations at {args.rate:g}/s with {observation_count():,} present...", flush=True)
    started = time.monotonic()
    commit_times = []
    for number in range(total):
        time.sleep(max(0.0, started + number / args.rate - time.monotonic()))
        domain, tier = rng.choice(domains), rng.choice(["entry", "skilled", "expert", "top_expert"])
        country = rng.choice(["US", "GB", "IN", "PH", "DE"])
        before = time.monotonic()
        observation_upsert(
            origin=f"live:{run}:{number}", kind="reported", domain=domain, tier=tier, country=country,
            period=since, hourly_usd=Decimal(str(round(rng.lognormvariate(3.3, 0.5), 2))), source=source,
            contributor=f"live:{run}:{number}",
        )  # fmt: skip
        committed = time.monotonic()
        commit_times.append(committed - before)
        expected = Observation.objects.filter(
            domain=domain, tier=tier, country=country, kind="reported", period__gte=since
        ).count()
        with lock:
            pending[number] = (committed, cell_key(domain.pk, tier, country, "reported"), expected)
    done.set()
    watcher.join(timeout=60)
    worker.terminate()
    worker.wait(timeout=30)

    print(f"writes:                 {total} in {time.monotonic() - started:.1f} s")
    print(f"commit time (write):    p50 {statistics.median(commit_times) * 1000:.0f} ms, "
          f"p95 {percentile(commit_times, 0.95) * 1000:.0f} ms")  # fmt: skip
    print(f"published:              {len(latencies)} of {total} (unpublished after the run: {len(pending)})")
    print(f"commit -> cell latency: p50 {percentile(latencies, 0.5):.2f} s, p95 {percentile(latencies, 0.95):.2f} s, "
          f"max {max(latencies):.2f} s (target p95 <= 2 s)")  # fmt: skip


if __name__ == "__main__":
    main()
