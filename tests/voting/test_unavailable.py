"""While the database is away people get 503 with Retry-After, never a 500: from a
view (the middleware), from outside a view (handler500), as a page or as JSON."""

from __future__ import annotations

import json

import pytest
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path, reverse

from redplypp.unavailable import RETRY_AFTER_SECONDS
from tests.voting.factories import on_ballot, submission, voter_in, voting_cycle

pytestmark = pytest.mark.django_db


def database_gone(request: HttpRequest) -> HttpResponse:
    raise OperationalError("server closed the connection unexpectedly")


def connection_unusable(request: HttpRequest) -> HttpResponse:
    raise InterfaceError("connection already closed")


def plain_bug(request: HttpRequest) -> HttpResponse:
    raise ValueError("a bug, not the database")


def fine(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


class DatabaseGoneOnTheWayOut:
    """Like a session saved after the view: the database fails outside any view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/after-the-view/"):
            raise OperationalError("terminating connection due to administrator command")
        return response


urlpatterns = [
    path("database-gone/", database_gone),
    path("connection-unusable/", connection_unusable),
    path("plain-bug/", plain_bug),
    path("after-the-view/", fine),
]
handler500 = "redplypp.unavailable.server_error"


def assert_unavailable(response, *, as_json: bool) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "no-store" in response["Cache-Control"]
    if as_json:
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["error"] == "unavailable"
    else:
        assert response["Content-Type"].startswith("text/html")
        assert b"One moment, please" in response.content


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("url", ["/database-gone/", "/connection-unusable/"])
def test_a_view_losing_the_database_gives_a_503_page_with_retry_after(client, url):
    assert_unavailable(client.get(url), as_json=False)


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("url", ["/database-gone/", "/connection-unusable/"])
def test_a_json_client_gets_a_503_json_with_retry_after(client, url):
    assert_unavailable(client.get(url, HTTP_ACCEPT="application/json"), as_json=True)
    assert_unavailable(client.post(url, data="{}", content_type="application/json"), as_json=True)


@pytest.mark.urls(__name__)
def test_losing_the_database_outside_a_view_goes_through_handler500_to_a_503(client, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.DatabaseGoneOnTheWayOut"]
    assert_unavailable(client.get("/after-the-view/"), as_json=False)
    assert_unavailable(client.get("/after-the-view/", HTTP_ACCEPT="application/json"), as_json=True)


@pytest.mark.urls(__name__)
def test_any_other_error_is_still_a_500(client):
    response = client.get("/plain-bug/")
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_casting_while_the_database_is_away_gives_503_json_not_500(client, monkeypatch):
    cycle = voting_cycle()
    person = voter_in(cycle)
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    a, *_ = on_ballot(cycle)

    def gone(**kwargs):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr("voting.api.ballot_cast", gone)
    response = client.post(
        reverse("voting-api:cast", kwargs={"cycle_pk": cycle.pk}),
        data=json.dumps({"submission_id": submission(), "choices": [{"proposal": a.pk}]}),
        content_type="application/json",
    )

    assert_unavailable(response, as_json=True)
