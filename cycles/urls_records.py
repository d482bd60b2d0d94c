"""Assemblies, delegates and development plans, under /gestion/registros/ (namespace ``cycles-records``)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "cycles-records"

urlpatterns: list[URLPattern] = []
