"""Review, merging and paper proposals, under /gestion/propuestas/ (namespace ``proposals-manage``)."""

from django.urls import URLPattern, path

from proposals import views_manage as views

app_name = "proposals-manage"

urlpatterns: list[URLPattern] = [
    path("ciclo/<int:cycle_pk>/", views.review_queue, name="review-queue"),
    path("<int:pk>/revisar/", views.review, name="review"),
    path("<int:pk>/fusionar/", views.merge, name="merge"),
    path("ciclo/<int:cycle_pk>/en-papel/", views.paper_create, name="paper-create"),
]
