"""The count state (PostgreSQL): every cell's statistics kept by increments, so a write costs the same at any size.

Triggers list each change to an observation as ``ObservationDelta`` rows in the writer's transaction. A live pass
takes them (``apply``): each cell's values are counted by the cent (``CellValue``, with per-dollar ``CellBucket``
totals), its observations and distinct counts are kept in ``CellCount``, and a distinct count moves only when a
key's count in a finest leaf (``LeafMember``) crosses zero. ``read`` walks the counts to the percentiles, with
``percentile_cont``'s arithmetic. ``build`` makes the state from the observations, and ``differences`` holds it to a
full computation: the nightly rebuild repairs it from there. Design: ``docs/decisions/0018-count-state.md``.
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connection

from ..models import CellCount, CountState, Observation
from .cells import CellId, Stats
from .counts_read import COUNT_FIELDS, differences, fences, read
from .packing import cells_sql, leaf_cells, leaf_sql, pack_cell, pack_leaf, unpack_cell, verified_cells

CONTRIBUTOR, PARTY, SOURCE, PLATFORM = 1, 2, 3, 4
"""What a ``LeafMember`` counts."""
_COUNT_FIELD = {CONTRIBUTOR: "contributors", PARTY: "independent", SOURCE: "sources", PLATFORM: "platforms"}

__all__ = ["MAX_DELTAS_A_PASS", "apply", "build", "differences", "exists", "fences", "holds", "read", "waiting"]

MAX_DELTAS_A_PASS = 50_000
"""A pass takes at most this many deltas (the rest stay for the next), so its memory stays bounded."""

_DELTA_FIELDS = (
    "sign, domain_id, tier, country, kind, period, cents, contributor, party, counts_from, source_id, platform_id, "
    "verified"
)
_TAKE_SQL = f"""
DELETE FROM benchmarks_observationdelta
WHERE id IN (SELECT id FROM benchmarks_observationdelta ORDER BY id LIMIT %s)
RETURNING {_DELTA_FIELDS}
"""  # noqa: S608 (only constants are formatted in; values are query parameters)
# Expiring a month takes every delta and reads the month's observations in one statement, so both come from one
# snapshot: what leaves the state is exactly what the state holds.
_TAKE_AND_EXPIRE_SQL = f"""
WITH taken AS (DELETE FROM benchmarks_observationdelta RETURNING {_DELTA_FIELDS})
SELECT * FROM taken
UNION ALL
SELECT -1, o.domain_id, o.tier, o.country, o.kind, o.period, round(o.hourly_usd * 100)::bigint,
       hashtextextended(o.contributor, 0), CASE WHEN o.party <> '' THEN hashtextextended(o.party, 0) ELSE 0 END,
       o.counts_from, o.source_id, o.platform_id, o.verified
FROM {Observation._meta.db_table} o
WHERE o.period >= %s AND o.period < %s AND NOT o.flagged
"""  # noqa: S608 (only constants are formatted in; values are query parameters)


def exists(*, since: datetime.date) -> bool:
    """Whether there is a state that holds every observation from ``since`` on (a window that grew needs a new one)."""
    return CountState.objects.filter(since__lte=since).exists()


def holds(*, since: datetime.date) -> bool:
    """Whether there is a state that holds exactly the window from ``since`` (its months that left it are gone)."""
    return CountState.objects.filter(since=since).exists()


def _now() -> datetime.datetime:
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        return cursor.fetchone()[0]


class _Changes:
    """The net effect of a batch of deltas on the state, before it is written."""

    def __init__(self) -> None:
        self.values: Counter[tuple[int, int]] = Counter()
        self.observations: Counter[int] = Counter()
        self.members: Counter[tuple[int, int, int]] = Counter()
        self.pending: Counter[tuple[datetime.datetime, int, int]] = Counter()

    def add(self, rows: Iterable[tuple], *, since: datetime.date, now: datetime.datetime) -> None:
        for (
            sign,
            domain_id,
            tier,
            country,
            kind,
            period,
            cents,
            who,
            party,
            counts_from,
            source,
            platform,
            verified,
        ) in rows:
            if period < since:
                continue
            leaf = pack_leaf((domain_id, tier, country, kind), platform, verified)
            for cell in leaf_cells(leaf):
                self.values[(cell, cents)] += sign
                self.observations[cell] += sign
            self.members[(CONTRIBUTOR, who, leaf)] += sign
            self.members[(SOURCE, source, leaf)] += sign
            if platform is not None:
                self.members[(PLATFORM, platform, leaf)] += sign
            if party:
                if counts_from is None or counts_from <= now:
                    self.members[(PARTY, party, leaf)] += sign
                else:
                    self.pending[(counts_from, party, leaf)] += sign


def apply(*, since: datetime.date) -> set[CellId]:
    """Take the listed deltas (every one, with the months that left the window, when ``since`` moved) and the
    parties whose time has come, and write their effect; returns the cells they changed. Runs under the live
    passes' lock, in the caller's transaction."""
    state = CountState.objects.select_for_update().get()
    now = _now()
    changes = _Changes()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM benchmarks_pendingparty WHERE counts_from <= %s RETURNING party, leaf, n", [now])
        for party, leaf, n in cursor.fetchall():
            changes.members[(PARTY, party, leaf)] += n
        if since > state.since:
            cursor.execute(_TAKE_AND_EXPIRE_SQL, [state.since, since])
        else:
            cursor.execute(_TAKE_SQL, [MAX_DELTAS_A_PASS])
        changes.add(cursor.fetchall(), since=state.since, now=now)
    if since > state.since:
        state.since = since
        state.save(update_fields=["since"])
    return {unpack_cell(cell) for cell in _write(changes)}


def waiting() -> int:
    """How many deltas wait to be taken."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM benchmarks_observationdelta")
        return cursor.fetchone()[0]


def _upsert(cursor, table: str, keys: tuple[str, ...], rows: list[tuple], types: tuple[str, ...]) -> list[tuple]:
    """Add each row's last value to ``n`` of its key; returns (key..., new n) of every row written."""
    if not rows:
        return []
    columns = (*keys, "n")
    arrays = ", ".join(f"%s::{sql_type}[]" for sql_type in types)
    cursor.execute(
        f"""INSERT INTO {table} ({", ".join(columns)}) SELECT * FROM unnest({arrays})
        ON CONFLICT ({", ".join(keys)}) DO UPDATE SET n = {table}.n + excluded.n
        RETURNING {", ".join(columns)}""",  # noqa: S608 (only constants are formatted in)
        [list(column) for column in zip(*rows, strict=True)],
    )
    written = cursor.fetchall()
    gone = [row[:-1] for row in written if row[-1] == 0]
    if gone:
        matches = " AND ".join(f"t.{key} = g.{key}" for key in keys)
        key_arrays = ", ".join(f"%s::{sql_type}[]" for sql_type in types[:-1])
        sql = f"DELETE FROM {table} t USING unnest({key_arrays}) AS g ({', '.join(keys)}) WHERE {matches}"  # noqa: S608
        cursor.execute(sql, [list(column) for column in zip(*gone, strict=True)])
    return written


def _write(changes: _Changes) -> set[int]:
    """Write a batch's net changes; returns the packed cells whose statistics moved."""
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for cell, n in changes.observations.items():
        if n:
            counts[cell]["observations"] += n
    with connection.cursor() as cursor:
        values = [(cell, cents, n) for (cell, cents), n in changes.values.items() if n]
        _upsert(cursor, "benchmarks_cellvalue", ("cell", "cents"), values, ("bigint", "bigint", "int"))
        buckets: Counter[tuple[int, int]] = Counter()
        for cell, cents, n in values:
            buckets[(cell, cents // 100)] += n
        bucket_rows = [(cell, dollars, n) for (cell, dollars), n in buckets.items() if n]
        _upsert(cursor, "benchmarks_cellbucket", ("cell", "dollars"), bucket_rows, ("bigint", "bigint", "int"))
        pending = [(*key, n) for key, n in changes.pending.items() if n]
        _upsert(cursor, "benchmarks_pendingparty", ("counts_from", "party", "leaf"), pending,
                ("timestamptz", "bigint", "bigint", "int"))  # fmt: skip
        deltas = {key: n for key, n in changes.members.items() if n}
        members = [(*key, n) for key, n in deltas.items()]
        written = _upsert(cursor, "benchmarks_leafmember", ("what", "member", "leaf"), members,
                          ("smallint", "bigint", "bigint", "int"))  # fmt: skip
        _distinct_changes(cursor, deltas, written, counts)
        _write_counts(cursor, counts)
    return set(counts)


def _distinct_changes(cursor, deltas: dict, written: list[tuple], counts: dict[int, Counter[str]]) -> None:
    """Move the distinct counts of the cells where a key appeared or disappeared."""
    crossed: dict[tuple[int, int], dict[int, bool]] = defaultdict(dict)  # (what, member) -> {leaf: now present}
    for what, member, leaf, n in written:
        before = n - deltas[(what, member, leaf)]
        if (before > 0) != (n > 0):
            crossed[(what, member)][leaf] = n > 0
    if not crossed:
        return
    cursor.execute(
        """SELECT what, member, leaf FROM benchmarks_leafmember
        WHERE (what, member) IN (SELECT * FROM unnest(%s::smallint[], %s::bigint[])) AND n > 0""",
        [[what for what, _ in crossed], [member for _, member in crossed]],
    )
    present: dict[tuple[int, int], set[int]] = defaultdict(set)
    for what, member, leaf in cursor.fetchall():
        present[(what, member)].add(leaf)
    for key, leaves in crossed.items():
        after = present[key]
        before = (after - {leaf for leaf, now in leaves.items() if now}) | {
            leaf for leaf, now in leaves.items() if not now
        }
        what = key[0]
        candidates = set().union(*(leaf_cells(leaf) for leaf in leaves))
        _count_moves(counts, _COUNT_FIELD[what], candidates, before=before, after=after, cells_of=leaf_cells)
        if what == CONTRIBUTOR:
            _count_moves(counts, "verified", candidates, before=before, after=after, cells_of=verified_cells)


def _count_moves(counts, field: str, candidates: set[int], *, before: set[int], after: set[int], cells_of) -> None:
    """Add one to ``field`` of each candidate cell the key now reaches through some finest leaf and did not before;
    take one from each it no longer reaches."""
    covered_before = set().union(*(cells_of(leaf) for leaf in before)) & candidates
    covered_after = set().union(*(cells_of(leaf) for leaf in after)) & candidates
    for cell in covered_after - covered_before:
        counts[cell][field] += 1
    for cell in covered_before - covered_after:
        counts[cell][field] -= 1


def _write_counts(cursor, counts: dict[int, Counter[str]]) -> None:
    rows = [(cell, *(moves[field] for field in COUNT_FIELDS)) for cell, moves in counts.items()]
    if not rows:
        return
    sets = ", ".join(f"{field} = benchmarks_cellcount.{field} + excluded.{field}" for field in COUNT_FIELDS)
    cursor.execute(
        f"""INSERT INTO benchmarks_cellcount (cell, {", ".join(COUNT_FIELDS)})
        SELECT * FROM unnest(%s::bigint[], {", ".join("%s::int[]" for _ in COUNT_FIELDS)})
        ON CONFLICT (cell) DO UPDATE SET {sets}
        RETURNING cell, observations""",  # noqa: S608 (only constants are formatted in)
        [list(column) for column in zip(*rows, strict=True)],
    )
    empty = [cell for cell, observations in cursor.fetchall() if observations == 0]
    if empty:
        cursor.execute("DELETE FROM benchmarks_cellcount WHERE cell = ANY(%s)", [empty])


# The build's aggregates hold millions of groups: in memory they take a fraction of the time they take spilled.
BUILD_WORK_MEM = "256MB"
# The build writes rows in key order, so a cell's counts lie on a few pages: a walk reads one page for dozens of
# rows instead of one page a row. The tables leave room on each page (migration 0013), so a count's update stays
# on its page and the order lasts.
_KEYED_TABLES = ("benchmarks_cellvalue", "benchmarks_cellbucket", "benchmarks_leafmember")


@contextmanager
def _keys_dropped(cursor) -> Iterator[None]:
    """Drop the primary keys of the big state tables for a bulk load and add them back after: building a key once
    over sorted rows is several times faster than keeping it up to date row by row."""
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'p' AND conrelid::regclass::text = ANY(%s)",
        [list(_KEYED_TABLES)],
    )
    keys = cursor.fetchall()
    for table, name, _definition in keys:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    yield
    for table, name, definition in keys:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def build(*, since: datetime.date, stats: dict[CellId, Stats]) -> None:
    """Make the state from the observations since ``since``, with the cells' counts from ``stats`` (a full
    computation over the same snapshot); deltas already listed are part of it and are dropped."""
    table = Observation._meta.db_table
    window = "o.period >= %s AND NOT o.flagged"
    party = "CASE WHEN o.party <> '' THEN hashtextextended(o.party, 0) END"
    counted = "(o.counts_from IS NULL OR o.counts_from <= now())"
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        work_mem = cursor.fetchone()[0]
        cursor.execute(f"SET LOCAL work_mem = '{BUILD_WORK_MEM}'")
        # Deltas by DELETE: only those of this snapshot; TRUNCATE would also drop those of writes committed since.
        cursor.execute("DELETE FROM benchmarks_observationdelta")
        cursor.execute(f"TRUNCATE benchmarks_cellcount, benchmarks_pendingparty, {', '.join(_KEYED_TABLES)}")
        with _keys_dropped(cursor):
            cursor.execute(
                f"""INSERT INTO benchmarks_cellvalue (cell, cents, n)
                SELECT c.cell, round(o.hourly_usd * 100)::bigint, count(*) FROM {table} o {cells_sql()}
                WHERE {window} GROUP BY 1, 2 ORDER BY 1, 2""",  # noqa: S608 (only constants are formatted in)
                [since],
            )
            cursor.execute(
                "INSERT INTO benchmarks_cellbucket (cell, dollars, n) "
                "SELECT cell, cents / 100, sum(n) FROM benchmarks_cellvalue GROUP BY 1, 2 ORDER BY 1, 2"
            )
            cursor.execute(
                f"""INSERT INTO benchmarks_leafmember (what, member, leaf, n)
                SELECT m.what, m.member, {leaf_sql()}, count(*) FROM {table} o
                CROSS JOIN LATERAL (VALUES ({CONTRIBUTOR}, hashtextextended(o.contributor, 0)),
                                           ({PARTY}, CASE WHEN {counted} THEN {party} END),
                                           ({SOURCE}, o.source_id), ({PLATFORM}, o.platform_id)) AS m (what, member)
                WHERE {window} AND m.member IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""",  # noqa: S608 (only constants are formatted in)
                [since],
            )
        cursor.execute(
            f"""INSERT INTO benchmarks_pendingparty (counts_from, party, leaf, n)
            SELECT o.counts_from, {party}, {leaf_sql()}, count(*) FROM {table} o
            WHERE {window} AND o.party <> '' AND NOT {counted} GROUP BY 1, 2, 3""",  # noqa: S608 (constants only)
            [since],
        )
        cursor.execute(f"SET LOCAL work_mem = '{work_mem}'")
        cursor.execute(f"ANALYZE {', '.join(_KEYED_TABLES)}")  # the walks' plans need the new sizes
    CellCount.objects.bulk_create(
        [
            CellCount(
                pack_cell(cell), s.observations, s.contributors, s.independent, s.verified, s.sources, s.platforms
            )
            for cell, s in stats.items()
        ],
        batch_size=5000,
    )
    CountState.objects.all().delete()
    CountState.objects.create(since=since, built_at=_now())
