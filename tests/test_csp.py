"""The CSP header built once per process is the one django-csp would write, and every
response django-csp treats specially still goes through it."""

from __future__ import annotations

import pytest
from csp.constants import NONCE
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from redplypp.csp import CSPMiddleware

POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "img-src": ["'self'", "data:"]}}


def answer(middleware_class, response_for=HttpResponse, use_nonce=False):
    request = RequestFactory().get("/")

    def view(request):
        response = response_for()
        if use_nonce:
            response.content = str(request.csp_nonce).encode()
        return response

    middleware = middleware_class(view)
    return middleware(request)


def directives(header):
    """A header as a set of directives (django-csp writes them in a set's order)."""
    return None if header is None else frozenset(part.strip() for part in header.split(";"))


def headers(response):
    return (
        directives(response.get("Content-Security-Policy")),
        directives(response.get("Content-Security-Policy-Report-Only")),
    )


def test_a_plain_response_gets_what_django_csp_writes():
    ours = answer(CSPMiddleware)
    assert headers(ours) == headers(answer(DjangoCSPMiddleware))
    assert "script-src 'self'" in ours["Content-Security-Policy"]


def test_a_settings_change_is_seen():
    answer(CSPMiddleware)  # builds and keeps the site's policy
    with override_settings(CONTENT_SECURITY_POLICY=POLICY, CONTENT_SECURITY_POLICY_REPORT_ONLY=POLICY):
        changed = answer(CSPMiddleware)
        assert headers(changed) == (frozenset({"default-src 'self'", "img-src 'self' data:"}),) * 2
    assert "script-src 'self'" in answer(CSPMiddleware)["Content-Security-Policy"]


def with_attribute(name, value):
    def make():
        response = HttpResponse()
        setattr(response, name, value)
        return response

    return make


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("_csp_update", {"img-src": ["https://tiles.example"]}),
        ("_csp_replace", {"script-src": ["'none'"]}),
        ("_csp_exempt", True),
        ("_csp_config", {"default-src": ["'none'"]}),
    ],
)
def test_a_view_decorated_by_django_csp_is_left_to_it(name, value):
    ours = answer(CSPMiddleware, with_attribute(name, value))
    assert headers(ours) == headers(answer(DjangoCSPMiddleware, with_attribute(name, value)))
    assert headers(ours) != headers(answer(CSPMiddleware))


@override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"script-src": ["'self'", NONCE]}})
def test_a_page_that_used_a_nonce_gets_it_in_its_header():
    response = answer(CSPMiddleware, use_nonce=True)
    nonce = response.content.decode()
    assert nonce and f"'nonce-{nonce}'" in response["Content-Security-Policy"]


def test_a_header_set_by_the_view_is_kept():
    def sandboxed():
        response = HttpResponse()
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response

    assert answer(CSPMiddleware, sandboxed)["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_excluded_prefixes_go_through_django_csp():
    with override_settings(CONTENT_SECURITY_POLICY={**POLICY, "EXCLUDE_URL_PREFIXES": ["/"]}):
        assert answer(CSPMiddleware).get("Content-Security-Policy") is None
