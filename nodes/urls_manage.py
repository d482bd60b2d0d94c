"""Management pages of the network registry, under /gestion/red/ (namespace ``network-manage``)."""

from django.urls import URLPattern

from nodes.urls_activities import manage_patterns as activity_patterns

app_name = "network-manage"

urlpatterns: list[URLPattern] = [
    *activity_patterns,
]
