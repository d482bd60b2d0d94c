"""One entry point for every method: ``count(election, method=..., ...)``.

``Method.OFFICIAL`` applies the rule a Pabulib file declares in META ``rule``
with the scoring cities actually use: approval and choose-1 count ballots,
cumulative and scoring count points, ordinal counts points by position
(``max_length - position``, as Kraków does, not pabutools' Borda).
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from fractions import Fraction

from .equalshares import DEFAULT_ADD1, Add1Options, Completion, equal_shares
from .errors import TallyError
from .greedy import greedy, greedy_by_tally, plurality_by_territory
from .model import BallotKind, Election, Utility
from .outcome import Outcome
from .phragmen import sequential_phragmen
from .tiebreak import DEFAULT_TIE_BREAK, TieBreak


class Method(StrEnum):
    GREEDY = "greedy"
    GREEDY_STOP = "greedy-stop"
    MES = "mes"
    PHRAGMEN = "phragmen"
    PLURALITY = "plurality"
    OFFICIAL = "official"


OFFICIAL_RULES = ("greedy", "greedy-no-skip", "greedy-threshold", "equalshares", "equalshares/add1")


def count(
    election: Election,
    *,
    method: Method,
    utility: Utility | None = None,
    completion: Completion | None = None,
    tie_break: TieBreak = DEFAULT_TIE_BREAK,
    add1: Add1Options = DEFAULT_ADD1,
) -> Outcome:
    """Count ``election`` with ``method``.

    ``utility`` defaults to cost (greedy with it ranks by votes); ``completion``
    applies to Equal Shares only and defaults to none (for OFFICIAL, to what the
    declared rule implies). Raises TallyError (and its subclasses) when the
    combination does not apply or the count cannot be produced.
    """
    if method is Method.OFFICIAL:
        return official(election, tie_break=tie_break, add1=add1, utility=utility, completion=completion)
    if completion not in (None, Completion.NONE) and method is not Method.MES:
        raise TallyError(f"completion {completion} applies to mes only")
    if method in (Method.GREEDY, Method.GREEDY_STOP):
        return greedy(
            election,
            utility=utility or Utility.COST,
            tie_break=tie_break,
            stop_at_first_misfit=method is Method.GREEDY_STOP,
        )
    if method is Method.MES:
        return equal_shares(
            election,
            utility=utility or Utility.COST,
            completion=completion or Completion.NONE,
            tie_break=tie_break,
            options=add1,
        )
    if method is Method.PHRAGMEN:
        return sequential_phragmen(election, tie_break=tie_break)
    return plurality_by_territory(election, tie_break=tie_break)


def official(
    election: Election,
    *,
    tie_break: TieBreak = DEFAULT_TIE_BREAK,
    add1: Add1Options = DEFAULT_ADD1,
    utility: Utility | None = None,
    completion: Completion | None = None,
) -> Outcome:
    """The rule declared in META ``rule``, counted the way cities count.

    greedy, greedy-no-skip, greedy-threshold (META ``min_project_score_threshold``)
    rank by the published tally; equalshares is MES completed by greedy;
    equalshares/add1 is MES with add1 then greedy. Equal Shares uses the cost
    utility for approval ballots, points for cumulative and scoring ballots,
    points by position for ordinal ballots, unless ``utility`` says otherwise.
    """
    rule = election.meta.get("rule", "").strip().lower()
    if rule in ("greedy", "greedy-no-skip", "greedy-threshold"):
        threshold = None
        if rule == "greedy-threshold":
            raw = election.meta.get("min_project_score_threshold")
            if raw is None:
                raise TallyError("META rule greedy-threshold needs min_project_score_threshold")
            try:
                threshold = Fraction(raw.replace(",", "."))
            except ValueError:
                raise TallyError(f"META min_project_score_threshold is not a number: {raw!r}") from None
        outcome = greedy_by_tally(
            election,
            tie_break=tie_break,
            stop_at_first_misfit=rule == "greedy-no-skip",
            threshold=threshold,
            method=f"official:{rule}",
        )
        return outcome
    if rule in ("equalshares", "equalshares/add1"):
        default_utility = {
            BallotKind.APPROVAL: Utility.COST,
            BallotKind.ORDINAL: Utility.POSITION,
        }.get(election.kind, Utility.SCORE)
        default_completion = Completion.ADD1_GREEDY if rule.endswith("add1") else Completion.GREEDY
        outcome = equal_shares(
            election,
            utility=utility or default_utility,
            completion=completion or default_completion,
            tie_break=tie_break,
            options=add1,
        )
        return _renamed(outcome, f"official:{rule}")
    if not rule:
        raise TallyError("the file declares no rule in META; choose --method")
    raise TallyError(f"META rule {rule!r} is not one we count; known rules: {', '.join(OFFICIAL_RULES)}")


def _renamed(outcome: Outcome, method: str) -> Outcome:
    return replace(outcome, method=method)
