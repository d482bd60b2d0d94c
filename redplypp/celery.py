"""The Celery application. Without CELERY_BROKER_URL, tasks run eagerly in process."""

import os
from typing import Any

from celery import Celery
from celery.signals import beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redplypp.settings")

app = Celery("redplypp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@beat_init.connect
def _refuse_to_start_unconfigured(**_kwargs: Any) -> None:
    from redplypp.configuration import require_runtime_configuration

    require_runtime_configuration()
