"""One throttle for every endpoint: per partner key, per logged-in user, or per anonymous IP address (the client's
address as ``portal.client_ip`` finds it, so a made-up ``X-Forwarded-For`` buys no fresh allowance).

Rates are the ``partner``, ``user`` and ``anon`` entries of ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``; a refused
request gets 429 with ``Retry-After``. DRF's throttle with one change: it counts a fixed window per client in the
cache (on Redis one ``SET NX`` + ``INCR`` round trip) instead of storing the time of every request in the window (at a
partner's rate, a list of 600 timestamps read and written back whole on each request). A client can burst up to twice
its rate across a window boundary. With the cache down the count reads 0 and requests pass (``portal.cache`` fails
open).
"""

import math
import threading
import time

from rest_framework.throttling import SimpleRateThrottle

from portal.client_ip import client_ip

from .authentication import request_partner

SYNC_SECONDS = 0.1
NEAR = 0.5  # from this share of the rate on, every request is added to the shared count at once


class Tally:
    """This process's view of the shared counters: the last total read from the cache plus what it has not yet
    added to it. Far from its limit, a client's requests are added in batches, at most every ``SYNC_SECONDS``; from
    ``NEAR`` of its rate on, one by one. So near the limit counting is exact but for what other processes have not
    yet added (at most a tenth of a second of the client's requests to each); what it buys: ``bench/README.md``."""

    def __init__(self):
        self._entries: dict[str, list] = {}  # key -> [pending, known total, synced at, window end]
        self._lock = threading.Lock()

    def count(self, key: str, limit: int, window_end: float, add) -> int:
        """Count one request with ``add(key, amount)`` (which returns the shared total); returns the client's count
        in the window as best known, this request included."""
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
        total = add(key, pending)
        with self._lock:
            entry[1] = max(entry[1], total)
            return entry[1] + entry[0]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _prune(self, now: float) -> None:
        for key in [key for key, entry in self._entries.items() if entry[3] < now]:
            del self._entries[key]


TALLY = Tally()


class PortalRateThrottle(SimpleRateThrottle):
    scope = "anon"
    window_end: float = 0.0

    def get_ident(self, request) -> str | None:
        return client_ip(request)

    def get_cache_key(self, request, view) -> str:
        partner = request_partner(request)
        if partner is not None:
            self.scope, ident = "partner", f"key:{request.auth.prefix}"
        elif request.user and request.user.is_authenticated:
            self.scope, ident = "user", f"user:{request.user.pk}"
        else:
            self.scope, ident = "anon", f"ip:{self.get_ident(request)}"
        return f"throttle:{self.scope}:{ident}"

    def allow_request(self, request, view) -> bool:
        key = self.get_cache_key(request, view)  # sets the scope, and so the rate
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        now = self.timer()
        window = int(now // self.duration)
        self.window_end = (window + 1) * self.duration
        timeout = math.ceil(self.window_end - now) + 1

        def add(counter: str, amount: int) -> int:
            return self._add(counter, amount, timeout=timeout)

        return TALLY.count(f"{key}:{window}", self.num_requests, self.window_end, add) <= self.num_requests

    def _add(self, key: str, amount: int, *, timeout: int) -> int:
        """Add to the window's shared counter; returns its total. One round trip on Redis (``portal.cache``)."""
        if hasattr(self.cache, "count"):
            return self.cache.count(key, timeout, amount)
        if self.cache.add(key, amount, timeout):
            return amount
        return self.cache.incr(key, amount)

    def wait(self) -> float:
        return max(1, math.ceil(self.window_end - self.timer()))
