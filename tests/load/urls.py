"""The platform's URLs plus two minimal views, through the same middleware, to compare
the cast endpoint with: one that touches nothing, one that reads the signed-in user
(the session and user queries every signed-in request pays)."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from redplypp.urls import handler403, handler404, handler500
from redplypp.urls import urlpatterns as platform_urlpatterns


def minimal(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"ok": True})


def minimal_signed_in(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"ok": request.user.is_authenticated})


urlpatterns = [
    path("carga/minima/", minimal, name="load-minimal"),
    path("carga/minima/sesion/", minimal_signed_in, name="load-minimal-session"),
    *platform_urlpatterns,
]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
