"""While the database is away, answer 503 with Retry-After, never 500.

A restart of PostgreSQL (or a failover) breaks open connections: the next
query raises ``OperationalError`` / ``InterfaceError``. Nothing was saved
by a request that failed that way (its transaction did not commit), so the
client is told to try again shortly. ``DatabaseUnavailableMiddleware``
catches it from views; ``server_error`` (handler500) catches it from
middleware (a session saved on the way out). Neither touches the database.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

RETRY_AFTER_SECONDS = 5
DATABASE_ERRORS = (OperationalError, InterfaceError)

_PAGE = """<!DOCTYPE html>
<html lang="es"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Un momento · Red PLyPP</title></head>
<body><main>
<h1>Un momento, por favor / One moment, please</h1>
<p>La plataforma se está reconectando. No se perdió nada de lo que ya estaba guardado:
intenta de nuevo en unos segundos.</p>
<p lang="en">The platform is reconnecting. Nothing already saved was lost: try again in a few seconds.</p>
</main></body></html>
"""


def _wants_json(request: HttpRequest) -> bool:
    return request.content_type == "application/json" or "application/json" in request.headers.get("Accept", "")


def unavailable(request: HttpRequest) -> HttpResponse:
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()
    if _wants_json(request):
        response: HttpResponse = JsonResponse(
            {
                "error": "unavailable",
                "message": "La plataforma se está reconectando: intenta de nuevo en unos segundos.",
            },
            status=503,
        )
    else:
        response = HttpResponse(_PAGE, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_ERRORS):
            return unavailable(request)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database error raised outside a view still gets a 503."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_ERRORS):
        return unavailable(request)
    return HttpResponse(loader.get_template("500.html").render(), status=500)
