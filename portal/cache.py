"""A Redis cache that fails open: with Redis unreachable, reads miss and writes are dropped, quickly.

The cache only ever holds things that can be recomputed (throttle counters, task locks, rendered fragments), so a
stopped Redis must slow the portal down at most, never fail or hang a request.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError, OSError)
# After a failure, skip Redis for this long instead of paying a connection timeout on every call.
BACKOFF_SECONDS = 5.0


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client with one ``redis.Redis`` per connection pool, where Django builds a new one for every call
    (what that costs: ``bench/README.md``, "What each kept piece buys")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def count(self, key, timeout: int, amount: int = 1) -> int:
        """Add ``amount`` to the counter ``key``, created with ``timeout`` seconds to live; one round trip."""
        pipe = self.get_client(key, write=True).pipeline(transaction=False)
        pipe.set(key, 0, ex=timeout, nx=True)
        pipe.incrby(key, amount)
        return pipe.execute()[1]


class ResilientRedisCache(RedisCache):
    _down_until = 0.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def _call(self, method: str, default, *args, **kwargs):
        """``RedisCache.method(*args, **kwargs)``, or ``default`` if Redis is down."""
        return self._guarded(getattr(super(), method), default, *args, **kwargs)

    @staticmethod
    def _guarded(call, default, *args, **kwargs):
        if time.monotonic() < ResilientRedisCache._down_until:
            return default
        try:
            return call(*args, **kwargs)
        except REDIS_DOWN as error:
            ResilientRedisCache._down_until = time.monotonic() + BACKOFF_SECONDS
            logger.warning("cache unavailable, carrying on without it: %s", error)
            return default

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def set(self, *args, **kwargs):
        return self._call("set", None, *args, **kwargs)

    def add(self, *args, **kwargs):
        return self._call("add", False, *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", [], *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", False, *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", None, *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", False, *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", 0, *args, **kwargs)

    def count(self, key, timeout: int, amount: int = 1) -> int:
        """Add ``amount`` to the counter ``key`` (created with ``timeout`` seconds to live) and return it; 0 with
        Redis down."""
        return self._guarded(self._cache.count, 0, self.make_and_validate_key(key), timeout, amount)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", False, *args, **kwargs)

    def clear(self):
        return self._call("clear", None)
