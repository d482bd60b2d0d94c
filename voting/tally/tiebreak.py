"""Tie-breaks: which project goes first when a method cannot tell them apart.

A tie-break is a total order on projects fixed before counting, so it is
deterministic and can be printed next to the result. Methods sort candidates
by it and record every tie they meet in the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .errors import TieError
from .model import Election, Score


class TieBreakRule(StrEnum):
    LEXICOGRAPHIC = "lexicographic"
    """Project id in plain string order (pabutools' default)."""
    VOTES_THEN_COST = "votes-then-cost"
    """More votes, then lower cost, then the order the projects were given in (our default)."""
    COST_THEN_VOTES = "cost-then-votes"
    """Lower cost, then more votes, then a lot drawn in advance (equalshares.net)."""
    REFUSE = "refuse"
    """Stop with an error listing the tied projects."""


@dataclass(frozen=True, slots=True)
class TieBreak:
    """A tie-break rule and, for COST_THEN_VOTES, the lot drawn in advance.

    ``lot`` lists project ids in the order drawn; projects it does not list come
    after, in the order given. "Votes" are the published tally (see ``model.tally``).
    """

    rule: TieBreakRule = TieBreakRule.VOTES_THEN_COST
    lot: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.rule is TieBreakRule.LEXICOGRAPHIC:
            return "lexicographic: project id in plain string order"
        if self.rule is TieBreakRule.VOTES_THEN_COST:
            return "more votes, then lower cost, then the order given"
        if self.rule is TieBreakRule.COST_THEN_VOTES:
            lot = "lot drawn in advance: " + ", ".join(self.lot) if self.lot else "the order given"
            return f"lower cost, then more votes, then {lot}"
        return "refuse: a tie stops the count with an error"

    def keys(self, election: Election, tallies: list[Score]) -> list[tuple[object, ...]]:
        """One sort key per project index; the smaller key wins the tie."""
        projects = election.projects
        if self.rule is TieBreakRule.LEXICOGRAPHIC:
            return [(p.id,) for p in projects]
        if self.rule is TieBreakRule.VOTES_THEN_COST:
            return [(-tallies[i], p.cost, i) for i, p in enumerate(projects)]
        if self.rule is TieBreakRule.COST_THEN_VOTES:
            drawn = {pid: k for k, pid in enumerate(self.lot)}
            n = len(drawn)
            return [(p.cost, -tallies[i], drawn.get(p.id, n + i)) for i, p in enumerate(projects)]
        return [(i,) for i in range(len(projects))]

    def check(self, election: Election, tied: list[int], *, context: str) -> None:
        """Raise TieError if this tie-break refuses ties and ``tied`` holds more than one project."""
        if self.rule is TieBreakRule.REFUSE and len(tied) > 1:
            ids = tuple(election.projects[i].id for i in tied)
            raise TieError(f"tie between {', '.join(ids)} ({context}); choose a tie-break", tied=ids)


DEFAULT_TIE_BREAK = TieBreak()
"""More votes, then lower cost, then the order given."""
