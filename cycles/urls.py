"""Public pages of budget cycles, under /ciclos/ (namespace ``cycles``)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "cycles"

urlpatterns: list[URLPattern] = []
