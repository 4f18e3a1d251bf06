"""History points from the observations' periods: every point of every cell against an independent statement of the
rule; suppression on every point; the monthly task, the rebuild's backfill, the horizon and an import's months."""

import datetime
import random
from decimal import Decimal

import numpy as np
import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from benchmarks import engine
from benchmarks.choices import ObservationKind, SkillTier
from benchmarks.engine import history, portable
from benchmarks.models import ALL, CellHistory, Observation, Platform, cell_key

from .factories import domain_make, source_make, this_month

pytestmark = pytest.mark.django_db

FIELDS = (
    "domain_id", "tier", "country", "kind", "hourly_usd", "contributor", "source_id", "platform_id", "party",
    "counts_from", "period",
)  # fmt: skip


def month_back(n: int) -> datetime.date:
    return this_month() - relativedelta(months=n)


def spread_seed(*, count: int, seed: int, months: int = 30) -> None:
    """``count`` observations over a few leaves with periods spread over ``months`` months, some flagged, some of
    parties that do not count (yet), contributors seen in several months."""
    rng = random.Random(seed)
    domains = [domain_make(), domain_make()]
    sources = [source_make() for _ in range(4)]
    platforms = [*Platform.objects.order_by("pk")[:3], None]
    later = timezone.now() + datetime.timedelta(days=3)
    rows = []
    for i in range(count):
        kind = rng.choice(ObservationKind.values)
        who = f"trainer:{rng.randrange(40)}"
        party = rng.choice([who, who, who, "", "feed:1"])
        rows.append(
            Observation(
                origin=f"spread:{seed}:{i}", kind=kind, domain=rng.choice(domains),
                tier=rng.choice((SkillTier.ENTRY, SkillTier.EXPERT)), country=rng.choice(("US", "IN", "")),
                period=month_back(rng.randrange(months)),
                hourly_usd=Decimal(str(round(rng.lognormvariate(3.2, 0.6), 4))),
                source=rng.choice(sources), platform=rng.choice(platforms), contributor=who, party=party,
                counts_from=later if rng.random() < 0.1 else None,
                flagged=kind == ObservationKind.REPORTED and rng.random() < 0.05,
            )
        )  # fmt: skip
    Observation.objects.bulk_create(rows)


def expected_points(month: datetime.date) -> dict[str, dict]:
    """Cell key → statistics over the window ending ``month``, with numpy percentiles and Python sets."""
    since = month - relativedelta(months=11)
    rows = Observation.objects.filter(period__gte=since, period__lte=month, flagged=False).values_list(*FIELDS)
    now = timezone.now()
    cells: dict[str, list[tuple]] = {}
    for row in rows:
        domain_id, tier, country, kind = row[:4]
        for d in (domain_id, None):
            for t in (tier, ALL):
                for c in (country, ALL):
                    cells.setdefault(cell_key(d, t, c, kind), []).append(row)
    return {
        key: {
            "contributors": len({m[5] for m in members}),
            "independent": len({m[8] for m in members if m[8] and (m[9] is None or m[9] <= now)}),
            "observations": len(members),
            "sources": len({m[6] for m in members}),
            "platforms": len({m[7] for m in members if m[7] is not None}),
            "percentiles": list(np.percentile([float(m[4]) for m in members], [10, 25, 50, 75, 90], method="linear")),
        }
        for key, members in cells.items()
    }


def stored_points(month: datetime.date) -> dict[str, dict]:
    return {
        p.cell_key: {
            "contributors": p.contributors,
            "independent": p.independent,
            "observations": p.observations,
            "sources": p.sources,
            "platforms": p.platforms,
            "percentiles": [p.p10, p.p25, p.p50, p.p75, p.p90],
        }
        for p in CellHistory.objects.filter(month=month)
    }


def assert_points_follow_the_rule(months: list[datetime.date]) -> None:
    for month in months:
        expected, got = expected_points(month), stored_points(month)
        assert set(got) == set(expected), month
        for key, stats in expected.items():
            counts = ("contributors", "independent", "observations", "sources", "platforms")
            assert {k: got[key][k] for k in counts} == {k: stats[k] for k in counts}, (month, key)
            assert got[key]["percentiles"] == pytest.approx(stats["percentiles"], rel=1e-12, abs=1e-9), (month, key)


def test_every_backfilled_point_of_every_cell_follows_the_rule():
    spread_seed(count=900, seed=3)
    written = engine.backfill_history()
    months = history.horizon()
    assert len(months) == 24
    assert written == CellHistory.objects.count() > 0
    assert_points_follow_the_rule(months)
