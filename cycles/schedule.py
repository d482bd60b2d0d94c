"""Editing a cycle's phases.

A draft cycle's calendar is free to change, as long as no two phases run at
once in the same territory. Once published: a phase that has ended cannot be
rewritten; a running phase keeps its kind, territories and start but its end
may move (not into the past); a future phase may be moved or changed, but not
to start in the past. Every change to a published phase needs a reason,
which is kept (``PhaseChange``) and shown on the public page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record, subject_of
from accounts.models import User
from cycles.guards import invalid, lock, refuse, require_change
from cycles.labels import CAPABILITY_LABELS
from cycles.models import Cycle, CycleTerritory, Phase, PhaseChange
from cycles.phases import PHASE_KINDS, Problem, Step, Window, capabilities_of, closed_capabilities, conflicts
from cycles.selectors import phase_window


@dataclass(frozen=True)
class PhaseInput:
    kind: str
    starts_at: datetime
    ends_at: datetime
    title: str = ""
    description: str = ""
    units: Sequence[CycleTerritory] = ()  # empty: every territory


def _check_input(cycle: Cycle, data: PhaseInput) -> None:
    if data.kind not in PHASE_KINDS:
        raise invalid("kind", _("Choose a kind of phase from the list."), "kind")
    if data.ends_at <= data.starts_at:
        raise invalid("ends_at", _("The phase must end after it starts."), "end_before_start")
    if any(u.cycle_id != cycle.pk for u in data.units):
        raise refuse(_("Choose territories taking part in this cycle."), "unit_of_other_cycle")


def _label(phase: Phase) -> str:
    return phase.title or phase.get_kind_display()


def _check_calendar(cycle: Cycle, phases: list[Phase], candidate: Window) -> None:
    """Refuse if ``candidate`` (replacing the phase with its key, if any) runs
    at the same time as another phase in the same territory."""
    others = [phase_window(p) for p in phases if p.pk != candidate.key]
    by_key = {p.pk: p for p in phases}
    for conflict in conflicts([*others, candidate]):
        if conflict.problem is Problem.OVERLAP and candidate.key in (conflict.first, conflict.second):
            other_key = conflict.second if conflict.first == candidate.key else conflict.first
            other = by_key[other_key]  # type: ignore[index]
            raise refuse(
                _("This phase would run at the same time as “%(other)s” (%(start)s – %(end)s) in the same territory.")
                % {
                    "other": _label(other),
                    "start": timezone.localtime(other.starts_at).strftime("%d/%m/%Y %H:%M"),
                    "end": timezone.localtime(other.ends_at).strftime("%d/%m/%Y %H:%M"),
                },
                "overlap",
            )


def _check_not_reopening(cycle: Cycle, data: PhaseInput, now: datetime) -> None:
    """A phase still to come may not open again what an irreversible step closed
    (proposals after they were closed, voting after the vote was closed)."""
    if data.ends_at <= now:
        return
    done = [Step(step) for step in cycle.steps.values_list("step", flat=True)]
    reopened = closed_capabilities(done) & capabilities_of(data.kind)
    if reopened:
        raise refuse(
            _("This phase would open again something already closed for good (%(what)s).")
            % {"what": ", ".join(str(CAPABILITY_LABELS[c]) for c in sorted(reopened))},
            "step_done",
        )


def _save(phase: Phase, units: Sequence[CycleTerritory]) -> Phase:
    phase.for_all_units = not units
    try:
        with transaction.atomic():
            phase.save()
    except IntegrityError as error:  # the exclusion constraint, should a check above miss a case
        raise refuse(_("Two phases of this cycle cannot run at the same time."), "overlap") from error
    phase.units.set(list(units))
    return phase


@transaction.atomic
def phase_add(*, actor: User, cycle: Cycle, data: PhaseInput, reason: str = "", now: datetime | None = None) -> Phase:
    now = now or timezone.now()
    cycle = lock(cycle)
    require_change(actor, cycle)
    _check_input(cycle, data)
    _check_not_reopening(cycle, data, now)
    if cycle.is_published:
        if data.starts_at < now:
            raise refuse(_("A new phase of a published cycle cannot start in the past."), "past")
        if not reason.strip():
            raise invalid("reason", _("Say why the calendar changes: it is shown publicly."), "reason")
    phases = list(cycle.phases.prefetch_related("units"))
    units = frozenset(u.pk for u in data.units) or None
    _check_calendar(cycle, phases, Window("new", data.kind, data.starts_at, data.ends_at, units))
    phase = _save(
        Phase(
            cycle=cycle,
            kind=data.kind,
            title=data.title.strip(),
            description=data.description,
            starts_at=data.starts_at,
            ends_at=data.ends_at,
        ),
        data.units,
    )
    audit_record(
        actor=actor,
        action="cycles.phase_added",
        subject=subject_of(cycle),
        data={"phase": phase.pk, "kind": phase.kind, "reason": reason.strip()},
        now=now,
    )
    return phase


@transaction.atomic
def phase_update(
    *, actor: User, phase: Phase, data: PhaseInput, reason: str = "", now: datetime | None = None
) -> Phase:
    """Change a phase within the rules of the module docstring."""
    now = now or timezone.now()
    cycle = lock(phase.cycle)
    require_change(actor, cycle)
    phase = Phase.objects.prefetch_related("units").get(pk=phase.pk, cycle=cycle)
    _check_input(cycle, data)
    if data.kind != phase.kind or data.ends_at > phase.ends_at:
        _check_not_reopening(cycle, data, now)
    old_units = {u.pk for u in phase.units.all()}
    new_units = {u.pk for u in data.units}
    if cycle.is_published:
        if phase.ends_at <= now:
            raise refuse(_("This phase has ended: past phases cannot be rewritten."), "past_phase")
        if phase.starts_at <= now:
            if data.starts_at != phase.starts_at or data.kind != phase.kind or new_units != old_units:
                raise refuse(
                    _("This phase is running: only its end can move."),
                    "running_phase",
                )
            if data.ends_at <= now:
                raise invalid("ends_at", _("The new end cannot be in the past."), "past")
        elif data.starts_at < now:
            raise invalid("starts_at", _("A phase cannot be moved into the past."), "past")
        if not reason.strip():
            raise invalid("reason", _("Say why the calendar changes: it is shown publicly."), "reason")
    phases = list(cycle.phases.prefetch_related("units"))
    _check_calendar(
        cycle, phases, Window(phase.pk, data.kind, data.starts_at, data.ends_at, frozenset(new_units) or None)
    )
    old_start, old_end = phase.starts_at, phase.ends_at
    phase.kind, phase.title, phase.description = data.kind, data.title.strip(), data.description
    phase.starts_at, phase.ends_at = data.starts_at, data.ends_at
    _save(phase, data.units)
    if cycle.is_published and (old_start, old_end) != (data.starts_at, data.ends_at):
        PhaseChange.objects.create(
            phase=phase,
            old_starts_at=old_start,
            old_ends_at=old_end,
            new_starts_at=data.starts_at,
            new_ends_at=data.ends_at,
            reason=reason.strip(),
            changed_by=actor,
            changed_at=now,
        )
    audit_record(
        actor=actor,
        action="cycles.phase_changed",
        subject=subject_of(cycle),
        data={
            "phase": phase.pk,
            "from": [old_start.isoformat(), old_end.isoformat()],
            "to": [data.starts_at.isoformat(), data.ends_at.isoformat()],
            "reason": reason.strip(),
        },
        now=now,
    )
    return phase


@transaction.atomic
def phase_delete(*, actor: User, phase: Phase) -> None:
    """Only in a draft: a published calendar is moved, not cut."""
    cycle = lock(phase.cycle)
    require_change(actor, cycle)
    if cycle.is_published:
        raise refuse(_("Phases of a published cycle cannot be deleted; move them instead."), "published")
    if phase.assemblies.exists():
        raise refuse(_("This phase has assemblies recorded and cannot be deleted."), "in_use")
    audit_record(actor=actor, action="cycles.phase_deleted", subject=subject_of(cycle), data={"phase": phase.pk})
    phase.delete()
