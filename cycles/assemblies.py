"""Recording what happens in a cycle's assemblies (cabildos, pre-cabildos,
delegates' assemblies, accountability hearings): when and where, who came,
the minutes and their signed scan, what was decided, and the delegates elected.

Contract of ``cycles.services``: keyword-only arguments; one transaction that
first locks the cycle row, so two people recording the same cycle at once are
serialised; ``cycles.record_assembly`` on the cycle checked here
(``PermissionDenied``); a broken rule raises ``ValidationError`` with a
``code`` and a translatable message, and nothing is saved; one audit entry per
act with ids, codes and counts only (never a delegate's name).

Attendance: ``attendance`` is the number of people who came; the breakdowns
(by gender: ``women``, ``men``, ``other_gender``; by age band: ``age_14_17`` to
``age_60_plus``) are optional aggregate counts, collected when the assembly
could. Each breakdown may be partial (a blank count is unknown, not zero) and
need not add up to the attendance, since under-14s have no band and some
people do not say; but the counts given in one breakdown may never add up to
more than the attendance, when the attendance is known. Breakdowns without a
total are accepted: what was counted is still worth keeping.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.audit import audit_record, subject_of
from accounts.models import User
from cycles.guards import invalid, lock, refuse, require
from cycles.models import Assembly, AssemblyDecision, AssemblyKind, Cycle, CycleTerritory, Delegate, Phase
from nodes.activities import attachment_check
from redplypp.money import format_pesos

GENDER_FIELDS = ("women", "men", "other_gender")
AGE_FIELDS = ("age_14_17", "age_18_28", "age_29_59", "age_60_plus")
COUNT_FIELDS = ("attendance", *GENDER_FIELDS, *AGE_FIELDS)
# An amount above this many pesos is a typo (too many zeros), not a decision.
MAX_AMOUNT = 10**15
MAX_RATING = Decimal("99999.99")


def pesos(amount: int) -> str:
    return format_pesos(amount, language=get_language() or "es")


def require_record(actor: User, cycle: Cycle) -> None:
    require(
        actor,
        "cycles.record_assembly",
        cycle,
        _("You may not record assemblies of this cycle: it is not of your municipality."),
    )


# --- Assemblies -------------------------------------------------------------------


@dataclass(frozen=True)
class AssemblyInput:
    """What a manager records about an assembly (counts: ``None`` when not collected)."""

    kind: str
    held_at: datetime
    place: str
    convener: str = ""
    title: str = ""
    phase: Phase | None = None
    unit: CycleTerritory | None = None
    attendance: int | None = None
    women: int | None = None
    men: int | None = None
    other_gender: int | None = None
    age_14_17: int | None = None
    age_18_28: int | None = None
    age_29_59: int | None = None
    age_60_plus: int | None = None
    minutes: str = ""

    def counts(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in COUNT_FIELDS}


def check_counts(counts: dict[str, int | None]) -> None:
    """Refuse negative counts, and a breakdown adding up to more than the attendance."""
    errors: dict[str, ValidationError] = {}
    for name, value in counts.items():
        if value is not None and value < 0:
            errors[name] = ValidationError(_("A count cannot be negative."), code="negative_count")
    if errors:
        raise ValidationError(errors)
    attendance = counts.get("attendance")
    if attendance is None:
        return
    for fields, message in (
        (GENDER_FIELDS, _("Women, men and other add up to %(sum)d, more than the %(attendance)d people attending.")),
        (AGE_FIELDS, _("The age groups add up to %(sum)d, more than the %(attendance)d people attending.")),
    ):
        total = sum(counts.get(name) or 0 for name in fields)
        if total > attendance:
            errors[fields[0]] = ValidationError(
                message % {"sum": total, "attendance": attendance}, code="breakdown_over_attendance"
            )
    if errors:
        raise ValidationError(errors)


def _check_assembly(cycle: Cycle, data: AssemblyInput) -> None:
    if data.kind not in AssemblyKind.values:
        raise invalid("kind", _("Choose the kind of assembly from the list."), "kind")
    if data.held_at is None:
        raise invalid("held_at", _("Say when the assembly was held."), "held_at")
    if not data.place.strip():
        raise invalid("place", _("Say where the assembly was held."), "place")
    if data.phase is not None and data.phase.cycle_id != cycle.pk:
        raise invalid("phase", _("Choose a phase of this cycle."), "phase_of_other_cycle")
    if data.unit is not None and data.unit.cycle_id != cycle.pk:
        raise invalid("unit", _("Choose a territory taking part in this cycle."), "unit_of_other_cycle")
    if (
        data.phase is not None
        and data.unit is not None
        and not data.phase.for_all_units
        and not data.phase.units.filter(pk=data.unit.pk).exists()
    ):
        raise invalid(
            "unit",
            _("That phase does not take place in this territory: choose another phase or territory."),
            "unit_not_in_phase",
        )
    check_counts(data.counts())


def _apply(assembly: Assembly, data: AssemblyInput) -> None:
    assembly.kind, assembly.held_at = data.kind, data.held_at
    assembly.place, assembly.convener, assembly.title = data.place.strip(), data.convener.strip(), data.title.strip()
    assembly.phase, assembly.unit, assembly.minutes = data.phase, data.unit, data.minutes.strip()
    for name, value in data.counts().items():
        setattr(assembly, name, value)


def _audit_data(assembly: Assembly) -> dict[str, Any]:
    return {
        "cycle": assembly.cycle_id,
        "kind": assembly.kind,
        "unit": assembly.unit_id,
        "phase": assembly.phase_id,
        "held_at": assembly.held_at.astimezone(UTC).isoformat(),
        "attendance": assembly.attendance,
    }


@transaction.atomic
def assembly_record(*, actor: User, cycle: Cycle, data: AssemblyInput, now: datetime | None = None) -> Assembly:
    """Record an assembly of ``cycle``: its phase and territory (when given)
    must be the cycle's; attendance as in the module's rule."""
    cycle = lock(cycle)
    require_record(actor, cycle)
    _check_assembly(cycle, data)
    assembly = Assembly(cycle=cycle, recorded_by=actor, recorded_at=now or timezone.now())
    _apply(assembly, data)
    assembly.full_clean(exclude=["minutes_scan"])
    assembly.save()
    audit_record(
        actor=actor, action="cycles.assembly_recorded", subject=subject_of(assembly), data=_audit_data(assembly)
    )
    return assembly


@transaction.atomic
def assembly_update(*, actor: User, assembly: Assembly, data: AssemblyInput) -> Assembly:
    """Correct what was recorded (same rules as ``assembly_record``)."""
    cycle = lock(assembly.cycle)
    require_record(actor, cycle)
    assembly = Assembly.objects.get(pk=assembly.pk)
    _check_assembly(cycle, data)
    before = {name: getattr(assembly, name) for name in _TRACKED}
    _apply(assembly, data)
    assembly.full_clean(exclude=["minutes_scan"])
    assembly.save()
    changed = sorted(name for name in _TRACKED if getattr(assembly, name) != before[name])
    audit_record(
        actor=actor,
        action="cycles.assembly_updated",
        subject=subject_of(assembly),
        data={**_audit_data(assembly), "changed": changed},
    )
    return assembly


_TRACKED = ("kind", "held_at", "place", "convener", "title", "phase_id", "unit_id", "minutes", *COUNT_FIELDS)


# --- The scan of the signed minutes --------------------------------------------------


@transaction.atomic
def assembly_attach_scan(*, actor: User, assembly: Assembly, upload: Any) -> Assembly:
    """Store the scan of the signed minutes, checked by its content
    (``nodes.activities.attachment_check``: PDF, JPEG, PNG or WebP; images
    re-encoded without metadata; size limit), under a random name; the
    original name and type are kept. A previous scan is replaced, its file
    deleted once the transaction commits."""
    cycle = lock(assembly.cycle)
    require_record(actor, cycle)
    assembly = Assembly.objects.get(pk=assembly.pk)
    checked = attachment_check(upload)
    old_name = assembly.minutes_scan.name
    assembly.minutes_scan_type = checked.content_type  # the stored name's extension comes from it
    assembly.minutes_scan_name = checked.original_name
    assembly.minutes_scan.save("upload", ContentFile(checked.content), save=False)
    try:
        assembly.save(update_fields=["minutes_scan", "minutes_scan_type", "minutes_scan_name"])
        audit_record(
            actor=actor,
            action="cycles.assembly_scan_attached",
            subject=subject_of(assembly),
            data={
                "cycle": cycle.pk,
                "content_type": checked.content_type,
                "sha256": hashlib.sha256(checked.content).hexdigest(),
                "replaced": bool(old_name),
            },
        )
    except BaseException:
        if assembly.minutes_scan.name:
            assembly.minutes_scan.storage.delete(assembly.minutes_scan.name)
        raise
    if old_name:
        storage = assembly.minutes_scan.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    return assembly


# --- Decisions ---------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionInput:
    """One line of the decision as the minutes record it."""

    rank: int
    item: str
    rating: Decimal | None = None
    votes: int | None = None
    amount: int | None = None
    note: str = ""


def _check_decisions(decisions: Sequence[DecisionInput]) -> list[str]:
    problems: list[str] = []
    ranks = [d.rank for d in decisions]
    seen: set[int] = set()
    for rank in ranks:
        if rank in seen:
            problems.append(_("Place %(rank)d is given to more than one line.") % {"rank": rank})
        seen.add(rank)
    missing = sorted(set(range(1, len(decisions) + 1)) - seen)
    if missing and not any(r < 1 for r in ranks):
        problems.append(
            _("The places must run from 1 to %(count)d without gaps; missing: %(missing)s.")
            % {"count": len(decisions), "missing": ", ".join(str(r) for r in missing)}
        )
    for d in decisions:
        if d.rank < 1:
            problems.append(_("Places start at 1."))
            continue
        if not d.item.strip():
            problems.append(_("Place %(rank)d: write the proposal or item.") % {"rank": d.rank})
        elif len(d.item.strip()) > 300:
            problems.append(_("Place %(rank)d: the text is longer than 300 characters.") % {"rank": d.rank})
        if len(d.note.strip()) > 300:
            problems.append(_("Place %(rank)d: the note is longer than 300 characters.") % {"rank": d.rank})
        if d.rating is not None and not Decimal(0) <= d.rating <= MAX_RATING:
            problems.append(_("Place %(rank)d: a rating goes from 0 to %(max)s.") % {"rank": d.rank, "max": MAX_RATING})
        if d.votes is not None and d.votes < 0:
            problems.append(_("Place %(rank)d: votes cannot be negative.") % {"rank": d.rank})
        if d.amount is not None and not 0 <= d.amount <= MAX_AMOUNT:
            problems.append(_("Place %(rank)d: the amount must be 0 or more (and plausible).") % {"rank": d.rank})
    return problems


@transaction.atomic
def assembly_decisions_set(
    *, actor: User, assembly: Assembly, decisions: Sequence[DecisionInput]
) -> list[AssemblyDecision]:
    """Replace what the assembly decided with ``decisions`` (all or nothing).

    Places (ranks) run 1..n, each once; every line has its text; rating,
    votes and amount are optional and not negative. When the assembly is of a
    territory, the amounts together may not exceed its envelope (techo).
    An empty list clears the decisions."""
    cycle = lock(assembly.cycle)
    require_record(actor, cycle)
    assembly = Assembly.objects.select_related("unit").get(pk=assembly.pk)
    problems = _check_decisions(decisions)
    if problems:
        raise ValidationError([ValidationError(p, code="decision") for p in problems])
    total = sum(d.amount or 0 for d in decisions)
    if assembly.unit is not None and total > assembly.unit.amount:
        raise refuse(
            _(
                "The amounts add up to %(total)s, more than the envelope of %(unit)s (%(envelope)s). "
                "Check the amounts against the minutes."
            )
            % {"total": pesos(total), "unit": assembly.unit.name, "envelope": pesos(assembly.unit.amount)},
            "over_envelope",
        )
    assembly.decisions.all().delete()
    created = AssemblyDecision.objects.bulk_create(
        [
            AssemblyDecision(
                assembly=assembly,
                rank=d.rank,
                item=d.item.strip(),
                rating=d.rating,
                votes=d.votes,
                amount=d.amount,
                note=d.note.strip(),
            )
            for d in sorted(decisions, key=lambda d: d.rank)
        ]
    )
    audit_record(
        actor=actor,
        action="cycles.assembly_decisions_set",
        subject=subject_of(assembly),
        data={"cycle": cycle.pk, "count": len(created), "amount_total": total},
    )
    return created


# --- Delegates ---------------------------------------------------------------------


@transaction.atomic
def delegate_add(
    *,
    actor: User,
    cycle: Cycle,
    unit: CycleTerritory,
    name: str,
    term_start: date,
    term_end: date,
    organisation: str = "",
    assembly: Assembly | None = None,
) -> Delegate:
    """Record a delegate (or spokesperson) of a territory taking part in the
    cycle, optionally elected at one of its assemblies (of that territory, or of
    the whole cycle). The term ends on or after its start."""
    cycle = lock(cycle)
    require_record(actor, cycle)
    if unit.cycle_id != cycle.pk:
        raise invalid("unit", _("Choose a territory taking part in this cycle."), "unit_of_other_cycle")
    if not name.strip():
        raise invalid("name", _("Write the delegate's name."), "name")
    if term_end < term_start:
        raise invalid("term_end", _("The term cannot end before it starts."), "term_end_before_start")
    if assembly is not None:
        if assembly.cycle_id != cycle.pk:
            raise invalid("assembly", _("Choose an assembly of this cycle."), "assembly_of_other_cycle")
        if assembly.unit_id is not None and assembly.unit_id != unit.pk:
            raise invalid("assembly", _("That assembly was held in another territory."), "assembly_of_other_unit")
    delegate = Delegate(
        cycle=cycle,
        unit=unit,
        assembly=assembly,
        name=name.strip(),
        organisation=organisation.strip(),
        term_start=term_start,
        term_end=term_end,
    )
    delegate.full_clean(exclude=["user"])
    delegate.save()
    audit_record(
        actor=actor,
        action="cycles.delegate_added",
        subject=subject_of(delegate),
        data={"cycle": cycle.pk, "unit": unit.pk, "assembly": assembly.pk if assembly else None},
    )
    return delegate


@transaction.atomic
def delegate_remove(*, actor: User, delegate: Delegate) -> None:
    """Take a delegate off the cycle's record (recorded by mistake, or replaced)."""
    cycle = lock(delegate.cycle)
    require_record(actor, cycle)
    delegate = Delegate.objects.get(pk=delegate.pk)
    subject, unit_id = subject_of(delegate), delegate.unit_id
    delegate.delete()
    audit_record(
        actor=actor, action="cycles.delegate_removed", subject=subject, data={"cycle": cycle.pk, "unit": unit_id}
    )
