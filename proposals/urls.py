"""Public and citizen pages of proposals, under /propuestas/ (namespace ``proposals``)."""

from django.urls import URLPattern, path

from proposals import views

app_name = "proposals"

urlpatterns: list[URLPattern] = [
    path("ciclo/<int:cycle_pk>/", views.proposal_list_view, name="proposal-list"),
    path("ciclo/<int:cycle_pk>/mapa/", views.proposal_map, name="proposal-map"),
    path("ciclo/<int:cycle_pk>/proponer/", views.proposal_create, name="proposal-create"),
    path("mias/", views.my_proposals, name="my-proposals"),
    path("<int:pk>/", views.proposal_detail, name="proposal-detail"),
    path("<int:pk>/editar/", views.proposal_edit, name="proposal-edit"),
    path("<int:pk>/enviar/", views.proposal_submit, name="proposal-submit"),
    path("<int:pk>/retirar/", views.proposal_withdraw, name="proposal-withdraw"),
    path("<int:pk>/apoyar/", views.proposal_support, name="proposal-support"),
    path("adjuntos/<int:pk>/", views.attachment, name="attachment"),
]
