"""Both engines against a numpy oracle; rebuild atomicity; dirty-leaf recomputes; history points."""

from decimal import Decimal
from unittest import mock

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection

from benchmarks import engine
from benchmarks.choices import ObservationKind, SkillTier
from benchmarks.engine import portable, postgres
from benchmarks.engine.cells import ancestors, leaf_cells, wants
from benchmarks.models import ALL, BenchmarkCell, CellHistory, DirtyCell, OutlierFence, Platform, cell_key
from benchmarks.querysets import window_start
from benchmarks.services import observation_remove, observation_upsert

from .factories import domain_make, observation_make, observations_seed, source_make, this_month
from .oracle import expected_cells

pytestmark = pytest.mark.django_db


def published() -> dict[str, dict]:
    return {
        cell.cell_key: {
            "contributors": cell.contributors,
            "independent": cell.independent,
            "verified": cell.verified,
            "rest_independent": cell.rest_independent,
            "rest_observations": cell.rest_observations,
            "observations": cell.observations,
            "sources": cell.sources,
            "platforms": cell.platforms,
            "percentiles": [cell.p10, cell.p25, cell.p50, cell.p75, cell.p90],
        }
        for cell in BenchmarkCell.objects.all()
    }


def assert_matches_oracle(cells: dict[str, dict]) -> None:
    expected = expected_cells()
    assert set(cells) == set(expected)
    for key, stats in expected.items():
        got = cells[key]
        counts = ("contributors", "independent", "verified", "rest_independent", "rest_observations", "observations",
                  "sources", "platforms")  # fmt: skip
        assert {k: got[k] for k in counts} == {k: stats[k] for k in counts}, key
        assert got["percentiles"] == pytest.approx(stats["percentiles"], rel=1e-12), key


def test_the_database_engine_is_sql_on_postgresql_and_python_elsewhere():
    assert engine.backend_name() == ("postgres" if connection.vendor == "postgresql" else "portable")


def test_a_rebuild_publishes_every_cell_with_numpys_numbers():
    observations_seed(count=400, seed=11)
    count = engine.rebuild_all()
    assert count == BenchmarkCell.objects.count() > 0
    assert_matches_oracle(published())


def test_the_python_engine_and_the_database_engine_agree_on_the_same_data():
    observations_seed(count=500, seed=12)
    python = portable.compute(since=window_start())
    database = engine.compute()  # SQL on PostgreSQL
    assert set(python) == set(database)
    for cell, stats in python.items():
        other = database[cell]
        assert (stats.contributors, stats.verified, stats.observations, stats.sources, stats.platforms) == (
            other.contributors,
            other.verified,
            other.observations,
            other.sources,
            other.platforms,
        )
        assert stats.percentiles == pytest.approx(other.percentiles, rel=1e-12)


def test_both_databases_give_the_published_textbook_figures():
    """The same fixed data gives the same stored numbers on SQLite and on PostgreSQL (CI runs this on PostgreSQL)."""
    domain = domain_make()
    source = source_make()
    for rate in range(1, 11):
        observation_make(domain=domain, hourly_usd=rate * 10, contributor=f"t{rate}", source=source)
    engine.rebuild_all()
    leaf = BenchmarkCell.objects.get(cell_key=cell_key(domain.pk, SkillTier.SKILLED, "US", ObservationKind.REPORTED))
    assert [leaf.p10, leaf.p25, leaf.p50, leaf.p75, leaf.p90] == pytest.approx([19, 32.5, 55, 77.5, 91])
    assert (leaf.contributors, leaf.observations, leaf.sources, leaf.platforms) == (10, 10, 1, 0)


def test_the_sql_of_a_recompute_equals_the_full_cube_for_the_cells_it_asks_for():
    observations_seed(count=300, seed=13)
    everything = engine.compute()
    some = {cell for i, cell in enumerate(sorted(everything, key=str)) if i % 3 == 0}
    assert engine.compute(wanted=some) == {cell: everything[cell] for cell in some}


def test_observations_outside_the_rolling_window_are_left_out():
    domain = domain_make()
    old = window_start() - relativedelta(months=1)
    observation_make(domain=domain, hourly_usd=10, period=old)
    observation_make(domain=domain, hourly_usd=20)
    engine.rebuild_all()
    leaf = BenchmarkCell.objects.get(cell_key=cell_key(domain.pk, SkillTier.SKILLED, "US", ObservationKind.REPORTED))
    assert (leaf.observations, leaf.p50) == (1, 20)


def test_a_rebuild_replaces_cells_that_no_longer_have_data():
    domain = domain_make()
    obs = observation_make(domain=domain, hourly_usd=10)
    engine.rebuild_all()
    obs.delete()
    engine.rebuild_all()
    assert not BenchmarkCell.objects.filter(domain=domain).exists()


def test_a_rebuild_twice_publishes_the_same_cells():
    observations_seed(count=200, seed=14)
    engine.rebuild_all()
    first = published()
    engine.rebuild_all()
    assert published() == first


def test_a_rebuild_that_fails_midway_leaves_the_old_cells():
    observations_seed(count=100, seed=15)
    engine.rebuild_all()
    before = published()
    observations_seed(count=100, seed=16)
    backend = postgres if connection.vendor == "postgresql" else portable
    # The new cells are already written inside the transaction when the fences step fails.
    with mock.patch.object(backend, "fences", side_effect=RuntimeError("worker lost")), pytest.raises(RuntimeError):
        engine.rebuild_all()
    assert published() == before


def test_a_rebuild_refreshes_the_outlier_fences_of_reported_pay():
    domain = domain_make()
    for rate in range(1, 31):
        observation_make(domain=domain, hourly_usd=rate)
    observation_make(domain=domain, hourly_usd=5, kind=ObservationKind.ADVERTISED)
    engine.rebuild_all()
    fence = OutlierFence.objects.get(domain=domain, tier=SkillTier.SKILLED)
    assert fence.observations == 30


def test_a_rebuild_reports_its_progress():
    observations_seed(count=20, seed=17)
    messages: list[str] = []
    engine.rebuild_all(progress=messages.append)
    assert any("Computed" in m for m in messages)


def upsert(origin: str, domain, rate, **fields):
    values = {
        "origin": origin,
        "kind": ObservationKind.REPORTED,
        "domain": domain,
        "tier": SkillTier.SKILLED,
        "country": "US",
        "period": this_month(),
        "hourly_usd": Decimal(str(rate)),
        "source": fields.pop("source"),
        "contributor": origin,
    }
    return observation_upsert(**{**values, **fields})


def test_a_service_write_marks_its_leaf_dirty_and_a_recompute_publishes_its_ancestors(
    django_capture_on_commit_callbacks,
):
    domain, source = domain_make(), source_make()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        upsert("a", domain, 10, source=source)
    assert len(callbacks) == 1
    assert DirtyCell.objects.filter(domain=domain).count() == 1
    # With the count state (PostgreSQL), the 8 whole cells with data; else 4 whole domain cells, then 4 all-domains,
    # 8 verified, 4 shapes of every platform, and the 4 whole parents again
    assert engine.recompute_dirty() == (8 if engine.counted() else 24)
    assert not DirtyCell.objects.exists()
    assert BenchmarkCell.objects.filter(domain=domain).count() == 4
    assert BenchmarkCell.objects.filter(domain__isnull=True).count() == 4
    assert engine.recompute_dirty() == 0


def test_recomputing_dirty_leaves_gives_what_a_full_rebuild_gives():
    observations_seed(count=300, seed=18)
    engine.rebuild_all()
    domain, source = domain_make(), source_make()
    platforms = [*Platform.objects.order_by("pk")[:2], None]
    for i in range(40):
        tier = SkillTier.ENTRY if i % 2 else SkillTier.EXPERT
        upsert(f"o{i}", domain, 5 + i, source=source, tier=tier, platform=platforms[i % 3], verified=i % 4 == 0)
    upsert("o3", domain, 90, source=source, country="IN")  # a move: the old leaf and the new one
    upsert("o8", domain, 91, source=source, platform=platforms[1])  # a platform and its verification change
    observation_remove(origin="o4")
    engine.recompute_dirty()
    assert_matches_oracle(published())
    after_recompute = published()
    engine.rebuild_all()
    assert published() == after_recompute


def test_one_recompute_takes_every_dirty_leaf_at_once():
    source = source_make()
    domains = [domain_make() for _ in range(3)]
    for i, domain in enumerate(domains):
        upsert(f"c{i}", domain, 10 + i, source=source)
    assert DirtyCell.objects.count() == 3
    engine.recompute_dirty()
    assert not DirtyCell.objects.exists()
    assert BenchmarkCell.objects.filter(domain__in=domains).count() == 12


def test_a_recompute_leaves_cells_of_other_leaves_alone():
    source = source_make()
    one, two = domain_make(), domain_make()
    upsert("x", one, 10, source=source)
    upsert("y", two, 10, source=source)
    engine.recompute_dirty()
    untouched = BenchmarkCell.objects.get(cell_key=cell_key(two.pk, SkillTier.SKILLED, "US", "reported"))
    upsert("z", one, 12, source=source)
    engine.recompute_dirty()
    untouched.refresh_from_db()
    assert untouched.computed_at == BenchmarkCell.objects.get(pk=untouched.pk).computed_at
    assert BenchmarkCell.objects.get(cell_key=cell_key(None, ALL, ALL, "reported")).observations == 3


def test_removing_the_last_observation_of_a_leaf_deletes_its_cells():
    domain, source = domain_make(), source_make()
    upsert("only", domain, 10, source=source)
    engine.recompute_dirty()
    observation_remove(origin="only")
    engine.recompute_dirty()
    assert not BenchmarkCell.objects.filter(domain=domain).exists()


def test_a_failed_recompute_keeps_its_leaves_dirty():
    domain, source = domain_make(), source_make()
    upsert("f", domain, 10, source=source)
    backend = postgres if connection.vendor == "postgresql" else portable
    with mock.patch.object(backend, "compute", side_effect=RuntimeError("boom")), pytest.raises(RuntimeError):
        engine.recompute_dirty()
    assert DirtyCell.objects.count() == 1


def test_a_rebuild_clears_the_dirty_list_it_covers():
    domain, source = domain_make(), source_make()
    upsert("r", domain, 10, source=source)
    engine.rebuild_all()
    assert not DirtyCell.objects.exists()
    assert BenchmarkCell.objects.filter(domain=domain).count() == 4


def test_history_records_a_point_per_cell_from_the_periods_and_rerunning_the_month_overwrites_it():
    domain = domain_make()
    observation_make(domain=domain, hourly_usd=10)
    month = this_month()
    assert engine.record_history(month=month) == 8
    observation_make(domain=domain, hourly_usd=30)
    assert engine.record_history(month=month.replace(day=17)) == 8
    assert CellHistory.objects.filter(month=month).count() == 8
    point = CellHistory.objects.get(month=month, cell_key=cell_key(None, ALL, ALL, "reported"))
    assert (point.observations, point.p50) == (2, 20)
    before = month - relativedelta(months=1)
    assert engine.record_history(month=before) == 0  # its window ends before this month's data
    observation_make(domain=domain, hourly_usd=50, period=before)
    assert engine.record_history(month=before) == 8
    assert CellHistory.objects.count() == 16


def test_history_reads_the_observations_not_the_published_cells():
    domain, source = domain_make(), source_make()
    upsert("h", domain, 10, source=source)  # listed dirty, never recomputed
    assert not BenchmarkCell.objects.exists()
    assert engine.record_history() == 8


def test_a_recompute_of_one_leaf_asks_cell_by_cell_and_still_equals_the_cube():
    observations_seed(count=300, seed=19)
    everything = engine.compute()
    leaf = next(cell[:4] for cell in everything if None not in cell and ALL not in cell and cell[3] == "reported")
    wanted = set(leaf_cells(leaf)) | {(leaf[0], ALL, "ZZ", leaf[3], "")}  # a cell without data is simply absent
    expected = {cell: stats for cell, stats in everything.items() if wants(wanted, cell)}
    assert any(cell[4].startswith("platform:") for cell in expected)
    assert any(cell[4] == "verified" for cell in expected)
    assert engine.compute(wanted=wanted) == expected


# --- The live path in two passes: domain cells at once, all-domains rollups coalesced ----------------------------


def domain_cells() -> set[str]:
    return set(BenchmarkCell.objects.filter(domain__isnull=False).values_list("cell_key", flat=True))


def all_domains_cells() -> set[str]:
    return set(BenchmarkCell.objects.filter(domain__isnull=True).values_list("cell_key", flat=True))


def test_the_fast_pass_publishes_the_domain_cells_and_leaves_the_all_domains_rollups_pending():
    domain, source = domain_make(), source_make()
    upsert("fast", domain, 10, source=source)
    if engine.counted():  # from the count state, every cell at once; the rollup pass refreshes the fences only
        assert engine.recompute_domains() == 8
        assert len(all_domains_cells()) == 4
    else:  # its whole cells; verified and platforms' cells wait for the rollup
        assert engine.recompute_domains() == 4
        assert not all_domains_cells()
    assert domain_cells() == {cell_key(*cell) for cell in ancestors((domain.pk, "skilled", "US", "reported"))[:4]}
    assert list(DirtyCell.objects.values_list("rollup", flat=True)) == [True]
    assert engine.rollups_pending()
    assert engine.recompute_domains() == 0


def test_the_rollup_pass_publishes_the_all_domains_cells_of_every_leaf_handed_over():
    source = source_make()
    one, two = domain_make(), domain_make()
    upsert("r1", one, 10, source=source)
    upsert("r2", two, 30, source=source, country="IN")
    engine.recompute_domains()
    # (*,t,c) twice, (*,*,c) twice, (*,t,*) and (*,*,*) once; as many verified; (*,t,*) and (*,*,*) of every
    # platform; and the leaves' domain cells again, verified (8) and of every platform (4), with their whole parents
    # (8, the (d,*,*) and (d,t,*) cells of the platforms' shapes among them). The count state's fast pass has
    # published all of them already.
    assert engine.recompute_rollups() == (0 if engine.counted() else 14 + 8 + 4 + 8)
    assert not DirtyCell.objects.exists()
    assert not engine.rollups_pending()
    assert BenchmarkCell.objects.get(cell_key=cell_key(None, ALL, ALL, "reported")).observations == 2
    assert engine.recompute_rollups() == 0


def test_the_rollup_pass_waits_for_the_fast_pass_of_a_leaf():
    upsert("w", domain_make(), 10, source=source_make())
    assert engine.recompute_rollups() == 0  # not handed over yet: its domain cells come first
    assert DirtyCell.objects.filter(rollup=False).count() == 1


def test_after_both_passes_the_cells_equal_a_full_rebuild():
    observations_seed(count=300, seed=23)
    engine.rebuild_all()
    domain, source = domain_make(), source_make()
    platforms = [*Platform.objects.order_by("pk")[:2], None]
    for i in range(30):
        tier = SkillTier.ENTRY if i % 3 else SkillTier.EXPERT
        upsert(f"b{i}", domain, 5 + i, source=source, tier=tier, platform=platforms[i % 3], verified=i % 2 == 0)
    upsert("b3", domain, 90, source=source, country="IN")  # a move: the old leaf and the new one
    observation_remove(origin="b4")
    engine.recompute_domains()
    after_fast = published()
    expected = expected_cells()
    for key in after_fast.keys() - {k for k in after_fast if k.startswith(f"{ALL}|")}:
        assert after_fast[key]["observations"] == expected[key]["observations"], key
    if engine.counted():  # the count state's one pass publishes the all-domains cells too
        assert_matches_oracle(after_fast)
    else:
        assert after_fast[cell_key(None, ALL, ALL, "reported")] != expected[cell_key(None, ALL, ALL, "reported")]
    engine.recompute_rollups()
    assert_matches_oracle(published())
    after_both = published()
    engine.rebuild_all()
    assert published() == after_both


def test_a_failed_fast_pass_keeps_its_leaves_dirty_and_hands_nothing_over():
    upsert("f", domain_make(), 10, source=source_make())
    backend = postgres if connection.vendor == "postgresql" else portable
    with mock.patch.object(backend, "compute", side_effect=RuntimeError("boom")), pytest.raises(RuntimeError):
        engine.recompute_domains()
    assert list(DirtyCell.objects.values_list("rollup", flat=True)) == [False]
    assert not BenchmarkCell.objects.exists()


def test_a_failed_rollup_pass_keeps_its_leaves_pending():
    upsert("f", domain_make(), 10, source=source_make())
    engine.recompute_domains()
    published_before = all_domains_cells()
    backend = postgres if connection.vendor == "postgresql" else portable
    failing = mock.patch.object(engine, "fences_refresh", side_effect=RuntimeError("boom"))
    with failing, mock.patch.object(backend, "compute", side_effect=RuntimeError("boom")), pytest.raises(RuntimeError):
        engine.recompute_rollups()
    assert engine.rollups_pending()
    assert all_domains_cells() == published_before  # none without the count state, all four with it


def test_a_rebuild_clears_pending_rollups_too():
    upsert("p", domain_make(), 10, source=source_make())
    engine.recompute_domains()
    engine.rebuild_all()
    assert not DirtyCell.objects.exists()
    assert len(all_domains_cells()) == 4


def test_both_engines_compute_the_cells_of_a_fast_pass_like_the_cube():
    observations_seed(count=300, seed=24)
    everything = engine.compute()
    leaves = [cell[:4] for cell in everything if None not in cell and ALL not in cell and cell[4] == ""][:6]
    wanted = {cell for leaf in leaves for cell in leaf_cells(leaf) if cell[0] is not None}
    expected = {cell: s for cell, s in everything.items() if wants(wanted, cell)}
    assert len(expected) >= 24
    assert portable.compute(since=window_start(), wanted=wanted) == expected
    if connection.vendor == "postgresql":
        assert postgres.compute(since=window_start(), wanted=wanted) == expected


def test_a_platform_left_without_data_in_a_leafs_pair_loses_its_cells_in_the_live_passes():
    domain, source = domain_make(), source_make()
    first, second = Platform.objects.order_by("pk")[:2]
    upsert("p1", domain, 10, source=source, platform=first)
    upsert("p2", domain, 20, source=source, platform=second)
    engine.recompute_dirty()
    assert BenchmarkCell.objects.filter(platform=second).count() == 4
    upsert("p2", domain, 20, source=source, platform=first)
    engine.recompute_dirty()
    assert not BenchmarkCell.objects.filter(platform=second).exists()
    assert (
        BenchmarkCell.objects.get(cell_key=cell_key(None, ALL, ALL, "reported", f"platform:{first.pk}")).observations
        == 2
    )
    assert_matches_oracle(published())
