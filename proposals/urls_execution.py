"""Execution follow-up of funded projects, under /ejecucion/ (namespace ``execution``)."""

from django.urls import URLPattern, path

from proposals import views_execution as views

app_name = "execution"

urlpatterns: list[URLPattern] = [
    path("ciclo/<int:cycle_pk>/", views.cycle_execution, name="cycle-execution"),
    path("proyecto/<int:pk>/", views.project, name="project"),
    path("proyecto/<int:pk>/actualizar/", views.update_create, name="update-create"),
    path("proyecto/<int:pk>/iniciar/", views.execution_start, name="execution-start"),
    path("actualizaciones/<int:pk>/observar/", views.remark_create, name="remark-create"),
    path("actualizaciones/<int:pk>/foto/", views.update_photo, name="update-photo"),
]
