"""An independent statement of what every cell should hold, computed with numpy from the observation rows."""

import numpy as np
from django.utils import timezone

from benchmarks.models import ALL, Observation, cell_key
from benchmarks.querysets import window_start

FIELDS = (
    "domain_id", "tier", "country", "kind", "hourly_usd", "contributor", "source_id", "platform_id", "party",
    "counts_from",
)  # fmt: skip


def expected_cells(*, since=None, until=None) -> dict[str, dict]:
    """Cell key → statistics, for every cell with data, from the observations with a period in [since, until]
    (default: the current window) that are not flagged.

    Independent contributors: distinct non-empty parties whose ``counts_from`` has passed (or is empty)."""
    rows = Observation.objects.filter(period__gte=since or window_start(), flagged=False)
    if until is not None:
        rows = rows.filter(period__lte=until)
    rows = list(rows.values_list(*FIELDS))
    now = timezone.now()
    cells: dict[str, list[tuple]] = {}
    for row in rows:
        domain_id, tier, country, kind = row[:4]
        for d in (domain_id, None):
            for t in (tier, ALL):
                for c in (country, ALL):
                    cells.setdefault(cell_key(d, t, c, kind), []).append(row)
    expected = {}
    for key, members in cells.items():
        values = np.array([float(m[4]) for m in members])
        expected[key] = {
            "contributors": len({m[5] for m in members}),
            "independent": len({m[8] for m in members if m[8] and (m[9] is None or m[9] <= now)}),
            "observations": len(members),
            "sources": len({m[6] for m in members}),
            "platforms": len({m[7] for m in members if m[7] is not None}),
            "percentiles": list(np.percentile(values, [10, 25, 50, 75, 90], method="linear")),
        }
    return expected
