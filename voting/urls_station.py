from django.urls import URLPattern, URLResolver

app_name = "voting-station"

urlpatterns: list[URLPattern | URLResolver] = []
