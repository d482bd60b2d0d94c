"""Configuring and running cycles, under /gestion/ciclos/ (namespace ``cycles-manage``)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "cycles-manage"

urlpatterns: list[URLPattern] = []
