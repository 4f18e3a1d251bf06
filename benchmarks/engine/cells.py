"""The shape of cells and the arithmetic both engines share, kept free of the database so it can be tested alone.

A *leaf* is where an observation lives: (domain_id, tier, country, kind). A *cell* is a leaf with any of domain,
tier and country replaced by "all" (``None`` for the domain, ``ALL`` for tier and country), so every leaf feeds
exactly eight cells: its ancestors.
"""

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import product

from ..models import ALL

Leaf = tuple[int, str, str, str]
"""(domain_id, tier, country, kind) of observations."""

CellId = tuple[int | None, str, str, str]
"""(domain_id or None for all, tier or ALL, country or ALL, kind)."""

Row = tuple[int, str, str, str, float | Decimal, str, int, int | None, str]
"""An observation as the Python engine reads it: leaf, hourly_usd, contributor, source_id, platform_id, and the
independent party it counts for now ("" for none)."""

FRACTIONS = (0.1, 0.25, 0.5, 0.75, 0.9)
"""The published percentiles p10, p25, p50, p75, p90, as fractions (the array handed to percentile_cont)."""

PATTERNS: tuple[tuple[bool, bool, bool], ...] = tuple((d, t, c) for d, t, c in product((True, False), repeat=3))
"""Which of (domain, tier, country) a cell keeps; the other dimensions are "all". Eight, as in CUBE."""


@dataclass(frozen=True, slots=True)
class Stats:
    """What one cell publishes (before suppression)."""

    contributors: int
    independent: int
    observations: int
    sources: int
    platforms: int
    percentiles: tuple[float, ...]


def ancestors(leaf: Leaf) -> list[CellId]:
    """The eight cells a leaf's observations count in."""
    domain_id, tier, country, kind = leaf
    return [
        (domain_id if keep_d else None, tier if keep_t else ALL, country if keep_c else ALL, kind)
        for keep_d, keep_t, keep_c in PATTERNS
    ]


def pattern_of(cell: CellId) -> tuple[bool, bool, bool]:
    domain_id, tier, country, _kind = cell
    return domain_id is not None, tier != ALL, country != ALL


def month_index(month: datetime.date) -> int:
    """Months since year 0: consecutive months have consecutive indices."""
    return month.year * 12 + month.month - 1


def percentile_cont(sorted_values: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks, written the way PostgreSQL's percentile_cont computes it.

    Same operations in the same order as PostgreSQL, so both engines agree to the last bit; numpy's 'linear'
    method gives the same numbers up to rounding in the last place (it interpolates from the upper end above 0.5).
    """
    position = fraction * (len(sorted_values) - 1)
    first, second = math.floor(position), math.ceil(position)
    low = sorted_values[first]
    if first == second:
        return low
    return low + (sorted_values[second] - low) * (position - first)


def stats_of(
    values: list[float], contributors: set[str], parties: set[str], sources: set[int], platforms: set[int | None]
) -> Stats:
    ordered = sorted(values)
    return Stats(
        contributors=len(contributors),
        independent=len(parties - {""}),
        observations=len(ordered),
        sources=len(sources),
        # Like SQL count(DISTINCT platform_id): rows without a known platform count for none.
        platforms=len(platforms - {None}),
        percentiles=tuple(percentile_cont(ordered, f) for f in FRACTIONS),
    )


def compute_cells(rows: Iterable[Row], wanted: set[CellId] | None = None) -> dict[CellId, Stats]:
    """Every cell with data (or only the ``wanted`` ones) from observation rows: the Python engine's whole work."""
    values: dict[CellId, list[float]] = defaultdict(list)
    contributors: dict[CellId, set[str]] = defaultdict(set)
    parties: dict[CellId, set[str]] = defaultdict(set)
    sources: dict[CellId, set[int]] = defaultdict(set)
    platforms: dict[CellId, set[int | None]] = defaultdict(set)
    for domain_id, tier, country, kind, hourly_usd, contributor, source_id, platform_id, party in rows:
        value = float(hourly_usd)
        for cell in ancestors((domain_id, tier, country, kind)):
            if wanted is not None and cell not in wanted:
                continue
            values[cell].append(value)
            contributors[cell].add(contributor)
            parties[cell].add(party)
            sources[cell].add(source_id)
            platforms[cell].add(platform_id)
    return {
        cell: stats_of(values[cell], contributors[cell], parties[cell], sources[cell], platforms[cell])
        for cell in values
    }


def log_quartiles(values: Iterable[float | Decimal]) -> tuple[int, float, float]:
    """(count, q1, q3) of log(values), for Tukey fences in log space."""
    logs = sorted(math.log(float(v)) for v in values)
    if not logs:
        return 0, math.nan, math.nan
    return len(logs), percentile_cont(logs, 0.25), percentile_cont(logs, 0.75)
