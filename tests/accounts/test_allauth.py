"""Sign-up and login as allauth is configured here: mandatory verification, no account enumeration, rate limits."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_sign_up_sends_a_verification_email_and_does_not_sign_in(client):
    response = client.post(
        reverse("account_signup"), {"email": "nueva@ejemplo.co", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    assert User.objects.filter(email="nueva@ejemplo.co").exists()
    assert len(mail.outbox) == 1
    assert "/confirm-email/" in mail.outbox[0].body
    assert "_auth_user_id" not in client.session


def test_an_unverified_address_cannot_sign_in(client):
    client.post(reverse("account_signup"), {"email": "nueva@ejemplo.co", "password1": PASSWORD, "password2": PASSWORD})
    client.logout()
    response = client.post(reverse("account_login"), {"login": "nueva@ejemplo.co", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_password_reset_does_not_reveal_whether_an_account_exists(client):
    UserFactory(email="existe@ejemplo.co")
    known = client.post(reverse("account_reset_password"), {"email": "existe@ejemplo.co"})
    unknown = client.post(reverse("account_reset_password"), {"email": "no-existe@ejemplo.co"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])


def test_signing_up_with_a_taken_address_looks_the_same_as_a_new_one(client):
    UserFactory(email="existe@ejemplo.co")
    taken = client.post(
        reverse("account_signup"), {"email": "existe@ejemplo.co", "password1": PASSWORD, "password2": PASSWORD}
    )
    new = client.post(
        reverse("account_signup"), {"email": "otra@ejemplo.co", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert (taken.status_code, taken["Location"]) == (new.status_code, new["Location"])
    assert User.objects.filter(email="existe@ejemplo.co").count() == 1


def test_repeated_failed_logins_are_throttled(client):
    person = UserFactory()
    for _attempt in range(5):
        client.post(reverse("account_login"), {"login": person.email, "password": "wrong-password-123"})
    response = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    # Even the right password is refused while the key is throttled.
    assert "_auth_user_id" not in client.session
    assert response.status_code in {200, 429}
