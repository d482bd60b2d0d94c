"""Assemblies, delegates and development plans, under /gestion/registros/ (namespace ``cycles-records``)."""

from django.urls import URLPattern, path

from cycles import views_records as views

app_name = "cycles-records"

urlpatterns: list[URLPattern] = [
    path("ciclos/<int:cycle_pk>/asambleas/", views.assembly_list, name="assembly-list"),
    path("ciclos/<int:cycle_pk>/asambleas/nueva/", views.assembly_create, name="assembly-create"),
    path("asambleas/<int:pk>/", views.assembly_edit, name="assembly-edit"),
    path("asambleas/<int:pk>/decisiones/", views.assembly_decisions, name="assembly-decisions"),
    path("asambleas/<int:pk>/acta/", views.assembly_scan, name="assembly-scan"),
    path("ciclos/<int:cycle_pk>/delegados/", views.delegate_list, name="delegate-list"),
    path("delegados/<int:pk>/quitar/", views.delegate_remove, name="delegate-remove"),
    path("planes/<str:code>/", views.plan_list, name="plan-list"),
    path("planes/detalle/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("planes/detalle/<int:pk>/importar/", views.plan_import, name="plan-import"),
]
