"""The live path across processes: a real Celery worker, a broker that is down, a worker killed mid-rebuild.

These need committed transactions (``transaction=True``) and a database other processes can open. The worker tests
need Redis: the first runs whenever REDIS_URL is set (always in CI) and skips only without it; the outage test starts
a ``redis-server`` of its own, so that it can stop it.
"""

import os
import shutil
import subprocess
import sys
import textwrap
import time
from decimal import Decimal

import pytest

from benchmarks import engine, tasks
from benchmarks.choices import ObservationKind, SkillTier
from benchmarks.models import ALL, BenchmarkCell, DirtyCell, cell_key
from benchmarks.services import observation_upsert

from .factories import domain_make, observation_make, observations_seed, source_make, this_month
from .live import (
    ROOT,
    celery_producer,
    celery_worker,
    process_env,
    redis_server,
    reset_broker_connections,
    shared_database_url,
    wait_for,
)

live_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)
BROKER_DOWN = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def database_url() -> str:
    url = shared_database_url()
    if url is None:
        pytest.skip("the in-memory SQLite test database cannot be opened by another process; use PostgreSQL")
    return url


def upsert(origin: str, domain, source, rate) -> None:
    observation_upsert(
        origin=origin, kind=ObservationKind.REPORTED, domain=domain, tier=SkillTier.EXPERT, country="DE",
        period=this_month(), hourly_usd=Decimal(rate), source=source, contributor=origin,
    )  # fmt: skip


def leaf_observations(domain) -> int | None:
    key = cell_key(domain.pk, SkillTier.EXPERT, "DE", ObservationKind.REPORTED)
    return BenchmarkCell.objects.filter(cell_key=key).values_list("observations", flat=True).first()


@pytest.mark.worker
@live_db
def test_a_real_worker_publishes_the_cell_after_the_service_commits(database_url):
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("REDIS_URL is not set: no broker to run a real worker against")
    domain, source = domain_make(), source_make()
    with celery_worker(database_url, redis_url) as worker, celery_producer(broker_url=redis_url, queue=worker.queue):
        upsert("w1", domain, source, 40)
        assert wait_for(lambda: leaf_observations(domain) == 1, timeout=60), "the worker never published the cell"
        started = time.monotonic()
        upsert("w2", domain, source, 60)
        assert wait_for(lambda: leaf_observations(domain) == 2, timeout=30)
        assert time.monotonic() - started < 10  # a warm worker takes well under a second; this only catches hangs
        # The rollup pass also recomputes the whole domain cells its segments' cells are published against, so the
        # leaf may show w2 a moment before w2's own fast pass has taken its row.
        assert wait_for(lambda: not DirtyCell.objects.filter(rollup=False).exists(), timeout=10)
        # The all-domains cells follow at most one rollup interval later (30 s by default).
        timeout = tasks.rollup_interval() + 30
        assert wait_for(lambda: not DirtyCell.objects.exists(), timeout=timeout), "the rollup never ran"
    assert BenchmarkCell.objects.get(cell_key=cell_key(None, ALL, ALL, ObservationKind.REPORTED)).observations == 2


@pytest.mark.worker
@live_db
def test_a_worker_holding_a_countdown_task_rides_out_a_redis_outage(database_url):
    # A worker keeps a countdown task (the rollup pass is one) unacknowledged until it is due, and meanwhile waits
    # on Redis for more: the state in which Celery 5.7.0 exits on an outage instead of reconnecting
    # (docs/decisions/0003-celery-worker-redis-outage.md).
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed: this test needs a Redis of its own to stop")
    domain, source = domain_make(), source_make()
    with (
        redis_server() as redis,
        celery_worker(database_url, redis.url) as worker,
        celery_producer(broker_url=redis.url, queue=worker.queue),
    ):
        tasks.recompute_rollup_cells.apply_async(countdown=600)
        held = wait_for(lambda: redis.client().hlen("unacked") == 1, timeout=30)
        assert held, "the worker never took the countdown task"
        redis.stop()
        exited = wait_for(lambda: worker.process.poll() is not None, timeout=5)
        redis.start()
        assert not exited, "the worker exited while Redis was down"
        reset_broker_connections()  # this process's pooled connection went with the old Redis
        upsert("o1", domain, source, 40)
        assert wait_for(lambda: leaf_observations(domain) == 1, timeout=60), "the worker did not come back to work"
        assert worker.process.poll() is None


@live_db
def test_with_the_broker_down_a_write_still_commits_quickly_and_the_sweep_computes_it():
    domain, source = domain_make(), source_make()
    with celery_producer(broker_url=BROKER_DOWN):
        started = time.monotonic()
        upsert("b1", domain, source, 40)
        elapsed = time.monotonic() - started
    assert elapsed < 2
    assert DirtyCell.objects.count() == 1  # committed, and listed for the sweep
    assert leaf_observations(domain) is None
    # With the count state (PostgreSQL), the 8 whole cells with data; else 4 whole domain cells, then 4 all-domains,
    # 8 verified, 4 shapes of every platform, and the 4 whole parents again
    assert tasks.sweep_dirty_cells.apply().get() == (8 if engine.counted() else 24)
    assert leaf_observations(domain) == 1
    assert not DirtyCell.objects.exists()


KILLED_REBUILD = textwrap.dedent(
    """
    import os, signal
    import django
    django.setup()
    from unittest import mock
    from benchmarks import engine

    def die(**kwargs):  # the worker dies after writing the new cells, before its transaction commits
        os.kill(os.getpid(), signal.SIGKILL)

    with mock.patch.object(engine._backend(), "fences", die):
        engine.rebuild_all()
    """
)


def cells_snapshot() -> dict:
    return {c["cell_key"]: c for c in BenchmarkCell.objects.values("cell_key", "observations", "p50", "computed_at")}


@live_db
def test_a_worker_killed_mid_rebuild_leaves_the_old_cells_and_the_next_rebuild_the_new(database_url):
    observations_seed(count=200, seed=21)
    engine.rebuild_all()
    old = cells_snapshot()
    observations_seed(count=200, seed=22)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_REBUILD], cwd=ROOT, env=process_env(database_url), timeout=60, check=False
    )
    assert killed.returncode == -9
    assert cells_snapshot() == old
    engine.rebuild_all()
    new = cells_snapshot()
    assert all(new[key]["computed_at"] != cell["computed_at"] for key, cell in old.items() if key in new)
    # The two all-values cells of every observation (segment cells have a fifth part to their key).
    assert sum(c["observations"] for k, c in new.items() if k.startswith("*|*|*|") and k.count("|") == 3) == 400


@live_db
def test_a_rebuild_never_mixes_old_and_new_cells_for_a_reader():
    domain = domain_make()
    observation_make(domain=domain, hourly_usd=10)
    engine.rebuild_all()
    stamps = set(BenchmarkCell.objects.values_list("computed_at", flat=True))
    assert len(stamps) == 1  # one rebuild, one moment, every cell
