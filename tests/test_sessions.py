"""The session store (redplypp.sessions): Django's database sessions, read with one statement."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from redplypp.sessions import SessionStore

pytestmark = pytest.mark.django_db


def saved_session(**data: object) -> str:
    store = SessionStore()
    store.update(data)
    store.save()
    assert store.session_key
    return store.session_key


def test_the_platform_uses_this_store():
    assert settings.SESSION_ENGINE == "redplypp.sessions"


def test_load_reads_what_was_saved_in_one_query(django_assert_num_queries):
    key = saved_session(colour="verde", count=3)
    with django_assert_num_queries(1):
        store = SessionStore(key)
        assert store["colour"] == "verde"
        assert store["count"] == 3
    assert store.session_key == key


def test_an_expired_session_reads_empty_and_gets_no_key():
    key = saved_session(colour="verde")
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    store = SessionStore(key)
    assert store.load() == {}
    assert store.session_key is None


def test_an_unknown_session_reads_empty_and_saving_it_makes_a_new_key():
    store = SessionStore("x" * 32)
    assert "colour" not in store
    store["colour"] = "azul"
    store.save()
    assert store.session_key != "x" * 32
    assert SessionStore(store.session_key)["colour"] == "azul"


def test_a_tampered_session_reads_empty():
    key = saved_session(colour="verde")
    Session.objects.filter(pk=key).update(session_data="not-a-signed-value")
    assert SessionStore(key).load() == {}


def test_signing_in_and_out_through_the_store(client, user, password):
    response = client.post("/cuenta/login/", {"login": user.email, "password": password})
    assert response.status_code == 302
    assert client.get("/mi-cuenta/").wsgi_request.user == user
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(pk=key).exists()
    client.post("/cuenta/logout/")
    assert not Session.objects.filter(pk=key).exists()
    assert not client.get("/mi-cuenta/").wsgi_request.user.is_authenticated
