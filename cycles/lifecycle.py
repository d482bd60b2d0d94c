"""Irreversible steps of a cycle: close proposals, close voting, count,
publish results.

Time makes a step *possible* (``cycles.phases.step_blocker``); it *happens*
only here, with the cycle row locked, the step recorded once (a unique row
per cycle and step: the database refuses a second), an audit entry, and what
follows queued after commit. A person triggers it with ``cycle_step``; the
periodic task calls ``cycle_advance``, which performs every step that is due,
so running it twice, or an hour late, has the same effect as once on time.

Later apps add what a step sets off (proposals frozen, ballots counted) with
``on_step``; this module does not know them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record, subject_of
from accounts.models import User
from cycles.guards import require_change
from cycles.models import Cycle, CycleStatus, CycleStep
from cycles.phases import Step, applicable_steps, due_steps, step_blocker
from cycles.selectors import cycle_windows, phase_window

# step -> callables taking cycle_id=..., run after the commit that recorded the step
_FOLLOWERS: dict[Step, list[Callable[..., object]]] = defaultdict(list)


def on_step(step: Step) -> Callable[[Callable[..., object]], Callable[..., object]]:
    """Register ``follower(cycle_id=...)`` to run after ``step`` commits (e.g. a task's ``.delay``)."""

    def register(follower: Callable[..., object]) -> Callable[..., object]:
        _FOLLOWERS[step].append(follower)
        return follower

    return register


BLOCKER_MESSAGES = {
    "done": lambda: _("This step has already been done."),
    "not_applicable": lambda: _("This cycle's calendar has no phase that calls for this step."),
    "earlier_step": lambda: _("An earlier step has to be done first."),
    "too_early": lambda: _("Not yet: the phases this step closes have not ended."),
    "draft": lambda: _("The cycle is not published."),
}


def _perform(cycle: Cycle, step: Step, actor: User | None, now: datetime) -> CycleStep:
    record = CycleStep.objects.create(cycle=cycle, step=step, done_at=now, done_by=actor)
    audit_record(
        actor=actor,
        action=f"cycles.step_{step.value}",
        subject=subject_of(cycle),
        data={"step": step.value, "by": "person" if actor else "schedule"},
        now=now,
    )
    for follower in _FOLLOWERS[step]:
        transaction.on_commit(partial(follower, cycle_id=cycle.pk))
    return record


def _done(cycle: Cycle) -> set[Step]:
    return {Step(s) for s in cycle.steps.values_list("step", flat=True)}


@transaction.atomic
def cycle_step(*, actor: User, cycle: Cycle, step: Step, now: datetime | None = None) -> CycleStep:
    """A manager performs ``step`` by hand: same checks as the schedule."""
    now = now or timezone.now()
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    require_change(actor, cycle)
    blocker = (
        "draft"
        if cycle.status != CycleStatus.PUBLISHED
        else step_blocker(step, cycle_windows(cycle), _done(cycle), now)
    )
    if blocker is not None:
        raise ValidationError(BLOCKER_MESSAGES[blocker](), code=blocker)
    record = _perform(cycle, step, actor, now)
    transaction.on_commit(partial(_queue_advance, cycle_id=cycle.pk))
    return record


def _queue_advance(*, cycle_id: int) -> None:
    from cycles.tasks import cycle_advance_task

    cycle_advance_task.delay(cycle_id=cycle_id)


@transaction.atomic
def cycle_advance(*, cycle_id: int, now: datetime | None = None) -> list[Step]:
    """Perform every step that is due for a published cycle, in order, as the schedule. Idempotent."""
    now = now or timezone.now()
    cycle = Cycle.objects.select_for_update().get(pk=cycle_id)
    if cycle.status != CycleStatus.PUBLISHED:
        return []
    due = due_steps(cycle_windows(cycle), _done(cycle), now)
    for step in due:
        _perform(cycle, step, None, now)
    return due


def cycles_pending() -> list[int]:
    """Published cycles with a step still to take (the schedule's work list):
    a cycle whose calendar calls for no more steps is not locked again."""
    ids = []
    for cycle in Cycle.objects.published().prefetch_related("steps", "phases__units"):
        windows = [phase_window(p) for p in cycle.phases.all()]
        done = {s.step for s in cycle.steps.all()}
        if any(step.value not in done for step in applicable_steps(windows)):
            ids.append(cycle.pk)
    return ids


def step_states(cycle: Cycle, now: datetime) -> list[tuple[Step, CycleStep | None, str | None]]:
    """For the manager's page: each applicable step, its record if done, else why it cannot happen yet."""
    windows = cycle_windows(cycle)
    records = {Step(s.step): s for s in cycle.steps.all()}
    states = []
    for step in applicable_steps(windows):
        blocker = None if step in records else step_blocker(step, windows, set(records), now)
        if cycle.status != CycleStatus.PUBLISHED and step not in records:
            blocker = "draft"
        states.append((step, records.get(step), blocker))
    return states
