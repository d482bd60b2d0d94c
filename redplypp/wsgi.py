import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redplypp.settings")
application = get_wsgi_application()

from redplypp.configuration import require_runtime_configuration  # noqa: E402 (needs settings)

require_runtime_configuration()


def _settle() -> None:
    """Load now what the first requests would load (the URLs, every language's catalogue,
    the templates engines), then hide everything alive from the garbage collector.

    A web process holds several hundred thousand long-lived objects (Django, the apps,
    catalogues). Python's full collection walks all of them while holding the GIL, and
    under load it ran every few seconds for about 0.1 s, a pause for every request of
    the process. Frozen objects are never walked again; what requests create still is.
    Under gunicorn --preload this runs before the fork, so workers share those pages."""
    from django.conf import settings
    from django.template import engines
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 (imports every view module)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Vote")
    engines.all()
    gc.collect()
    gc.freeze()


_settle()
