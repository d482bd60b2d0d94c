"""What a valid ballot is, as plain Python (no Django).

A ballot is a set of ``Choice``s (a proposal and a value) checked against the
cycle's ``BallotRules`` and the proposals on the voter's ballot with their
costs. The value means: 1 for single, approval and knapsack ballots; the rank
(1 = first) for ranked ballots; the amount given (pesos or points) for a wallet.

``ballot_check`` returns the ballot in canonical form (sorted by proposal) or
raises ``BallotProblem`` with a code the pages and the API turn into a
sentence: ``empty``, ``duplicate``, ``not_on_ballot``, ``bad_value``,
``bad_rank``, ``bad_block``, ``too_few``, ``too_many``, ``over_envelope``,
``over_wallet``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class BallotKind(StrEnum):
    SINGLE = "single"
    APPROVAL = "approval"
    KNAPSACK = "knapsack"
    RANKED = "ranked"
    WALLET = "wallet"


@dataclass(frozen=True, slots=True)
class BallotRules:
    kind: BallotKind
    min_selections: int = 1
    max_selections: int | None = None
    envelope: int | None = None  # knapsack: the territory's envelope in pesos
    wallet_amount: int | None = None
    wallet_block: int | None = None

    @property
    def most(self) -> int | None:
        """The most proposals one ballot may name."""
        if self.kind == BallotKind.SINGLE:
            return 1
        return self.max_selections

    @property
    def least(self) -> int:
        return 1 if self.kind == BallotKind.SINGLE else self.min_selections


@dataclass(frozen=True, slots=True, order=True)
class Choice:
    proposal: int
    value: int = 1


@dataclass(frozen=True, slots=True)
class BallotProblem(ValueError):
    code: str
    params: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.code


def _check_values(rules: BallotRules, choices: Sequence[Choice]) -> None:
    if rules.kind == BallotKind.RANKED:
        ranks = sorted(choice.value for choice in choices)
        if ranks != list(range(1, len(choices) + 1)):
            raise BallotProblem("bad_rank")
    elif rules.kind == BallotKind.WALLET:
        block = rules.wallet_block or 1
        for choice in choices:
            if choice.value <= 0 or choice.value % block:
                raise BallotProblem("bad_block", {"block": block})
        spent = sum(choice.value for choice in choices)
        if rules.wallet_amount is not None and spent > rules.wallet_amount:
            raise BallotProblem("over_wallet", {"wallet": rules.wallet_amount, "spent": spent})
    elif any(choice.value != 1 for choice in choices):
        raise BallotProblem("bad_value")


def ballot_check(rules: BallotRules, choices: Sequence[Choice], costs: Mapping[int, int]) -> tuple[Choice, ...]:
    """The ballot sorted by proposal, or ``BallotProblem`` for the first rule it breaks.

    ``costs`` maps every proposal on this voter's ballot to its cost; a choice
    outside it (another territory, another cycle, not viable) is refused.
    """
    if not choices:
        raise BallotProblem("empty", {"least": rules.least})
    proposals = [choice.proposal for choice in choices]
    if len(set(proposals)) != len(proposals):
        raise BallotProblem("duplicate")
    if any(proposal not in costs for proposal in proposals):
        raise BallotProblem("not_on_ballot")
    _check_values(rules, choices)
    if len(choices) < rules.least:
        raise BallotProblem("too_few", {"least": rules.least})
    most = rules.most
    if most is not None and len(choices) > most:
        raise BallotProblem("too_many", {"most": most})
    if rules.kind == BallotKind.KNAPSACK and rules.envelope is not None:
        total = sum(costs[proposal] for proposal in proposals)
        if total > rules.envelope:
            raise BallotProblem("over_envelope", {"envelope": rules.envelope, "total": total})
    return tuple(sorted(choices))


@dataclass(frozen=True, slots=True)
class Basket:
    """What a voter has chosen so far, for the basket beside the ballot."""

    count: int
    cost: int  # pesos of the chosen proposals
    budget: int | None  # the envelope (knapsack) or the wallet (wallet); None otherwise
    used: int  # of the budget: cost for a knapsack, points given for a wallet

    @property
    def remaining(self) -> int | None:
        return None if self.budget is None else self.budget - self.used


def basket(rules: BallotRules, choices: Sequence[Choice], costs: Mapping[int, int]) -> Basket:
    """Totals of a ballot in progress (choices not on the ballot count for nothing)."""
    known = [choice for choice in choices if choice.proposal in costs]
    cost = sum(costs[choice.proposal] for choice in known)
    if rules.kind == BallotKind.KNAPSACK:
        return Basket(len(known), cost, rules.envelope, cost)
    if rules.kind == BallotKind.WALLET:
        return Basket(len(known), cost, rules.wallet_amount, sum(max(choice.value, 0) for choice in known))
    return Basket(len(known), cost, None, 0)


def canonical(choices: Sequence[Choice]) -> list[list[int]]:
    """The ballot as stored and hashed: ``[[proposal, value], ...]`` sorted by proposal."""
    return [[choice.proposal, choice.value] for choice in sorted(choices)]


def from_canonical(data: Sequence[Sequence[int]]) -> tuple[Choice, ...]:
    return tuple(Choice(int(proposal), int(value)) for proposal, value in data)
