"""Per-person rate limits counted in the cache (Redis in production), as
allauth counts its own: a fixed window per person and action."""

from __future__ import annotations

import logging

from allauth.account.adapter import get_adapter
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest

logger = logging.getLogger(__name__)


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


def client_address(request: HttpRequest) -> str:
    """The client's address as allauth's login limits see it: behind trusted proxies
    (``ALLAUTH_TRUSTED_PROXY_COUNT``) the one the nearest proxy added to X-Forwarded-For,
    so that one client's spoofed entries to the left change nothing; else REMOTE_ADDR."""
    try:
        return str(get_adapter(request).get_client_ip(request))
    except (ImproperlyConfigured, PermissionDenied):
        # Fewer X-Forwarded-For entries than trusted proxies: a request that did not
        # come through them. Count it by its own address rather than fail.
        logger.warning("a request without the trusted proxies' X-Forwarded-For entries")
        return request.META.get("REMOTE_ADDR", "") or ""
