"""Tasks of the voting app: thin, idempotent, by id."""

from __future__ import annotations

import logging
import threading
from typing import Any

from celery import current_app, shared_task
from celery.app.task import Task
from django.core.signals import request_finished, request_started
from django.dispatch import receiver

from voting.services import ballot_chain_seal, ballot_chain_seal_all

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def ballot_chain_seal_task(*, cycle_id: int) -> int:
    """Seal what is waiting in one cycle's box (queued a few seconds after casts)."""
    from django.conf import settings

    return ballot_chain_seal(
        cycle_id=cycle_id, minimum=settings.VOTING_SEAL_MINIMUM, limit=settings.VOTING_SEAL_BATCH, wait=False
    )


@shared_task(acks_late=True)
def ballot_chain_seal_all_task() -> dict[str, int]:
    """Beat, every minute: seal whatever a lost message left unsealed."""
    return {str(cycle_id): count for cycle_id, count in ballot_chain_seal_all().items() if count}


@shared_task(acks_late=True)
def ballot_reminders_task() -> int:
    """Beat, every hour: one reminder to people who opened their ballot, in the day before the close."""
    from django.utils import timezone

    from voting.reminders import ballot_reminders_send

    return ballot_reminders_send(now=timezone.now())


@shared_task(acks_late=True)
def cycle_count_task(*, cycle_id: int) -> int:
    """After the COUNT step: count every territory (idempotent; safe to run again)."""
    from voting.counting import cycle_count

    return len(cycle_count(cycle_id=cycle_id))


_request = threading.local()  # .later: what this thread's request left for after its response


def queue(task: Task, *, countdown: float = 0, **kwargs: Any) -> None:
    """Queue ``task`` (after ``countdown`` seconds) or, with no broker (the embedded default),
    run it in this process: after the response when it may wait (``countdown``) and a
    request is being answered, else here and now. Celery's own eager path acquires a
    broker producer even then, which builds a connection pool for a broker that does
    not exist."""
    if not current_app.conf.task_always_eager:
        task.apply_async(kwargs=kwargs, countdown=countdown)
        return
    later = getattr(_request, "later", None)
    if countdown and later is not None:
        later.append((task, kwargs))
    else:
        task.apply(kwargs=kwargs)


@receiver(request_started, dispatch_uid="voting.tasks.request_started")
def _request_started(**_: Any) -> None:
    _request.later = []


@receiver(request_finished, dispatch_uid="voting.tasks.request_finished")
def _run_what_waited(**_: Any) -> None:
    """Django sends request_finished when the server closes the response, once the client
    has it: a sealing that waited for a cast's response no longer makes that voter wait."""
    later, _request.later = getattr(_request, "later", None) or [], None
    for task, kwargs in later:
        try:
            task.apply(kwargs=kwargs)
        except Exception:  # the response is gone: log it, as a failed task would be
            logger.exception("%s after the response failed", task.name)
