"""How a cycle's money is split among its territories. Pure Python, exact.

Amounts are whole pesos (``int``); shares are computed with ``Fraction``, so
no peso is lost or invented by rounding. Every formula is the same weighted
mix of three parts, with weights in whole percentage points that add up to
100:

- an equal part (each territory the same),
- a population part (in proportion to population),
- a need part (in proportion to a poverty or vulnerability index, the
  higher the index the larger the share).

"Equal split" is (100, 0, 0), "by population" (0, 100, 0), "by need"
(0, 0, 100); Medellín-style mixes are anything in between.

Rounding is explicit: each territory gets a whole number of ``unit`` pesos
(1, 1,000, 1,000,000, ...). The units left after flooring every exact share
go one each to the territories with the largest fractional parts (the
largest-remainder method), ties broken by the order the territories are given
in; what does not make a whole unit stays unassigned and is reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction


class EnvelopeError(ValueError):
    """The inputs cannot produce a split; ``code`` says why."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Weights:
    equal: int = 100
    population: int = 0
    need: int = 0

    def check(self) -> None:
        parts = (self.equal, self.population, self.need)
        # Whole percentage points only: a float would make the shares inexact.
        if any(not isinstance(part, int) or part < 0 for part in parts) or sum(parts) != 100:
            raise EnvelopeError("weights_not_100", f"{parts}")


EQUAL = Weights(100, 0, 0)
BY_POPULATION = Weights(0, 100, 0)
BY_NEED = Weights(0, 0, 100)


@dataclass(frozen=True)
class Share:
    """One territory's inputs: its key (an id or a code), population and need index."""

    key: int | str
    population: int | None = None
    need_index: Decimal | int | None = None


@dataclass(frozen=True)
class Split:
    amounts: dict[int | str, int]
    unassigned: int  # what was distributable but makes no whole unit
    extra_unit_to: tuple[int | str, ...] = field(default=())  # who got one more unit from the remainder

    @property
    def assigned(self) -> int:
        return sum(self.amounts.values())


def _need_fraction(value: Decimal | int | None) -> Fraction | None:
    """The index as an exact fraction; None when missing or not a finite number (NaN, Infinity)."""
    if value is None or (isinstance(value, Decimal) and not value.is_finite()):
        return None
    return Fraction(value)


def exact_shares(shares: Sequence[Share], weights: Weights) -> dict[int | str, Fraction]:
    """Each territory's fraction of the money (they add up to exactly 1)."""
    weights.check()
    if not shares:
        raise EnvelopeError("no_territories")
    keys = [share.key for share in shares]
    if len(set(keys)) != len(keys):
        raise EnvelopeError("duplicate_territory")
    n = len(shares)
    result = {share.key: Fraction(weights.equal, 100) / n for share in shares}
    if weights.population:
        populations = []
        for share in shares:
            if share.population is None or share.population < 0:
                raise EnvelopeError("population_missing", str(share.key))
            populations.append(share.population)
        total = sum(populations)
        if total == 0:
            raise EnvelopeError("population_zero")
        for share, population in zip(shares, populations, strict=True):
            result[share.key] += Fraction(weights.population, 100) * Fraction(population, total)
    if weights.need:
        indices = []
        for share in shares:
            index = _need_fraction(share.need_index)
            if index is None or index < 0:
                raise EnvelopeError("need_index_missing", str(share.key))
            indices.append(index)
        total_index = sum(indices, Fraction(0))
        if total_index == 0:
            raise EnvelopeError("need_index_zero")
        for share, index in zip(shares, indices, strict=True):
            result[share.key] += Fraction(weights.need, 100) * index / total_index
    return result


def split(amount: int, shares: Sequence[Share], weights: Weights = EQUAL, *, unit: int = 1) -> Split:
    """Split ``amount`` pesos among ``shares`` by ``weights`` in whole ``unit`` s.

    Guarantees: every amount is a multiple of ``unit``; the amounts plus
    ``unassigned`` equal ``amount``; ``unassigned < unit``; each amount is its
    exact share rounded down or up by less than one unit; the result depends
    only on the inputs (the order breaks ties).
    """
    if amount < 0:
        raise EnvelopeError("negative_amount")
    if unit < 1:
        raise EnvelopeError("bad_unit")
    fractions = exact_shares(shares, weights)
    units, unassigned = divmod(amount, unit)
    exact = {key: fraction * units for key, fraction in fractions.items()}
    floors = {key: int(value) for key, value in exact.items()}  # shares are >= 0: int() floors
    left = units - sum(floors.values())
    order = {share.key: i for i, share in enumerate(shares)}
    by_remainder = sorted(exact, key=lambda key: (-(exact[key] - floors[key]), order[key]))
    lucky = tuple(by_remainder[:left])
    amounts = {share.key: (floors[share.key] + (1 if share.key in lucky else 0)) * unit for share in shares}
    return Split(amounts=amounts, unassigned=unassigned, extra_unit_to=tuple(k for k in order if k in lucky))
