"""The cells' version: moves forward on every publishing commit, never back; read from the cache, else the table."""

import pytest
from django.core.cache import cache

from benchmarks import engine, freshness

from .factories import domain_make, observation_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def market_cells():
    domain = domain_make()
    for n in range(6):
        observation_make(domain=domain, contributor=f"c{n}", hourly_usd=20 + n)
    engine.rebuild_all()


def test_no_cells_no_version():
    assert freshness.cells_version() is None


def test_a_publishing_commit_advances_the_version(market_cells, django_capture_on_commit_callbacks):
    before = freshness.cells_version()
    assert before is not None
    with django_capture_on_commit_callbacks(execute=True):
        engine.rebuild_all()
    assert freshness.cells_version() > before


def test_the_version_never_moves_back():
    cache.set(freshness.KEY, 10**18)  # a version from a clock ahead of this one
    freshness.cells_version_advance()
    assert cache.get(freshness.KEY) == 10**18 + 1


def test_a_reader_falling_back_to_the_table_does_not_overwrite_a_newer_version(market_cells):
    cache.set(freshness.KEY, 10**18)
    assert freshness.cells_version() == 10**18


def test_a_reader_whose_cache_lost_the_version_starts_it_again_from_the_table(market_cells):
    cache.delete(freshness.KEY)
    version = freshness.cells_version()
    assert version is not None
    assert cache.get(freshness.KEY) == version
