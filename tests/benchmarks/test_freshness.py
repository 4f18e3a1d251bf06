"""The cells' version: moves forward on every publishing commit, never back; read from the cache, then the table."""

import pytest
from django.core.cache import cache

from benchmarks import engine, freshness
from portal.api.answers import AnswerCache

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
    freshness.forget_local_version()
    assert freshness.cells_version() == 10**18


def test_each_thread_keeps_its_version_a_tenth_of_a_second(market_cells, monkeypatch):
    now = [100.0]
    monkeypatch.setattr(freshness.time, "monotonic", lambda: now[0])
    first = freshness.cells_version()
    cache.set(freshness.KEY, first + 1)  # another process advanced it
    assert freshness.cells_version() == first
    now[0] += freshness.LOCAL_SECONDS + 0.001
    assert freshness.cells_version() == first + 1


def test_kept_answers_are_bounded_in_bytes():
    answers = AnswerCache("test:", max_bytes=800, seconds=60)
    for n in range(20):
        answers.set(f"e{n}", ("application/json", b"x" * 100))
    assert sum(len(answer[1]) for answer in answers._local.values()) <= 800
    assert "e19" in answers._local and "e0" not in answers._local
    assert answers.get("e0") == ("application/json", b"x" * 100)  # still in the shared cache
    answers.set("big", ("text/csv", b"x" * 200))  # more than an eighth of the budget: shared cache only
    assert "big" not in answers._local and answers.get("big")
