import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redplypp.settings")
application = get_wsgi_application()

from redplypp.configuration import require_runtime_configuration  # noqa: E402 (needs settings)

require_runtime_configuration()
