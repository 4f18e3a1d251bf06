"""The differencing check: published counts never pin down the count of a suppressed cell.

Counts are published in bands of ``COUNT_BAND`` (5). For every published parent and each of its three partitions,
``withheld_count_keys`` asks whether what the public sees (bands, suppressed children as 1 to 4 contributors,
observations summing exactly, ``max(children) <= contributors <= sum(children)``) leaves a suppressed child's count
one value; if so (or if the partition admits none), the parent's counts are withheld and its percentiles still
published. ``refresh_withheld_counts`` stores the flags in the publishing transaction. Why this is enough and what it
does not cover: ``docs/decisions/0006-count-bands-and-differencing.md``.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from .models import ALL, BenchmarkCell, CellHistory

__all__ = ["COUNT_BAND", "CellCounts", "count_band", "refresh_withheld_counts", "withheld_count_keys"]

COUNT_BAND = 5
"""Width of the bands counts are published in: 10–14, 15–19, ..."""


@dataclass(frozen=True, slots=True)
class CellCounts:
    """The raw counts of one cell, as stored."""

    cell_key: str
    domain_id: int | None  # None: all domains
    tier: str  # or ALL
    country: str  # or ALL
    kind: str
    contributors: int
    observations: int
    independent: int = -1  # what suppression compares with the threshold; -1: as many as contributors

    def __post_init__(self):
        if self.independent < 0:
            object.__setattr__(self, "independent", self.contributors)


def count_band(n: int) -> int:
    """The lower bound of the published band of ``n``: 12 → 10 (the band "10–14")."""
    return n - n % COUNT_BAND


@dataclass(frozen=True, slots=True)
class _Box:
    """What the public knows of one child: contributors in [c_low, c_high], observations in [o_low, o_high]."""

    c_low: int
    c_high: int
    o_low: int
    o_high: int


def _parents(cell: CellCounts) -> list[tuple[tuple, str]]:
    """The parents of ``cell``, one for each dimension it has a value on: (parent's signature, that dimension)."""
    parents: list[tuple[tuple, str]] = []
    if cell.domain_id is not None:
        parents.append(((None, cell.tier, cell.country, cell.kind), "domain"))
    if cell.tier != ALL:
        parents.append(((cell.domain_id, ALL, cell.country, cell.kind), "tier"))
    if cell.country != ALL:
        parents.append(((cell.domain_id, cell.tier, ALL, cell.kind), "country"))
    return parents


def _child_box(child: CellCounts, parent: _Box, minimum: int) -> _Box:
    if child.independent < minimum:
        # Suppressed: it exists (at least one contributor), has fewer than the minimum, and cannot exceed the parent.
        # A padded cell may hold more contributors than that, but never fewer independent ones; assuming fewer can
        # only make the check withhold more (an infeasible partition is withheld), never less.
        return _Box(1, minimum - 1, 1, parent.o_high)
    c_low = max(count_band(child.contributors), minimum)
    o_low = max(count_band(child.observations), c_low)
    # A child has no more contributors than its parent, no more observations than the parent's total.
    return _Box(c_low, min(c_low + COUNT_BAND - 1, parent.c_high), o_low, min(o_low + COUNT_BAND - 1, parent.o_high))


def _parent_box(parent: CellCounts, minimum: int) -> _Box:
    c_low = max(count_band(parent.contributors), minimum)
    o_low = max(count_band(parent.observations), c_low)
    return _Box(c_low, c_low + COUNT_BAND - 1, o_low, o_low + COUNT_BAND - 1)


def _pins_a_child(parent: _Box, children: list[_Box], suppressed: list[int]) -> bool:
    """Whether the public view of one partition leaves a suppressed child's contributors or observations one value
    (or none).

    The constraints that bind are ``sum(observations) = parent's`` and ``sum(contributors) >= parent's``; the others
    are in the boxes (a child's contributors are capped by the parent's band, its observations start at its
    contributors' lowest). For the children R other than the one examined, ``best(x)`` is the most contributors they
    can add up to while their observations add up to ``x``: each child's contributors are capped by its band and by
    its own observations, so from every child at its lowest observations, each further observation given to a child
    still under its cap raises the sum by one: ``best(x) = min(sum of caps, base + x - lowest total)``. ``best`` never
    decreases, so a suppressed child with ``u`` contributors and ``v`` observations is feasible exactly when the
    largest ``x`` the parent's observations leave (at most ``parent's top - v``) reaches both R's lowest total and
    ``t(u)``, the total at which ``best`` reaches the parent's lowest contributors less ``u``.
    """
    o_min_all = sum(box.o_low for box in children)
    o_max_all = sum(box.o_high for box in children)
    c_max_all = sum(box.c_high for box in children)
    base_all = sum(min(box.c_high, box.o_low) for box in children)
    for index in suppressed:
        child = children[index]
        o_min, o_max = o_min_all - child.o_low, o_max_all - child.o_high
        c_max, base = c_max_all - child.c_high, base_all - min(child.c_high, child.o_low)
        contributors: set[int] = set()
        observations: set[int] = set()
        for u in range(child.c_low, child.c_high + 1):
            needed = parent.c_low - u  # the others must add up to at least this many contributors
            if c_max < needed:
                continue
            t = needed - base + o_min  # the others' observations at which best() reaches ``needed``
            if o_max < t:
                continue
            low = max(u, child.o_low, parent.o_low - o_max)
            high = min(child.o_high, parent.o_high - o_min, parent.o_high - t)
            if low <= high:
                contributors.add(u)
                observations.update(range(low, min(high, low + 1) + 1))  # two values are enough to know it is not one
        if len(contributors) <= 1 or len(observations) <= 1:
            return True
    return False


def withheld_count_keys(cells: Iterable[CellCounts], *, minimum: int | None = None) -> set[str]:
    """The keys of the published cells whose counts must be withheld, so that no suppressed child is pinned.

    ``cells`` is every cell of one snapshot (the current cells, or one month's history points), with raw counts.
    ``minimum`` is the suppression threshold, ``BENCHMARK_MIN_CONTRIBUTORS`` unless given.
    """
    minimum = settings.BENCHMARK_MIN_CONTRIBUTORS if minimum is None else minimum
    cells = list(cells)
    partitions: dict[tuple, dict[str, list[CellCounts]]] = defaultdict(lambda: defaultdict(list))
    for cell in cells:
        for signature, dimension in _parents(cell):
            partitions[signature][dimension].append(cell)
    withheld = set()
    for parent in cells:
        if parent.independent < minimum:
            continue
        box = _parent_box(parent, minimum)
        for children in partitions.get((parent.domain_id, parent.tier, parent.country, parent.kind), {}).values():
            suppressed = [i for i, child in enumerate(children) if child.independent < minimum]
            if suppressed and _pins_a_child(box, [_child_box(c, box, minimum) for c in children], suppressed):
                withheld.add(parent.cell_key)
                break
    return withheld


def refresh_withheld_counts(*, month: datetime.date | None = None) -> int:
    """Store ``counts_withheld`` for every current cell, or for every history point of ``month``, each segment
    checked on its own (its cells are a snapshot of their own: every observation, verified ones, one platform's).

    One read and at most two updates, in one transaction. Call it in the transaction that publishes the cells, after
    writing them, so that no reader sees new counts with old flags. Returns how many cells have their counts withheld.
    """
    table = BenchmarkCell.objects.all() if month is None else CellHistory.objects.filter(month=month.replace(day=1))
    fields = ("cell_key", "domain_id", "tier", "country", "kind", "contributors", "observations", "independent")
    with transaction.atomic():
        segments: dict[str, list[CellCounts]] = defaultdict(list)
        for segment, *row in table.values_list("segment", *fields):
            segments[segment].append(CellCounts(*row))
        withheld = set().union(*(withheld_count_keys(cells) for cells in segments.values()))
        if withheld:
            table.filter(cell_key__in=withheld, counts_withheld=False).update(counts_withheld=True)
        table.filter(counts_withheld=True).exclude(cell_key__in=withheld).update(counts_withheld=False)
    return len(withheld)
