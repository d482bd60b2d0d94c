"""What a process that serves people needs before it starts.

The settings module can be loaded without secrets or a database (tools that
only read the models do that). The web (wsgi/asgi) and Celery processes call
``require_runtime_configuration`` first and refuse to start, with a message
that says what to set, rather than failing later on someone's request.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

HINT = "Run through 'make run' / 'make test', which set local development values, or set it in the environment."


def missing_configuration() -> list[str]:
    """The environment variables a serving process lacks (empty when all are there)."""
    missing = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        missing.append("DATABASE_URL (a PostgreSQL server, e.g. postgres://user@host:5432/redplypp)")
    try:
        settings.SECRET_KEY  # noqa: B018 (Django refuses an empty key on access)
    except ImproperlyConfigured:
        missing.append("DJANGO_SECRET_KEY")
    if not settings.IDENTITY_HASH_KEY:
        missing.append("IDENTITY_HASH_KEY")
    return missing


def require_runtime_configuration() -> None:
    missing = missing_configuration()
    if missing:
        raise ImproperlyConfigured(f"Not set: {', '.join(missing)}. {HINT}")
