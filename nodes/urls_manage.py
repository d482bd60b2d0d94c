"""Management pages of the network registry, under /gestion/red/ (namespace ``network-manage``)."""

from django.urls import URLPattern, path

from nodes import views_manage as views
from nodes.urls_activities import manage_patterns as activity_patterns

app_name = "network-manage"

urlpatterns: list[URLPattern] = [
    path("", views.dashboard, name="dashboard"),
    # Nodes and their municipalities.
    path("nodos/nuevo/", views.node_create, name="node-create"),
    path("nodos/<slug:slug>/editar/", views.node_edit, name="node-edit"),
    path("nodos/<slug:slug>/municipios/", views.node_municipalities, name="node-municipalities"),
    path("nodos/<slug:slug>/municipios/agregar/", views.node_municipality_add, name="node-municipality-add"),
    path(
        "nodos/<slug:slug>/municipios/<str:code>/quitar/",
        views.node_municipality_remove,
        name="node-municipality-remove",
    ),
    # Organisations.
    path("organizaciones/", views.organisation_list, name="organisation-list"),
    path("organizaciones/nueva/", views.organisation_create, name="organisation-create"),
    path("organizaciones/<int:pk>/editar/", views.organisation_edit, name="organisation-edit"),
    # Municipalities and their territories.
    path("municipios/<str:code>/editar/", views.municipality_edit, name="municipality-edit"),
    path("municipios/<str:code>/territorios/", views.territory_list, name="territory-list"),
    path("municipios/<str:code>/territorios/nuevo/", views.territory_create, name="territory-create"),
    path("municipios/<str:code>/territorios/importar/", views.territory_import, name="territory-import"),
    path("territorios/<int:pk>/editar/", views.territory_edit, name="territory-edit"),
    path("territorios/<int:pk>/mover/", views.territory_move, name="territory-move"),
    path("territorios/<int:pk>/eliminar/", views.territory_delete, name="territory-delete"),
    # Team: who holds which role where.
    path("equipo/", views.membership_list_view, name="membership-list"),
    path("equipo/asignar/", views.membership_grant, name="membership-grant"),
    path("equipo/<int:pk>/retirar/", views.membership_revoke, name="membership-revoke"),
    *activity_patterns,
]
