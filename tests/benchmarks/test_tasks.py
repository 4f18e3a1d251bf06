"""Thin tasks, the cache lock of periodic ones, and the rebuild command."""

from io import StringIO

import pytest
from django.core.management import call_command

from benchmarks import tasks
from benchmarks.models import BenchmarkCell

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
