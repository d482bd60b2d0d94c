from django.urls import URLPattern, URLResolver

app_name = "voting-manage"

urlpatterns: list[URLPattern | URLResolver] = []
