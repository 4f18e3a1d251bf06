"""History points from the observations' periods: a month's point of a cell is the cell as the methodology publishes
it over the window ending that month (observations with a period in the ``BENCHMARK_WINDOW_MONTHS`` months ending
it, not flagged). Flag status and each party's standing are read as they are now.

``backfill`` writes the points of the given months, replacing each month's earlier points, in the caller's
transaction; ``horizon`` lists the months a full backfill covers (``BENCHMARK_HISTORY_MONTHS``, ending this month).
One pass reads every observation of its months' windows once, cell by cell (``windows.cell_points``).
"""

import datetime
from collections.abc import Iterable
from itertools import groupby
from types import ModuleType

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection
from django.utils import timezone

from ..models import CellHistory, cell_key
from ..privacy import refresh_withheld_counts
from .cells import CellId, Stats, month_index, platform_id_of
from .windows import MAX_MONTHS, cell_points, kind_cells

_BATCH = 5000


def horizon(today: datetime.date | None = None) -> list[datetime.date]:
    """The months a full backfill writes, oldest first: this month and the ``BENCHMARK_HISTORY_MONTHS`` - 1 before."""
    last = (today or timezone.now().date()).replace(day=1)
    count = max(int(getattr(settings, "BENCHMARK_HISTORY_MONTHS", 24)), 1)
    return [last - relativedelta(months=back) for back in range(count - 1, -1, -1)]


def touched_months(periods: Iterable[datetime.date], today: datetime.date | None = None) -> list[datetime.date]:
    """The months of the horizon whose window holds one of these periods: what changing their data changes."""
    months = horizon(today)
    window = settings.BENCHMARK_WINDOW_MONTHS
    indices = {month_index(p) for p in periods}
    return [m for m in months if any(0 <= month_index(m) - i < window for i in indices)]


def _passes(months: list[datetime.date], window: int) -> list[list[datetime.date]]:
    """Months split into runs whose windows span at most ``MAX_MONTHS`` months (one bitmask)."""
    runs: list[list[datetime.date]] = []
    for month in months:
        if runs and month_index(month) - month_index(runs[-1][0]) + window <= MAX_MONTHS:
            runs[-1].append(month)
        else:
            runs.append([month])
    return runs


_COLUMNS = (
    "cell_key", "domain_id", "tier", "country", "kind", "segment", "platform_id", "contributors", "independent",
    "verified", "observations", "sources", "platforms", "p10", "p25", "p50", "p75", "p90", "rest_independent",
    "rest_observations", "counts_withheld", "month", "recorded_at",
)  # fmt: skip


def _row(cell: CellId, month: datetime.date, stats: Stats, whole: Stats | None, now: datetime.datetime) -> tuple:
    """A history row; ``whole`` is the whole cell's point of that month, for a segment's cell (None for a whole
    cell)."""
    domain_id, tier, country, kind, segment = cell
    rest = (0, 0) if whole is None else (whole.independent - stats.independent, whole.observations - stats.observations)
    return (
        cell_key(*cell), domain_id, tier, country, kind, segment, platform_id_of(segment), stats.contributors,
        stats.independent, stats.verified, stats.observations, stats.sources, stats.platforms, *stats.percentiles,
        *rest, False, month, now,
    )  # fmt: skip


def _insert(rows: list[tuple]) -> int:
    """Insert history rows (``_COLUMNS``): by COPY on PostgreSQL, where row-by-row inserts are most of the cost."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = CellHistory._meta.db_table
            with cursor.cursor.copy(f"COPY {table} ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    else:
        CellHistory.objects.bulk_create([CellHistory(**dict(zip(_COLUMNS, row, strict=True))) for row in rows])
    return len(rows)


def points(
    backend: ModuleType, months: list[datetime.date]
) -> Iterable[tuple[CellId, datetime.date, Stats, Stats | None]]:
    """(cell, month, statistics, whole cell's statistics or None) of every cell with data in the window ending at
    each of ``months`` (one run), each whole cell followed by its segments' cells."""
    window = settings.BENCHMARK_WINDOW_MONTHS
    since = months[0] - relativedelta(months=window - 1)
    base = month_index(since)
    ends = {month_index(m) - base: m for m in months}
    stream = backend.history_leaves(since=since, until=months[-1])
    for _kind, leaves in groupby(stream, key=lambda item: item[0][3]):  # a kind's leaves come together
        for cell, records, segments in kind_cells(dict(leaves)):
            wholes: dict[int, Stats] = {}
            for end, stats in cell_points(records, sorted(ends), window):
                wholes[end] = stats
                yield cell, ends[end], stats, None
            for segment_cell, segment_records in segments:
                for end, stats in cell_points(segment_records, sorted(ends), window):
                    yield segment_cell, ends[end], stats, wholes[end]


def backfill(months: Iterable[datetime.date], *, backend: ModuleType) -> int:
    """Replace the points of ``months`` (first days) with the ones computed now; returns how many were written.

    In the caller's transaction; the withheld-count flags of every month written are refreshed in it.
    """
    wanted = sorted({m.replace(day=1) for m in months})
    now = timezone.now()
    written = 0
    for run in _passes(wanted, settings.BENCHMARK_WINDOW_MONTHS):
        CellHistory.objects.filter(month__in=run).delete()
        batch: list[tuple] = []
        for cell, month, stats, whole in points(backend, run):
            batch.append(_row(cell, month, stats, whole, now))
            if len(batch) >= _BATCH:
                written += _insert(batch)
                batch = []
        written += _insert(batch)
        for month in run:
            refresh_withheld_counts(month=month)
    return written
