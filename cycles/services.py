"""Every write of a cycle's configuration: basics, territories and envelopes,
voting settings, publishing and cloning. Phases are edited through
``cycles.schedule``, irreversible steps through ``cycles.lifecycle``,
assemblies through ``cycles.assemblies``, plans through ``cycles.plans``.

Contract shared by all of them: keyword-only arguments; one transaction
that first locks the cycle row (``select_for_update``), so two managers
editing at once are serialised and rules spanning rows (envelopes within the
total) hold; the acting person's permission checked here (``PermissionDenied``
with a translatable message); a broken rule raises ``ValidationError`` with a
translatable message and a ``code``, and nothing is saved; one audit entry
(ids and amounts only) per act.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record, subject_of
from accounts.models import DocumentType, User
from cycles import envelopes
from cycles.methodologies import METHODOLOGIES
from cycles.models import (
    BallotType,
    ConvenerKind,
    Cycle,
    CycleStatus,
    CycleTerritory,
    EnvelopeMode,
    Phase,
    VotingSettings,
)
from cycles.phases import Capability, capabilities_of, conflicts
from nodes.models import Department, Municipality, Organisation, Territory


def require(actor: User, perm: str, obj: Any, message: str) -> None:
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(message)


def refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def invalid(field: str, message: str, code: str) -> ValidationError:
    """An error of one field that keeps its ``code``: ``ValidationError({field: message}, code=...)``
    would drop it, and the views map some codes to form fields."""
    return ValidationError({field: ValidationError(message, code=code)})


def lock(cycle: Cycle) -> Cycle:
    """The cycle row, locked until the end of the transaction."""
    return Cycle.objects.select_for_update().get(pk=cycle.pk)


def require_change(actor: User, cycle: Cycle) -> None:
    require(actor, "cycles.change_cycle", cycle, _("You may not change this cycle: it is not of your municipality."))


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _check_amount(total: int, field: str = "total_amount") -> None:
    if total < 0:
        raise invalid(field, _("An amount cannot be negative."), "negative_amount")
    if total > 10**15:
        raise invalid(field, _("That amount is not plausible: check the number of zeros."), "absurd")


def _check_year(fiscal_year: int) -> None:
    # The same bounds as the constraint ``cycle_fiscal_year_sensible``, said in words.
    if not 1990 <= fiscal_year <= 2100:
        raise invalid("fiscal_year", _("Give the fiscal year in four digits, between 1990 and 2100."), "fiscal_year")


def _check_convener(convener_kind: str, organisation: Organisation | None) -> None:
    if convener_kind not in ConvenerKind.values:
        raise refuse(_("Choose who convenes the cycle."), "convener")
    needs_org = convener_kind in (ConvenerKind.ORGANISATION, ConvenerKind.MIXED)
    if needs_org and organisation is None:
        raise invalid("convener_organisation", _("Say which organisation convenes the cycle."), "convener_organisation")


# --- Creating a cycle ------------------------------------------------------------


def _default_units(*, municipality: Municipality | None, department: Department | None) -> list[dict[str, Any]]:
    if municipality is not None:
        roots = Territory.objects.filter(municipality=municipality, parent__isnull=True).order_by("code")
        return [{"territory": t} for t in roots]
    assert department is not None
    return [{"municipality": m} for m in Municipality.objects.filter(department=department).order_by("name")]


@transaction.atomic
def cycle_create(
    *,
    actor: User,
    methodology: str,
    title: str,
    fiscal_year: int,
    total_amount: int,
    start_date: date,
    municipality: Municipality | None = None,
    department: Department | None = None,
    convener_kind: str = "",
    convener_organisation: Organisation | None = None,
    description: str = "",
    funding_source: str = "",
    now: datetime | None = None,
) -> Cycle:
    """Create a draft cycle from a methodology template: the top level of the
    municipality's territory tree (or the department's municipalities) taking
    part, the template's phases dated from ``start_date``, its voting settings
    and envelope formula. Refused for a municipality without territories."""
    now = now or timezone.now()
    place = municipality or department
    if place is None or (municipality is not None and department is not None):
        raise refuse(_("A cycle belongs to one municipality or one department."), "place")
    require(actor, "cycles.add_cycle", place, _("You may not create cycles for %(place)s.") % {"place": place})
    template = METHODOLOGIES.get(methodology)
    if template is None:
        raise invalid("methodology", _("Choose one of the methodologies offered."), "methodology")
    if not title.strip():
        raise invalid("title", _("Give the cycle a title."), "title")
    _check_year(fiscal_year)
    _check_amount(total_amount)
    _check_convener(convener_kind or template.convener_kind, convener_organisation)
    units = _default_units(municipality=municipality, department=department)
    if not units:
        raise refuse(
            _(
                "%(place)s has no territories yet. Add its comunas, corregimientos or other territories "
                "first (Network › Territories), then create the cycle."
            )
            % {"place": place},
            "no_territories",
        )
    equal, population, need = template.weights
    cycle = Cycle.objects.create(
        municipality=municipality,
        department=department,
        title=title.strip(),
        fiscal_year=fiscal_year,
        total_amount=total_amount,
        description=description,
        funding_source=funding_source,
        convener_kind=convener_kind or template.convener_kind,
        convener_organisation=convener_organisation,
        methodology=template.key,
        weight_equal=equal,
        weight_population=population,
        weight_need=need,
        created_by=actor,
        created_at=now,
    )
    CycleTerritory.objects.bulk_create(
        [CycleTerritory(cycle=cycle, position=i, **unit) for i, unit in enumerate(units, start=1)]
    )
    start = local_midnight(start_date)
    Phase.objects.bulk_create(
        [
            Phase(
                cycle=cycle,
                kind=p.kind,
                title=str(p.title),
                description=str(p.description),
                starts_at=start + timedelta(days=p.offset_days),
                ends_at=start + timedelta(days=p.offset_days + p.duration_days),
            )
            for p in template.phases
        ]
    )
    VotingSettings.objects.create(cycle=cycle, **_voting_defaults(template.voting, cycle))
    _split_if_possible(cycle)
    audit_record(
        actor=actor,
        action="cycles.cycle_created",
        subject=subject_of(cycle),
        data={"methodology": template.key, "place": place.pk, "total_amount": total_amount},
        now=now,
    )
    return cycle


def _voting_defaults(voting: dict[str, Any], cycle: Cycle) -> dict[str, Any]:
    fields = {k: v for k, v in voting.items() if k != "in_person_last_day"}
    if voting.get("in_person_last_day"):
        # The last phase that opens the vote, whatever its kind (a voting day, or deciding assemblies).
        vote_phase = next(
            (p for p in cycle.phases.order_by("-ends_at") if Capability.VOTE in capabilities_of(p.kind)), None
        )
        if vote_phase is not None:
            fields["in_person_days"] = [timezone.localtime(vote_phase.ends_at - timedelta(seconds=1)).date()]
    return fields


def _split_if_possible(cycle: Cycle) -> envelopes.Split | None:
    """Apply the cycle's formula when the figures it needs are there."""
    try:
        return _apply_formula(cycle)
    except envelopes.EnvelopeError:
        return None


# --- Basics ----------------------------------------------------------------------


@transaction.atomic
def cycle_update(
    *,
    actor: User,
    cycle: Cycle,
    title: str,
    fiscal_year: int,
    total_amount: int,
    convener_kind: str,
    convener_organisation: Organisation | None = None,
    description: str = "",
    funding_source: str = "",
) -> Cycle:
    """Change the basics. The total cannot fall below what the envelopes already assign."""
    cycle = lock(cycle)
    require_change(actor, cycle)
    if not title.strip():
        raise invalid("title", _("Give the cycle a title."), "title")
    _check_year(fiscal_year)
    _check_amount(total_amount)
    _check_convener(convener_kind, convener_organisation)
    assigned = assigned_amount(cycle)
    if total_amount < assigned:
        raise invalid(
            "total_amount",
            _("The envelopes already assign %(assigned)s pesos; the total cannot be less. Lower the envelopes first.")
            % {"assigned": f"{assigned:,}".replace(",", ".")},
            "total_below_envelopes",
        )
    before = cycle.total_amount
    cycle.title, cycle.fiscal_year, cycle.total_amount = title.strip(), fiscal_year, total_amount
    cycle.convener_kind, cycle.convener_organisation = convener_kind, convener_organisation
    cycle.description, cycle.funding_source = description, funding_source
    cycle.full_clean(exclude=["municipality", "department", "plan", "cloned_from", "created_by"])
    cycle.save()
    audit_record(
        actor=actor,
        action="cycles.cycle_updated",
        subject=subject_of(cycle),
        data={"total_amount": [before, total_amount]},
    )
    return cycle


def assigned_amount(cycle: Cycle) -> int:
    return sum(cycle.units.values_list("amount", flat=True))


# --- Territories and envelopes ---------------------------------------------------


def _require_envelopes_open(cycle: Cycle) -> None:
    if cycle.steps.exists():
        raise refuse(
            _("Envelopes can no longer change: proposals or the vote of this cycle are already closed."),
            "envelopes_closed",
        )


@transaction.atomic
def cycle_units_set(
    *,
    actor: User,
    cycle: Cycle,
    territories: list[Territory] | None = None,
    municipalities: list[Municipality] | None = None,
    citywide: bool = False,
) -> list[CycleTerritory]:
    """Which territories take part (plus, optionally, a city-wide envelope).
    Only while the cycle is a draft: proposals and phases hang from them."""
    cycle = lock(cycle)
    require_change(actor, cycle)
    if cycle.is_published:
        raise refuse(_("The territories of a published cycle cannot change."), "published")
    if cycle.municipality_id is not None:
        chosen = {t.pk: t for t in territories or []}
        if any(t.municipality_id != cycle.municipality_id for t in chosen.values()):
            raise refuse(_("Choose territories of the cycle's own municipality."), "other_municipality")
        wanted: dict[tuple[str, Any], dict[str, Any]] = {("t", pk): {"territory": t} for pk, t in chosen.items()}
    else:
        picked = {m.pk: m for m in municipalities or []}
        if any(m.department_id != cycle.department_id for m in picked.values()):
            raise refuse(_("Choose municipalities of the cycle's department."), "other_department")
        wanted = {("m", pk): {"municipality": m} for pk, m in picked.items()}
    if not wanted:
        raise refuse(_("Choose at least one territory taking part."), "no_units")
    if citywide:
        wanted[("c", None)] = {}
    existing = {}
    for unit in cycle.units.all():
        key = ("t", unit.territory_id) if unit.territory_id else ("m", unit.municipality_id)
        existing[key if not unit.is_citywide else ("c", None)] = unit
    for key, unit in existing.items():
        if key not in wanted:
            if unit.assemblies.exists() or unit.delegates.exists():
                raise refuse(
                    _("%(name)s has assemblies or delegates recorded and cannot leave the cycle.") % {"name": unit},
                    "unit_in_use",
                )
            unit.delete()
    position = max((u.position for u in existing.values()), default=0)
    for key, fields in wanted.items():
        if key not in existing:
            position += 1
            CycleTerritory.objects.create(cycle=cycle, position=position, **fields)
    audit_record(
        actor=actor,
        action="cycles.units_set",
        subject=subject_of(cycle),
        data={"units": sorted(str(k[1]) for k in wanted)},
    )
    return list(cycle.units.select_related("territory", "municipality"))


@transaction.atomic
def envelopes_set_fixed(*, actor: User, cycle: Cycle, amounts: dict[int, int]) -> list[CycleTerritory]:
    """Type each envelope in. ``amounts`` maps unit ids to pesos; their sum may not exceed the total."""
    cycle = lock(cycle)
    require_change(actor, cycle)
    _require_envelopes_open(cycle)
    units = {u.pk: u for u in cycle.units.all()}
    if set(amounts) - set(units):
        raise refuse(_("An envelope was given for a territory that does not take part."), "unknown_unit")
    for amount in amounts.values():
        _check_amount(amount, "amount")
    total = sum(amounts.get(pk, unit.amount) for pk, unit in units.items())
    if total > cycle.total_amount:
        raise refuse(
            _("The envelopes add up to %(sum)s pesos, more than the cycle's total of %(total)s.")
            % {"sum": _pesos(total), "total": _pesos(cycle.total_amount)},
            "over_total",
        )
    for pk, amount in amounts.items():
        units[pk].amount = amount
    CycleTerritory.objects.bulk_update(list(units.values()), ["amount"])
    cycle.envelope_mode = EnvelopeMode.FIXED
    cycle.save(update_fields=["envelope_mode"])
    audit_record(
        actor=actor,
        action="cycles.envelopes_set",
        subject=subject_of(cycle),
        data={"mode": "fixed", "amounts": {str(pk): a for pk, a in amounts.items()}},
    )
    return list(units.values())


def _pesos(amount: int) -> str:
    return "$ " + f"{amount:,}".replace(",", ".")


@dataclass(frozen=True)
class Figures:
    population: int | None
    need_index: Decimal | None


def _apply_formula(cycle: Cycle) -> envelopes.Split:
    units = list(cycle.units.all())
    citywide = next((u for u in units if u.is_citywide), None)
    shared = [u for u in units if not u.is_citywide]
    distributable = cycle.total_amount - (citywide.amount if citywide else 0)
    weights = envelopes.Weights(cycle.weight_equal, cycle.weight_population, cycle.weight_need)
    result = envelopes.split(
        distributable,
        [envelopes.Share(u.pk, u.population, u.need_index) for u in shared],
        weights,
        unit=cycle.rounding_unit,
    )
    for unit in shared:
        unit.amount = result.amounts[unit.pk]
    CycleTerritory.objects.bulk_update(shared, ["amount"])
    return result


NEED_INDEX_PLACES = Decimal("0.0001")  # CycleTerritory.need_index: 12 digits, 4 after the point


def _checked_figures(figure: Figures, unit: CycleTerritory) -> tuple[int | None, Decimal | None]:
    """The figures as they will be stored, or a ValidationError naming the territory:
    the database would refuse a negative or oversized value with an IntegrityError."""
    population, need = figure.population, figure.need_index
    if population is not None and not 0 <= population <= 2_147_483_647:
        raise invalid(
            "population",
            _("The population of %(name)s must be a whole number, 0 or more.") % {"name": unit},
            "bad_population",
        )
    if need is not None:
        need = Decimal(need)
        if not need.is_finite() or need < 0 or need >= 10**8:
            raise invalid(
                "need_index",
                _("The need index of %(name)s must be a number, 0 or more.") % {"name": unit},
                "bad_need_index",
            )
        need = need.quantize(NEED_INDEX_PLACES)  # split with the figure that is stored, so it can be recomputed
    return population, need


FORMULA_ERRORS = {
    "weights_not_100": lambda d: _("The three parts of the formula must add up to 100 %."),
    "no_territories": lambda d: _("No territory takes part yet."),
    "population_missing": lambda d: _("Enter the population of every territory to split by population."),
    "population_zero": lambda d: _("The populations add up to zero."),
    "need_index_missing": lambda d: _("Enter the need index of every territory to split by need."),
    "need_index_zero": lambda d: _("The need indices add up to zero."),
    "negative_amount": lambda d: _("The city-wide envelope is larger than the total."),
    "bad_unit": lambda d: _("Round to a whole number of pesos, 1 or more."),
    "duplicate_territory": lambda d: _("A territory appears twice."),
}


@transaction.atomic
def envelopes_apply_formula(
    *,
    actor: User,
    cycle: Cycle,
    weights: tuple[int, int, int],
    rounding_unit: int = 1,
    figures: dict[int, Figures] | None = None,
    citywide_amount: int | None = None,
) -> envelopes.Split:
    """Store the figures and weights, then split the total (minus the
    city-wide envelope) among the territories by the formula; whatever does not
    make a whole rounding unit stays unassigned and is reported."""
    cycle = lock(cycle)
    require_change(actor, cycle)
    _require_envelopes_open(cycle)
    units = {u.pk: u for u in cycle.units.all()}
    for pk, figure in (figures or {}).items():
        if pk not in units:
            raise refuse(_("Figures were given for a territory that does not take part."), "unknown_unit")
        units[pk].population, units[pk].need_index = _checked_figures(figure, units[pk])
    if citywide_amount is not None:
        _check_amount(citywide_amount, "citywide_amount")
        citywide = next((u for u in units.values() if u.is_citywide), None)
        if citywide is None:
            raise refuse(_("This cycle has no city-wide envelope."), "no_citywide")
        if citywide_amount > cycle.total_amount:
            raise refuse(_("The city-wide envelope is larger than the total."), "over_total")
        citywide.amount = citywide_amount
    CycleTerritory.objects.bulk_update(list(units.values()), ["population", "need_index", "amount"])
    cycle.envelope_mode = EnvelopeMode.FORMULA
    cycle.weight_equal, cycle.weight_population, cycle.weight_need = weights
    cycle.rounding_unit = rounding_unit
    try:
        envelopes.Weights(*weights).check()
        if rounding_unit < 1:
            raise envelopes.EnvelopeError("bad_unit")
        result = _apply_formula(cycle)
    except envelopes.EnvelopeError as error:
        raise refuse(FORMULA_ERRORS[error.code](error.detail), error.code) from error
    cycle.save(update_fields=["envelope_mode", "weight_equal", "weight_population", "weight_need", "rounding_unit"])
    audit_record(
        actor=actor,
        action="cycles.envelopes_set",
        subject=subject_of(cycle),
        data={
            "mode": "formula",
            "weights": list(weights),
            "unit": rounding_unit,
            "amounts": {str(k): v for k, v in result.amounts.items()},
            "unassigned": result.unassigned,
        },
    )
    return result


# --- Voting settings -------------------------------------------------------------


VOTING_FIELDS = (
    "decided_by",
    "ballot_type",
    "min_selections",
    "max_selections",
    "wallet_amount",
    "wallet_block",
    "counting_method",
    "tie_break",
    "min_age",
    "residence",
    "accepted_documents",
    "census_required",
    "online",
    "in_person_days",
    "ballot_replaceable",
)


@transaction.atomic
def voting_update(*, actor: User, cycle: Cycle, now: datetime | None = None, **values: Any) -> VotingSettings:
    """Change how the cycle decides. Refused once voting has opened anywhere."""
    now = now or timezone.now()
    cycle = lock(cycle)
    require_change(actor, cycle)
    from cycles.selectors import cycle_windows

    if any(Capability.VOTE in w.capabilities and w.starts_at <= now for w in cycle_windows(cycle)):
        raise refuse(_("Voting has already opened: its rules can no longer change."), "voting_started")
    unknown = set(values) - set(VOTING_FIELDS)
    if unknown:
        raise TypeError(f"unknown voting settings: {sorted(unknown)}")
    settings_ = cycle.voting
    for name, value in values.items():
        setattr(settings_, name, value)
    _check_voting(settings_)
    settings_.save()
    audit_record(
        actor=actor,
        action="cycles.voting_updated",
        subject=subject_of(cycle),
        data={k: (v if isinstance(v, str | int | bool | type(None)) else str(v)) for k, v in values.items()},
    )
    return settings_


def _check_voting(v: VotingSettings) -> None:
    errors: dict[str, str] = {}  # field -> message, raised with the code "voting"
    if v.min_selections is None or v.min_selections < 0:
        errors["min_selections"] = _("The minimum cannot be negative.")
    elif v.max_selections is not None and v.max_selections < v.min_selections:
        errors["max_selections"] = _("The maximum cannot be below the minimum.")
    if v.ballot_type == BallotType.SINGLE and (v.max_selections or 1) != 1:
        errors["max_selections"] = _("A single-choice ballot has exactly one selection.")
    if v.ballot_type == BallotType.WALLET:
        if not v.wallet_amount or not v.wallet_block or v.wallet_amount <= 0 or v.wallet_block <= 0:
            errors["wallet_amount"] = _("A wallet ballot needs the wallet and the block size.")
        elif v.wallet_amount % v.wallet_block:
            errors["wallet_block"] = _("The wallet must be a whole number of blocks.")
    if not 7 <= v.min_age <= 120:
        errors["min_age"] = _("The minimum age must be between 7 and 120.")
    if not v.accepted_documents:
        errors["accepted_documents"] = _("Accept at least one kind of document.")
    elif set(v.accepted_documents) - set(DocumentType.values):
        errors["accepted_documents"] = _("Choose documents from the list.")
    if not v.online and not v.in_person_days:
        errors["online"] = _("Offer at least one channel: online voting or in-person days.")
    if errors:
        raise ValidationError({field: ValidationError(message, code="voting") for field, message in errors.items()})


# --- Publishing and cloning ------------------------------------------------------


def cycle_problems(cycle: Cycle) -> list[str]:
    """What stops a cycle from being published, in words for the manager (empty: ready)."""
    from cycles.selectors import cycle_windows

    problems = []
    units = list(cycle.units.all())
    if not units:
        problems.append(_("No territory takes part."))
    assigned = sum(u.amount for u in units)
    if assigned > cycle.total_amount:
        problems.append(_("The envelopes add up to more than the total."))
    if units and not any(u.amount for u in units):
        problems.append(_("No envelope has money yet: set the envelopes."))
    windows = cycle_windows(cycle)
    if not windows:
        problems.append(_("The cycle has no phases."))
    if conflicts(windows):
        problems.append(_("Some phases run at the same time in the same territory."))
    try:
        _check_voting(cycle.voting)
    except ValidationError as error:
        problems.extend(str(m) for m in error.messages)
    return problems


@transaction.atomic
def cycle_publish(*, actor: User, cycle: Cycle, now: datetime | None = None) -> Cycle:
    now = now or timezone.now()
    cycle = lock(cycle)
    require_change(actor, cycle)
    if cycle.is_published:
        return cycle
    problems = cycle_problems(cycle)
    if problems:
        raise refuse(" ".join(problems), "not_ready")
    cycle.status, cycle.published_at = CycleStatus.PUBLISHED, now
    cycle.save(update_fields=["status", "published_at"])
    audit_record(actor=actor, action="cycles.cycle_published", subject=subject_of(cycle), now=now)
    return cycle


@transaction.atomic
def cycle_clone(
    *, actor: User, cycle: Cycle, title: str, fiscal_year: int, start_date: date, now: datetime | None = None
) -> Cycle:
    """A new draft with the same territories, figures, envelopes, phases (moved
    so the first starts on ``start_date``) and voting settings."""
    now = now or timezone.now()
    require(actor, "cycles.change_cycle", cycle, _("You may not copy this cycle."))
    if not title.strip():
        raise invalid("title", _("Give the cycle a title."), "title")
    _check_year(fiscal_year)
    # Fresh rows, never the caller's (possibly prefetched) instances: they are copied by
    # clearing their pk, which would otherwise leave ``cycle.voting`` pointing at the copy's.
    source_units = list(CycleTerritory.objects.filter(cycle=cycle).order_by("position", "pk"))
    source_phases = list(Phase.objects.filter(cycle=cycle).prefetch_related("units").order_by("starts_at", "pk"))
    voting = VotingSettings.objects.get(cycle=cycle)
    copy = Cycle.objects.get(pk=cycle.pk)
    copy.pk = None
    copy.title, copy.fiscal_year, copy.status, copy.published_at = title.strip(), fiscal_year, CycleStatus.DRAFT, None
    copy.cloned_from, copy.created_by, copy.created_at = cycle, actor, now
    copy.save()
    unit_map = {}
    for unit in source_units:
        old_pk = unit.pk
        unit.pk, unit.cycle = None, copy
        unit.save()
        unit_map[old_pk] = unit
    shift = local_midnight(start_date) - min((p.starts_at for p in source_phases), default=local_midnight(start_date))
    for phase in source_phases:
        units = [unit_map[u.pk] for u in phase.units.all()]
        phase.pk, phase.cycle = None, copy
        phase.starts_at += shift
        phase.ends_at += shift
        phase.save()
        phase.units.set(units)
    voting.pk, voting.cycle = None, copy
    voting.in_person_days = [d + timedelta(days=shift.days) for d in voting.in_person_days]
    voting.save()
    audit_record(actor=actor, action="cycles.cycle_cloned", subject=subject_of(copy), data={"from": cycle.pk}, now=now)
    return copy
