"""An independent statement of what every cell should hold, computed with numpy from the observation rows."""

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from django.utils import timezone

from benchmarks.models import ALL, VERIFIED, Observation, cell_key, platform_segment
from benchmarks.querysets import window_start

CENT = Decimal("0.01")
FIELDS = (
    "domain_id", "tier", "country", "kind", "hourly_usd", "contributor", "source_id", "platform_id", "party",
    "counts_from", "verified",
)  # fmt: skip


def expected_cells(*, since=None, until=None) -> dict[str, dict]:
    """Cell key → statistics, for every cell with data, from the observations with a period in [since, until]
    (default: the current window) that are not flagged.

    Independent contributors: distinct non-empty parties whose ``counts_from`` has passed (or is empty). Segments:
    the same eight cells of verified rows only, and the (domain | all) × (tier | all) cells of each platform's reported
    rows. ``rest_*``: the whole cell's independent contributors and observations less the segment cell's."""
    rows = Observation.objects.filter(period__gte=since or window_start(), flagged=False)
    if until is not None:
        rows = rows.filter(period__lte=until)
    rows = list(rows.values_list(*FIELDS))
    now = timezone.now()
    cells: dict[str, list[tuple]] = {}
    wholes: dict[str, str] = {}
    for row in rows:
        domain_id, tier, country, kind = row[:4]
        for d in (domain_id, None):
            for t in (tier, ALL):
                for c in (country, ALL):
                    cells.setdefault(cell_key(d, t, c, kind), []).append(row)
                    if row[10]:
                        key = cell_key(d, t, c, kind, VERIFIED)
                        cells.setdefault(key, []).append(row)
                        wholes[key] = cell_key(d, t, c, kind)
                if kind == "reported" and row[7] is not None:
                    key = cell_key(d, t, ALL, kind, platform_segment(row[7]))
                    cells.setdefault(key, []).append(row)
                    wholes[key] = cell_key(d, t, ALL, kind)
    expected = {}

    def independent(members):
        return len({m[8] for m in members if m[8] and (m[9] is None or m[9] <= now)})

    for key, members in cells.items():
        values = np.array([float(m[4].quantize(CENT, ROUND_HALF_UP)) for m in members])  # counted by the cent
        whole = cells[wholes[key]] if key in wholes else members
        expected[key] = {
            "contributors": len({m[5] for m in members}),
            "independent": independent(members),
            "verified": len({m[5] for m in members if m[10]}),
            "rest_independent": independent(whole) - independent(members),
            "rest_observations": len(whole) - len(members),
            "observations": len(members),
            "sources": len({m[6] for m in members}),
            "platforms": len({m[7] for m in members if m[7] is not None}),
            "percentiles": list(np.percentile(values, [10, 25, 50, 75, 90], method="linear")),
        }
    return expected
