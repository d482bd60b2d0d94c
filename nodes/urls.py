"""Public pages of the network registry, under /red/ (namespace ``nodes``)."""

from django.urls import URLPattern

from nodes.urls_activities import public_patterns as activity_patterns

app_name = "nodes"

urlpatterns: list[URLPattern] = [
    *activity_patterns,
]
