"""Thin tasks, the cache lock of periodic ones, and the rebuild command."""

import time
from io import StringIO
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command

from benchmarks import engine, tasks
from benchmarks.models import ALL, BenchmarkCell, DirtyCell, cell_key
from benchmarks.services import cells_mark_dirty

from .factories import domain_make, observation_make

pytestmark = pytest.mark.django_db


def test_every_task_runs_its_engine_function():
    observation_make(domain=domain_make(), hourly_usd=10)
    assert tasks.rebuild_all_cells.delay().get() == 8
    assert tasks.sweep_dirty_cells.delay().get() == 0
    assert tasks.recompute_dirty_cells.delay().get() == 0
    assert tasks.record_history.delay().get() == 8


@pytest.mark.parametrize(("task", "lock"), [("rebuild_all_cells", "rebuild"), ("sweep_dirty_cells", "sweep"),
                                            ("record_history", "history")])  # fmt: skip
def test_a_periodic_task_returns_at_once_while_another_run_holds_its_lock(task, lock):
    observation_make(domain=domain_make(), hourly_usd=10)
    with tasks.cache_lock(lock) as acquired:
        assert acquired
        assert getattr(tasks, task)() == 0
    assert not BenchmarkCell.objects.exists()


def test_the_lock_is_released_after_the_run():
    with tasks.cache_lock("rebuild") as first:
        assert first
    with tasks.cache_lock("rebuild") as second:
        assert second


def test_the_rebuild_command_prints_its_progress():
    observation_make(domain=domain_make(), hourly_usd=10)
    out = StringIO()
    call_command("rebuild_benchmarks", "--history", stdout=out)
    text = out.getvalue()
    assert "Computing every cell" in text
    assert "Published 8 cells" in text
    assert "Recorded 8 history points" in text


def written(domain, rate) -> None:
    """An observation and its dirty leaf, as a service writes them; the on-commit task never runs in these tests."""
    obs = observation_make(domain=domain, hourly_usd=rate)
    cells_mark_dirty(leaves=[(domain.pk, obs.tier, obs.country, obs.kind)])


def test_a_lost_message_of_either_pass_is_recovered_by_the_sweep():
    domain = domain_make()
    written(domain, 10)
    # With the count state (PostgreSQL), the 8 whole cells with data; else 4 whole domain cells, then 4 all-domains,
    # 8 verified, 4 shapes of every platform, and the 4 whole parents again
    assert tasks.sweep_dirty_cells() == (8 if engine.counted() else 24)
    assert not DirtyCell.objects.exists()
    written(domain, 30)
    engine.recompute_domains()  # the fast pass ran, the rollup's message was lost
    assert tasks.sweep_dirty_cells() == (0 if engine.counted() else 20)  # the rollup pass alone (fences only)
    assert not DirtyCell.objects.exists()
    assert BenchmarkCell.objects.get(cell_key=cell_key(None, ALL, ALL, "reported")).observations == 2


def test_the_live_task_publishes_the_domain_cells_then_schedules_the_rollup():
    written(domain_make(), 10)
    with mock.patch.object(tasks, "rollup_schedule") as schedule:
        assert tasks.recompute_dirty_cells() == (8 if engine.counted() else 4)  # every whole cell, or the domain ones
    schedule.assert_called_once()
    assert engine.rollups_pending()


def test_the_rollup_runs_at_once_after_a_quiet_interval_and_at_the_end_of_a_busy_one():
    cache.delete_many([tasks.rollup_key("scheduled"), tasks.rollup_key("last-run")])
    with mock.patch.object(tasks.recompute_rollup_cells, "apply_async") as apply_async:
        tasks.rollup_schedule()
        tasks.rollup_schedule()  # one run is scheduled already: nothing more
        assert apply_async.call_count == 1
        assert apply_async.call_args.kwargs["countdown"] == 0
        tasks.recompute_rollup_cells()  # the run clears "scheduled" and notes when it ran
        tasks.rollup_schedule()
        assert apply_async.call_count == 2
        assert tasks.rollup_interval() - 5 < apply_async.call_args.kwargs["countdown"] <= tasks.rollup_interval()
    cache.delete_many([tasks.rollup_key("scheduled"), tasks.rollup_key("last-run")])


def test_a_slow_rollup_pass_spaces_out_the_next_one(settings):
    settings.BENCHMARK_ROLLUP_INTERVAL_SECONDS = 30
    keys = [tasks.rollup_key(name) for name in ("scheduled", "last-run", "rollup-pass-seconds")]
    cache.delete_many(keys)
    cache.set(tasks.rollup_key("last-run"), time.time())
    with mock.patch.object(tasks.recompute_rollup_cells, "apply_async") as apply_async:
        cache.set(tasks.rollup_key("rollup-pass-seconds"), 2.0)  # quick: the interval rules
        tasks.rollup_schedule()
        assert 25 < apply_async.call_args.kwargs["countdown"] <= 30
        cache.delete(tasks.rollup_key("scheduled"))
        cache.set(tasks.rollup_key("rollup-pass-seconds"), 20.0)  # slow, as on a big table: five times that
        tasks.rollup_schedule()
        assert 95 < apply_async.call_args.kwargs["countdown"] <= 100
    cache.delete_many(keys)


def test_a_rollup_pass_notes_how_long_it_took():
    cache.delete(tasks.rollup_key("rollup-pass-seconds"))
    tasks.recompute_rollup_cells()
    assert 0 <= cache.get(tasks.rollup_key("rollup-pass-seconds")) < 60
    cache.delete_many([tasks.rollup_key(name) for name in ("rollup-pass-seconds", "last-run")])


def test_with_the_broker_down_the_rollup_is_left_to_the_sweep():
    cache.delete(tasks.rollup_key("scheduled"))
    with mock.patch.object(tasks.recompute_rollup_cells, "apply_async", side_effect=tasks.BrokerError("down")):
        tasks.rollup_schedule()
    assert cache.add(tasks.rollup_key("scheduled"), "x", 1)  # the key was released, so the next write schedules again
    cache.delete(tasks.rollup_key("scheduled"))


def test_commits_while_a_recompute_is_queued_enqueue_no_other():
    with mock.patch.object(tasks.recompute_dirty_cells, "apply_async") as delay:
        tasks.recompute_request()
        tasks.recompute_request()
        tasks.recompute_request()
    assert delay.call_count == 1


def test_a_commit_after_the_queued_recompute_started_enqueues_another():
    with mock.patch.object(tasks.recompute_dirty_cells, "apply_async") as delay:
        tasks.recompute_request()
        tasks.recompute_dirty_cells()  # starts: from now on, newly listed leaves need a task of their own
        tasks.recompute_request()
    assert delay.call_count == 2


def test_a_recompute_that_could_not_be_enqueued_does_not_hold_up_the_next():
    broken = mock.patch.object(tasks.recompute_dirty_cells, "apply_async", side_effect=OSError("broker down"))
    with broken, pytest.raises(OSError, match="broker down"):
        tasks.recompute_request()
    with mock.patch.object(tasks.recompute_dirty_cells, "apply_async") as delay:
        tasks.recompute_request()
    assert delay.call_count == 1


def test_a_bulk_write_asks_for_its_recompute_with_a_countdown_and_a_live_write_does_not_wait_for_it():
    cache.delete(tasks.rollup_key("fast-pass-seconds"))
    with mock.patch.object(tasks.recompute_dirty_cells, "apply_async") as enqueue:
        tasks.recompute_request(bulk=True)
        tasks.recompute_request(bulk=True)  # the next batch of the import shares the pass
        tasks.recompute_request()  # a live write meanwhile
        tasks.recompute_request()
    assert enqueue.call_args_list == [mock.call(kwargs={"bulk": True}, countdown=2.0), mock.call()]


def test_the_bulk_countdown_grows_with_the_last_fast_pass_up_to_the_rollup_interval(settings):
    settings.BULK_RECOMPUTE_DELAY_SECONDS = 2
    settings.BENCHMARK_ROLLUP_INTERVAL_SECONDS = 30
    for last_pass, countdown in ((None, 2.0), (0.3, 2.0), (1.5, 6.0), (20.0, 30.0)):
        cache.set(tasks.rollup_key("fast-pass-seconds"), last_pass)
        assert tasks.bulk_countdown() == countdown
    cache.delete(tasks.rollup_key("fast-pass-seconds"))


def test_a_fast_pass_that_recomputed_cells_records_how_long_it_took():
    cache.delete(tasks.rollup_key("fast-pass-seconds"))
    tasks.recompute_dirty_cells.delay().get()  # nothing listed: nothing to time
    assert cache.get(tasks.rollup_key("fast-pass-seconds")) is None
    written(domain_make(), 10)
    with mock.patch.object(tasks, "rollup_schedule"):
        assert tasks.recompute_dirty_cells.delay(bulk=True).get() == (8 if engine.counted() else 4)
    assert 0 < cache.get(tasks.rollup_key("fast-pass-seconds")) < 60
    assert cache.add(tasks.rollup_key("bulk-recompute-queued"), "x", 1)  # the bulk task cleared its own key
    cache.delete_many([tasks.rollup_key("fast-pass-seconds"), tasks.rollup_key("bulk-recompute-queued")])
