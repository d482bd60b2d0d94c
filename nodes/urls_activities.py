"""URL patterns of network activities: the public calendar and archive, and their management.

``public_patterns`` are served under /red/ (namespace ``nodes``) and
``manage_patterns`` under /gestion/red/ (namespace ``network-manage``).
"""

from django.urls import URLPattern, path

from nodes import views_activities as views

public_patterns: list[URLPattern] = [
    path("actividades/", views.activity_calendar, name="activity-calendar"),
    path("actividades/archivo/", views.activity_archive, name="activity-archive"),
    path("actividades/<int:pk>/", views.activity_detail, name="activity-detail"),
    path("actividades/archivos/<int:pk>/", views.activity_attachment, name="activity-attachment"),
]
manage_patterns: list[URLPattern] = [
    path("actividades/", views.activity_manage_list, name="activity-list"),
    path("actividades/nueva/", views.activity_create, name="activity-create"),
    path("actividades/<int:pk>/editar/", views.activity_edit, name="activity-edit"),
    path("actividades/<int:pk>/archivos/", views.activity_attach, name="activity-attach"),
    path("actividades/<int:pk>/eliminar/", views.activity_delete, name="activity-delete"),
    path("actividades/archivos/<int:pk>/eliminar/", views.attachment_delete, name="attachment-delete"),
]
