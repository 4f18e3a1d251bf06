import pytest


@pytest.fixture(autouse=True)
def _media_and_cache(settings):
    """Each test starts with an empty cache, so throttles and locks from another test do not leak in."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
