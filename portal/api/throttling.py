"""One throttle for every endpoint: per partner key, per logged-in user, or per anonymous IP address.

Rates are the ``partner``, ``user`` and ``anon`` entries of ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``. A refused
request gets 429 with ``Retry-After`` (DRF adds the header from ``wait()``).

Counting is a fixed window per client (one atomic counter in the cache, ``incr``), not DRF's default list of every
request's timestamp, which is read, pruned and written back whole on each request: at 600 a minute that list is a
few kilobytes of pickle per request. A client can burst up to twice its rate across a window boundary; that is the
usual price of O(1) counting. With the cache down the counter reads 0 and requests pass (the cache fails open).
"""

import math

from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

from .authentication import request_partner


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

    def allow_request(self, request, view) -> bool:
        self.scope, ident = self._client(request)
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        if self.rate is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        key = f"throttle:{self.scope}:{ident}:{window}"
        try:
            count = cache.incr(key)  # one round trip on every request but a window's first
        except ValueError:  # no counter yet: this is the window's first request (or a racing one)
            count = 1 if cache.add(key, 1, timeout=self.duration + 1) else cache.incr(key)
        if count > self.num_requests:
            self.wait_seconds = (window + 1) * self.duration - now
            return False
        return True

    def wait(self) -> float | None:
        return None if self.wait_seconds is None else max(1, math.ceil(self.wait_seconds))

    def get_cache_key(self, request, view) -> str:  # required by SimpleRateThrottle; counting is done above
        scope, ident = self._client(request)
        return f"throttle:{scope}:{ident}"
