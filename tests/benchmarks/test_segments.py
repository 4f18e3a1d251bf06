"""Segment cells as every surface reads them: verified-only and per-platform figures, the complementary rule against
differencing a segment with its whole cell, the verified share, and the platforms with published figures."""

import pytest

from benchmarks import engine, segments, selectors
from benchmarks.choices import SkillTier
from benchmarks.models import ALL, VERIFIED, BenchmarkCell, Platform, platform_segment

from .factories import domain_make, observation_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def platforms():
    return list(Platform.objects.order_by("pk")[:3])


def fill(domain, *, verified: int, unverified: int, platform=None, start: int = 0) -> None:
    for i in range(start, start + verified + unverified):
        observation_make(domain=domain, hourly_usd=10 + i, platform=platform, verified=i < start + verified)


def verified_cell(domain):
    return selectors.cell_get(domain=domain, tier=SkillTier.SKILLED, country="US", segment=VERIFIED)


def test_a_verified_only_cell_is_published_when_every_contributor_is_verified():
    domain = domain_make()
    fill(domain, verified=6, unverified=0)
    engine.rebuild_all()
    cell = verified_cell(domain)
    assert not cell.suppressed and cell.p50 == 12.5
    assert cell.segment_label == "Verified only"
    assert cell.label.startswith("Verified only · ")


def test_a_verified_only_cell_is_held_back_while_the_unverified_rest_is_under_the_minimum():
    """Subtracting the verified-only cell from its whole cell would show the one to four others."""
    domain = domain_make()
    fill(domain, verified=6, unverified=3)
    engine.rebuild_all()
    cell = verified_cell(domain)
    assert cell.suppressed and cell.p50 is None and cell.contributors is None
    assert cell.contributors_display == "not shown: fewer than 5 outside it"
    whole = selectors.cell_get(domain=domain, tier=SkillTier.SKILLED, country="US")
    assert not whole.suppressed  # the whole cell is published as before


def test_a_verified_only_cell_is_published_once_the_rest_reaches_the_minimum():
    domain = domain_make()
    fill(domain, verified=6, unverified=5)
    engine.rebuild_all()
    assert not verified_cell(domain).suppressed
    assert verified_cell(domain).tails_suppressed  # the rest has fewer than 10: no p10 / p90 to difference either


def test_a_verified_only_cell_under_the_minimum_is_suppressed_as_any_cell():
    domain = domain_make()
    fill(domain, verified=4, unverified=20)
    engine.rebuild_all()
    cell = verified_cell(domain)
    assert cell.suppressed and cell.contributors_display == "fewer than 5"


def test_the_verified_share_is_rounded_to_ten_percent_and_shown_only_with_counts():
    domain = domain_make()
    fill(domain, verified=4, unverified=8)  # 33 %
    engine.rebuild_all()
    whole = selectors.cell_get(domain=domain, tier=SkillTier.SKILLED, country="US")
    assert whole.verified_share == 30
    row = BenchmarkCell.objects.get(cell_key=whole.key)
    assert row.verified == 4
    row.counts_withheld = True
    assert selectors.present(row).verified_share is None
    suppressed = domain_make()
    fill(suppressed, verified=2, unverified=1)
    engine.rebuild_all()
    assert selectors.cell_get(domain=suppressed, tier=SkillTier.SKILLED, country="US").verified_share is None


def test_a_platforms_cell_is_held_back_while_the_other_platforms_are_under_the_minimum(platforms):
    domain = domain_make()
    first, second, _third = platforms
    fill(domain, verified=0, unverified=7, platform=first)
    fill(domain, verified=0, unverified=2, platform=second, start=7)
    engine.rebuild_all()
    cell = selectors.cell_get(domain=domain, tier=SkillTier.SKILLED, segment=platform_segment(first.pk))
    assert cell.suppressed and cell.platform == first.slug and cell.segment_label == first.name
    fill(domain, verified=0, unverified=3, platform=second, start=9)
    engine.rebuild_all()
    cell = selectors.cell_get(domain=domain, tier=SkillTier.SKILLED, segment=platform_segment(first.pk))
    assert not cell.suppressed and cell.contributors == 5


def test_a_platform_alone_in_its_cell_is_published_like_its_cell(platforms):
    domain = domain_make()
    fill(domain, verified=2, unverified=5, platform=platforms[0])
    engine.rebuild_all()
    cells = segments.platform_cells(platforms[0], domain=domain)
    assert [(c.tier, c.suppressed) for c in cells] == [(ALL, False), (SkillTier.SKILLED, False)]
    assert cells[0].verified_share == 30


def test_only_platforms_with_a_published_cell_are_listed(platforms):
    domain = domain_make()
    first, second, third = platforms
    fill(domain, verified=0, unverified=6, platform=first)
    fill(domain, verified=0, unverified=6, platform=second, start=6)
    fill(domain, verified=0, unverified=2, platform=third, start=12)  # suppressed, and makes first's rest 8
    engine.rebuild_all()
    assert list(segments.platforms_published()) == sorted([first, second], key=lambda p: p.name)
    rows = segments.platform_rows(domain=domain, tier=SkillTier.SKILLED)
    assert [row.platform for row in rows] == [p.slug for p in sorted([first, second], key=lambda p: p.name)]


def test_existing_readers_still_get_the_cells_of_every_observation(platforms):
    domain = domain_make()
    fill(domain, verified=6, unverified=6, platform=platforms[0])
    engine.rebuild_all()
    assert {cell.segment for cell in selectors.cells_published(domain=domain)} == {""}
    assert {cell.segment for cell in selectors.cells_published(domain=domain, segment=VERIFIED)} == {VERIFIED}
    assert selectors.countries_published() == ["US"]
