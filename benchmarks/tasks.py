"""Celery tasks of the benchmark engine: thin wrappers that call one engine function each."""

from celery import shared_task

from . import engine


@shared_task(ignore_result=True)
def recompute_dirty_cells() -> int:
    return engine.recompute_dirty()


@shared_task(ignore_result=True)
def sweep_dirty_cells() -> int:
    return engine.recompute_dirty()


@shared_task(ignore_result=True)
def rebuild_all_cells() -> int:
    return engine.rebuild_all()


@shared_task(ignore_result=True)
def record_history() -> int:
    return engine.record_history()
