"""Periodic and follow-up tasks of the cycle lifecycle: thin, idempotent, by id."""

from __future__ import annotations

import logging

from celery import shared_task

from cycles.lifecycle import cycle_advance, cycles_pending

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def cycle_advance_task(*, cycle_id: int) -> list[str]:
    """Perform the steps now due for one cycle (after a manual step, or from the schedule)."""
    return [step.value for step in cycle_advance(cycle_id=cycle_id)]


@shared_task(acks_late=True)
def cycles_advance_all_task() -> dict[str, list[str]]:
    """Beat, every few minutes: each published cycle takes the steps its calendar has made due.

    One transaction per cycle, each locking its cycle row, so one failing
    cycle does not hold the others back and two overlapping runs do nothing twice.
    """
    done: dict[str, list[str]] = {}
    for cycle_id in cycles_pending():
        try:
            steps = cycle_advance(cycle_id=cycle_id)
        except Exception:
            logger.exception("Cycle %s could not advance", cycle_id)
            continue
        if steps:
            done[str(cycle_id)] = [step.value for step in steps]
    return done
