"""The identity, data export and account deletion pages, as a citizen uses them."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEntry, CitizenIdentity, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

IDENTITY = {
    "document_type": "CC",
    "document_number": "1.085.000.001",
    "birth_date": "1990-05-17",
    "municipality_code": "52001",
    "data_consent": "on",
}


def test_pages_of_my_account_need_a_login(client):
    for name in ["accounts:profile", "accounts:identity-edit", "accounts:data-export", "accounts:delete"]:
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("account_login"))


def test_a_citizen_records_their_identity(client_for, user):
    client = client_for(user)
    response = client.post(reverse("accounts:identity-edit"), IDENTITY)
    assert response.status_code == 302
    identity = CitizenIdentity.objects.get(user=user)
    assert identity.municipality_code == "52001"
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert "Pasto" in profile
    assert "1085000001" not in profile


def test_a_wrong_document_number_gets_a_clear_spanish_message(client_for, user):
    response = client_for(user).post(reverse("accounts:identity-edit"), {**IDENTITY, "document_number": "12AB"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "solo dígitos" in page
    assert "12AB" not in page  # the number typed is not echoed back
    assert not CitizenIdentity.objects.exists()


def test_a_duplicate_document_number_gets_a_clear_spanish_message(client_for, user):
    client_for(UserFactory()).post(reverse("accounts:identity-edit"), IDENTITY)
    response = client_for(user).post(reverse("accounts:identity-edit"), IDENTITY)
    assert response.status_code == 200
    assert "ya está registrado en otra cuenta" in response.content.decode()
    assert CitizenIdentity.objects.count() == 1


def test_a_minor_without_guardian_gets_a_clear_message_and_nothing_is_saved(client_for, user):
    response = client_for(user).post(
        reverse("accounts:identity-edit"), {**IDENTITY, "document_type": "TI", "birth_date": "2011-01-01"}
    )
    assert response.status_code == 200
    assert "autorización" in response.content.decode()
    assert not CitizenIdentity.objects.exists()


def test_an_unknown_municipality_code_is_refused(client_for, user):
    response = client_for(user).post(reverse("accounts:identity-edit"), {**IDENTITY, "municipality_code": "99999"})
    assert response.status_code == 200
    assert not CitizenIdentity.objects.exists()


def test_the_data_export_holds_my_data_and_no_document_number(client_for, user):
    client = client_for(user)
    client.post(reverse("accounts:identity-edit"), IDENTITY)
    response = client.get(reverse("accounts:data-export"))
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["account"]["email"] == user.email
    assert data["identity"]["municipality_code"] == "52001"
    assert "1085000001" not in response.content.decode()


def test_deleting_my_account_keeps_no_personal_data(client_for, user, password):
    client = client_for(user)
    client.post(reverse("accounts:identity-edit"), IDENTITY)
    refused = client.post(reverse("accounts:delete"), {"password": "not-my-password"})
    assert refused.status_code == 200
    assert User.objects.filter(pk=user.pk).exists()

    response = client.post(reverse("accounts:delete"), {"password": password})
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    assert not CitizenIdentity.objects.exists()
    assert not EmailAddress.objects.filter(email=user.email).exists()
    entry = AuditEntry.objects.get(action="accounts.account_deleted")
    assert entry.actor_id == user.pk
    assert user.email not in json.dumps(entry.data) + entry.subject


def test_forms_refuse_posts_without_a_csrf_token(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(reverse("accounts:identity-edit"), IDENTITY)
    assert response.status_code == 403
    assert not CitizenIdentity.objects.exists()
