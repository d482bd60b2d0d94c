"""Sequential Phragmén for approval ballots, as pabutools' sequential_phragmen computes it.

Voters earn virtual money continuously; a project is bought as soon as its
supporters together hold its cost, after which they all hold nothing (their
"load" is the price they have paid so far per voter). Each round funds the
project whose purchase leaves its supporters with the lowest maximal load
``(sum of their loads + cost) / supporters``. The rule stops, for good, as soon as
one of the projects tied for that lowest load does not fit in the budget.
Projects nobody supports have an infinite load: they are only reached once
every supported project is funded, and then in tie-break order while they fit
(pabutools' behaviour, kept on purpose so results match).

Voters with equal load form one class, as in ``mes``; loads only grow, so a
project's maximal load is re-evaluated lazily.
"""

from __future__ import annotations

from fractions import Fraction

from .errors import TallyError
from .model import BallotKind, Election, Score, tally
from .outcome import Outcome, ProjectResult, Reason, Round, Tie
from .tiebreak import DEFAULT_TIE_BREAK, TieBreak


def sequential_phragmen(election: Election, *, tie_break: TieBreak = DEFAULT_TIE_BREAK) -> Outcome:
    """Sequential Phragmén. Raises TallyError for non-approval ballots, TieError if ties are refused."""
    if election.kind is not BallotKind.APPROVAL:
        raise TallyError("sequential Phragmén applies to approval ballots only")
    projects = election.projects
    m = len(projects)
    tallies: list[Score] = tally(election)
    keys = tie_break.keys(election, tallies)
    weights = [g.weight for g in election.groups]
    candidates = [i for i, p in enumerate(projects) if p.eligible and p.cost <= election.budget]
    is_candidate = [False] * m
    for i in candidates:
        is_candidate[i] = True
    supporters: list[list[int]] = [[] for _ in range(m)]
    for gi, group in enumerate(election.groups):
        for i in group.projects:
            if is_candidate[i]:
                supporters[i].append(gi)
    load: list[Fraction] = [Fraction(0)]
    class_of: dict[Fraction, int] = {Fraction(0): 0}
    group_class = [0] * len(weights)
    cells: list[dict[int, int]] = [{} for _ in range(m)]
    finite: dict[int, Fraction] = {}
    infinite: list[int] = []
    for i in candidates:
        if tallies[i] == 0:
            infinite.append(i)
        else:
            cells[i] = {0: int(tallies[i])}
            finite[i] = Fraction(projects[i].cost, int(tallies[i]))
    spent = 0
    selected: list[int] = []
    reasons: dict[int, tuple[Reason, str]] = {}
    rounds: list[Round] = []
    ties: list[Tie] = []
    stop_note = ""
    while finite or infinite:
        best: Fraction | None = None
        tied: list[int] = []
        for i in sorted(finite, key=finite.__getitem__):
            if best is not None and finite[i] > best:
                break
            value = (sum((w * load[c] for c, w in cells[i].items()), start=Fraction(0)) + projects[i].cost) / int(
                tallies[i]
            )
            finite[i] = value
            if best is None or value < best:
                best, tied = value, [i]
            elif value == best:
                tied.append(i)
        if best is None:
            tied = list(infinite)
        if any(spent + projects[i].cost > election.budget for i in tied):
            misfit = next(projects[i].id for i in tied if spent + projects[i].cost > election.budget)
            stop_note = f"counting stopped: {misfit} was next and did not fit"
            for i in tied:
                if spent + projects[i].cost > election.budget:
                    reasons[i] = (
                        Reason.NOT_ENOUGH_BUDGET,
                        f"next in line but costs {projects[i].cost}, only {election.budget - spent} left",
                    )
            break
        number = len(rounds) + 1
        if len(tied) > 1:
            tie_break.check(election, tied, context=f"phragmen, round {number}")
            tied.sort(key=keys.__getitem__)
            ties.append(
                Tie(
                    stage=f"phragmen, round {number}",
                    tied=tuple(projects[i].id for i in tied),
                    chosen=projects[tied[0]].id,
                )
            )
        chosen = tied[0]
        spent += projects[chosen].cost
        selected.append(chosen)
        reasons[chosen] = (Reason.FUNDED, f"funded in round {number} with max load {_show(best)}")
        if best is None:
            infinite.remove(chosen)
        else:
            del finite[chosen]
            _raise_loads(election, chosen, best, supporters, weights, load, class_of, group_class, cells, finite)
        rounds.append(
            Round(
                number=number,
                project_id=projects[chosen].id,
                funded=True,
                value=best if best is not None else float("inf"),
                value_name="max load",
                money_left=Fraction(election.budget - spent),
                stage="phragmen",
            )
        )
    for i, p in enumerate(projects):
        if i in reasons:
            continue
        if not p.eligible:
            reasons[i] = (Reason.ELIMINATED, "cannot be built (cost sentinel)")
        elif p.cost > election.budget:
            reasons[i] = (Reason.NOT_ENOUGH_BUDGET, f"costs {p.cost}, more than the whole budget")
        else:
            reasons[i] = (Reason.ELIMINATED, stop_note or "not reached")
    rank = {i: k + 1 for k, i in enumerate(selected)}
    rest = sorted((i for i in range(m) if i not in rank), key=lambda i: (-tallies[i], keys[i]))
    for i in rest:
        rank[i] = len(rank) + 1
    results = tuple(
        ProjectResult(
            project_id=p.id,
            cost=p.cost,
            score=tallies[i],
            rank=rank[i],
            funded=reasons[i][0] is Reason.FUNDED,
            reason=reasons[i][0],
            detail=reasons[i][1],
        )
        for i, p in enumerate(projects)
    )
    return Outcome(
        method="phragmen",
        utility="cardinality",
        completion="none",
        tie_break=tie_break.describe(),
        budget=election.budget,
        unit=election.unit,
        selected=tuple(projects[i].id for i in selected),
        projects=results,
        rounds=tuple(rounds),
        ties=tuple(ties),
        notes=election.notes + ((stop_note,) if stop_note else ()),
    )


def _raise_loads(
    election: Election,
    chosen: int,
    new_load: Fraction,
    supporters: list[list[int]],
    weights: list[int],
    load: list[Fraction],
    class_of: dict[Fraction, int],
    group_class: list[int],
    cells: list[dict[int, int]],
    finite: dict[int, Fraction],
) -> None:
    nc = class_of.get(new_load)
    if nc is None:
        nc = class_of[new_load] = len(load)
        load.append(new_load)
    groups = election.groups
    for g in supporters[chosen]:
        c = group_class[g]
        if c == nc:
            continue
        group_class[g] = nc
        w = weights[g]
        for q in groups[g].projects:
            if q not in finite:
                continue
            d = cells[q]
            rest = d[c] - w
            if rest:
                d[c] = rest
            else:
                del d[c]
            d[nc] = d.get(nc, 0) + w


def _show(value: Fraction | None) -> str:
    if value is None:
        return "infinite (no supporters)"
    return str(value) if value.denominator == 1 else f"{value} (~{float(value):.6g})"
