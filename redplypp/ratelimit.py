"""Per-person rate limits counted in the cache (Redis in production), as
allauth counts its own: a fixed window per person and action."""

from __future__ import annotations

from django.core.cache import cache


def take_slot(action: str, person_id: int | None, *, limit: int, window_seconds: int) -> bool:
    """Count one ``action`` of the person in the current window; False once over ``limit``."""
    key = f"ratelimit:{action}:{person_id}"
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count <= limit
