"""The Method of Equal Shares (MES), exactly as pabutools computes it.

Every voter gets the same share of the budget. In each round the method funds
the project that can be paid for at the lowest price per unit of utility
(rho), where each supporter pays ``min(their money, rho * utility)``; projects
whose supporters together cannot pay for them are dropped; ties go to the
tie-break. It stops when no project can be paid for.

How this stays fast on a city (tens of thousands of voters):

- identical ballots are already merged into weighted groups;
- voters with the same money left form one *class* (a dict from amount to
  class id merges equal amounts), and every project keeps, per class and
  per utility value, the weight of its supporters; paying for a project moves
  its supporters' groups to new classes, which touches each group's ballot
  once, and voters who have spent everything leave all tallies for good;
- evaluating a project sorts its few (class, utility) cells instead of all
  its supporters, and projects are re-evaluated lazily: a project's rho
  never goes down within a run, so once the best rho found this round is
  below a project's last known rho, it cannot win this round.

The result does not depend on any of this: it is the same set of projects,
in the same order, as pabutools' method_of_equal_shares.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import chain, groupby, repeat
from operator import itemgetter

from .mes_price import CLOSE, count_cells, price
from .model import Election, Score, Utility, utility_values
from .outcome import Payment, Reason, Round, Tie
from .tiebreak import TieBreak


@dataclass(slots=True)
class MesSetup:
    """Supporter structure for one election and utility; shared by every run of add1.

    ``candidates``: eligible projects with support and a positive cost (MES
    chooses among them). ``free``: eligible supported projects costing nothing,
    funded before the first round (as pabutools does). Per candidate, the
    distinct utility values are numbered (``uvals``) and each supporter group is
    stored with the number of its utility. ``entries[g]`` encodes the candidates
    on group g's ballot as ``project * stride + utility number``.
    """

    election: Election
    utility: Utility
    n: int
    weights: list[int]
    candidates: list[int]
    free: list[int]
    unsupported: list[int]
    uvals: list[list[Score]]
    nus: list[int]
    stride: int
    supporter_groups: list[list[int]]
    supporter_utils: list[list[int]]
    initial_cells: list[dict[int, int]]
    entries: list[tuple[int, ...]]
    total_utility: list[Score]
    tie_keys: list[tuple[object, ...]]
    uniform: bool
    light: list[list[int]]
    heavy: list[list[tuple[int, int]]]


@dataclass(slots=True)
class MesRun:
    """One run of MES at one per-voter share."""

    share: Fraction
    selected: list[int]
    rounds: list[Round] = field(default_factory=list)
    ties: list[Tie] = field(default_factory=list)
    reasons: dict[int, tuple[Reason, str]] = field(default_factory=dict)
    money_left: Fraction = Fraction(0)


def mes_setup(
    election: Election,
    *,
    utility: Utility,
    tie_break: TieBreak,
    tallies: Sequence[Score],
    initial: Sequence[int] = (),
) -> MesSetup:
    projects = election.projects
    m = len(projects)
    groups = election.groups
    weights = [g.weight for g in groups]
    uniform = utility in (Utility.COST, Utility.CARDINALITY)
    supporter_groups: list[list[int]] = [[] for _ in range(m)]
    supporter_raw: list[list[Score]] = [[] for _ in range(m)]
    if uniform:
        # Every supporter of a project gets the same utility: only who supports matters.
        for gi, group in enumerate(groups):
            for i in group.projects:
                supporter_groups[i].append(gi)
        unit_utility = [p.cost if utility is Utility.COST else 1 for p in projects]
        total: list[Score] = [
            unit_utility[i] * sum(weights[g] for g in supporter_groups[i]) if unit_utility[i] > 0 else 0
            for i in range(m)
        ]
    else:
        total = [0] * m
        for gi, group in enumerate(groups):
            for i, u in zip(group.projects, utility_values(election, group, utility), strict=True):
                if u > 0:
                    supporter_groups[i].append(gi)
                    supporter_raw[i].append(u)
                    total[i] += group.weight * u
    taken = set(initial)
    candidates: list[int] = []
    free: list[int] = []
    unsupported: list[int] = []
    for i, p in enumerate(projects):
        if i in taken or not p.eligible:
            continue
        if total[i] <= 0:
            unsupported.append(i)
        elif p.cost == 0:
            free.append(i)
        else:
            candidates.append(i)
    uvals: list[list[Score]] = [[] for _ in range(m)]
    supporter_utils: list[list[int]] = [[] for _ in range(m)]
    initial_cells: list[dict[int, int]] = [{} for _ in range(m)]
    for i in candidates:
        if uniform:
            uvals[i] = [unit_utility[i]]
            supporter_utils[i] = [0] * len(supporter_groups[i])
            initial_cells[i] = {0: sum(weights[g] for g in supporter_groups[i])}
            continue
        position: dict[Score, int] = {}
        cell = initial_cells[i]
        for gi, u in zip(supporter_groups[i], supporter_raw[i], strict=True):
            ui = position.get(u)
            if ui is None:
                ui = position[u] = len(uvals[i])
                uvals[i].append(u)
            supporter_utils[i].append(ui)
            cell[ui] = cell.get(ui, 0) + weights[gi]
    nus = [max(len(u), 1) for u in uvals]
    stride = max(nus, default=1)
    entry_lists: list[list[int]] = [[] for _ in groups]
    for i in candidates:
        for gi, ui in zip(supporter_groups[i], supporter_utils[i], strict=True):
            entry_lists[gi].append(i * stride + ui)
    return MesSetup(
        election=election,
        utility=utility,
        n=sum(weights),
        weights=weights,
        candidates=candidates,
        free=free,
        unsupported=unsupported,
        uvals=uvals,
        nus=nus,
        stride=stride,
        supporter_groups=supporter_groups,
        supporter_utils=supporter_utils,
        initial_cells=initial_cells,
        entries=[tuple(e) for e in entry_lists],
        total_utility=total,
        tie_keys=tie_break.keys(election, list(tallies)),
        uniform=uniform,
        light=[[g for g in supporter_groups[i] if weights[g] == 1] if uniform else [] for i in range(m)],
        heavy=[[(g, weights[g]) for g in supporter_groups[i] if weights[g] != 1] if uniform else [] for i in range(m)],
    )


def run_mes(
    setup: MesSetup,
    *,
    share: Fraction,
    tie_break: TieBreak,
    stage: str = "equal shares",
    record: bool = True,
) -> MesRun:
    """Run MES once with every voter starting at ``share`` (internal money units).

    Contract: the same selection, in the same order, as pabutools with the same
    utility and tie-break order (free projects first). With ``record`` False the
    audit trail (rounds, payments) is skipped; add1 uses that for the runs it discards.
    Raises TieError when the tie-break refuses ties and one is met.
    """
    election = setup.election
    projects = election.projects
    weights = setup.weights
    uvals = setup.uvals
    nus = setup.nus
    run = MesRun(share=share, selected=list(setup.free))
    for i in setup.free:
        run.reasons[i] = (Reason.FUNDED, "costs nothing and has support: funded first")
    # Class 0 holds every voter at the start; class ids index ``money``.
    money: list[Fraction] = [share]
    fmoney: list[float] = [float(share)]
    class_weight: list[int] = [setup.n]
    class_of: dict[tuple[int, int], int] = {(share.numerator, share.denominator): 0}
    group_class = [0] * len(weights)
    if share <= 0:
        group_class = [-1] * len(weights)
    cells: list[dict[int, int]] = [{} for _ in projects]
    uniform = setup.uniform
    alive = [False] * len(projects)
    stale: dict[int, Fraction] = {}
    for i in setup.candidates:
        alive[i] = True
        stale[i] = Fraction(projects[i].cost) / setup.total_utility[i]
        if share > 0 and not uniform:
            cells[i] = dict(setup.initial_cells[i])
    number = 0
    while True:
        best: Fraction | None = None
        tied: list[int] = []
        for i in sorted(stale, key=stale.__getitem__):
            if best is not None and stale[i] > best:
                break
            if uniform:
                cells[i] = count_cells(setup, i, group_class)
            rho = price(cells[i], nus[i], uvals[i], money, projects[i].cost, fmoney)
            if rho is None:
                del stale[i]
                alive[i] = False
                if record:  # an exact sum over many classes: only for the count that is kept
                    available = sum((w * money[k // nus[i]] for k, w in cells[i].items()), start=Fraction(0))
                    detail = f"its supporters had only {_money(available)} left; it costs {projects[i].cost}"
                else:
                    detail = "its supporters could not pay for it"
                run.reasons[i] = (Reason.ELIMINATED, detail)
                cells[i] = {}
                continue
            stale[i] = rho
            if best is None or rho < best:
                best = rho
                tied = [i]
            elif rho == best:
                tied.append(i)
        if best is None:
            break
        number += 1
        if len(tied) > 1:
            tie_break.check(election, tied, context=f"{stage}, round {number}")
            tied.sort(key=setup.tie_keys.__getitem__)
            run.ties.append(
                Tie(
                    stage=f"{stage}, round {number}",
                    tied=tuple(projects[i].id for i in tied),
                    chosen=projects[tied[0]].id,
                )
            )
        chosen = tied[0]
        payments = _pay(setup, chosen, best, money, fmoney, class_weight, class_of, group_class, cells, alive, record)
        del stale[chosen]
        alive[chosen] = False
        cells[chosen] = {}
        run.selected.append(chosen)
        run.reasons[chosen] = (Reason.FUNDED, f"funded in round {number} at rho {_money(best)}")
        for i in tied[1:]:
            run.reasons[i] = (Reason.LOST_TIE_BREAK, f"tied with {projects[chosen].id} in round {number}")
        if record:
            left = sum((class_weight[c] * money[c] for c in range(len(money)) if class_weight[c]), start=Fraction(0))
            run.rounds.append(
                Round(
                    number=number,
                    project_id=projects[chosen].id,
                    funded=True,
                    value=best,
                    value_name="rho",
                    money_left=left,
                    payments=tuple(
                        Payment(voters=w, each=amount) for amount, w in sorted(payments.items(), reverse=True)
                    ),
                    stage=stage,
                )
            )
    run.money_left = sum((class_weight[c] * money[c] for c in range(len(money)) if class_weight[c]), start=Fraction(0))
    for i in setup.candidates:
        if i not in run.reasons:
            run.reasons[i] = (Reason.ELIMINATED, "its supporters could not pay for it")
        elif run.reasons[i][0] is Reason.LOST_TIE_BREAK and i not in run.selected and alive[i]:
            run.reasons[i] = (Reason.ELIMINATED, "its supporters could not pay for it (it had lost a tie earlier)")
    for i in setup.unsupported:
        run.reasons[i] = (Reason.ELIMINATED, "no voter gets utility from it")
    return run


_ZERO = Fraction(0)


def _pay(
    setup: MesSetup,
    chosen: int,
    rho: Fraction,
    money: list[Fraction],
    fmoney: list[float],
    class_weight: list[int],
    class_of: dict[tuple[int, int], int],
    group_class: list[int],
    cells: list[dict[int, int]],
    alive: list[bool],
    record: bool = True,
) -> Counter[Fraction]:
    """Charge the supporters of ``chosen`` and move their groups to the classes of their new amounts.

    Groups that leave the same cell go to the same class, so their ballots are
    counted together (Counter over the encoded entries runs in C) and every
    other project's cells change once per (cell, project) instead of once per group.
    """
    nu = setup.nus[chosen]
    uv = setup.uvals[chosen]
    weights = setup.weights
    buckets: dict[int, list[int]] = {}
    if setup.uniform:
        # Sorting (class, group) pairs and grouping them runs mostly in C.
        supporters = setup.supporter_groups[chosen]
        pairs = sorted(zip(map(group_class.__getitem__, supporters), supporters, strict=True))
        for c, run_of_pairs in groupby(pairs, key=itemgetter(0)):
            if c >= 0:
                buckets[c] = list(map(itemgetter(1), run_of_pairs))
    else:
        for g, ui in zip(setup.supporter_groups[chosen], setup.supporter_utils[chosen], strict=True):
            c = group_class[g]
            if c >= 0:
                key = c * nu + ui
                bucket = buckets.get(key)
                if bucket is None:
                    buckets[key] = [g]
                else:
                    bucket.append(g)
    payments: Counter[Fraction] = Counter()
    nus = setup.nus
    stride = setup.stride
    entries = setup.entries
    caps = [rho * u for u in uv]
    fcaps = [float(cap) for cap in caps]
    for key, moved in buckets.items():
        c, ui = divmod(key, nu)
        b = money[c]
        cap = caps[ui]
        # Floats settle "pays everything or pays the cap" unless the amounts are too close to tell.
        fb = fmoney[c]
        fcap = fcaps[ui]
        if fb <= fcap * (1 - CLOSE) or (fb < fcap * (1 + CLOSE) and b <= cap):
            pay, left = b, _ZERO
        else:
            pay, left = cap, b - cap
        nc = -1
        if left:
            # Money classes are keyed by (numerator, denominator): hashing a Fraction is slow.
            money_key = (left.numerator, left.denominator)
            found = class_of.get(money_key)
            if found is None:
                found = class_of[money_key] = len(money)
                money.append(left)
                fmoney.append(float(left))
                class_weight.append(0)
            nc = found
        if setup.uniform:
            deque(map(group_class.__setitem__, moved, repeat(nc)), maxlen=0)
            moved_weight = sum(map(weights.__getitem__, moved))
            if record:
                payments[pay] += moved_weight
            class_weight[c] -= moved_weight
            if nc >= 0:
                class_weight[nc] += moved_weight
            continue
        light = [g for g in moved if weights[g] == 1]
        counts: Counter[int] = Counter(chain.from_iterable(map(entries.__getitem__, light)))
        moved_weight = len(light)
        if len(light) != len(moved):
            for g in moved:
                w = weights[g]
                if w != 1:
                    moved_weight += w
                    for e in entries[g]:
                        counts[e] += w
        for g in moved:
            group_class[g] = nc
        payments[pay] += moved_weight
        class_weight[c] -= moved_weight
        if nc >= 0:
            class_weight[nc] += moved_weight
        for e, w in counts.items():
            q, qi = divmod(e, stride)
            if not alive[q] or q == chosen:
                continue
            d = cells[q]
            nq = nus[q]
            k = c * nq + qi
            rest = d[k] - w
            if rest:
                d[k] = rest
            else:
                del d[k]
            if nc >= 0:
                k = nc * nq + qi
                d[k] = d.get(k, 0) + w
    return payments


def _money(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value} (~{float(value):.6g})"
