"""Emptying the cache between tests without touching another parallel worker's keys."""

from django.conf import settings
from django.core.cache import cache


def clear_cache() -> None:
    """Remove this worker's keys (its KEY_PREFIX, see tests/conftest.py); the whole
    cache when it is not shared (local memory)."""
    config = settings.CACHES["default"]
    if "redis" not in config["BACKEND"].lower():
        cache.clear()
        return
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    keys = list(client.scan_iter(match=f"{config.get('KEY_PREFIX', '')}:*", count=1000))
    if keys:
        client.delete(*keys)
