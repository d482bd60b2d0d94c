"""A person with a management role is made to set up two-factor authentication before managing anything."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, submit, totp_code
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_manager_is_forced_through_mfa_setup_then_reaches_management(page):
    staff = UserFactory(is_staff=True)
    page.goto("/cuenta/login/")
    assert_accessible(page)
    page.fill("input[name=login]", staff.email)
    page.fill("input[name=password]", PASSWORD)
    submit(page)

    page.goto("/gestion/")
    expect(page.locator(".messages")).to_contain_text("verificación en dos pasos")
    # allauth asks for the password once more before adding a second factor.
    expect(page).to_have_url(re.compile(r"/cuenta/reauthenticate/"))
    page.fill("input[name=password]", PASSWORD)
    submit(page)
    expect(page).to_have_url(re.compile(r"/cuenta/2fa/totp/activate/"))
    assert_accessible(page)

    secret = page.locator("#authenticator_secret").input_value()
    code = totp_code(secret)
    page.fill("input[name=code]", code)
    submit(page)
    expect(page).to_have_url(re.compile(r"/cuenta/2fa/"))  # recovery codes are shown next

    page.goto("/gestion/")
    expect(page.locator("main h1")).to_have_text("Gestión")
    page.goto("/admin/")
    expect(page.locator("body")).to_contain_text("Red PLyPP")
