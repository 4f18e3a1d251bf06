"""Cell computation: the only code that writes ``BenchmarkCell``, ``CellHistory`` and ``OutlierFence``.

Public functions (each idempotent; the Celery tasks in ``benchmarks.tasks`` are thin wrappers around them):

``rebuild_all(*, progress=None) -> int``
    Recompute every cell from the observations in the rolling window and replace the published cells in one
    transaction: readers see all the old cells or all the new ones, never a mix. Refreshes every outlier fence.
``recompute_dirty() -> int``
    Take every leaf listed in ``DirtyCell`` and recompute exactly the cells it feeds (its eight ancestors), in one
    pass, in the transaction that deletes the listed leaves. One call handles all of them (coalescing).
``record_history(*, month=None) -> int``
    Write the month's history point of every current cell; re-running the same month overwrites it.
``compute(*, wanted=None, engine=None)``
    The raw statistics, for tests and benchmarks: ``engine="postgres"`` or ``"portable"``.

On PostgreSQL the numbers come out of SQL (``engine.postgres``); elsewhere from Python (``engine.portable``). Both
interpolate percentiles linearly between closest ranks (``percentile_cont`` = numpy 'linear' = R type 7).

Rebuilds and recomputes of PostgreSQL hold one transaction-scoped advisory lock while they compute and publish: a
recompute must never publish numbers older than what a concurrent rebuild or recompute already published.
"""

import datetime
import logging
from collections.abc import Callable
from types import ModuleType

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from ..choices import ObservationKind
from ..models import BenchmarkCell, CellHistory, DirtyCell, OutlierFence, cell_key
from ..querysets import window_start
from . import portable, postgres
from .cells import CellId, Leaf, Stats, ancestors

logger = logging.getLogger(__name__)

__all__ = ["CellId", "Leaf", "Stats", "compute", "rebuild_all", "recompute_dirty", "record_history"]

# Any fixed number will do, as long as nothing else in the database uses it for pg_advisory_xact_lock.
ADVISORY_LOCK_KEY = 7_261_001

_STAT_FIELDS = ["contributors", "observations", "sources", "platforms", "p10", "p25", "p50", "p75", "p90"]


def _backend(name: str | None = None) -> ModuleType:
    name = name or ("postgres" if connection.vendor == "postgresql" else "portable")
    return {"postgres": postgres, "portable": portable}[name]


def backend_name() -> str:
    """Which engine computes cells on the current database: "postgres" or "portable"."""
    return _backend().__name__.rsplit(".", 1)[-1]


def compute(*, wanted: set[CellId] | None = None, engine: str | None = None) -> dict[CellId, Stats]:
    """Raw statistics of the cells over the current window, from the given engine (default: the database's)."""
    return _backend(engine).compute(since=window_start(), wanted=wanted)


def _serialise() -> None:
    """Make concurrent rebuilds and recomputes take turns (PostgreSQL; SQLite already has one writer at a time)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        postgres.tune_transaction()


def _take_dirty() -> list[Leaf]:
    """Lock and delete the listed dirty leaves; rows a writer still holds are skipped and stay for the next pass.

    Runs before the computation, in its transaction: every change behind a taken row is committed (its row is
    visible), so the computation that follows sees it, and if the computation fails the rows come back.
    """
    rows = list(
        DirtyCell.objects.select_for_update(skip_locked=True).values_list("id", "domain_id", "tier", "country", "kind")
    )
    if rows:
        DirtyCell.objects.filter(id__in=[row[0] for row in rows]).delete()
    return [row[1:] for row in rows]


def _cell(cell: CellId, stats: Stats, now: datetime.datetime) -> BenchmarkCell:
    domain_id, tier, country, kind = cell
    p10, p25, p50, p75, p90 = stats.percentiles
    return BenchmarkCell(
        cell_key=cell_key(domain_id, tier, country, kind),
        domain_id=domain_id,
        tier=tier,
        country=country,
        kind=kind,
        contributors=stats.contributors,
        observations=stats.observations,
        sources=stats.sources,
        platforms=stats.platforms,
        p10=p10,
        p25=p25,
        p50=p50,
        p75=p75,
        p90=p90,
        computed_at=now,
    )


def _fence_rows(fences: dict[tuple[int, str], tuple[int, float, float]], now) -> list[OutlierFence]:
    return [
        OutlierFence(domain_id=domain_id, tier=tier, observations=n, q1_log=q1, q3_log=q3, computed_at=now)
        for (domain_id, tier), (n, q1, q3) in fences.items()
    ]


def rebuild_all(*, progress: Callable[[str], None] | None = None) -> int:
    """Recompute and republish every cell and outlier fence at once; returns the number of cells published."""
    say = progress or logger.info
    since = window_start()
    backend = _backend()
    with transaction.atomic():
        _serialise()
        taken = _take_dirty()
        say(f"Computing every cell from observations since {since:%Y-%m} ({backend_name()} engine)...")
        stats = backend.compute(since=since)
        now = timezone.now()
        say(f"Computed {len(stats)} cells; publishing them and clearing {len(taken)} dirty leaves...")
        BenchmarkCell.objects.all().delete()
        BenchmarkCell.objects.bulk_create([_cell(cell, s, now) for cell, s in stats.items()], batch_size=2000)
        fences = backend.fences(since=since)
        OutlierFence.objects.all().delete()
        OutlierFence.objects.bulk_create(_fence_rows(fences, now), batch_size=2000)
        say(f"Refreshed outlier fences of {len(fences)} (domain, tier) pairs.")
    return len(stats)


def recompute_dirty() -> int:
    """Recompute the cells fed by every dirty leaf, all in one pass; returns how many cells were recomputed."""
    if not DirtyCell.objects.exists():  # the common case under load: an earlier task already took them all
        return 0
    since = window_start()
    backend = _backend()
    with transaction.atomic():
        _serialise()
        leaves = _take_dirty()
        if not leaves:
            return 0
        leaves = sorted(set(leaves))  # a leaf marked by several writes is listed several times
        wanted = {cell for leaf in leaves for cell in ancestors(leaf)}
        stats = backend.compute(since=since, wanted=wanted)
        _publish_some(wanted, stats)
        pairs = {(domain_id, tier) for domain_id, tier, _c, kind in leaves if kind == ObservationKind.REPORTED}
        _publish_fences(pairs, backend.fences(since=since, pairs=pairs))
    logger.info("Recomputed %d cells for %d dirty leaves.", len(wanted), len(leaves))
    return len(wanted)


def _publish_some(wanted: set[CellId], stats: dict[CellId, Stats]) -> None:
    """Upsert the wanted cells that have data and delete the ones left without any."""
    now = timezone.now()
    gone = [cell_key(*cell) for cell in wanted if cell not in stats]
    if gone:
        BenchmarkCell.objects.filter(cell_key__in=gone).delete()
    BenchmarkCell.objects.bulk_create(
        [_cell(cell, s, now) for cell, s in stats.items()],
        update_conflicts=True,
        unique_fields=["cell_key"],
        update_fields=[*_STAT_FIELDS, "computed_at"],
    )


def _publish_fences(pairs: set[tuple[int, str]], fences: dict[tuple[int, str], tuple[int, float, float]]) -> None:
    if not pairs:
        return
    match = Q()
    for domain_id, tier in pairs:
        match |= Q(domain_id=domain_id, tier=tier)
    OutlierFence.objects.filter(match).delete()
    OutlierFence.objects.bulk_create(_fence_rows(fences, timezone.now()))


def record_history(*, month: datetime.date | None = None) -> int:
    """Write (or overwrite) the month's history point of every current cell; returns how many were written."""
    recompute_dirty()  # the point should include what is still waiting in the dirty list
    month = (month or timezone.now().date()).replace(day=1)
    now = timezone.now()
    with transaction.atomic():
        _serialise()
        cells = BenchmarkCell.objects.values("cell_key", "domain_id", "tier", "country", "kind", *_STAT_FIELDS)
        points = [CellHistory(month=month, recorded_at=now, **values) for values in cells]
        CellHistory.objects.filter(month=month).delete()
        CellHistory.objects.bulk_create(points, batch_size=2000)
    return len(points)
