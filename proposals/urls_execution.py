"""Execution follow-up of funded projects, under /ejecucion/ (namespace ``execution``)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "execution"

urlpatterns: list[URLPattern] = []
