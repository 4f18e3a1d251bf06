import time

import pytest
from django.core.cache.backends.redis import RedisCache

from portal.cache import ResilientRedisCache


@pytest.fixture
def dead_cache():
    ResilientRedisCache._down_until = 0.0
    cache = ResilientRedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.5}})
    yield cache
    ResilientRedisCache._down_until = 0.0


def test_a_stopped_redis_makes_reads_miss_and_writes_vanish_quickly(dead_cache):
    started = time.monotonic()
    assert dead_cache.get("k", "fallback") == "fallback"
    assert dead_cache.add("k", 1) is False
    dead_cache.set("k", 1)
    assert dead_cache.get_many(["a", "b"]) == {}
    assert time.monotonic() - started < 2


def test_a_working_cache_still_works(settings):
    """The same class against a reachable server behaves as Django's RedisCache does."""
    assert issubclass(ResilientRedisCache, RedisCache)
    import os

    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("needs REDIS_URL (CI sets it)")
    ResilientRedisCache._down_until = 0.0
    cache = ResilientRedisCache(url, {"KEY_PREFIX": "test-cache"})
    cache.set("answer", 42, 10)
    assert cache.get("answer") == 42
    cache.delete("answer")


def test_a_stopped_redis_makes_counters_read_zero(dead_cache):
    assert dead_cache.incr("n") == 0
    assert dead_cache.count("n", 60) == 0


def _live_cache():
    import os

    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("needs REDIS_URL (CI sets it)")
    ResilientRedisCache._down_until = 0.0
    return ResilientRedisCache(url, {"KEY_PREFIX": "test-cache"})


def test_counters_start_at_one_expire_and_count_up():
    cache = _live_cache()
    cache.delete("hits")
    assert [cache.count("hits", 30) for _ in range(3)] == [1, 2, 3]
    ttl = cache._cache.get_client(write=True).ttl(cache.make_and_validate_key("hits"))
    assert 0 < ttl <= 30  # created with its time to live, not extended by the later counts
    cache.delete("hits")


def test_one_redis_client_serves_every_call_of_a_pool():
    cache = _live_cache()
    assert cache._cache.get_client(write=True) is cache._cache.get_client(write=True)
    cache.set("answer", 42, 10)
    assert cache.get("answer") == 42
    cache.delete("answer")
