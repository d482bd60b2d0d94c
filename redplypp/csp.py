"""django-csp's middleware, with the site-wide policy written once per process.

django-csp builds both headers (the policy and the report-only one) from the settings
on every response, about a fifth of a millisecond, which is a twentieth of a cast's
CPU. Without a nonce, a per-view decorator or an excluded prefix the two headers are
the same on every response, so they are built once and rebuilt when a test changes
the settings; anything else goes through django-csp unchanged.
"""

from __future__ import annotations

from functools import cache

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase

# What django-csp's decorators leave on a response for its middleware.
_PER_RESPONSE = tuple(
    f"_csp_{what}{suffix}" for what in ("config", "update", "replace", "exempt") for suffix in ("", "_ro")
)
_SETTINGS = {"CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY"}  # DEBUG is read per response


@cache
def _site_policy() -> tuple[str, str] | None:
    """The two headers for a response nothing special happens to, or None when the
    settings exclude URL prefixes (then every response goes through django-csp)."""
    for name in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY"):
        if (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES"):
            return None
    return build_policy(), build_policy(report_only=True)


@receiver(setting_changed)
def _forget_site_policy(*, setting: str, **_: object) -> None:
    if setting in _SETTINGS:
        _site_policy.cache_clear()


class CSPMiddleware(DjangoCSPMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        policy = _site_policy()
        special = (
            policy is None
            or settings.DEBUG  # django-csp leaves debug error pages alone
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in _PER_RESPONSE)
        )
        if special:
            return super().process_response(request, response)
        enforced, report_only = policy  # type: ignore[misc]
        if enforced and HEADER not in response:
            response[HEADER] = enforced
        if report_only and HEADER_REPORT_ONLY not in response:
            response[HEADER_REPORT_ONLY] = report_only
        # As django-csp: asking for a nonce after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
