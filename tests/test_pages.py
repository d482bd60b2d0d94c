"""Public pages: they answer, in Spanish by default, with the security headers, and load nothing from elsewhere."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

PUBLIC = ["home", "privacy", "account_login", "account_signup", "account_reset_password"]
EXTERNAL = re.compile(r"""(?:src|href|action)=["'](?:https?:)?//(?!127\.0\.0\.1|localhost|testserver)""")


@pytest.mark.parametrize("name", PUBLIC)
def test_public_pages_answer_in_spanish_and_load_nothing_from_another_host(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="es-co">' in html
    assert not EXTERNAL.search(html), EXTERNAL.search(html)


def test_pages_answer_in_english_under_en(client):
    with translation.override("en"):
        url = reverse("home")
    assert url == "/en/"
    html = client.get(url).content.decode()
    assert '<html lang="en">' in html
    assert "Create an account" in html


def test_security_headers_are_sent(client):
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_no_page_has_inline_scripts(client):
    html = client.get(reverse("home")).content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts, "the page loads its scripts"
    assert all("src=" in attrs and not body.strip() for attrs, body in scripts)


def test_an_unknown_page_gets_the_platform_404(client):
    response = client.get("/no-existe/")
    assert response.status_code == 404
    assert "Página no encontrada" in response.content.decode()


def test_money_is_shown_in_colombian_pesos():
    from django.template import Context, Template

    with translation.override("es-co"):
        assert Template("{% load money %}{{ 1250000|pesos }}").render(Context()) == "$ 1.250.000"
