"""A new person signs up, verifies the e-mail, fills the identity profile, downloads and deletes their data."""

import json
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import CitizenIdentity, User
from tests.dbsearch import columns_containing
from tests.e2e.conftest import assert_accessible, submit
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "laura.gomez@ejemplo.co"
PASSWORD = "Presupuesto-Participativo-2026"
NUMBER = "1085123456"


def test_a_citizen_signs_up_verifies_fills_identity_downloads_and_deletes(page, live_server, tmp_path):
    from allauth.account.models import EmailAddress

    page.goto("/")
    assert_accessible(page)
    page.get_by_role("link", name="Crear una cuenta").first.click()
    assert_accessible(page)
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    submit(page)
    expect(page.locator("main")).to_contain_text("correo")  # "Verifica tu correo electrónico"

    # Mandatory verification: the link arrives by e-mail.
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    submit(page)
    if "/login/" in page.url:
        page.fill("input[name=login]", EMAIL)
        page.fill("input[name=password]", PASSWORD)
        submit(page)
    assert EmailAddress.objects.get(email=EMAIL).verified
    page.goto("/mi-cuenta/")
    assert_accessible(page)

    page.get_by_role("link", name="Completar mis datos de identidad").click()
    assert_accessible(page)

    def fill_identity(number: str) -> None:
        page.select_option("select[name=document_type]", "CC")
        page.fill("input[name=document_number]", number)
        page.fill("input[name=birth_date]", "1994-08-21")
        page.select_option("select[name=municipality_code]", "52001")
        page.check("input[name=data_consent]")
        submit(page)

    # A wrong number: a clear message in Spanish, nothing saved, the number not echoed back.
    fill_identity("10851234AB")
    expect(page.locator("#field-document_number")).to_contain_text("solo dígitos")
    expect(page.locator("input[name=document_number]")).to_have_value("")
    assert_accessible(page)

    # A number someone else registered already.
    other = UserFactory()
    CitizenIdentity.objects.create(
        user=other,
        document_type="CC",
        document_hash=_hash("CC", "79000111"),
        birth_date="1970-01-01",
        municipality_code="05001",
        data_consent_at="2026-01-01T00:00:00Z",
    )
    fill_identity("79.000.111")
    expect(page.locator("#field-document_number")).to_contain_text("ya está registrado en otra cuenta")

    fill_identity(NUMBER)
    expect(page.locator(".alert-success")).to_contain_text("Se guardaron tus datos de identidad")
    expect(page.locator("main")).to_contain_text("Pasto")
    assert columns_containing(NUMBER) == []

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Descargar mis datos (JSON)").click()
    exported = json.loads(download_info.value.path().read_text(encoding="utf-8"))
    assert exported["account"]["email"] == EMAIL
    assert exported["identity"]["municipality_code"] == "52001"
    assert NUMBER not in json.dumps(exported)

    page.get_by_role("link", name="Eliminar mi cuenta").click()
    assert_accessible(page)
    page.fill("input[name=password]", PASSWORD)
    submit(page)
    expect(page.locator(".alert-success")).to_contain_text("Se eliminaron tu cuenta")
    assert not User.objects.filter(email=EMAIL).exists()
    assert columns_containing(EMAIL) == []


def _hash(kind: str, number: str) -> str:
    from django.conf import settings

    from accounts.identity import document_hash

    return document_hash(kind, number, key=settings.IDENTITY_HASH_KEY)


def test_pages_work_in_english(page):
    page.goto("/")
    page.get_by_role("button", name="Abrir el menú").click()  # a phone: the menu is collapsed
    page.select_option("#language-select", "en")
    page.get_by_role("button", name="Cambiar").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_contain_text("Decide together")
    assert_accessible(page)
