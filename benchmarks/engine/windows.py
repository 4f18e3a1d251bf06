"""A cell's statistics over every rolling window at once, from its observations (numpy).

Both engines hand over each leaf's observations of a pass as one array of ``RECORD``: the value, the index of its
period's month, and the keys its distinct counts are taken over (contributor, independent party or 0 for none,
source, platform or 0 for none) and whether it is verified. ``kind_cells`` joins the leaves of one kind into their
eight ancestors' arrays, each with its segments' (verified, and each platform's where the cell has one);
``cell_points`` gives a cell's statistics for each window ending at one of the wanted months: percentiles with
``percentile_cont``'s arithmetic on the window's sorted values, distinct counts from each key's months as a bitmask
(a key counts in a window when one of its months is inside). Why this shape:
``docs/decisions/0008-history-from-periods.md``.
"""

from collections import defaultdict
from collections.abc import Iterator

import numpy as np

from ..choices import ObservationKind
from ..models import VERIFIED, platform_segment
from .cells import FRACTIONS, PATTERNS, CellId, Leaf, Stats, ancestors

RECORD = np.dtype(
    [("v", ">f8"), ("m", ">i2"), ("who", ">i8"), ("party", ">i8"), ("source", ">i4"), ("platform", ">i4"),
     ("verified", "?")]
)  # fmt: skip
"""One observation as a history pass reads it (big-endian, as PostgreSQL's ``*send`` functions write it)."""

MAX_MONTHS = 63
"""Month indices of one pass run from 0 to at most this minus one: a key's months are one 64-bit mask."""

# A cell whose values times its windows stay under this is ranked for all windows at once (one matrix); a bigger one
# window by window, which holds less in memory.
_MATRIX_CELLS = 2_000_000
_FRACTIONS = np.array(FRACTIONS)
_ONE = np.uint64(1)


def kind_cells(leaves: dict[Leaf, np.ndarray]) -> Iterator[tuple[CellId, np.ndarray, list[tuple[CellId, np.ndarray]]]]:
    """The cells of the leaves of one kind, each with its observations and its segments' cells, one shape at a time.

    Each leaf is sorted by value first, so a cell's array is a few sorted runs, which ``cell_points``'s stable sort
    (a merge of runs) orders in far less time than random values."""
    leaves = {leaf: records[np.argsort(records["v"], kind="stable")] for leaf, records in leaves.items()}
    for index, (_d, _t, keeps_country) in enumerate(PATTERNS):
        members: dict[CellId, list[np.ndarray]] = defaultdict(list)
        for leaf, records in leaves.items():
            members[ancestors(leaf)[index]].append(records)
        for cell, parts in members.items():
            records = parts[0] if len(parts) == 1 else np.concatenate(parts)
            yield cell, records, list(_segments(cell, records, by_platform=not keeps_country))


def _segments(cell: CellId, records: np.ndarray, *, by_platform: bool) -> Iterator[tuple[CellId, np.ndarray]]:
    """A whole cell's segment cells with their observations: verified ones, and each platform's reported pay."""
    domain_id, tier, country, kind, _segment = cell
    verified = records[records["verified"]]
    if len(verified):
        yield (domain_id, tier, country, kind, VERIFIED), verified
    known = records[records["platform"] != 0] if by_platform and kind == ObservationKind.REPORTED else records[:0]
    if len(known):
        order = np.argsort(known["platform"], kind="stable")  # stable: each platform's values keep their runs
        ordered = known[order]
        platforms, starts = np.unique(ordered["platform"], return_index=True)
        for platform_id, part in zip(platforms.tolist(), np.split(ordered, starts[1:]), strict=True):
            yield (domain_id, tier, country, kind, platform_segment(platform_id)), part


def _key_masks(keys: np.ndarray, bits: np.ndarray, *, drop_zero: bool) -> np.ndarray:
    """The months (bitmask) each distinct key appears in; key 0 left out when ``drop_zero``."""
    order = np.argsort(keys)
    ordered = keys[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    masks = np.bitwise_or.reduceat(bits[order], starts)
    return masks[ordered[starts] != 0] if drop_zero else masks


def _keys_in_windows(masks: np.ndarray, windows: np.ndarray) -> np.ndarray:
    """How many of the keys' month masks meet each window mask, a slice of keys at a time (bounded memory)."""
    step = max(_MATRIX_CELLS // max(len(windows), 1), 1)
    counts = np.zeros(len(windows), dtype=np.int64)
    for start in range(0, len(masks), step):
        counts += np.count_nonzero(masks[start : start + step, None] & windows[None, :], axis=0)
    return counts


def _ranked(values: np.ndarray, months: np.ndarray, inside: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """``values[k]`` for the k-th (0-based, ``ranks[i, j]``) of the sorted values in window i; ``inside[i, t]``
    says whether month t is in window i."""
    n = len(values)
    if n * len(inside) <= _MATRIX_CELLS:
        offsets = np.arange(len(inside), dtype=np.int32)[:, None] * np.int32(n + 1)
        running = (np.cumsum(inside[:, months], axis=1, dtype=np.int32) + offsets).ravel()
        found = np.searchsorted(running, ranks + 1 + offsets, side="left")
        return values[found - offsets // (n + 1) * n]
    out = np.empty(ranks.shape)
    for i, window in enumerate(inside):
        out[i] = values[window[months]][ranks[i]]
    return out


def cell_points(records: np.ndarray, ends: list[int], window: int) -> Iterator[tuple[int, Stats]]:
    """(end, statistics) of each window of ``window`` months ending at a month index in ``ends`` that has data.

    ``records`` are the cell's observations; month indices are below ``MAX_MONTHS``.
    """
    order = np.argsort(records["v"], kind="stable")
    values = records["v"][order].astype(np.float64)
    months = records["m"][order].astype(np.int64)
    wanted = np.array(ends, dtype=np.int64)
    firsts = np.maximum(wanted - window + 1, 0)
    running = np.concatenate(([0], np.cumsum(np.bincount(months, minlength=int(wanted.max()) + 1))))
    counts = running[wanted + 1] - running[firsts]
    live = counts > 0
    wanted, firsts, counts = wanted[live], firsts[live], counts[live]
    if not len(wanted):
        return
    bits = np.left_shift(_ONE, months.astype(np.uint64))
    windows = np.array([((1 << int(e - f + 1)) - 1) << int(f) for f, e in zip(firsts, wanted, strict=True)],
                       dtype=np.uint64)  # fmt: skip
    distinct: list[np.ndarray] = []
    who, party = records["who"][order], records["party"][order]
    verified = np.where(records["verified"][order], who, 0)
    keyed = (("who", who), ("party", party), ("source", None), ("platform", None), ("verified", verified))
    for name, given in keyed:
        if name == "party" and np.array_equal(who, party):  # every value counts for its contributor: same counts
            distinct.append(distinct[0])
            continue
        if name == "verified" and not verified.any():
            distinct.append(np.zeros(len(windows), dtype=np.int64))
            continue
        keys = records[name][order] if given is None else given
        masks = _key_masks(keys, bits, drop_zero=name in ("party", "platform", "verified"))
        distinct.append(_keys_in_windows(masks, windows))
    # percentile_cont: position = fraction × (n - 1), interpolated between the values at its floor and its ceiling.
    positions = _FRACTIONS[None, :] * (counts[:, None] - 1)
    lows, highs = np.floor(positions).astype(np.int64), np.ceil(positions).astype(np.int64)
    span = np.arange(int(wanted.max()) + 1)
    inside = (span[None, :] >= firsts[:, None]) & (span[None, :] <= wanted[:, None])
    low, high = np.split(_ranked(values, months, inside, np.concatenate((lows, highs), axis=1)), 2, axis=1)
    percentiles = np.where(lows == highs, low, low + (high - low) * (positions - lows))
    for i, end in enumerate(wanted.tolist()):
        yield (
            end,
            Stats(
                contributors=int(distinct[0][i]),
                independent=int(distinct[1][i]),
                verified=int(distinct[4][i]),
                observations=int(counts[i]),
                sources=int(distinct[2][i]),
                platforms=int(distinct[3][i]),
                percentiles=tuple(percentiles[i].tolist()),
            ),
        )
