"""What a count returns: the funded projects and everything needed to check them by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any

from .model import Score

ENGINE_VERSION = "1.0"
"""Bumped whenever a method's result could change for the same input."""


class Reason(StrEnum):
    FUNDED = "funded"
    NOT_ENOUGH_BUDGET = "not_enough_budget"
    LOST_TIE_BREAK = "lost_tie_break"
    ELIMINATED = "eliminated"


@dataclass(frozen=True, slots=True)
class ProjectResult:
    """One project's line in the result. ``rank`` is 1-based in the method's order of consideration."""

    project_id: str
    cost: int
    score: Score
    rank: int
    funded: bool
    reason: Reason
    detail: str


@dataclass(frozen=True, slots=True)
class Payment:
    """``voters`` voters each paid ``each`` (internal money units) in one round."""

    voters: int
    each: Fraction


@dataclass(frozen=True, slots=True)
class Round:
    """One step of the audit trail.

    ``value`` is what the method compared: votes (or votes per peso) for greedy,
    rho (price per unit of utility) for Equal Shares, the new maximal load for
    Phragmén; ``value_name`` says which. ``money_left`` is the budget left after
    the step (for Equal Shares: the voters' money left).
    """

    number: int
    project_id: str
    funded: bool
    value: Score | float
    value_name: str
    money_left: Fraction
    payments: tuple[Payment, ...] = ()
    stage: str = ""


@dataclass(frozen=True, slots=True)
class Tie:
    """Projects a method could not tell apart at one step, and the one the tie-break chose."""

    stage: str
    tied: tuple[str, ...]
    chosen: str


@dataclass(frozen=True, slots=True)
class Add1Report:
    """How add1 completion ran: per-voter shares are in internal money units."""

    start_share: Fraction
    final_share: Fraction
    step: Fraction
    steps: int
    runs: int
    start_mode: str
    stop_mode: str
    compared_with_greedy: bool = False
    switched_to_greedy: bool = False
    voters_preferring_greedy: int = 0
    voters_preferring_mes: int = 0


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one count. ``selected`` is in order of selection."""

    method: str
    utility: str
    completion: str
    tie_break: str
    budget: int
    unit: int
    selected: tuple[str, ...]
    projects: tuple[ProjectResult, ...]
    rounds: tuple[Round, ...] = ()
    ties: tuple[Tie, ...] = ()
    add1: Add1Report | None = None
    notes: tuple[str, ...] = ()
    version: str = ENGINE_VERSION
    options: dict[str, str] = field(default_factory=dict)

    @property
    def spent(self) -> int:
        costs = {p.project_id: p.cost for p in self.projects}
        return sum(costs[pid] for pid in self.selected)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; fractions become strings like ``"1250/3"``, money stays in internal units."""
        data: dict[str, Any] = _jsonable(
            {
                "method": self.method,
                "version": self.version,
                "utility": self.utility,
                "completion": self.completion,
                "tie_break": self.tie_break,
                "options": self.options,
                "budget": self.budget,
                "unit": self.unit,
                "spent": self.spent,
                "selected": list(self.selected),
                "projects": [_fields(p) for p in self.projects],
                "rounds": [_fields(r) for r in self.rounds],
                "ties": [_fields(t) for t in self.ties],
                "add1": _fields(self.add1) if self.add1 else None,
                "notes": list(self.notes),
            }
        )
        return data


def _fields(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__slots__}


def _jsonable(value: Any) -> Any:
    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (Payment,)):
        return _jsonable(_fields(value))
    return value
