"""The shape of cells and the arithmetic both engines share, kept free of the database so it can be tested alone.

A *leaf* is where an observation lives: (domain_id, tier, country, kind). A *cell* is a leaf with any of domain,
tier and country replaced by "all" (``None`` for the domain, ``ALL`` for tier and country), and a *segment*: ""
(every observation), ``VERIFIED`` (verified ones only) or "platform:<id>" (one platform's reported pay, country
all). Every leaf feeds eight cells of every observation (its ``ancestors``), the same eight of its verified
observations, and, for reported pay, four cells per platform ((domain | all) × (tier | all)); ``leaf_cells`` names
them all, the platform ones as ``PLATFORMS`` (every platform) since a leaf does not say which platforms it holds.
"""

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import product

from ..choices import ObservationKind
from ..models import ALL, PLATFORM_PREFIX, VERIFIED, platform_segment

Leaf = tuple[int, str, str, str]
"""(domain_id, tier, country, kind) of observations."""

CellId = tuple[int | None, str, str, str, str]
"""(domain_id or None for all, tier or ALL, country or ALL, kind, segment)."""

Row = tuple[int, str, str, str, float | Decimal, str, int, int | None, bool, str]
"""An observation as the Python engine reads it: leaf, hourly_usd, contributor, source_id, platform_id, verified,
and the independent party it counts for now ("" for none)."""

PLATFORMS = f"{PLATFORM_PREFIX}*"
"""In a set of wanted cells, the segment that stands for every platform's cell of that shape."""

_CENT = Decimal("0.01")

FRACTIONS = (0.1, 0.25, 0.5, 0.75, 0.9)
"""The published percentiles p10, p25, p50, p75, p90, as fractions (the array handed to percentile_cont)."""

PATTERNS: tuple[tuple[bool, bool, bool], ...] = tuple((d, t, c) for d, t, c in product((True, False), repeat=3))
"""Which of (domain, tier, country) a cell keeps; the other dimensions are "all". Eight, as in CUBE."""


@dataclass(frozen=True, slots=True)
class Stats:
    """What one cell publishes (before suppression)."""

    contributors: int
    independent: int
    verified: int
    observations: int
    sources: int
    platforms: int
    percentiles: tuple[float, ...]


def ancestors(leaf: Leaf, segment: str = "") -> list[CellId]:
    """The eight cells of a segment that a leaf's observations count in (every observation's by default)."""
    domain_id, tier, country, kind = leaf
    return [
        (domain_id if keep_d else None, tier if keep_t else ALL, country if keep_c else ALL, kind, segment)
        for keep_d, keep_t, keep_c in PATTERNS
    ]


def platform_ancestors(leaf: Leaf, segment: str) -> list[CellId]:
    """The four cells of one platform (``segment``, or ``PLATFORMS`` for every one) a reported leaf counts in."""
    domain_id, tier, _country, kind = leaf
    if kind != ObservationKind.REPORTED:
        return []
    return [(d, t, ALL, kind, segment) for d in (domain_id, None) for t in (tier, ALL)]


def leaf_cells(leaf: Leaf) -> list[CellId]:
    """Every cell a change to the leaf can change: the whole cells, the verified ones, every platform's."""
    return [*ancestors(leaf), *ancestors(leaf, VERIFIED), *platform_ancestors(leaf, PLATFORMS)]


def row_cells(leaf: Leaf, platform_id: int | None, verified: bool) -> list[CellId]:
    """The cells one observation counts in."""
    cells = ancestors(leaf)
    if verified:
        cells += ancestors(leaf, VERIFIED)
    if platform_id is not None:
        cells += platform_ancestors(leaf, platform_segment(platform_id))
    return cells


def whole(cell: CellId) -> CellId:
    """The cell of every observation that a segment's cell is part of."""
    return (*cell[:4], "")


def is_platform(segment: str) -> bool:
    return segment.startswith(PLATFORM_PREFIX)


def platform_id_of(segment: str) -> int | None:
    return int(segment.removeprefix(PLATFORM_PREFIX)) if is_platform(segment) and segment != PLATFORMS else None


def wants(wanted: set[CellId], cell: CellId) -> bool:
    """Whether a computed cell is one of the wanted ones (a platform's cell is wanted through ``PLATFORMS``)."""
    return cell in wanted or (is_platform(cell[4]) and (*cell[:4], PLATFORMS) in wanted)


def pattern_of(cell: CellId) -> tuple[bool, bool, bool]:
    domain_id, tier, country, _kind, _segment = cell
    return domain_id is not None, tier != ALL, country != ALL


def month_index(month: datetime.date) -> int:
    """Months since year 0: consecutive months have consecutive indices."""
    return month.year * 12 + month.month - 1


def to_the_cent(hourly_usd: float | Decimal) -> float:
    """A value as cells count it: rounded half up to the cent, as PostgreSQL's ``round(numeric, 2)`` does."""
    return float(Decimal(str(hourly_usd)).quantize(_CENT, ROUND_HALF_UP))


def percentile_cont(sorted_values: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks, written the way PostgreSQL's percentile_cont computes it.

    Same operations in the same order as PostgreSQL, so both engines agree to the last bit; numpy's 'linear'
    method gives the same numbers up to rounding in the last place (it interpolates from the upper end above 0.5).
    """
    return interpolate(sorted_values, fraction * (len(sorted_values) - 1))


def ranks_around(position: float) -> tuple[int, int]:
    """The two ranks (from 0) a percentile at ``position`` interpolates between; the same rank twice on a whole one."""
    return math.floor(position), math.ceil(position)


def interpolate(values: Sequence[float] | Mapping[int, float], position: float) -> float:
    """``percentile_cont``'s arithmetic at ``position`` over ascending values, of which only the ranks around it are
    needed (a list of them all, or those two ranks by rank)."""
    first, second = ranks_around(position)
    low = values[first]
    if first == second:
        return low
    return low + (values[second] - low) * (position - first)


def stats_of(  # noqa: PLR0917 (one set per statistic, in the order Stats lists them)
    values: list[float],
    contributors: set[str],
    parties: set[str],
    sources: set[int],
    platforms: set[int | None],
    verified: set[str],
) -> Stats:
    ordered = sorted(values)
    return Stats(
        contributors=len(contributors),
        independent=len(parties - {""}),
        verified=len(verified),
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
    verifieds: dict[CellId, set[str]] = defaultdict(set)
    for domain_id, tier, country, kind, hourly_usd, contributor, source_id, platform_id, verified, party in rows:
        value = to_the_cent(hourly_usd)
        for cell in row_cells((domain_id, tier, country, kind), platform_id, verified):
            if wanted is not None and not wants(wanted, cell):
                continue
            values[cell].append(value)
            contributors[cell].add(contributor)
            parties[cell].add(party)
            sources[cell].add(source_id)
            platforms[cell].add(platform_id)
            if verified:
                verifieds[cell].add(contributor)
    return {
        cell: stats_of(values[cell], contributors[cell], parties[cell], sources[cell], platforms[cell], verifieds[cell])
        for cell in values
    }


def rest(cell: CellId, stats: Stats, computed: dict[CellId, Stats]) -> tuple[int, int]:
    """(independent contributors, observations) that the whole cell has beyond a segment's cell: (0, 0) for a whole
    cell. The independent count is a lower bound: a party in both counts once."""
    if cell[4] == "":
        return 0, 0
    parent = computed[whole(cell)]
    return parent.independent - stats.independent, parent.observations - stats.observations


FENCE_FLOOR = 0.01
"""The least value the fences take the logarithm of: a value that rounds to no cents counts as one cent."""


def log_of_the_cent(hourly_usd: float | Decimal) -> float:
    """The logarithm the fences count of a value: of the value rounded to the cent, as the cells count it, and never
    of less than a cent."""
    return math.log(max(to_the_cent(hourly_usd), FENCE_FLOOR))


def log_quartiles(values: Iterable[float | Decimal]) -> tuple[int, float, float]:
    """(count, q1, q3) of the values' logarithms to the cent (``log_of_the_cent``), for Tukey fences in log space."""
    logs = sorted(log_of_the_cent(v) for v in values)
    if not logs:
        return 0, math.nan, math.nan
    return len(logs), percentile_cont(logs, 0.25), percentile_cont(logs, 0.75)
