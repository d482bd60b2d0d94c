"""Public pages of budget cycles, under /ciclos/ (namespace ``cycles``)."""

from django.urls import URLPattern, path

from cycles import views

app_name = "cycles"

urlpatterns: list[URLPattern] = [
    path("", views.cycle_list, name="cycle-list"),
    path("<int:pk>/", views.cycle_detail, name="cycle-detail"),
    path("<int:pk>/asambleas/<int:assembly_pk>/", views.assembly_detail, name="assembly-detail"),
    path("<int:pk>/asambleas/<int:assembly_pk>/acta/", views.assembly_scan, name="assembly-scan"),
]
