"""The throttle's tally: far from a client's limit its requests reach the shared counter in batches, near it one by
one, so a limit is never passed by more than what other processes have not yet added."""

from portal.api.throttling import SYNC_SECONDS, Tally


class Shared:
    """The shared counter (Redis in production), counting its round trips."""

    def __init__(self):
        self.total, self.trips = 0, 0

    def add(self, key: str, amount: int) -> int:
        self.total += amount
        self.trips += 1
        return self.total


def test_far_from_the_limit_requests_are_added_in_batches(monkeypatch):
    shared, tally, clock = Shared(), Tally(), [100.0]
    monkeypatch.setattr("portal.api.throttling.time.monotonic", lambda: clock[0])
    counts = [tally.count("k", 1000, 1e12, shared.add) for _ in range(50)]
    assert counts == list(range(1, 51))  # each request counted, as this process knows it
    assert shared.trips == 1  # the first request synced; the next 49 wait for the tenth of a second
    clock[0] += 2 * SYNC_SECONDS
    assert tally.count("k", 1000, 1e12, shared.add) == 51
    assert (shared.trips, shared.total) == (2, 51)


def test_from_half_the_limit_on_every_request_is_added_at_once():
    shared, tally = Shared(), Tally()
    for _ in range(10):
        tally.count("k", 10, 1e12, shared.add)
    assert shared.total == 10  # at a limit of 10, nothing waits once 5 are counted
    assert tally.count("k", 10, 1e12, shared.add) == 11  # the 11th is over the limit


def test_other_processes_counts_are_seen_at_the_next_sync():
    shared, mine, theirs = Shared(), Tally(), Tally()
    for _ in range(6):  # near the limit (half of 10), another process adds each request at once
        theirs.count("k", 10, 1e12, shared.add)
    assert mine.count("k", 10, 1e12, shared.add) == 7  # this process's first request reads the shared total
