"""Greedy methods: rank the projects once, then fund down the list while money lasts.

``greedy`` follows pabutools' greedy_utilitarian_welfare for additive
utilities: projects are ranked by total utility per peso (with the cost
utility that is simply the number of votes), zero-cost projects with support
first, unsupported projects last (they are still funded if money is left,
as pabutools does). ``greedy_by_tally`` ranks by the published tally instead
(votes, points), which is what cities do and what ``--method official`` uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from .model import BallotKind, Election, Score, Utility, supporter_counts, tally, utility_values
from .outcome import Outcome, ProjectResult, Reason, Round, Tie
from .tiebreak import DEFAULT_TIE_BREAK, TieBreak

# Ranking values are compared as (tier, value): tier 1 is "infinitely good"
# (supported and free), which Fractions cannot express and floats must not.
RankValue = tuple[int, Score]


@dataclass(slots=True)
class GreedyRun:
    """What a greedy pass decided, before it is turned into an Outcome (also used for completion)."""

    order: list[int]
    funded: list[int]
    reasons: dict[int, tuple[Reason, str]]
    rounds: list[Round] = field(default_factory=list)
    ties: list[Tie] = field(default_factory=list)
    money_left: int = 0


def utility_totals(election: Election, utility: Utility) -> list[Score]:
    """Sum over voters of the utility each project gives them."""
    if utility in (Utility.COST, Utility.CARDINALITY):
        counts = supporter_counts(election)
        if utility is Utility.CARDINALITY:
            return list(counts)
        return [n * p.cost for n, p in zip(counts, election.projects, strict=True)]
    totals: list[Score] = [0] * len(election.projects)
    for group in election.groups:
        for i, u in zip(group.projects, utility_values(election, group, utility), strict=True):
            totals[i] += group.weight * u
    return totals


def per_cost_values(election: Election, totals: Sequence[Score], utility: Utility) -> list[RankValue]:
    """pabutools' satisfaction density: total/cost, infinite for free supported projects, 0 without support.

    pabutools treats the Borda utility as non-additive and then ranks every free
    project first, supported or not; we follow it so results match.
    """
    borda = utility is Utility.SCORE and election.kind is BallotKind.ORDINAL
    values: list[RankValue] = []
    for p, total in zip(election.projects, totals, strict=True):
        if borda and p.cost == 0:
            values.append((1, 0))
        elif total > 0:
            values.append((1, 0) if p.cost == 0 else (0, Fraction(total, 1) / p.cost))
        else:
            values.append((0, 0))
    return values


def run_greedy(
    election: Election,
    *,
    values: Sequence[RankValue],
    value_name: str,
    tie_break: TieBreak,
    tallies: Sequence[Score],
    already: Sequence[int] = (),
    excluded: dict[int, str] | None = None,
    stop_at_first_misfit: bool = False,
    stage: str = "greedy",
    first_round: int = 1,
) -> GreedyRun:
    """Fund projects in decreasing ``values`` order, ties by ``tie_break``, while they fit.

    ``already`` are funded before the pass (completion); ``excluded`` maps project
    indices to the reason they may not be funded (threshold, not buildable).
    Contract: the funded projects never cost more than the budget.
    Raises TieError when the tie-break refuses ties and a tie changes who is funded.
    """
    excluded = dict(excluded or {})
    for i, p in enumerate(election.projects):
        if not p.eligible:
            excluded.setdefault(i, "cannot be built (cost sentinel)")
    keys = tie_break.keys(election, list(tallies))
    taken = set(already)
    candidates = [i for i in range(len(election.projects)) if i not in taken]
    order = sorted(candidates, key=lambda i: (-values[i][0], -values[i][1], keys[i]))
    money = election.budget - sum(election.projects[i].cost for i in already)
    run = GreedyRun(order=order, funded=[], reasons={}, money_left=money)
    stopped_at: str | None = None
    number = first_round
    pos = 0
    while pos < len(order):
        # A block of projects the ranking cannot tell apart; the tie-break ordered it.
        end = pos
        while end < len(order) and values[order[end]] == values[order[pos]]:
            end += 1
        block = order[pos:end]
        money_at_block = money
        funded_in_block: list[int] = []
        for i in block:
            project = election.projects[i]
            if i in excluded:
                run.reasons[i] = (Reason.ELIMINATED, excluded[i])
                continue
            if stopped_at is not None:
                run.reasons[i] = (Reason.ELIMINATED, f"counting stopped at {stopped_at}, which did not fit")
                continue
            fits = project.cost <= money
            if fits:
                money -= project.cost
                run.funded.append(i)
                funded_in_block.append(i)
                run.reasons[i] = (Reason.FUNDED, f"funded with {value_name} {_show(values[i])}")
            else:
                run.reasons[i] = (
                    Reason.NOT_ENOUGH_BUDGET,
                    f"costs {project.cost}, only {money} left",
                )
                if stop_at_first_misfit:
                    stopped_at = project.id
            run.rounds.append(
                Round(
                    number=number,
                    project_id=project.id,
                    funded=fits,
                    value=_round_value(values[i]),
                    value_name=value_name,
                    money_left=Fraction(money),
                    stage=stage,
                )
            )
            number += 1
        contenders = [i for i in block if i not in excluded]
        losers = [i for i in contenders if i not in funded_in_block and election.projects[i].cost <= money_at_block]
        if funded_in_block and losers:
            tie_break.check(election, contenders, context=f"{stage}, equal {value_name}")
            chosen = election.projects[funded_in_block[0]].id
            run.ties.append(Tie(stage=stage, tied=tuple(election.projects[i].id for i in contenders), chosen=chosen))
            for i in losers:
                if run.reasons[i][0] is Reason.NOT_ENOUGH_BUDGET:
                    run.reasons[i] = (
                        Reason.LOST_TIE_BREAK,
                        f"tied with {chosen} on {value_name}; the tie-break funded {chosen} first",
                    )
        pos = end
    run.money_left = money
    return run


def greedy(
    election: Election,
    *,
    utility: Utility = Utility.COST,
    tie_break: TieBreak = DEFAULT_TIE_BREAK,
    stop_at_first_misfit: bool = False,
) -> Outcome:
    """Greedy by utility per peso (pabutools' greedy_utilitarian_welfare, additive utilities).

    With the cost utility this ranks by votes: the usual Colombian practice.
    ``stop_at_first_misfit`` stops at the first project that does not fit
    instead of skipping it (Pabulib's greedy-no-skip).
    """
    tallies = tally(election)
    values = per_cost_values(election, utility_totals(election, utility), utility)
    name = "votes" if utility is Utility.COST else f"{utility} per peso"
    run = run_greedy(
        election,
        values=values,
        value_name=name,
        tie_break=tie_break,
        tallies=tallies,
        stop_at_first_misfit=stop_at_first_misfit,
    )
    method = "greedy-stop" if stop_at_first_misfit else "greedy"
    return greedy_outcome(election, run=run, method=method, utility=str(utility), tie_break=tie_break, tallies=tallies)


def greedy_by_tally(
    election: Election,
    *,
    tie_break: TieBreak = DEFAULT_TIE_BREAK,
    stop_at_first_misfit: bool = False,
    threshold: Score | None = None,
    method: str = "greedy",
) -> Outcome:
    """Greedy by the published tally (votes, points): what cities do.

    Projects whose tally is below ``threshold`` are eliminated (Pabulib's
    greedy-threshold with ``min_project_score_threshold``).
    """
    tallies = tally(election)
    values: list[RankValue] = [(0, t) for t in tallies]
    excluded: dict[int, str] = {}
    if threshold is not None:
        for i, t in enumerate(tallies):
            if t < threshold:
                excluded[i] = f"score {_show((0, t))} is below the threshold {_show((0, threshold))}"
    run = run_greedy(
        election,
        values=values,
        value_name="score",
        tie_break=tie_break,
        tallies=tallies,
        excluded=excluded,
        stop_at_first_misfit=stop_at_first_misfit,
    )
    outcome = greedy_outcome(election, run=run, method=method, utility="tally", tie_break=tie_break, tallies=tallies)
    return outcome


def greedy_outcome(
    election: Election,
    *,
    run: GreedyRun,
    method: str,
    utility: str,
    tie_break: TieBreak,
    tallies: Sequence[Score],
) -> Outcome:
    rank = {i: k + 1 for k, i in enumerate(run.order)}
    results = tuple(
        ProjectResult(
            project_id=p.id,
            cost=p.cost,
            score=tallies[i],
            rank=rank.get(i, 0),
            funded=run.reasons[i][0] is Reason.FUNDED,
            reason=run.reasons[i][0],
            detail=run.reasons[i][1],
        )
        for i, p in enumerate(election.projects)
    )
    return Outcome(
        method=method,
        utility=utility,
        completion="none",
        tie_break=tie_break.describe(),
        budget=election.budget,
        unit=election.unit,
        selected=tuple(election.projects[i].id for i in run.funded),
        projects=results,
        rounds=tuple(run.rounds),
        ties=tuple(run.ties),
        notes=election.notes,
    )


def plurality_by_territory(election: Election, *, tie_break: TieBreak = DEFAULT_TIE_BREAK) -> Outcome:
    """One winner per territory: in each territory the project with the highest tally that fits.

    Territories are visited in decreasing order of their best tally (ties by the
    tie-break on their best project) and each winner must fit in the money left,
    so the result never exceeds the budget. Projects without a territory form
    one territory named "".
    """
    tallies = tally(election)
    keys = tie_break.keys(election, tallies)
    by_territory: dict[str, list[int]] = {}
    for i, p in enumerate(election.projects):
        by_territory.setdefault(p.territory, []).append(i)
    ranked = {t: sorted(ids, key=lambda i: (-tallies[i], keys[i])) for t, ids in by_territory.items()}
    territory_order = sorted(ranked, key=lambda t: (-tallies[ranked[t][0]], keys[ranked[t][0]]))
    money = election.budget
    funded: list[int] = []
    reasons: dict[int, tuple[Reason, str]] = {}
    rounds: list[Round] = []
    ties: list[Tie] = []
    for territory in territory_order:
        ids = ranked[territory]
        winner: int | None = None
        for i in ids:
            p = election.projects[i]
            if winner is not None:
                reasons[i] = (Reason.ELIMINATED, f"territory {territory!r} already has its winner")
            elif not p.eligible:
                reasons[i] = (Reason.ELIMINATED, "cannot be built (cost sentinel)")
            elif p.cost > money:
                reasons[i] = (Reason.NOT_ENOUGH_BUDGET, f"costs {p.cost}, only {money} left")
            else:
                winner = i
                money -= p.cost
                funded.append(i)
                reasons[i] = (Reason.FUNDED, f"most votes in territory {territory!r}")
                rounds.append(
                    Round(
                        number=len(rounds) + 1,
                        project_id=p.id,
                        funded=True,
                        value=tallies[i],
                        value_name="votes",
                        money_left=Fraction(money),
                        stage=f"territory {territory}",
                    )
                )
        if winner is not None:
            tied = [i for i in ids if tallies[i] == tallies[winner] and election.projects[i].eligible]
            if len(tied) > 1:
                tie_break.check(election, tied, context=f"territory {territory!r}")
                chosen = election.projects[winner].id
                ties.append(
                    Tie(
                        stage=f"territory {territory}", tied=tuple(election.projects[i].id for i in tied), chosen=chosen
                    )
                )
                for i in tied:
                    if i != winner and reasons[i][0] is Reason.ELIMINATED:
                        reasons[i] = (Reason.LOST_TIE_BREAK, f"tied with {chosen}; the tie-break chose {chosen}")
    order = [i for t in territory_order for i in ranked[t]]
    run = GreedyRun(order=order, funded=funded, reasons=reasons, rounds=rounds, ties=ties, money_left=money)
    return greedy_outcome(election, run=run, method="plurality", utility="tally", tie_break=tie_break, tallies=tallies)


def _round_value(value: RankValue) -> Score | float:
    return float("inf") if value[0] == 1 else value[1]


def _show(value: RankValue) -> str:
    if value[0] == 1:
        return "infinite (free project)"
    v = value[1]
    if isinstance(v, Fraction) and v.denominator != 1:
        return f"{v} (~{float(v):.4g})"
    return str(v)
