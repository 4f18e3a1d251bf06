"""History points written straight to ``CellHistory``, for the pages and API that show trends."""

import datetime

from django.utils import timezone

from benchmarks.choices import ObservationKind
from benchmarks.models import ALL, CellHistory, Domain, cell_key
from benchmarks.trends import months_back


def history_make(
    *,
    medians: list[float | None],
    domain: Domain | None = None,
    tier: str = ALL,
    country: str = ALL,
    kind: str = ObservationKind.REPORTED,
    contributors: int = 12,
    end: datetime.date | None = None,
) -> list[CellHistory]:
    """One point a month for a cell, the last one in ``end`` (this month by default), oldest first: a median per
    month (p25 and p75 a dollar either side), or None for a month under the minimum contributors (2 of them)."""
    end = end or timezone.now().date().replace(day=1)
    rows = []
    for index, median in enumerate(medians):
        month = months_back(end, len(medians) - 1 - index)
        published = median is not None
        value = median if median is not None else 10.0
        rows.append(
            CellHistory(
                cell_key=cell_key(domain.pk if domain else None, tier, country, kind),
                domain=domain,
                tier=tier,
                country=country,
                kind=kind,
                contributors=contributors if published else 2,
                independent=contributors if published else 2,
                observations=contributors if published else 2,
                sources=1,
                platforms=1,
                p10=value - 2,
                p25=value - 1,
                p50=value,
                p75=value + 1,
                p90=value + 2,
                month=month,
                recorded_at=timezone.now(),
            )
        )
    return CellHistory.objects.bulk_create(rows)
