"""Browser tests: Playwright driving the system's Chromium against a live server.

Every page opened through the ``page`` fixture is watched: a request to another
host or a Content-Security-Policy violation fails the test. ``assert_accessible``
runs axe-core and fails on serious or critical violations.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path
from unittest import mock

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory
from tests.nodes.factories import MembershipFactory
from tests.services import service_missing

# Playwright's sync API runs an event loop in the test thread; the live server's
# database work happens in its own thread, so Django's async guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Assertions wait as long as actions do (10 s, set on each context below). Playwright's
# own 5 s for ``expect`` ran out in CI on a page still loading after a form post, with
# the other worker, a Celery worker and Chromium on the same 2 cores.
expect.set_options(timeout=10_000)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        service_missing("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, but static files come through WhiteNoise from the
    collected, hashed files (as in production) instead of the development finders."""
    from pytest_django.live_server_helper import LiveServer

    with mock.patch("django.contrib.staticfiles.handlers.StaticFilesHandler", lambda app: app):
        server = LiveServer("127.0.0.1:0")
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def divipola(request):
    """Browser tests run in transactions that end by emptying every table, the DIVIPOLA
    list that migrations load included: put it back when it is missing."""
    if "live_server" not in request.fixturenames and "page" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    from nodes.models import Municipality
    from nodes.services import divipola_load

    if not Municipality.objects.exists():
        divipola_load()


@pytest.fixture
def page(browser, live_server):
    """A phone-sized page (360 × 740) in Spanish (Colombia)."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740}, locale="es-CO")
    context.set_default_timeout(10_000)
    problems: list[str] = []

    def on_request(request):
        if not request.url.startswith((live_server.url, "data:", "blob:")):
            problems.append(f"request to another host: {request.url}")

    def on_console(message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            problems.append(f"CSP: {message.text}")

    context.on("request", on_request)
    opened = context.new_page()
    opened.on("console", on_console)
    yield opened
    context.close()
    assert problems == []


_last_totp_window: dict[str, int] = {}


def totp_code(secret: str) -> str:
    """A code from the person's authenticator app, as a person would type it: never in the
    last 2 seconds of its 30-second window, and never the same window twice for one secret
    (allauth refuses a code that was already used)."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    period = 30
    while True:
        now = time.time()
        window = int(now // period)
        if now % period < period - 2 and _last_totp_window.get(secret) != window:
            _last_totp_window[secret] = window
            return format_hotp_value(hotp_value(secret, window))
        time.sleep(period - now % period + 0.2)


def submit(page) -> None:
    """Press the submit button of the page's own form (not the header's language or logout forms)."""
    page.locator("main form button[type=submit]").first.click()


def assert_accessible(page) -> None:
    """axe-core finds no serious or critical violation on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    severe = [
        f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes']][:3]}"
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    assert severe == [], f"{page.url}: {severe}"


# --- People signing in (shared by the journeys) ---------------------------------


def with_authenticator(**membership):
    """A person holding a role, with a TOTP authenticator already set up; returns (user, secret)."""
    person = UserFactory()
    if membership:
        MembershipFactory(user=person, **membership)
    secret = generate_totp_secret()
    TOTP.activate(person, secret)
    return person, secret


def sign_in(page, person, secret) -> None:
    """Through the login page, then allauth's second step with a code from the authenticator."""
    page.goto("/cuenta/login/")
    page.fill("input[name=login]", person.email)
    page.fill("input[name=password]", PASSWORD)
    submit(page)
    expect(page).to_have_url(re.compile(r"/cuenta/2fa/authenticate/"))
    assert_accessible(page)
    page.fill("input[name=code]", totp_code(secret))
    submit(page)
    expect(page).not_to_have_url(re.compile(r"/cuenta/(login|2fa/authenticate)/"))


def phone_page(browser, live_server):
    """A fresh browser context (another person's phone)."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740}, locale="es-CO")
    context.set_default_timeout(10_000)
    return context, context.new_page()
