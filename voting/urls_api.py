from django.urls import URLPattern, URLResolver

app_name = "voting-api"

urlpatterns: list[URLPattern | URLResolver] = []
