"""The voting JSON API (docs/api-voting.md), mounted at /votar/api/."""

from django.urls import URLPattern, URLResolver, path

from voting import api

app_name = "voting-api"

urlpatterns: list[URLPattern | URLResolver] = [
    path("ciclos/<int:cycle_pk>/papeleta/", api.ballot, name="ballot"),
    path("ciclos/<int:cycle_pk>/votos/", api.cast, name="cast"),
]
