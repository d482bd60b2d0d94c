"""The receipt check counts checks per client address; behind proxies, the address the
nearest trusted proxy appended to X-Forwarded-For (as allauth's login limits do)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.cache import clear_cache
from voting.views import RECEIPT_CHECKS_PER_MINUTE

pytestmark = pytest.mark.django_db

CODE = {"code": "AAAA-BBBB-CCCC-DDDD-EEEE"}


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    clear_cache()
    yield
    clear_cache()


def check(client, **headers):
    return client.post(reverse("voting:receipt-check"), CODE, REMOTE_ADDR="10.0.0.1", **headers).status_code


def test_behind_a_proxy_each_client_has_its_own_count(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for _ in range(RECEIPT_CHECKS_PER_MINUTE):
        assert check(client, HTTP_X_FORWARDED_FOR="181.50.1.1") == 404
    assert check(client, HTTP_X_FORWARDED_FOR="181.50.1.1") == 429
    # Another phone behind the same proxy is not held back by the first one.
    assert check(client, HTTP_X_FORWARDED_FOR="181.50.2.2") == 404


def test_spoofed_entries_before_the_proxys_do_not_reset_the_count(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for n in range(RECEIPT_CHECKS_PER_MINUTE):
        assert check(client, HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 181.50.1.1") == 404
    assert check(client, HTTP_X_FORWARDED_FOR="9.9.9.9, 181.50.1.1") == 429


def test_without_trusted_proxies_the_header_is_ignored(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    for n in range(RECEIPT_CHECKS_PER_MINUTE):
        assert check(client, HTTP_X_FORWARDED_FOR=f"181.50.1.{n}") == 404
    assert check(client, HTTP_X_FORWARDED_FOR="181.50.9.9") == 429


def test_a_request_that_skipped_the_proxy_is_counted_by_its_own_address(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    for _ in range(RECEIPT_CHECKS_PER_MINUTE):
        assert check(client, HTTP_X_FORWARDED_FOR="181.50.1.1") == 404
    assert check(client) == 429
