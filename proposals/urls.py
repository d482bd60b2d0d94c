"""Public and citizen pages of proposals, under /propuestas/ (namespace ``proposals``)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "proposals"

urlpatterns: list[URLPattern] = []
