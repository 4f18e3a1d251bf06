"""The count state's read side: a cell's statistics from its counts, and the check against a full computation.

A percentile is ``percentile_cont``'s arithmetic on the values at the ranks around its fraction, found by walking the
cell's dollar totals (``CellBucket``) to the dollars that hold those ranks, then those dollars' cents (``CellValue``).
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from itertools import groupby
from operator import itemgetter

from django.db import connection

from ..choices import ObservationKind
from ..models import ALL, Observation
from .cells import FRACTIONS, CellId, Stats, interpolate, log_of_the_cent, ranks_around
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
    """p10…p90 of each cell (by its number of observations)."""
    return _at_fractions(cursor, sizes, FRACTIONS, value_of=lambda cents: cents / 100)


def _at_fractions(
    cursor,
    sizes: dict[int, int],
    fractions: tuple[float, ...],
    *,
    value_of: Callable[[int], float],
    extra: Mapping[int, Counter[int]] | None = None,
) -> dict[int, tuple[float, ...]]:
    """Each cell's ``percentile_cont`` at each fraction, of ``value_of(cents)`` (an increasing function) over its
    values, from the values at the ranks around each fraction; ``sizes`` counts ``extra`` in (``cents_at``)."""
    ranks = {cell: sorted({r for f in fractions for r in ranks_around(f * (n - 1))}) for cell, n in sizes.items()}
    cents = cents_at(cursor, ranks, extra)
    found = {cell: {rank: value_of(c) for rank, c in at.items()} for cell, at in cents.items()}
    return {cell: tuple(interpolate(found[cell], f * (n - 1)) for f in fractions) for cell, n in sizes.items()}


def cents_at(
    cursor, ranks: dict[int, list[int]], extra: Mapping[int, Counter[int]] | None = None
) -> dict[int, dict[int, int]]:
    """The value, in cents, at each of the given ranks (ascending, from 0) of each cell: a walk over the cell's dollar
    totals to the dollars that hold those ranks, then over those dollars' cents. It reads a cell's dollars (a few
    thousand at most) and a few of its dollars' cents, never its observations. ``extra`` adds counts to some cells'
    (cents -> n, negative to take away) that the state does not hold yet."""
    extra = extra or {}
    cursor.execute(
        "SELECT cell, dollars, n FROM benchmarks_cellbucket WHERE cell = ANY(%s) ORDER BY cell, dollars", [list(ranks)]
    )
    buckets = {cell: list(rows) for cell, rows in groupby(cursor.fetchall(), key=itemgetter(0))}
    hits: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)  # (cell, dollars) -> [(rank, start)]
    for cell, cell_ranks in ranks.items():
        added = _by_dollar(extra[cell]) if cell in extra else None
        index, start = 0, 0
        for _cell, dollars, n in _plus(buckets.get(cell, []), (cell,), added):
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
    values = {key: list(rows) for key, rows in groupby(cursor.fetchall(), key=itemgetter(0, 1))}
    found: dict[int, dict[int, int]] = defaultdict(dict)
    for (cell, dollars), wanted in hits.items():
        added = None
        if cell in extra:
            added = Counter({cents: n for cents, n in extra[cell].items() if cents // 100 == dollars})
        seen = 0
        for _cell, _dollars, cents, n in _plus(values.get((cell, dollars), []), (cell, dollars), added):
            for rank, start in wanted:
                if start + seen <= rank < start + seen + n:
                    found[cell][rank] = cents
            seen += n
    return found


def _by_dollar(cents: Mapping[int, int]) -> Counter[int]:
    dollars: Counter[int] = Counter()
    for value, n in cents.items():
        dollars[value // 100] += n
    return dollars


def _plus(rows: list[tuple], prefix: tuple, added: Counter[int] | None) -> list[tuple]:
    """Rows of (*prefix, key, n) in ascending key, with ``added`` (key -> n) counted in; a key whose count falls to
    zero is left out."""
    if not added:
        return rows
    merged = Counter({row[-2]: row[-1] for row in rows})
    merged.update(added)
    return [(*prefix, key, n) for key, n in sorted(merged.items()) if n > 0]


def differences(stats: dict[CellId, Stats]) -> list[CellId]:
    """The cells on which the state and a full computation (``stats``) disagree, in either direction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT cell FROM benchmarks_cellcount")
        held = {unpack_cell(cell) for (cell,) in cursor.fetchall()}
    kept = read(held | set(stats))
    return sorted((cell for cell in held | set(stats) if kept.get(cell) != stats.get(cell)), key=str)


# The values the state does not hold yet of some pairs, in one statement so both parts come from one snapshot: the
# deltas not taken yet, and the flagged values (which the fences count and the cells leave out).
_FENCE_EXTRA_SQL = f"""
SELECT d.domain_id, d.tier, d.cents, d.sign FROM benchmarks_observationdelta d
WHERE d.kind = %s AND d.period >= %s AND (d.domain_id, d.tier) IN (SELECT * FROM unnest(%s::bigint[], %s::text[]))
UNION ALL
SELECT o.domain_id, o.tier, round(o.hourly_usd * 100)::bigint, 1 FROM {Observation._meta.db_table} o
WHERE o.flagged AND o.kind = %s AND o.period >= %s
  AND (o.domain_id, o.tier) IN (SELECT * FROM unnest(%s::bigint[], %s::text[]))
"""  # noqa: S608 (only constants are formatted in; values are query parameters)


def fences(*, since: datetime.date, pairs: set[tuple[int, str]]) -> dict[tuple[int, str], tuple[int, float, float]]:
    """(count, q1, q3) of the logarithms to the cent (``cells.log_of_the_cent``) of each pair's reported values,
    flagged ones included, as ``postgres.fences`` gives them, from the count state: the pair's whole cell holds its
    values that are not flagged. Runs under both live locks (the state must not move meanwhile), with a state that
    holds the window from ``since`` (``counts.holds``)."""
    if not pairs:
        return {}
    reported = ObservationKind.REPORTED.value
    cell_of = {pair: pack_cell((*pair, ALL, reported, "")) for pair in pairs}
    extra: dict[int, Counter[int]] = defaultdict(Counter)
    with connection.cursor() as cursor:
        arrays: list[list] = [[domain_id for domain_id, _ in cell_of], [tier for _, tier in cell_of]]
        cursor.execute(_FENCE_EXTRA_SQL, [reported, since, *arrays, reported, since, *arrays])
        for domain_id, tier, cents, sign in cursor.fetchall():
            extra[cell_of[(domain_id, tier)]][cents] += sign
        cursor.execute(
            "SELECT cell, observations FROM benchmarks_cellcount WHERE cell = ANY(%s)", [list(cell_of.values())]
        )
        held = dict(cursor.fetchall())
        sizes = {cell: held.get(cell, 0) + sum(extra[cell].values()) for cell in cell_of.values()}
        sizes = {cell: n for cell, n in sizes.items() if n > 0}
        logs = _at_fractions(
            cursor, sizes, (0.25, 0.75), value_of=lambda cents: log_of_the_cent(cents / 100), extra=extra
        )
    return {pair: (sizes[cell], *logs[cell]) for pair, cell in cell_of.items() if cell in sizes}
