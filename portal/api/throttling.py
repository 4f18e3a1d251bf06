"""One throttle for every endpoint: per partner key, per logged-in user, or per anonymous IP address (the client's
address as ``portal.client_ip`` finds it, so a made-up ``X-Forwarded-For`` buys no fresh allowance).

Rates are the ``partner``, ``user`` and ``anon`` entries of ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``. A refused
request gets 429 with ``Retry-After`` (DRF adds the header from ``wait()``).

Counting is a fixed window per client: one counter in the cache per client and window, not DRF's default list of
every request's timestamp, which is read, pruned and written back whole on each request. A client can burst up to
twice its rate across a window boundary; that is the usual price of O(1) counting. With the cache down the counter
reads 0 and requests pass (the cache fails open).

Each process adds its requests to the shared counter in batches (``Tally``): while a client is below half its rate,
at most every ``SYNC_SECONDS`` (0.1); from half its rate on, on every request. So far from the limit a request costs
no round trip to Redis (most requests of a busy API), and near it counting is exact but for the few requests other
processes have not yet added: at most what one client sends to each of them in a tenth of a second.
"""

import math
import threading
import time

from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

from portal.client_ip import client_ip

from .authentication import request_partner

SYNC_SECONDS = 0.1
NEAR = 0.5  # from this share of the rate on, every request is added at once


class Tally:
    """This process's view of the shared counters: the last total read from the cache plus what it has not yet
    added to it."""

    def __init__(self):
        self._entries: dict[str, list] = {}  # key -> [pending, known total, synced at, window end]
        self._lock = threading.Lock()

    def count(self, key: str, limit: int, window_end: float) -> int:
        """Count one request; returns the client's count in the window as best known, this request included."""
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                if len(self._entries) > 10_000:
                    self._prune(time.time())
                entry = self._entries[key] = [0, 0, -math.inf, window_end]
            entry[0] += 1
            if entry[1] + entry[0] < limit * NEAR and now - entry[2] < SYNC_SECONDS:
                return entry[1] + entry[0]
            pending, entry[0], entry[2] = entry[0], 0, now
        total = _add(key, pending, max(1, math.ceil(window_end - time.time())) + 1)
        with self._lock:
            entry[1] = max(entry[1], total)
            return entry[1] + entry[0]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _prune(self, now: float) -> None:
        for key in [key for key, entry in self._entries.items() if entry[3] < now]:
            del self._entries[key]


def _add(key: str, amount: int, timeout: int) -> int:
    """Add to a shared counter (new counters expire after ``timeout``); returns its total (0 with the cache down)."""
    if hasattr(cache, "hit"):  # Redis: one round trip
        return cache.hit(key, timeout, amount)
    if not cache.add(key, amount, timeout=timeout):
        return cache.incr(key, amount)
    return amount


TALLY = Tally()


class PortalRateThrottle(SimpleRateThrottle):
    scope = "anon"
    wait_seconds: float | None = None

    def _client(self, request) -> tuple[str, str]:
        partner = request_partner(request)
        if partner is not None:
            return "partner", f"key:{request.auth.prefix}"
        if request.user and request.user.is_authenticated:
            return "user", f"user:{request.user.pk}"
        return "anon", f"ip:{self.get_ident(request)}"

    def get_ident(self, request) -> str | None:
        return client_ip(request)

    def allow_request(self, request, view) -> bool:
        self.scope, ident = self._client(request)
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        if self.rate is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        window_end = (window + 1) * self.duration
        if TALLY.count(f"throttle:{self.scope}:{ident}:{window}", self.num_requests, window_end) > self.num_requests:
            self.wait_seconds = window_end - now
            return False
        return True

    def wait(self) -> float | None:
        return None if self.wait_seconds is None else max(1, math.ceil(self.wait_seconds))

    def get_cache_key(self, request, view) -> str:  # required by SimpleRateThrottle; counting is done above
        scope, ident = self._client(request)
        return f"throttle:{scope}:{ident}"
