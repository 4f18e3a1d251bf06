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
    assert dead_cache.hit("n", 10) == 0
    assert dead_cache.advance("v", 5, 10) == 0


@pytest.fixture
def redis_cache():
    import os

    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("needs REDIS_URL (CI sets it)")
    ResilientRedisCache._down_until = 0.0
    cache = ResilientRedisCache(url, {"KEY_PREFIX": "test-cache"})
    cache.delete_many(["n", "v"])
    yield cache
    cache.delete_many(["n", "v"])


def test_hit_adds_in_one_call_and_a_new_counter_expires(redis_cache):
    assert redis_cache.hit("n", 30) == 1
    assert redis_cache.hit("n", 30, 5) == 6
    assert redis_cache.get("n") == 6
    client = redis_cache._cache.get_client(write=True)
    assert 0 < client.ttl(redis_cache.make_key("n")) <= 30


def test_advance_only_moves_forward(redis_cache):
    assert redis_cache.advance("v", 100, 30) == 100
    assert redis_cache.advance("v", 50, 30) == 101  # a lower floor still moves it on by one
    assert redis_cache.advance("v", 500, 30) == 500
    assert redis_cache.get("v") == 500
