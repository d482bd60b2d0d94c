"""Review, merging and paper proposals, under /gestion/propuestas/ (namespace ``proposals-manage``)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "proposals-manage"

urlpatterns: list[URLPattern] = []
