"""History points from the observations' periods: every point of every cell against an independent statement of the
rule; suppression on every point; the monthly task, the rebuild's backfill, the horizon and an import's months."""

import datetime
import random
from decimal import Decimal
from io import StringIO

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.utils import timezone

from benchmarks import engine, selectors, tasks
from benchmarks.choices import ObservationKind, SkillTier
from benchmarks.engine import history, portable, windows
from benchmarks.models import ALL, CellHistory, Observation, Platform, cell_key
from benchmarks.privacy import refresh_withheld_counts

from .factories import domain_make, observation_make, source_make, this_month
from .oracle import expected_cells

pytestmark = pytest.mark.django_db


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
                verified=rng.random() < 0.3,
            )
        )  # fmt: skip
    Observation.objects.bulk_create(rows)


def expected_points(month: datetime.date) -> dict[str, dict]:
    """Cell key → statistics over the window ending ``month``, with numpy percentiles and Python sets."""
    return expected_cells(since=month - relativedelta(months=11), until=month)


def stored_points(month: datetime.date) -> dict[str, dict]:
    return {
        p.cell_key: {
            "contributors": p.contributors,
            "independent": p.independent,
            "verified": p.verified,
            "rest_independent": p.rest_independent,
            "rest_observations": p.rest_observations,
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
            counts = ("contributors", "independent", "verified", "rest_independent", "rest_observations",
                      "observations", "sources", "platforms")  # fmt: skip
            assert {k: got[key][k] for k in counts} == {k: stats[k] for k in counts}, (month, key)
            assert got[key]["percentiles"] == pytest.approx(stats["percentiles"], rel=1e-12, abs=1e-9), (month, key)


def test_every_backfilled_point_of_every_cell_follows_the_rule():
    spread_seed(count=900, seed=3)
    written = engine.backfill_history()
    months = history.horizon()
    assert len(months) == 24
    assert written == CellHistory.objects.count() > 0
    assert CellHistory.objects.filter(segment="verified").exists()
    assert CellHistory.objects.filter(platform__isnull=False).exists()
    assert_points_follow_the_rule(months)


def test_big_cells_ranked_window_by_window_give_the_same_points(monkeypatch):
    spread_seed(count=500, seed=4)
    months = history.horizon()
    by_matrix = {(cell, month): stats for cell, month, stats, _ in history.points(engine._backend(), months)}
    monkeypatch.setattr(windows, "_MATRIX_CELLS", 0)
    assert {(cell, month): stats for cell, month, stats, _ in history.points(engine._backend(), months)} == by_matrix


def test_the_python_engine_and_the_database_engine_give_the_same_points():
    spread_seed(count=700, seed=5)
    months = history.horizon()
    python = {(cell, month): stats for cell, month, stats, _ in history.points(portable, months)}
    database = {(cell, month): stats for cell, month, stats, _ in history.points(engine._backend(), months)}
    assert set(python) == set(database)
    assert any(cell[4].startswith("platform:") for cell, _month in python)
    for key, stats in python.items():
        other = database[key]
        assert (stats.contributors, stats.independent, stats.verified, stats.observations, stats.sources,
                stats.platforms) == (other.contributors, other.independent, other.verified, other.observations,
                                     other.sources, other.platforms)  # fmt: skip
        assert stats.percentiles == pytest.approx(other.percentiles, rel=1e-12)


def test_the_horizon_is_honoured_and_a_month_without_data_loses_its_points(settings):
    settings.BENCHMARK_HISTORY_MONTHS = 6
    domain = domain_make()
    for n in range(6):
        observation_make(domain=domain, hourly_usd=10 + n, period=month_back(8))
    old = CellHistory.objects.create(
        cell_key="old", tier=ALL, country=ALL, kind="reported", contributors=9, observations=9, sources=1,
        platforms=0, month=month_back(10), recorded_at=timezone.now(),
    )  # fmt: skip
    stale = CellHistory.objects.create(
        cell_key="stale", tier=ALL, country=ALL, kind="reported", contributors=9, observations=9, sources=1,
        platforms=0, month=month_back(1), recorded_at=timezone.now(),
    )  # fmt: skip
    engine.backfill_history()
    assert sorted({p.month for p in CellHistory.objects.exclude(pk=old.pk)}) == [
        month_back(n) for n in range(5, -1, -1)
    ]
    assert CellHistory.objects.filter(pk=old.pk).exists()  # outside the horizon: kept as it was
    assert not CellHistory.objects.filter(pk=stale.pk).exists()  # inside: replaced by what the data says
    assert engine.backfill_history(months=[this_month() + relativedelta(months=1)]) == 0  # no future points


def test_the_monthly_task_writes_the_month_from_the_periods():
    domain = domain_make()
    observation_make(domain=domain, hourly_usd=10, period=month_back(5))
    observation_make(domain=domain, hourly_usd=30, period=month_back(11))
    observation_make(domain=domain, hourly_usd=99, period=month_back(12))  # outside the window ending this month
    assert tasks.record_history.delay().get() == 8
    point = CellHistory.objects.get(month=this_month(), cell_key=cell_key(None, ALL, ALL, "reported"))
    assert (point.observations, point.p50) == (2, 20)


def test_the_rebuild_command_backfills_every_month_with_data():
    domain = domain_make()
    observation_make(domain=domain, hourly_usd=10, period=month_back(20))
    out = StringIO()
    call_command("rebuild_benchmarks", stdout=out)
    assert "Recorded 96 history points over 24 months" in out.getvalue()  # 8 cells × the 12 windows holding it
    assert sorted({p.month for p in CellHistory.objects.all()}) == [month_back(n) for n in range(20, 8, -1)]


def test_suppression_bands_and_withheld_counts_apply_to_every_point():
    spread_seed(count=900, seed=6)
    engine.backfill_history()
    minimum = 5
    seen_suppressed = seen_published = False
    stored = {(p.cell_key, p.month): p for p in CellHistory.objects.filter(segment="").select_related("domain")}
    cells = {key: row for (key, _month), row in stored.items()}  # any row of a cell names its domain, tier, ...
    for key, row in cells.items():
        domain = ALL if row.domain is None else row.domain
        for point in selectors.cell_history(domain=domain, tier=row.tier, country=row.country, kind=row.kind):
            raw = stored[key, point.month]
            if raw.independent < minimum:
                seen_suppressed = True
                assert point.suppressed and point.p50 is None and point.contributors is None
            else:
                seen_published = True
                assert point.p50 is not None
                assert point.counts_withheld or point.contributors % 5 == 0
    assert seen_suppressed and seen_published
    flags = {(p.month, p.cell_key): p.counts_withheld for p in CellHistory.objects.all()}
    for month in history.horizon():
        refresh_withheld_counts(month=month)  # the backfill left every month's flags as a refresh sets them
    assert {(p.month, p.cell_key): p.counts_withheld for p in CellHistory.objects.all()} == flags


def test_an_import_of_a_historical_file_gives_its_history_after_the_recompute(
    tmp_path, django_capture_on_commit_callbacks
):
    header = "period,platform,domain,skill_tier,country,currency,amount,unit,external_id"
    lines = [header]
    for n in range(12):
        period = month_back(18 if n < 6 else 15)
        lines.append(f"{period:%Y-%m},Outlier,generalist,entry,US,USD,{14 + n},hour,h{n}")
    path = tmp_path / "history.csv"
    path.write_text("\n".join(lines) + "\n")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_surveys", str(path), "--source", "Old survey", stdout=StringIO(), verbosity=0)
    points = selectors.cell_history(domain="generalist", tier=SkillTier.ENTRY, country="US")
    assert [p.month for p in points] == [month_back(n) for n in range(18, 3, -1)]  # every window holding a period
    assert [p.observations for p in points] == [5] * 3 + [10] * 9 + [5] * 3  # bands of 6, 12 and 6 rows
    assert all(not p.suppressed for p in points)


def test_a_month_when_a_cell_is_suppressed_publishes_nothing_for_it_while_its_neighbours_do():
    """Consecutive points differ only by the months entering and leaving the window; a point whose window holds too
    few independent contributors is suppressed like any cell, so differencing points never shows its figures."""
    from rest_framework.test import APIClient

    domain = domain_make("history-law")
    for n in range(6):
        observation_make(domain=domain, hourly_usd=100 + n, country="GB", period=month_back(14))
    for n in range(3):
        observation_make(domain=domain, hourly_usd=200 + n, country="GB", period=month_back(1))
    for n in range(6):
        observation_make(domain=domain, hourly_usd=50 + n, country="US", period=month_back(1))
    engine.backfill_history()
    answer = APIClient().get("/api/v1/benchmarks/history/", {"domain": "history-law", "tier": "skilled",
                                                              "country": "GB"}).json()  # fmt: skip
    by_month = {row["month"]: row for row in answer["results"]}
    published, suppressed = by_month[f"{month_back(3):%Y-%m-%d}"], by_month[f"{month_back(1):%Y-%m-%d}"]
    assert published["p50"] is not None and not published["suppressed"]  # six contributors 14 months back
    assert suppressed["suppressed"] and suppressed["p50"] is None and suppressed["p25"] is None  # only three left
    assert suppressed["contributors"] is None and suppressed["observations"] is None
    neighbour = APIClient().get("/api/v1/benchmarks/history/", {"domain": "history-law", "tier": "skilled",
                                                                 "country": "US"}).json()["results"]  # fmt: skip
    assert [row["month"] for row in neighbour if row["p50"] is not None] == [
        f"{month_back(n):%Y-%m-%d}" for n in (1, 0)
    ]


def test_the_methodology_says_what_a_point_is_and_what_differencing_points_shows(client):
    content = client.get("/report/").content.decode()
    assert "window ending that month" in content
    assert "months that enter and leave the window" in content
    assert "screening and standing as they are now" in content
