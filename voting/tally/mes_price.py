"""Pricing a project in Equal Shares: the lowest rho at which its supporters can pay for it.

Split from ``mes`` (the rounds and payments) because this is the arithmetic a
citizen checks by hand: supporters are taken from the poorest; those who
cannot pay rho times their utility pay all they have, the rest pay rho times
their utility, and rho is the smallest value for which that adds up to the cost.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from typing import TYPE_CHECKING

from .model import Score

if TYPE_CHECKING:
    from .mes import MesSetup

CLOSE = 1e-9
"""Relative gap under which two float amounts are not trusted to be ordered correctly."""


def count_cells(setup: MesSetup, project: int, group_class: list[int]) -> dict[int, int]:
    """Weight of the project's supporters per money class, counted afresh (in C for single ballots).

    With one utility value per project (approval-like utilities) recounting the
    few projects MES evaluates is cheaper than keeping every project's cells up
    to date each time voters pay.
    """
    cells: dict[int, int] = Counter(map(group_class.__getitem__, setup.light[project]))
    for g, w in setup.heavy[project]:
        c = group_class[g]
        cells[c] = cells.get(c, 0) + w
    cells.pop(-1, None)
    return cells


def price(
    cell: dict[int, int], nu: int, uv: list[Score], money: list[Fraction], cost: int, fmoney: list[float] | None = None
) -> Fraction | None:
    """The lowest rho at which the supporters in ``cell`` can pay ``cost``, or None if they cannot.

    Supporters are taken from the poorest (least money per unit of utility); those who
    cannot pay rho * utility pay all they have, the rest pay rho * utility.
    """
    if nu == 1 and fmoney is not None:
        return _price_uniform(cell, uv[0], money, fmoney, cost)
    rows = []
    available = Fraction(0)
    denominator: Score = 0
    for k, w in cell.items():
        c, ui = divmod(k, nu)
        b = money[c]
        u = uv[ui]
        available += b * w
        denominator += w * u
        rows.append((b / u, b, w, u))
    if available < cost:
        return None
    rows.sort()
    remaining = Fraction(cost)
    for ratio, b, w, u in rows:
        if remaining <= ratio * denominator:
            return remaining / denominator
        remaining -= b * w
        denominator -= w * u
    return None


def _price_uniform(
    cell: dict[int, int], u: Score, money: list[Fraction], fmoney: list[float], cost: int
) -> Fraction | None:
    """``_price`` when all supporters get the same utility ``u``: exact, guided by floats.

    Floats only choose where to look: which classes are poor (pay all they
    have) and which are rich (pay the same cap). The cap is then computed
    exactly from that split and the split is checked exactly wherever floats
    could be wrong, so the result is the exact price; if a check fails the
    exact method decides.
    """
    keys = sorted(cell, key=fmoney.__getitem__)
    total = 0
    favailable = 0.0
    for k in keys:
        w = cell[k]
        total += w
        favailable += fmoney[k] * w
    if favailable < cost * (1 - CLOSE):
        return None
    if favailable <= cost * (1 + CLOSE):
        return _price_exact(cell, u, money, cost)
    remaining = float(cost)
    weight = total
    split = len(keys)
    for j, k in enumerate(keys):
        if remaining <= fmoney[k] * weight:
            split = j
            break
        remaining -= fmoney[k] * cell[k]
        weight -= cell[k]
    if split == len(keys):
        return _price_exact(cell, u, money, cost)
    poor = keys[:split]
    exact_remaining = cost - sum((money[k] * cell[k] for k in poor), start=Fraction(0))
    cap = exact_remaining / weight
    fcap = float(cap)
    for k in poor:
        if fmoney[k] >= fcap * (1 - CLOSE) and not money[k] < cap:
            return _price_exact(cell, u, money, cost)
    for k in keys[split:]:
        if fmoney[k] > fcap * (1 + CLOSE):
            break  # sorted: every richer class can pay the cap too
        if money[k] < cap:
            return _price_exact(cell, u, money, cost)
    return cap / u


def _price_exact(cell: dict[int, int], u: Score, money: list[Fraction], cost: int) -> Fraction | None:
    items = sorted((money[k], w) for k, w in cell.items())
    weight = sum(w for _, w in items)
    available = sum((b * w for b, w in items), start=Fraction(0))
    if available < cost:
        return None
    remaining: Fraction = Fraction(cost)
    for b, w in items:
        if remaining <= b * weight:
            return remaining / (weight * u)
        remaining -= b * w
        weight -= w
    return None  # unreachable: the richest class always suffices once available >= cost
