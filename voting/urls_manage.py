"""The vote of a cycle for the people who run it, under /gestion/votacion/ (namespace ``voting-manage``)."""

from django.urls import URLPattern, URLResolver, path

from voting import views_manage as views

app_name = "voting-manage"

urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:cycle_pk>/", views.cycle_vote, name="cycle-vote"),
    path("<int:cycle_pk>/mesas/", views.station_list, name="station-list"),
    path("<int:cycle_pk>/mesas/nueva/", views.station_create, name="station-create"),
    path("mesas/<int:pk>/", views.station_edit, name="station-edit"),
    path("mesas/<int:pk>/jurados/", views.officer_assign, name="officer-assign"),
    path("mesas/<int:pk>/jurados/<int:user_pk>/quitar/", views.officer_remove, name="officer-remove"),
    path("<int:cycle_pk>/censo/", views.census_upload, name="census-upload"),
    path("<int:cycle_pk>/conciliar/", views.reconcile_list, name="reconcile-list"),
    path("registros/<int:pk>/conciliar/", views.reconcile, name="reconcile"),
]
