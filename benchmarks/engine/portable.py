"""The engine for databases without percentile_cont (SQLite in development): rows are read and counted in Python.

It produces the same numbers as ``postgres`` (the tests hold the two to it) but reads every observation of the
window, so it is meant for development data, not for a million rows.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterator

import numpy as np
from django.utils import timezone

from ..choices import ObservationKind
from ..models import Observation
from .cells import CellId, Leaf, Stats, compute_cells, log_quartiles, month_index, to_the_cent
from .windows import RECORD

_ROW_FIELDS = (
    "domain_id", "tier", "country", "kind", "hourly_usd", "contributor", "source_id", "platform_id", "verified",
)  # fmt: skip


def _rows(rows, now):
    """Observation rows with the party each counts for at ``now`` ("" for none) in last place."""
    for *fields, party, counts_from in rows:
        yield (*fields, party if counts_from is None or counts_from <= now else "")


def compute(*, since: datetime.date, wanted: set[CellId] | None = None) -> dict[CellId, Stats]:
    """Statistics of every cell with data (``wanted=None``) or of the wanted cells that have data."""
    rows = Observation.objects.filter(period__gte=since, flagged=False)
    if wanted is not None:
        if not wanted:
            return {}
        rows = rows.filter(kind__in={cell[3] for cell in wanted})
    values = rows.values_list(*_ROW_FIELDS, "party", "counts_from").iterator(chunk_size=5000)
    return compute_cells(_rows(values, timezone.now()), wanted)


def fences(
    *, since: datetime.date, pairs: set[tuple[int, str]] | None = None
) -> dict[tuple[int, str], tuple[int, float, float]]:
    """(count, q1, q3) of log(hourly_usd) of reported pay per (domain, tier), flagged values included: all pairs,
    or the given ones."""
    rows = Observation.objects.filter(period__gte=since, kind=ObservationKind.REPORTED)
    if pairs is not None:
        if not pairs:
            return {}
        rows = rows.filter(domain_id__in={d for d, _ in pairs}, tier__in={t for _, t in pairs})
    values: dict[tuple[int, str], list] = defaultdict(list)
    for domain_id, tier, hourly_usd in rows.values_list("domain_id", "tier", "hourly_usd").iterator(chunk_size=5000):
        if pairs is None or (domain_id, tier) in pairs:
            values[(domain_id, tier)].append(hourly_usd)
    return {pair: log_quartiles(pair_values) for pair, pair_values in values.items()}


def history_leaves(*, since: datetime.date, until: datetime.date) -> Iterator[tuple[Leaf, np.ndarray]]:
    """Every leaf with observations of periods ``since`` to ``until`` (not flagged), as a ``windows.RECORD`` array,
    leaves of one kind together; month indices count from ``since``."""
    rows = Observation.objects.filter(period__gte=since, period__lte=until, flagged=False)
    now, base = timezone.now(), month_index(since)
    keys: dict[str, int] = defaultdict(lambda: len(keys) + 1)  # contributor and party strings as numbers
    leaves: dict[Leaf, list[tuple]] = defaultdict(list)
    fields = ("hourly_usd", "period", "contributor", "party", "counts_from", "source_id", "platform_id", "verified")
    for (
        domain_id,
        tier,
        country,
        kind,
        value,
        period,
        who,
        party,
        counts_from,
        source_id,
        platform_id,
        verified,
    ) in rows.values_list("domain_id", "tier", "country", "kind", *fields).iterator(chunk_size=5000):
        counts = party and (counts_from is None or counts_from <= now)
        leaves[(domain_id, tier, country, kind)].append(
            (to_the_cent(value), month_index(period) - base, keys[who], keys[party] if counts else 0, source_id,
             platform_id or 0, verified)
        )  # fmt: skip
    for leaf in sorted(leaves, key=lambda leaf: leaf[3]):
        yield leaf, np.array(leaves[leaf], dtype=RECORD)
