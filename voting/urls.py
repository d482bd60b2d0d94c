from django.urls import URLPattern, URLResolver, path

from voting import views

app_name = "voting"

urlpatterns: list[URLPattern | URLResolver] = [
    path("recibo/", views.receipt_check, name="receipt-check"),
    path("<int:cycle_pk>/", views.ballot, name="ballot"),
    path("<int:cycle_pk>/cesta/", views.ballot_basket, name="ballot-basket"),
    path("<int:cycle_pk>/territorio/", views.territory_declare, name="territory-declare"),
    path("<int:cycle_pk>/cambiar/", views.ballot_replace_view, name="ballot-replace"),
]
