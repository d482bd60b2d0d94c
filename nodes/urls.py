"""Public pages of the network registry, under /red/ (namespace ``nodes``)."""

from django.urls import URLPattern, path

from nodes import views
from nodes.urls_activities import public_patterns as activity_patterns

app_name = "nodes"

urlpatterns: list[URLPattern] = [
    path("", views.network_home, name="network-home"),
    path("nodos/", views.node_list, name="node-list"),
    path("nodos/<slug:slug>/", views.node_detail, name="node-detail"),
    path("municipios/", views.municipality_list, name="municipality-list"),
    path("municipios/<str:code>/", views.municipality_detail, name="municipality-detail"),
    path("organizaciones/", views.organisation_list, name="organisation-list"),
    *activity_patterns,
]
