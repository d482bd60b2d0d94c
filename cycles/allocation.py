"""Which territories take part in a cycle and how much each receives (its
envelope, techo presupuestal): typed in, or split by the cycle's formula
(``cycles.envelopes``). Same contract as ``cycles.services``: the cycle row
locked, the permission checked, refusals with a code, one audit entry."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import audit_record, subject_of
from accounts.models import User
from cycles import envelopes
from cycles.guards import check_amount, invalid, lock, pesos, refuse, require_change
from cycles.models import Cycle, CycleTerritory, EnvelopeMode
from nodes.models import Municipality, Territory


def assigned_amount(cycle: Cycle) -> int:
    return sum(cycle.units.values_list("amount", flat=True))


def split_if_possible(cycle: Cycle) -> envelopes.Split | None:
    """Apply the cycle's formula when the figures it needs are there."""
    try:
        return _apply_formula(cycle)
    except envelopes.EnvelopeError:
        return None


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
        check_amount(amount, "amount")
    total = sum(amounts.get(pk, unit.amount) for pk, unit in units.items())
    if total > cycle.total_amount:
        raise refuse(
            _("The envelopes add up to %(sum)s, more than the cycle's total of %(total)s.")
            % {"sum": pesos(total), "total": pesos(cycle.total_amount)},
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
        check_amount(citywide_amount, "citywide_amount")
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
