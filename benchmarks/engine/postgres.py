"""The PostgreSQL engine: every number comes out of SQL, in one statement, with no Python loop over observations.

A full rebuild is one ``GROUP BY kind, CUBE (domain, tier, country)`` pass with ``percentile_cont`` and distinct
counts, for every observation and for the verified ones, and ``GROUP BY platform, CUBE (domain, tier)`` over reported
pay. The live passes ask only for the cells they need, in one statement of ``UNION ALL`` parts: a plain aggregate per
cell that keeps its domain (its rows come from the covering index ``obs_domain_slice``, an index-only scan), and for
the all-domains cells one ``GROUP BY`` per cell shape and segment (which of tier and country the cell keeps), each
reading only the rows of its wanted cells, or a plain aggregate per cell when a shape has only a few; every platform's
cells of one shape are one ``GROUP BY platform``.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterator

import numpy as np
from django.db import connection

from ..choices import ObservationKind
from ..models import ALL, PLATFORM_PREFIX, VERIFIED, Observation
from .cells import FENCE_FLOOR, FRACTIONS, PLATFORMS, CellId, Leaf, Stats, is_platform, month_index, pattern_of
from .windows import RECORD

TABLE = Observation._meta.db_table

# Sorting a few hundred thousand values in memory is several times faster than an external merge on disk; the
# default work_mem (4 MB) spills. Raised for this transaction only; rebuilds and recomputes take turns (advisory
# lock), so one backend at a time uses it, but each sort of a query may: kept moderate.
WORK_MEM = "64MB"

# Distinct contributors are counted on a 64-bit hash of the contributor string: sorting integers is about four
# times faster than sorting strings, and it is what a live recompute of the all-domains cells spends most time on.
# Two contributors would have to collide in 64 bits to be counted as one (odds around 1e-9 with a million of them),
# and a collision can only lower the count, so it can only suppress more, never publish a cell that should not be.
_CONTRIBUTOR_SQL = "hashtextextended(o.contributor, 0)"

_FRACTIONS_SQL = "ARRAY[" + ", ".join(repr(f) for f in FRACTIONS) + "]"
# Independent parties (the suppression threshold's count): a party counts from ``counts_from`` on, at the
# transaction's time; an empty party counts for nobody. Hashed like contributors.
_STATS_SQL = f"""
    count(DISTINCT {_CONTRIBUTOR_SQL}),
    count(DISTINCT hashtextextended(o.party, 0))
        FILTER (WHERE o.party <> '' AND (o.counts_from IS NULL OR o.counts_from <= now())),
    count(DISTINCT {_CONTRIBUTOR_SQL}) FILTER (WHERE o.verified),
    count(*),
    count(DISTINCT o.source_id),
    count(DISTINCT o.platform_id),
    percentile_cont({_FRACTIONS_SQL}) WITHIN GROUP (ORDER BY round(o.hourly_usd, 2)::float8)
"""

_TIER_OR_ALL = f"CASE WHEN GROUPING(o.tier) = 1 THEN '{ALL}' ELSE o.tier END"
_PLATFORM_SEGMENT_SQL = f"'{PLATFORM_PREFIX}' || o.platform_id"
_WINDOW_SQL = "o.period >= %s AND NOT o.flagged"

CUBE_SQL = f"""
SELECT o.domain_id, {_TIER_OR_ALL},
       CASE WHEN GROUPING(o.country) = 1 THEN '{ALL}' ELSE o.country END,
       o.kind, segment.name,
       {_STATS_SQL}
FROM {TABLE} o CROSS JOIN (VALUES (''), ('{VERIFIED}')) AS segment (name)
WHERE {_WINDOW_SQL} AND (segment.name = '' OR o.verified)
GROUP BY segment.name, o.kind, CUBE (o.domain_id, o.tier, o.country)
UNION ALL
SELECT o.domain_id, {_TIER_OR_ALL}, '{ALL}', o.kind, {_PLATFORM_SEGMENT_SQL},
       {_STATS_SQL}
FROM {TABLE} o
WHERE {_WINDOW_SQL} AND o.kind = '{ObservationKind.REPORTED}' AND o.platform_id IS NOT NULL
GROUP BY o.kind, o.platform_id, CUBE (o.domain_id, o.tier)
"""  # noqa: S608 (only constants are formatted in; values are query parameters)
"""The whole rebuild's computation: every cell of every kind, for observations from the window start."""

# An all-domains shape with this many wanted cells or fewer is asked cell by cell (plain aggregates, the fastest plan
# for the few big cells every recompute needs); more, as one GROUP BY reading only their rows. Cells that keep their
# domain are always asked one by one: each reads exactly its rows from the covering index ``obs_domain_slice`` and
# sorts only them, where one GROUP BY over several domains sorts them all together (measured: 4 times slower for the
# 20-leaf passes of a live load).
CELLS_PER_SHAPE_ONE_BY_ONE = 4

_COLUMNS = (("domain_id", "bigint", "NULL::bigint"), ("tier", "text", f"'{ALL}'"), ("country", "text", f"'{ALL}'"))

# The logarithm of each value rounded to the cent (``cells.log_of_the_cent``), as the count state holds it.
_QUARTILES_SQL = (
    "count(*), percentile_cont(ARRAY[0.25, 0.75]) WITHIN GROUP "
    f"(ORDER BY ln(greatest(round(o.hourly_usd, 2), {FENCE_FLOOR})::float8))"
)
_FENCE_ROWS_SQL = f"o.kind = '{ObservationKind.REPORTED}' AND o.period >= %s"
FENCES_SQL = f"""
SELECT o.domain_id, o.tier, {_QUARTILES_SQL} FROM {TABLE} o WHERE {_FENCE_ROWS_SQL} GROUP BY o.domain_id, o.tier
"""  # noqa: S608 (only constants are formatted in; values are query parameters)
"""Every pair's quartiles: one pass over every reported value."""
# Some pairs' quartiles: one aggregate per pair, each reading only its pair's rows from an index. One GROUP BY over
# a list of pairs reads every reported value and keeps the listed ones (measured in bench/README.md).
PAIR_FENCES_SQL = f"""
SELECT p.domain_id, p.tier, f.n, f.q FROM unnest(%s::bigint[], %s::text[]) AS p (domain_id, tier)
CROSS JOIN LATERAL (
    SELECT {_QUARTILES_SQL} FROM {TABLE} o WHERE o.domain_id = p.domain_id AND o.tier = p.tier AND {_FENCE_ROWS_SQL}
) AS f (n, q)
WHERE f.n > 0
"""  # noqa: S608 (only constants are formatted in; values are query parameters)


# The history passes: every leaf's observations of the pass's periods as one bytea of ``windows.RECORD``s, leaves of
# one kind together, read through a server-side cursor. One hash aggregate, no sort: the cells and their windows are
# built from these arrays (benchmarks.engine.windows).
_RECORD_SQL = f"""
    float8send(round(o.hourly_usd, 2)::float8)
    || int2send((extract(year FROM o.period)::int * 12 + extract(month FROM o.period)::int - 1 - %s)::int2)
    || int8send({_CONTRIBUTOR_SQL})
    || int8send(CASE WHEN o.party <> '' AND (o.counts_from IS NULL OR o.counts_from <= now())
                     THEN hashtextextended(o.party, 0) ELSE 0 END)
    || int4send(o.source_id::int4)
    || int4send(coalesce(o.platform_id, 0)::int4)
    || boolsend(o.verified)
"""

HISTORY_SQL = f"""
SELECT o.domain_id, o.tier, o.country, o.kind, string_agg({_RECORD_SQL}, ''::bytea)
FROM {TABLE} o
WHERE o.period >= %s AND o.period <= %s AND NOT o.flagged
GROUP BY o.kind, o.domain_id, o.tier, o.country
ORDER BY o.kind
"""  # noqa: S608 (only constants are formatted in; values are query parameters)


def history_leaves(*, since: datetime.date, until: datetime.date) -> Iterator[tuple[Leaf, np.ndarray]]:
    """Every leaf with observations of periods ``since`` to ``until`` (not flagged), as a ``windows.RECORD`` array,
    leaves of one kind together; month indices count from ``since``."""
    with connection.chunked_cursor() as cursor:
        cursor.execute(HISTORY_SQL, [month_index(since), since, until])
        while rows := cursor.fetchmany(200):
            for domain_id, tier, country, kind, records in rows:
                yield (domain_id, tier, country, kind), np.frombuffer(records, dtype=RECORD)


def tune_transaction() -> None:
    """Settings for this transaction only: sort in memory; no JIT, whose compile time outweighs a one-pass query."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        cursor.execute("SET LOCAL jit = off")


def _segment_condition(segment: str) -> tuple[str, list]:
    """The SQL condition (and its parameters) of a segment other than every platform's."""
    if segment == VERIFIED:
        return " AND o.verified", []
    if is_platform(segment):
        return " AND o.platform_id = %s", [int(segment.removeprefix(PLATFORM_PREFIX))]
    return "", []


def _shape_query(
    pattern: tuple[bool, bool, bool], segment: str, cells: list[CellId], since: datetime.date
) -> tuple[str, list]:
    """One GROUP BY for the wanted cells of one shape and segment, reading only their rows (matched through unnest
    arrays)."""
    select: list[str] = []
    keys: list[str] = []
    casts: list[str] = []
    params: list = [segment, since]
    for index, ((column, sql_type, all_value), keep) in enumerate(zip(_COLUMNS, pattern, strict=True)):
        select.append(f"o.{column}" if keep else all_value)
        if keep:
            keys.append(f"o.{column}")
            casts.append(f"%s::{sql_type}[]")
            params.append([cell[index] for cell in cells])
    keys.append("o.kind")
    casts.append("%s::text[]")
    params.append([cell[3] for cell in cells])
    condition, condition_params = _segment_condition(segment)
    sql = f"""
        SELECT {", ".join(select)}, o.kind, %s::text, {_STATS_SQL}
        FROM {TABLE} o
        WHERE {_WINDOW_SQL}{condition} AND ({", ".join(keys)}) IN (SELECT * FROM unnest({", ".join(casts)}))
        GROUP BY {", ".join(keys)}
    """  # noqa: S608 (only constants are formatted in; values are query parameters)
    return sql, [*params[:2], *condition_params, *params[2:]]


def _cell_query(cell: CellId, since: datetime.date) -> tuple[str, list]:
    """A plain aggregate for one cell: no GROUP BY, so no sort of its rows before the aggregates' own sorts. Every
    platform's cells of one shape (``PLATFORMS``) are one GROUP BY platform."""
    domain_id, tier, country, kind, segment = cell
    conditions: list[str] = ["o.kind = %s"]
    params: list = [kind]
    for column, value, kept in (("domain_id", domain_id, domain_id is not None), ("tier", tier, tier != ALL),
                                ("country", country, country != ALL)):  # fmt: skip
        if kept:
            conditions.append(f"o.{column} = %s")
            params.append(value)
    if segment == PLATFORMS:
        sql = f"""
            SELECT %s::bigint, %s::text, %s::text, %s::text, {_PLATFORM_SEGMENT_SQL}, {_STATS_SQL}
            FROM {TABLE} o
            WHERE {_WINDOW_SQL} AND {" AND ".join(conditions)} AND o.platform_id IS NOT NULL
            GROUP BY o.platform_id
        """  # noqa: S608 (only constants are formatted in; values are query parameters)
        return sql, [domain_id, tier, country, kind, since, *params]
    condition, condition_params = _segment_condition(segment)
    sql = f"""
        SELECT %s::bigint, %s::text, %s::text, %s::text, %s::text, {_STATS_SQL}
        FROM {TABLE} o
        WHERE {_WINDOW_SQL} AND {" AND ".join(conditions)}{condition}
        HAVING count(*) > 0
    """  # noqa: S608 (only constants are formatted in; values are query parameters)
    return sql, [domain_id, tier, country, kind, segment, since, *params, *condition_params]


def _stats_rows(rows) -> dict[CellId, Stats]:
    return {
        (domain_id, tier, country, kind, segment): Stats(
            contributors=contributors,
            independent=independent,
            verified=verified,
            observations=observations,
            sources=sources,
            platforms=platforms,
            percentiles=tuple(percentiles),
        )
        for (
            domain_id,
            tier,
            country,
            kind,
            segment,
            contributors,
            independent,
            verified,
            observations,
            sources,
            platforms,
            percentiles,
        ) in (rows)
    }


def compute(*, since: datetime.date, wanted: set[CellId] | None = None) -> dict[CellId, Stats]:
    """Statistics of every cell with data (``wanted=None``) or of the wanted cells that have data (every platform's
    cells of a shape when ``PLATFORMS`` is wanted)."""
    if wanted is None:
        sql, params = CUBE_SQL, [since, since]
    else:
        by_shape: dict[tuple[tuple[bool, bool, bool], str], list[CellId]] = defaultdict(list)
        for cell in wanted:
            by_shape[(pattern_of(cell), cell[4])].append(cell)
        parts, params = [], []
        for (pattern, segment), cells in sorted(by_shape.items()):
            keeps_domain = pattern[0]
            if len(cells) > CELLS_PER_SHAPE_ONE_BY_ONE and not keeps_domain and not is_platform(segment):
                queries = [_shape_query(pattern, segment, cells, since)]
            else:
                queries = [_cell_query(cell, since) for cell in cells]
            for part, part_params in queries:
                parts.append(part)
                params += part_params
        if not parts:
            return {}
        sql = " UNION ALL ".join(parts)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return _stats_rows(cursor.fetchall())


def fences(
    *, since: datetime.date, pairs: set[tuple[int, str]] | None = None
) -> dict[tuple[int, str], tuple[int, float, float]]:
    """(count, q1, q3) of log(hourly_usd) of reported pay per (domain, tier), flagged values included: all pairs,
    or the given ones."""
    params: list
    if pairs is None:
        sql, params = FENCES_SQL, [since]
    elif not pairs:
        return {}
    else:
        sql, params = PAIR_FENCES_SQL, [[d for d, _ in pairs], [t for _, t in pairs], since]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(domain_id, tier): (n, q[0], q[1]) for domain_id, tier, n, q in cursor.fetchall()}
