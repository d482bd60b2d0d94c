from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import set_language

from accounts.views import management_home
from redplypp import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/setlang/", set_language, name="set_language"),
]

urlpatterns += i18n_patterns(
    # Casting first: every ballot resolves its URL, and patterns are tried in order.
    path("votar/api/", include("voting.urls_api")),
    path("", views.home, name="home"),
    path("privacidad/", views.privacy, name="privacy"),
    path("cuenta/", include("allauth.urls")),
    path("mi-cuenta/", include("accounts.urls")),
    path("red/", include("nodes.urls")),
    path("gestion/", management_home, name="management-home"),
    path("gestion/red/", include("nodes.urls_manage")),
    path("ciclos/", include("cycles.urls")),
    path("gestion/ciclos/", include("cycles.urls_manage")),
    path("gestion/registros/", include("cycles.urls_records")),
    path("propuestas/", include("proposals.urls")),
    path("propuestas/conversacion/", include("proposals.urls_talk")),
    path("gestion/propuestas/", include("proposals.urls_manage")),
    path("ejecucion/", include("proposals.urls_execution")),
    path("votar/", include("voting.urls")),
    path("gestion/votacion/", include("voting.urls_manage")),
    path("mesa/", include("voting.urls_station")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

handler403 = "redplypp.views.permission_denied"
handler404 = "redplypp.views.page_not_found"
handler500 = "redplypp.unavailable.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
