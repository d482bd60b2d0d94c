"""Management pages and the admin: role required, and two-factor authentication before anything else."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_with_mfa(staff):
    TOTP.activate(staff, generate_totp_secret())
    return staff


@pytest.mark.parametrize("url_name", ["management-home", "admin:index"])
def test_anonymous_people_are_sent_to_the_platform_login(client, url_name):
    response = client.get(reverse(url_name), follow=True)
    final_url, status = response.redirect_chain[-1]
    assert status == 302
    assert final_url.startswith(reverse("account_login"))


@pytest.mark.parametrize("url_name", ["management-home", "admin:index"])
def test_people_without_a_management_role_are_refused(client_for, user, url_name):
    response = client_for(user).get(reverse(url_name), follow=True)
    assert response.status_code == 403
    assert "rol" in response.content.decode()  # the page explains, in Spanish


@pytest.mark.parametrize("url_name", ["management-home", "admin:index"])
def test_a_management_role_without_mfa_is_sent_to_set_it_up(client_for, staff, url_name):
    response = client_for(staff).get(reverse(url_name), follow=True)
    # allauth may ask for the password again first; its "next" is the set-up page.
    visited = " ".join(url for url, _status in response.redirect_chain)
    assert "/2fa/totp/activate/" in visited.replace("%2F", "/")


@pytest.mark.parametrize("url_name", ["management-home", "admin:index"])
def test_a_management_role_with_mfa_gets_in(client_for, staff_with_mfa, url_name):
    assert client_for(staff_with_mfa).get(reverse(url_name)).status_code == 200


def test_the_admin_never_shows_its_own_password_form(client):
    # Its form would sign people in without the second factor.
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_admin_shows_the_audit_log_read_only(client_for, staff_with_mfa):
    staff_with_mfa.is_superuser = True
    staff_with_mfa.save()
    client = client_for(staff_with_mfa)
    assert client.get(reverse("admin:accounts_auditentry_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_auditentry_add")).status_code == 403
