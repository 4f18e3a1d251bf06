"""Percentile rank of a rate or band in the closest published cell."""

import pytest

from benchmarks import engine
from benchmarks.choices import ObservationKind, SkillTier
from benchmarks.models import ALL
from benchmarks.positioning import percentile_rank, position_rate

from .factories import domain_make, observation_make, source_make

pytestmark = pytest.mark.django_db

POINTS = [(10, 10.0), (25, 20.0), (50, 30.0), (75, 40.0), (90, 60.0)]


def test_a_rate_between_published_percentiles_is_interpolated():
    assert percentile_rank(35, POINTS).percentile == pytest.approx(62.5)
    assert percentile_rank(30, POINTS).percentile == 50


def test_a_rate_beyond_the_published_percentiles_says_so():
    assert (percentile_rank(5, POINTS).percentile, percentile_rank(5, POINTS).beyond) == (10, "below")
    assert percentile_rank(100, POINTS).beyond == "above"


def test_a_rate_on_a_plateau_of_equal_percentiles_sits_in_its_middle():
    assert percentile_rank(20, [(25, 20.0), (50, 20.0), (75, 40.0)]).percentile == 37.5


@pytest.mark.parametrize(
    ("band", "phrase"),
    [
        ((100, 120), "lies entirely above the 90th percentile"),
        ((1, 2), "lies entirely below the 10th percentile"),
        ((5, 120), "runs from below the 10th percentile to above the 90th percentile"),
        ((20, 30), "runs from the 25th percentile to the 50th percentile"),
    ],
)
def test_a_band_says_where_it_lies_without_repeating_an_end(band, phrase):
    from benchmarks.positioning import Position

    ends = [percentile_rank(value, POINTS) for value in band]
    position = Position(
        cell=None, fallback=0, percentile=50, beyond=None,
        band_percentiles=(ends[0].percentile, ends[1].percentile), band_beyond=(ends[0].beyond, ends[1].beyond),
    )  # fmt: skip
    assert position.band_phrase == phrase


def fill(domain, *, tier=SkillTier.SKILLED, country="US", contributors=10, base=10):
    source = source_make()
    for c in range(contributors):
        observation_make(
            domain=domain, hourly_usd=base + c, tier=tier, country=country, contributor=f"{tier}{country}{c}",
            source=source,
        )  # fmt: skip


def test_the_exact_cell_is_used_when_it_is_published():
    domain = domain_make()
    fill(domain)
    engine.rebuild_all()
    position = position_rate(domain=domain, tier=SkillTier.SKILLED, country="US", rate=14.5)
    assert position.fallback_label == "exact"
    assert position.cell.country == "US"
    assert position.percentile == pytest.approx(50)


def test_a_suppressed_country_falls_back_to_all_countries_of_the_tier():
    domain = domain_make()
    fill(domain, country="IN", contributors=8)
    fill(domain, country="GB", contributors=3)
    engine.rebuild_all()
    position = position_rate(domain=domain, tier=SkillTier.SKILLED, country="GB", rate=12)
    assert position.fallback_label == "all countries"
    assert (position.cell.tier, position.cell.country) == (SkillTier.SKILLED, ALL)
    assert position.cell.contributors_band == "10–14" and not position.cell.tails_suppressed  # 11 contributors
    assert position.as_dict()["cell_label"].endswith("All countries")


def test_a_thin_tier_falls_back_to_the_whole_domain():
    domain = domain_make()
    fill(domain, tier=SkillTier.EXPERT, contributors=2)
    fill(domain, tier=SkillTier.ENTRY, contributors=6)
    engine.rebuild_all()
    position = position_rate(domain=domain.slug, tier=SkillTier.EXPERT, country="US", rate=11)
    assert position.fallback_label == "all tiers and countries"
    assert position.cell.tier == ALL


def test_nothing_published_on_the_way_gives_none():
    domain = domain_make()
    fill(domain, contributors=4)
    engine.rebuild_all()
    assert position_rate(domain=domain, tier=SkillTier.SKILLED, country="US", rate=12) is None
    assert position_rate(domain="no-such-domain", tier=SkillTier.SKILLED, country="US", rate=12) is None


def test_a_band_is_ranked_by_its_midpoint_and_its_ends():
    domain = domain_make()
    fill(domain, contributors=11)
    engine.rebuild_all()
    position = position_rate(domain=domain, tier=SkillTier.SKILLED, country="US", band=(20, 12))
    assert position.percentile == pytest.approx(position_rate(
        domain=domain, tier=SkillTier.SKILLED, country="US", rate=16).percentile)  # fmt: skip
    low, high = position.band_percentiles
    assert low < position.percentile < high
    assert position.band_beyond == (None, "above")


def test_advertised_pay_is_positioned_among_advertised_cells():
    domain = domain_make()
    source = source_make()
    for c in range(6):
        observation_make(domain=domain, hourly_usd=50 + c, kind=ObservationKind.ADVERTISED, contributor=f"co{c}",
                         source=source)  # fmt: skip
    engine.rebuild_all()
    position = position_rate(domain=domain, tier=SkillTier.SKILLED, country="US", kind="advertised", rate=52.5)
    assert position.cell.kind == "advertised"
    assert position.percentile == pytest.approx(50)


def test_either_a_rate_or_a_band():
    with pytest.raises(ValueError, match="either"):
        position_rate(domain="x", tier="entry", country="US")
