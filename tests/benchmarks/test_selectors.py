"""Suppression on the one read path, filters, single cells, history."""

import pytest
from dateutil.relativedelta import relativedelta
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks import engine, selectors
from benchmarks.choices import ObservationKind, SkillTier
from benchmarks.models import ALL

from .factories import domain_make, observation_make, source_make, this_month

pytestmark = pytest.mark.django_db


def leaf_with(contributors: int, *, observations_each: int = 1, domain=None, period=None, first: int = 0):
    domain = domain or domain_make()
    source = source_make()
    for c in range(first, first + contributors):
        for i in range(observations_each):
            observation_make(
                domain=domain, hourly_usd=10 + c + i / 10, contributor=f"c{c}", source=source, period=period
            )
    engine.rebuild_all()
    return domain


def test_a_cell_of_four_contributors_publishes_nothing_but_fewer_than_five():
    domain = leaf_with(4, observations_each=3)
    cell = selectors.cell_get(domain=domain, tier=SkillTier.SKILLED, country="US")
    assert cell.suppressed
    assert cell.contributors_display == "fewer than 5"
    assert [cell.contributors, cell.observations, cell.sources, cell.platforms] == [None] * 4
    assert [cell.contributors_band, cell.observations_band] == [None] * 2
    assert [cell.p10, cell.p25, cell.p50, cell.p75, cell.p90] == [None] * 5
    assert cell.percentile_points == []


def test_five_to_nine_contributors_publish_the_middle_percentiles_but_not_the_tails():
    domain = leaf_with(9)
    cell = selectors.cell_get(domain=domain.slug, tier=SkillTier.SKILLED, country="us")
    assert not cell.suppressed and cell.tails_suppressed
    assert (cell.contributors, cell.contributors_band, cell.contributors_display) == (5, "5–9", "5–9")  # 9, banded
    assert (cell.observations, cell.observations_band, cell.counts_withheld) == (5, "5–9", False)
    assert (cell.p10, cell.p90) == (None, None)
    assert cell.p50 == 14


def test_ten_contributors_publish_every_percentile():
    domain = leaf_with(10)
    cell = selectors.cell_get(domain=domain, tier=SkillTier.SKILLED, country="US")
    assert not cell.tails_suppressed
    assert cell.p10 == pytest.approx(10.9)


def test_the_thresholds_are_settings(settings):
    domain = leaf_with(3)
    settings.BENCHMARK_MIN_CONTRIBUTORS = 3
    cell = selectors.cell_get(domain=domain, tier=SkillTier.SKILLED, country="US")
    assert not cell.suppressed and cell.tails_suppressed


def test_many_observations_of_few_contributors_stay_suppressed():
    domain = leaf_with(2, observations_each=20)
    assert selectors.cell_get(domain=domain, tier=SkillTier.SKILLED, country="US").suppressed


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.integers(0, 14),  # contributor
            st.sampled_from(["entry", "skilled", "expert"]),
            st.sampled_from(["US", "IN", ""]),
            st.sampled_from(ObservationKind.values),
            st.floats(1, 500),
        ),
        max_size=60,
    )
)
def test_no_published_cell_breaks_either_suppression_rule(rows):
    with transaction.atomic():
        domain = domain_make()
        source = source_make()
        for contributor, tier, country, kind, rate in rows:
            observation_make(
                domain=domain,
                hourly_usd=round(rate, 2),
                tier=tier,
                country=country,
                kind=kind,
                contributor=f"c{contributor}",
                source=source,
            )
        engine.rebuild_all()
        for cell in selectors.cells_published():
            stats = [cell.contributors, cell.observations, cell.sources, cell.platforms, cell.p25, cell.p50, cell.p75]
            if cell.suppressed:
                assert all(value is None for value in [*stats, cell.p10, cell.p90])
            else:
                assert cell.contributors >= 5
                assert cell.p50 is not None
            if cell.p10 is not None or cell.p90 is not None:
                assert cell.contributors >= 10
            assert cell.as_dict()["contributors_display"]
        transaction.set_rollback(True)


def test_filters_pick_cells_and_all_picks_the_aggregates():
    domain = leaf_with(5)
    observation_make(domain=domain, hourly_usd=50, tier=SkillTier.EXPERT, country="", kind=ObservationKind.ADVERTISED)
    engine.rebuild_all()
    everything = selectors.cells_published()
    assert len(everything) == 16
    assert everything[0].key == f"{ALL}|{ALL}|{ALL}|advertised"  # all-domains cells first
    only_domain = selectors.cells_published(domain=domain, tier=ALL, country=ALL)
    assert {c.kind for c in only_domain} == {"reported", "advertised"}
    worldwide = selectors.cells_published(country="")
    assert {c.country_label for c in worldwide} == {"Worldwide (remote)"}
    assert {c.kind for c in selectors.cells_published(domain=ALL, kind="advertised")} == {"advertised"}
    assert {c.kind for c in selectors.cells_published(include_suppressed=False)} == {"reported"}
    assert selectors.cells_published(domain="no-such-domain") == []


def test_cells_published_runs_one_query_however_many_cells(django_assert_num_queries):
    for _ in range(3):
        leaf_with(5)
    with django_assert_num_queries(1):
        assert len(selectors.cells_published()) == 3 * 4 + 4


def test_a_cell_without_data_is_none():
    assert selectors.cell_get(domain=ALL, tier=ALL, country=ALL) is None
    assert selectors.cell_get(domain="no-such-domain") is None


def test_labels_name_the_cell():
    domain = leaf_with(5)
    cell = selectors.cell_get(domain=domain, tier=SkillTier.SKILLED, country="US")
    assert cell.label.startswith(f"{domain.name} · Skilled · United States")
    assert selectors.cell_get().label == "All domains · All tiers · All countries"


def test_history_is_oldest_first_and_suppressed_like_the_cells():
    month = this_month()
    before = month - relativedelta(months=1)
    domain = leaf_with(4, period=before)
    leaf_with(6, domain=domain, period=month, first=10)
    engine.backfill_history(months=[before, month])
    points = selectors.cell_history(domain=domain, tier=SkillTier.SKILLED, country="US")
    assert [p.month for p in points] == [before, month]
    assert points[0].suppressed and not points[1].suppressed
    assert [p.month for p in selectors.cell_history(domain=domain, tier=SkillTier.SKILLED, country="US", months=1)] == [
        month
    ]
    assert selectors.cell_history(domain="nope") == []


def test_last_updated_is_the_newest_computation():
    assert selectors.cells_last_updated() is None
    leaf_with(1)
    assert selectors.cells_last_updated() is not None
