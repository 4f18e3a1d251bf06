"""Cell computation: the only code that writes ``BenchmarkCell``, ``CellHistory`` and ``OutlierFence``.

``rebuild_all`` recomputes every fence (re-screening every value) and cell and publishes them in one transaction.
``recompute_domains`` (the fast pass) and ``recompute_rollups`` (the coalesced pass for the all-domains cells, with
the fences of the leaves' pairs) take the leaves listed in ``DirtyCell``; ``recompute_dirty`` runs both.
``screening_refresh`` refreshes some pairs' fences now; ``backfill_history`` and ``record_history`` write history
points from the observations' periods (``benchmarks.engine.history``); ``compute`` gives raw statistics for tests
and benchmarks. On PostgreSQL the fast pass publishes every cell of its leaves from the count state
(``benchmarks.engine.counts``, decision 18), and the rollup pass only refreshes fences, from that state too
(decision 19); elsewhere each pass recomputes its cells from all the observations in the window (decision 5). Every
pass runs under advisory locks and refreshes the withheld-count flags in its transaction.
"""

import datetime
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import ModuleType

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from ..choices import ObservationKind
from ..freshness import cells_version_advance
from ..models import STAT_FIELDS, VERIFIED, BenchmarkCell, DirtyCell, Observation, cell_key
from ..privacy import refresh_withheld_counts
from ..querysets import window_start
from ..signals import announce_on_commit
from . import counts, history, portable, postgres
from .cells import PLATFORMS, CellId, Leaf, Stats, ancestors, leaf_cells, platform_id_of, rest, whole
from .screening import fences_refresh

logger = logging.getLogger(__name__)

__all__ = [
    "CellId",
    "Leaf",
    "Stats",
    "backfill_history",
    "compute",
    "rebuild_all",
    "recompute_dirty",
    "recompute_domains",
    "recompute_rollups",
    "record_history",
    "rollups_pending",
    "screening_refresh",
]

# Any fixed numbers will do, as long as nothing else in the database uses them for pg_advisory_xact_lock.
DOMAINS_LOCK_KEY = 7_261_001
ROLLUPS_LOCK_KEY = 7_261_002
HISTORY_LOCK_KEY = 7_261_003
BOTH_LOCKS = (DOMAINS_LOCK_KEY, ROLLUPS_LOCK_KEY)  # always taken in this order, so two holders never deadlock


def _backend(name: str | None = None) -> ModuleType:
    name = name or ("postgres" if connection.vendor == "postgresql" else "portable")
    return {"postgres": postgres, "portable": portable}[name]


def backend_name() -> str:
    """Which engine computes cells on the current database: "postgres" or "portable"."""
    return _backend().__name__.rsplit(".", 1)[-1]


def compute(*, wanted: set[CellId] | None = None, engine: str | None = None) -> dict[CellId, Stats]:
    """Raw statistics of the cells over the current window, from the given engine (default: the database's)."""
    return _backend(engine).compute(since=window_start(), wanted=wanted)


def counted() -> bool:
    """Whether cells are kept by the count state (PostgreSQL) rather than recomputed from observations."""
    return connection.vendor == "postgresql"


@contextmanager
def _rebuild_transaction() -> Iterator[None]:
    """The rebuild's transaction. On PostgreSQL, when it is the outermost one: both live locks held for the session
    first, then REPEATABLE READ, so that every statement (the full computation, the deltas taken, the state built)
    reads one snapshot taken after the last pass committed."""
    outermost = counted() and not connection.in_atomic_block
    if outermost:
        with connection.cursor() as cursor:
            for key in BOTH_LOCKS:
                cursor.execute("SELECT pg_advisory_lock(%s)", [key])
    try:
        with transaction.atomic():
            if outermost:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield
    finally:
        if outermost:
            with connection.cursor() as cursor:
                for key in reversed(BOTH_LOCKS):
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def _check_counts(since: datetime.date, stats: dict[CellId, Stats], say: Callable[[str], None]) -> None:
    """Hold the count state to a full computation of the same snapshot; build it afresh when it is missing, when
    too many deltas wait to be worth applying, or when the two disagree (logged as an error: a defect to find)."""
    if counts.exists(since=since) and counts.waiting() <= counts.MAX_DELTAS_A_PASS:
        counts.apply(since=since)
        wrong = counts.differences(stats)
        if not wrong:
            say("The count state agrees with the full computation on every cell.")
            return
        logger.error("The count state disagreed with the full computation on %d cells, e.g. %s; rebuilt it.",
                     len(wrong), wrong[:5])  # fmt: skip
    counts.build(since=since, stats=stats)
    say("Built the count state from the observations.")


def _take_locks(*lock_keys: int) -> None:
    """Take the pass's advisory locks, so passes over the same cells take turns, and tune its transaction
    (PostgreSQL; SQLite already has one writer at a time)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for key in lock_keys:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
        postgres.tune_transaction()


def _take_dirty(*, rollup: bool | None) -> list[Leaf]:
    """Lock and delete the listed dirty leaves of one stage (or both: ``None``); rows another transaction holds are
    skipped and stay for the next pass.

    Runs before the computation, in its transaction: every change behind a taken row is committed (its row is
    visible), so the computation that follows sees it, and if the computation fails the rows come back.
    """
    listed = DirtyCell.objects.all() if rollup is None else DirtyCell.objects.filter(rollup=rollup)
    rows = list(listed.select_for_update(skip_locked=True).values_list("id", "domain_id", "tier", "country", "kind"))
    if rows:
        DirtyCell.objects.filter(id__in=[row[0] for row in rows]).delete()
    return sorted({row[1:] for row in rows})  # a leaf marked by several writes is listed several times


def _cell(cell: CellId, stats: Stats, computed: dict[CellId, Stats], now: datetime.datetime) -> BenchmarkCell:
    domain_id, tier, country, kind, segment = cell
    p10, p25, p50, p75, p90 = stats.percentiles
    rest_independent, rest_observations = rest(cell, stats, computed)
    return BenchmarkCell(
        cell_key=cell_key(*cell),
        domain_id=domain_id,
        tier=tier,
        country=country,
        kind=kind,
        segment=segment,
        platform_id=platform_id_of(segment),
        contributors=stats.contributors,
        independent=stats.independent,
        verified=stats.verified,
        rest_independent=rest_independent,
        rest_observations=rest_observations,
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


def rebuild_all(*, progress: Callable[[str], None] | None = None) -> int:
    """Recompute and republish every cell and outlier fence at once; returns the number of cells published."""
    say = progress or logger.info
    since = window_start()
    backend = _backend()
    with _rebuild_transaction():
        _take_locks(*BOTH_LOCKS)
        taken = _take_dirty(rollup=None)
        # Fences and screening first: which values are left out of the cells follows from them.
        pairs, changes, _leaves = fences_refresh(since=since, quartiles_of=backend.fences)
        say(
            f"Refreshed the outlier fences of {pairs} (domain, tier) pairs; re-screening changed {len(changes)} values."
        )
        say(f"Computing every cell from observations since {since:%Y-%m} ({backend_name()} engine)...")
        stats = backend.compute(since=since)
        now = timezone.now()
        say(f"Computed {len(stats)} cells; publishing them and clearing {len(taken)} dirty leaves...")
        BenchmarkCell.objects.all().delete()
        BenchmarkCell.objects.bulk_create([_cell(cell, s, stats, now) for cell, s in stats.items()], batch_size=2000)
        if counted():
            _check_counts(since, stats, say)
        withheld = refresh_withheld_counts()
        transaction.on_commit(cells_version_advance)
        announce_on_commit(domain_ids=None)
        say(f"Withheld the counts of {withheld} cells that differencing could pin a suppressed cell with.")
    return len(stats)


def recompute_dirty() -> int:
    """Both passes at once: the domain cells, then the all-domains cells, of every dirty leaf; returns how many
    cells were recomputed."""
    return recompute_domains() + recompute_rollups()


def screening_refresh(*, pairs: set[tuple[int, str]]) -> dict[str, bool]:
    """Refresh the outlier fences of these (domain, tier) pairs and re-screen their values now (the end of an import),
    instead of at the next rollup pass; returns {origin: flagged} of the values whose status changed. Their cells are
    listed dirty, to be recomputed after the caller's transaction commits."""
    if not pairs:
        return {}
    with transaction.atomic():
        _take_locks(*BOTH_LOCKS)
        _pairs, changes, touched = fences_refresh(since=window_start(), quartiles_of=_live_fences, pairs=pairs)
        _list_rescreened(touched)
    return changes


def _live_fences(*, since: datetime.date, pairs: set[tuple[int, str]]) -> dict[tuple[int, str], tuple]:
    """Some pairs' quartiles for a live pass: from the count state where it holds this window (decision 19), so
    their cost does not grow with the pairs' values; else from the observations. Under both live locks."""
    if counted() and counts.holds(since=since):
        return counts.fences(since=since, pairs=pairs)
    return _backend().fences(since=since, pairs=pairs)


def _list_rescreened(leaves: set[Leaf]) -> None:
    """Values that re-screening flagged or released change their cells: list them dirty for the next passes."""
    if leaves:
        DirtyCell.objects.bulk_create([DirtyCell(domain_id=d, tier=t, country=c, kind=k) for d, t, c, k in leaves])
        transaction.on_commit(_enqueue_recompute, robust=True)  # with the broker down, the sweep takes them


def _enqueue_recompute() -> None:
    from ..tasks import recompute_request

    recompute_request()


def rollups_pending() -> bool:
    return DirtyCell.objects.filter(rollup=True).exists()


def recompute_domains() -> int:
    """The fast pass: recompute the four whole domain cells of every dirty leaf; returns how many were recomputed.

    In the same transaction, the taken leaves are listed again for the rollup pass, so their all-domains cells are
    never forgotten, whatever happens to task messages afterwards.
    """

    def hand_over(leaves: list[Leaf], _since) -> None:
        DirtyCell.objects.bulk_create(
            [DirtyCell(domain_id=d, tier=t, country=c, kind=k, rollup=True) for d, t, c, k in leaves]
        )

    return _recompute_pass(rollup=False, then=hand_over)


def recompute_rollups() -> int:
    """The coalesced pass: recompute the all-domains, verified-only and platforms' cells of every leaf the fast pass
    has handed over."""

    def refresh_fences(leaves: list[Leaf], since) -> None:
        pairs = {(domain_id, tier) for domain_id, tier, _c, kind in leaves if kind == ObservationKind.REPORTED}
        if pairs:
            _pairs, _changes, touched = fences_refresh(since=since, quartiles_of=_live_fences, pairs=pairs)
            _list_rescreened(touched)

    return _recompute_pass(rollup=True, then=refresh_fences)


def _recompute_pass(*, rollup: bool, then: Callable[[list[Leaf], datetime.date], None]) -> int:
    """One live pass over the leaves listed for it: their all-domains cells (``rollup``) or their domain cells.

    Under its own advisory lock and in one transaction: take the leaves, publish their cells and the withheld-count
    flags, then ``then(leaves, since)`` (the pass's own last step). Returns how many cells were recomputed.
    """
    if not DirtyCell.objects.filter(rollup=rollup).exists():  # the common case under load: an earlier pass took them
        return 0
    started = time.perf_counter()
    since = window_start()
    backend = _backend()
    with transaction.atomic():
        # The rollup pass reads the count state for its fences: the fast pass, which moves it, waits meanwhile.
        _take_locks(*(BOTH_LOCKS if rollup else (DOMAINS_LOCK_KEY,)))
        leaves = _take_dirty(rollup=rollup)
        if not leaves:
            return 0
        if not counted():
            wanted = _pass_cells(leaves, rollup=rollup)
            stats = backend.compute(since=since, wanted=wanted)
        elif rollup:
            wanted, stats = set(), {}  # the fast pass published them from the count state
        else:
            wanted, stats = _counted_cells(leaves, since)
        if wanted:
            _publish_some(wanted, stats)
            if counted():
                _rests_refresh({cell for cell in wanted if cell[4] == ""})
            refresh_withheld_counts()
            transaction.on_commit(cells_version_advance)
            announce_on_commit(domain_ids={cell[0] for cell in wanted if cell[0] is not None})
        then(leaves, since)
    logger.info(
        "Recomputed %d %s cells for %d dirty leaves in %.3f s.",
        len(wanted),
        "rollup and segment" if rollup else "domain",
        len(leaves),
        time.perf_counter() - started,
    )
    return len(wanted)


def _counted_cells(leaves: list[Leaf], since: datetime.date) -> tuple[set[CellId], dict[CellId, Stats]]:
    """The fast pass on PostgreSQL: apply the listed deltas to the count state (building it first if there is none,
    with writes held off meanwhile) and read every cell they changed, with every cell of the taken leaves."""
    if not counts.exists(since=since):
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Observation._meta.db_table} IN SHARE MODE")  # one snapshot for the build
        stats = postgres.compute(since=since)
        counts.build(since=since, stats=stats)
        return set(stats), stats
    changed = counts.apply(since=since)
    if counts.waiting():
        transaction.on_commit(_enqueue_recompute, robust=True)  # a pass takes a bounded batch; the next takes more
    wanted = changed | {cell for leaf in leaves for cell in ancestors(leaf)}
    wanted |= {whole(cell) for cell in wanted}  # a segment's cell is published with its whole cell's figures
    return wanted, counts.read(wanted)


_RESTS_SQL = f"""
UPDATE {BenchmarkCell._meta.db_table} s
SET rest_independent = w.independent - s.independent, rest_observations = w.observations - s.observations
FROM {BenchmarkCell._meta.db_table} w
WHERE w.cell_key = ANY(%s) AND w.segment = '' AND s.segment <> '' AND s.domain_id IS NOT DISTINCT FROM w.domain_id
  AND s.tier = w.tier AND s.country = w.country AND s.kind = w.kind
"""  # noqa: S608 (only constants are formatted in; values are query parameters)


def _rests_refresh(wholes: set[CellId]) -> None:
    """What the segments' cells of these whole cells leave of them (decision 15) moves with the whole cells: set it
    from the published cells, without reading the segments' figures again."""
    with connection.cursor() as cursor:
        cursor.execute(_RESTS_SQL, [[cell_key(*cell) for cell in wholes]])


def _pass_cells(leaves: list[Leaf], *, rollup: bool) -> set[CellId]:
    """The cells a live pass recomputes for its leaves. The fast pass: their four whole cells of their own domain.
    The rollup pass: every other cell of theirs (all-domains, verified-only, every platform's), with the whole
    parents of the segments' cells, since a segment's cell is published from its whole cell of the same pass."""
    if not rollup:
        return {cell for leaf in leaves for cell in ancestors(leaf) if cell[0] is not None}
    wanted = {cell for leaf in leaves for cell in leaf_cells(leaf) if cell[0] is None or cell[4] != ""}
    return wanted | {whole(cell) for cell in wanted}


def _publish_some(wanted: set[CellId], stats: dict[CellId, Stats]) -> None:
    """Upsert the wanted cells that have data and delete the ones left without any (a platform's too, where every
    platform's cells of a shape were wanted)."""
    now = timezone.now()
    gone = [cell_key(*cell) for cell in wanted if cell not in stats and cell[4] != PLATFORMS]
    if gone:
        BenchmarkCell.objects.filter(cell_key__in=gone).delete()
    platform_shapes = [cell for cell in wanted if cell[4] == PLATFORMS]
    if platform_shapes:
        kept = [cell_key(*cell) for cell in stats if cell[4] not in ("", VERIFIED)]
        shapes = Q()
        for domain_id, tier, country, kind, _segment in platform_shapes:
            shapes |= Q(domain_id=domain_id, tier=tier, country=country, kind=kind)
        BenchmarkCell.objects.filter(shapes, platform__isnull=False).exclude(cell_key__in=kept).delete()
    BenchmarkCell.objects.bulk_create(
        [_cell(cell, s, stats, now) for cell, s in stats.items()],
        update_conflicts=True,
        unique_fields=["cell_key"],
        update_fields=[*STAT_FIELDS, "computed_at"],
    )


def backfill_history(*, months: Iterable[datetime.date] | None = None) -> int:
    """Write (or overwrite) the history points of ``months`` (default: every month of the horizon,
    ``BENCHMARK_HISTORY_MONTHS`` ending this month) from the observations' periods; returns how many were written.

    Months after this one are left alone; a month's earlier points are replaced, so a cell without data in its
    window loses its point. One transaction, under the history lock (two backfills take turns).
    """
    this_month = timezone.now().date().replace(day=1)
    wanted = history.horizon() if months is None else sorted({m.replace(day=1) for m in months})
    wanted = [m for m in wanted if m <= this_month]
    if not wanted:
        return 0
    started = time.perf_counter()
    with transaction.atomic():
        _take_locks(HISTORY_LOCK_KEY)
        written = history.backfill(wanted, backend=_backend())
    logger.info(
        "Wrote %d history points for %d months (%s to %s) in %.3f s.",
        written, len(wanted), f"{wanted[0]:%Y-%m}", f"{wanted[-1]:%Y-%m}", time.perf_counter() - started,
    )  # fmt: skip
    return written


def record_history(*, month: datetime.date | None = None) -> int:
    """Write (or overwrite) the month's history point of every cell with data in its window (default: this month),
    from the observations' periods; returns how many were written."""
    return backfill_history(months=[month or timezone.now().date()])
