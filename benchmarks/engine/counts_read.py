"""The count state's read side: a cell's statistics from its counts, and the check against a full computation.

A percentile is ``percentile_cont``'s arithmetic on the values at the ranks around its fraction, found by walking the
cell's dollar totals (``CellBucket``) to the dollars that hold those ranks, then those dollars' cents (``CellValue``).
"""

from collections import defaultdict
from collections.abc import Iterable
from itertools import groupby
from operator import itemgetter

from django.db import connection

from .cells import FRACTIONS, CellId, Stats, interpolate, ranks_around
from .packing import pack_cell, unpack_cell

COUNT_FIELDS = ("contributors", "independent", "verified", "observations", "sources", "platforms")
"""A cell's counts, in the order ``Stats`` takes them."""


READ_CHUNK = 2_000
"""Cells read in one go: a full check reads every cell, a few thousand at a time, so its memory stays bounded."""


def read(cells: Iterable[CellId]) -> dict[CellId, Stats]:
    """The statistics of the given cells that have observations, from the state."""
    wanted = list(cells)
    found: dict[CellId, Stats] = {}
    for start in range(0, len(wanted), READ_CHUNK):
        found.update(_read(wanted[start : start + READ_CHUNK]))
    return found


def _read(cells: list[CellId]) -> dict[CellId, Stats]:
    packed = {pack_cell(cell): cell for cell in cells}
    if not packed:
        return {}
    with connection.cursor() as cursor:
        fields = ", ".join(COUNT_FIELDS)
        cursor.execute(f"SELECT cell, {fields} FROM benchmarks_cellcount WHERE cell = ANY(%s)", [list(packed)])  # noqa: S608
        found = {row[0]: row[1:] for row in cursor.fetchall()}
        percentiles = _percentiles(cursor, {cell: row[3] for cell, row in found.items()})
    return {
        packed[cell]: Stats(**dict(zip(COUNT_FIELDS, counts, strict=True)), percentiles=percentiles[cell])
        for cell, counts in found.items()
    }


def _percentiles(cursor, sizes: dict[int, int]) -> dict[int, tuple[float, ...]]:
    """p10…p90 of each cell (by its number of observations), ``percentile_cont``'s way, from the values at the ranks
    around each fraction: a walk over the cell's dollar totals to the dollars that hold those ranks, then over those
    dollars' cents. It reads a cell's dollars (a few thousand at most) and a few of its dollars' cents, never its
    observations."""
    ranks = {cell: sorted({r for f in FRACTIONS for r in ranks_around(f * (n - 1))}) for cell, n in sizes.items()}
    hits: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)  # (cell, dollars) -> [(rank, start)]
    cursor.execute(
        "SELECT cell, dollars, n FROM benchmarks_cellbucket WHERE cell = ANY(%s) ORDER BY cell, dollars", [list(sizes)]
    )
    for cell, rows in groupby(cursor.fetchall(), key=itemgetter(0)):
        cell_ranks, index, start = ranks[cell], 0, 0
        for _cell, dollars, n in rows:
            while index < len(cell_ranks) and cell_ranks[index] < start + n:
                hits[(cell, dollars)].append((cell_ranks[index], start))
                index += 1
            if index == len(cell_ranks):
                break
            start += n
    cursor.execute(
        """SELECT v.cell, v.cents / 100, v.cents, v.n FROM unnest(%s::bigint[], %s::bigint[]) AS h (cell, dollars)
        JOIN benchmarks_cellvalue v ON v.cell = h.cell AND v.cents BETWEEN h.dollars * 100 AND h.dollars * 100 + 99
        ORDER BY v.cell, v.cents""",
        [[cell for cell, _ in hits], [dollars for _, dollars in hits]],
    )
    value_at: dict[int, dict[int, float]] = defaultdict(dict)
    for (cell, dollars), rows in groupby(cursor.fetchall(), key=itemgetter(0, 1)):
        wanted, seen = hits[(cell, dollars)], 0
        for _cell, _dollars, cents, n in rows:
            for rank, start in wanted:
                if start + seen <= rank < start + seen + n:
                    value_at[cell][rank] = cents / 100
            seen += n
    return {cell: tuple(interpolate(value_at[cell], f * (n - 1)) for f in FRACTIONS) for cell, n in sizes.items()}


def differences(stats: dict[CellId, Stats]) -> list[CellId]:
    """The cells on which the state and a full computation (``stats``) disagree, in either direction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT cell FROM benchmarks_cellcount")
        held = {unpack_cell(cell) for (cell,) in cursor.fetchall()}
    kept = read(held | set(stats))
    return sorted((cell for cell in held | set(stats) if kept.get(cell) != stats.get(cell)), key=str)
