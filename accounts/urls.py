from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("identidad/", views.identity_edit, name="identity-edit"),
    path("datos.json", views.data_export, name="data-export"),
    path("eliminar/", views.account_delete, name="delete"),
]
