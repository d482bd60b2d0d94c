"""The polling-station officer's pages, under /mesa/ (namespace ``voting-station``)."""

from django.urls import URLPattern, URLResolver, path

from voting import views_station as views

app_name = "voting-station"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.my_stations, name="my-stations"),
    path("<int:station_pk>/", views.console, name="console"),
    path("<int:station_pk>/asistido/", views.assisted, name="assisted"),
    path("<int:station_pk>/papel/", views.paper_key, name="paper-key"),
]
