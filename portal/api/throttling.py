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

from rest_framework.throttling import SimpleRateThrottle

from portal.client_ip import client_ip

from .authentication import request_partner


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
        return self._count(f"{key}:{window}", timeout=math.ceil(self.window_end - now) + 1) <= self.num_requests

    def _count(self, key: str, *, timeout: int) -> int:
        """Add one to the window's counter; returns its total. One round trip on Redis (``portal.cache``)."""
        if hasattr(self.cache, "count"):
            return self.cache.count(key, timeout)
        try:
            return self.cache.incr(key)
        except ValueError:  # the first request of the window
            if self.cache.add(key, 1, timeout):
                return 1
            return self.cache.incr(key)

    def wait(self) -> float:
        return max(1, math.ceil(self.window_end - self.timer()))
