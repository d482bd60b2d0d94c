"""Comments, flags and following, under /propuestas/conversacion/ (namespace ``proposals-talk``)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "proposals-talk"

urlpatterns: list[URLPattern] = []
