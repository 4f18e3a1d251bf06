"""The throttle's per-process tally: batched far below the limit, exact near it, shared by every process."""

import time

import pytest
from django.core.cache import cache

from portal.api import throttling
from portal.api.throttling import SYNC_SECONDS, Tally

KEY = "throttle:test"


@pytest.fixture
def clock(monkeypatch):
    """A monotonic clock the test moves by hand."""
    now = [1000.0]
    monkeypatch.setattr(throttling.time, "monotonic", lambda: now[0])
    return now


def _window_end() -> float:
    return time.time() + 60


def test_far_below_the_limit_counts_reach_the_cache_in_batches(clock):
    tally = Tally()
    assert [tally.count(KEY, 1000, _window_end()) for _ in range(5)] == [1, 2, 3, 4, 5]
    assert cache.get(KEY) == 1  # the first request was added at once, the next four wait for the batch
    clock[0] += SYNC_SECONDS
    assert tally.count(KEY, 1000, _window_end()) == 6
    assert cache.get(KEY) == 6


def test_near_the_limit_every_request_is_added_at_once(clock):
    tally = Tally()
    counts = [tally.count(KEY, 4, _window_end()) for _ in range(6)]
    assert counts == [1, 2, 3, 4, 5, 6]
    assert cache.get(KEY) == 6


def test_processes_share_the_count_near_the_limit(clock):
    """Two processes (two tallies) serving one client: together they refuse from the limit on."""
    first, second = Tally(), Tally()
    counts = [(first if n % 2 else second).count(KEY, 10, _window_end()) for n in range(14)]
    assert sum(count <= 10 for count in counts) == 10  # exactly the limit passes
    assert all(count > 10 for count in counts[10:])
    assert counts[-1] == cache.get(KEY) == 14


def test_the_overshoot_far_below_the_limit_is_bounded_by_one_batch(clock):
    """Below half the rate a process may not yet have added its last tenth of a second of requests."""
    first, second = Tally(), Tally()
    for _ in range(40):
        first.count(KEY, 100, _window_end())
    assert cache.get(KEY) == 1
    assert second.count(KEY, 100, _window_end()) == 2  # the other process does not yet see 39 of them
    clock[0] += SYNC_SECONDS
    first.count(KEY, 100, _window_end())
    assert second.count(KEY, 100, _window_end()) >= 42  # after one batch it does
