"""Configuring and running cycles, under /gestion/ciclos/ (namespace ``cycles-manage``)."""

from django.urls import URLPattern, path

from cycles import views_manage as views
from cycles import views_phases

app_name = "cycles-manage"

urlpatterns: list[URLPattern] = [
    path("", views.cycle_list, name="cycle-list"),
    path("nuevo/", views.cycle_create, name="cycle-create"),
    # The wizard: 1 basics, 2 territories and envelopes, 3 phases, 4 voting, 5 review and publish.
    path("<int:pk>/datos/", views.cycle_basics, name="cycle-basics"),
    path("<int:pk>/territorios/", views.cycle_territories, name="cycle-territories"),
    path("<int:pk>/fases/", views_phases.cycle_phases, name="cycle-phases"),
    path("<int:pk>/fases/<int:phase_pk>/", views_phases.phase_edit, name="phase-edit"),
    path("<int:pk>/fases/<int:phase_pk>/borrar/", views_phases.phase_delete, name="phase-delete"),
    path("<int:pk>/votacion/", views.cycle_voting, name="cycle-voting"),
    path("<int:pk>/revisar/", views.cycle_review, name="cycle-review"),
    path("<int:pk>/publicar/", views.cycle_publish, name="cycle-publish"),
    # Running it: irreversible steps by hand, and copying for next year.
    path("<int:pk>/pasos/", views.cycle_steps, name="cycle-steps"),
    path("<int:pk>/pasos/<str:step>/", views.cycle_step, name="cycle-step"),
    path("<int:pk>/copiar/", views.cycle_clone, name="cycle-clone"),
]
