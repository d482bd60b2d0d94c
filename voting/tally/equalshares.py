"""Equal Shares with its completions: none, greedy, add1, add1 then greedy; and the comparison step.

add1 reruns MES with every voter's share raised one step at a time. Its
options, all recorded in the outcome:

- start: ``exact`` share B/n (pabutools) or ``floor``, whole currency units
  floor(B/n) (equalshares.net);
- step: one currency unit by default;
- stop: ``exhaustive`` stops at the first outcome that is exhaustive among the
  projects MES could fund, or returns the previous outcome as soon as one
  overspends (pabutools' ``voter_budget_increment``); ``overspend`` keeps
  raising until the outcome would overspend and returns the last that did not
  (some cities count this way);
- comparison: after completion, switch to the greedy outcome only if strictly
  more voters prefer it (each voter compares their utility from both).

When add1 would need an absurd number of steps it refuses before spending
minutes: it probes a few shares to estimate the steps needed and raises
Add1Refused with the estimate and a step size that would make it reasonable.
"""

from __future__ import annotations

import math
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from .errors import Add1Refused, TallyError
from .greedy import greedy, per_cost_values, run_greedy, utility_totals
from .mes import MesRun, MesSetup, mes_setup, run_mes
from .model import Election, Score, Utility, tally, utility_values
from .outcome import Add1Report, Outcome, ProjectResult, Reason, Round
from .tiebreak import DEFAULT_TIE_BREAK, TieBreak


class Completion(StrEnum):
    NONE = "none"
    GREEDY = "greedy"
    ADD1 = "add1"
    ADD1_GREEDY = "add1-greedy"


class StartShare(StrEnum):
    EXACT = "exact"
    FLOOR = "floor"


class Add1Stop(StrEnum):
    EXHAUSTIVE = "exhaustive"
    OVERSPEND = "overspend"


@dataclass(frozen=True, slots=True)
class Add1Options:
    """add1 and comparison options; the defaults are pabutools' behaviour.

    ``step`` is in currency units (``None``: one unit). ``max_steps`` bounds the
    number of increments add1 may take; beyond it add1 refuses (Add1Refused).
    """

    start: StartShare = StartShare.EXACT
    step: Fraction | None = None
    stop: Add1Stop = Add1Stop.EXHAUSTIVE
    compare_with_greedy: bool = False
    max_steps: int = 100_000
    max_work: int = 25_000_000
    workers: int = 1

    def describe(self) -> dict[str, str]:
        return {
            "add1_start": str(self.start),
            "add1_step": str(self.step if self.step is not None else 1),
            "add1_stop": str(self.stop),
            "add1_max_steps": str(self.max_steps),
            "add1_max_work": str(self.max_work),
            "compare_with_greedy": "yes" if self.compare_with_greedy else "no",
        }


DEFAULT_ADD1 = Add1Options()

# Steps taken one by one before add1 probes ahead to estimate how many it needs.
_STEPS_BEFORE_ESTIMATE = 3


def equal_shares(
    election: Election,
    *,
    utility: Utility = Utility.COST,
    completion: Completion = Completion.NONE,
    tie_break: TieBreak = DEFAULT_TIE_BREAK,
    options: Add1Options = DEFAULT_ADD1,
) -> Outcome:
    """The Method of Equal Shares with the given completion.

    Contract: never over budget; same outcome as pabutools' method_of_equal_shares
    (with ``voter_budget_increment`` for add1, followed by greedy_utilitarian_welfare
    with the same utility for the greedy completions) when the tie-break orders
    projects as pabutools' does. Raises Add1Refused, TieError.
    """
    tallies = tally(election)
    setup = mes_setup(election, utility=utility, tie_break=tie_break, tallies=tallies)
    n = setup.n
    report: Add1Report | None = None
    if n == 0:
        run = MesRun(share=Fraction(0), selected=[])
        run.reasons = dict.fromkeys(range(len(election.projects)), (Reason.ELIMINATED, "no ballots"))
    elif completion in (Completion.ADD1, Completion.ADD1_GREEDY):
        run, report = _add1(setup, tie_break=tie_break, options=options)
    else:
        run = run_mes(setup, share=Fraction(election.budget, n), tie_break=tie_break)
    rounds: list[Round] = list(run.rounds)
    ties = list(run.ties)
    reasons = dict(run.reasons)
    selected = list(run.selected)
    for i, p in enumerate(election.projects):
        if not p.eligible:
            reasons[i] = (Reason.ELIMINATED, "cannot be built (cost sentinel)")
    if completion in (Completion.GREEDY, Completion.ADD1_GREEDY):
        values = per_cost_values(election, utility_totals(election, utility), utility)
        filler = run_greedy(
            election,
            values=values,
            value_name="votes" if utility is Utility.COST else f"{utility} per peso",
            tie_break=tie_break,
            tallies=tallies,
            already=selected,
            stage="greedy completion",
            first_round=len(rounds) + 1,
        )
        selected.extend(filler.funded)
        rounds.extend(filler.rounds)
        ties.extend(filler.ties)
        for i, (reason, detail) in filler.reasons.items():
            before = reasons.get(i)
            if reason is Reason.FUNDED:
                reasons[i] = (reason, f"funded by greedy completion ({detail})")
            elif before is not None and before[0] is not Reason.FUNDED:
                reasons[i] = (reason, f"{before[1]}; greedy completion: {detail}")
            else:
                reasons[i] = (reason, detail)
    method = "mes"
    if options.compare_with_greedy and n > 0:
        alternative = greedy(election, utility=utility, tie_break=tie_break)
        prefer_greedy, prefer_mes = _preferences(election, utility, selected, alternative.selected)
        switched = prefer_greedy > prefer_mes
        base = report or Add1Report(
            start_share=run.share,
            final_share=run.share,
            step=Fraction(0),
            steps=0,
            runs=1,
            start_mode="-",
            stop_mode="-",
        )
        report = Add1Report(
            start_share=base.start_share,
            final_share=base.final_share,
            step=base.step,
            steps=base.steps,
            runs=base.runs,
            start_mode=base.start_mode,
            stop_mode=base.stop_mode,
            compared_with_greedy=True,
            switched_to_greedy=switched,
            voters_preferring_greedy=prefer_greedy,
            voters_preferring_mes=prefer_mes,
        )
        if switched:
            why = (
                f"comparison step: {prefer_greedy} voters prefer the greedy outcome, "
                f"{prefer_mes} the MES one: greedy wins"
            )
            return _replace_outcome(alternative, election, completion, tie_break, options, report, (why,))
    keys = tie_break.keys(election, tallies)
    rank = {i: k + 1 for k, i in enumerate(selected)}
    for i in sorted((i for i in range(len(election.projects)) if i not in rank), key=lambda i: (-tallies[i], keys[i])):
        rank[i] = len(rank) + 1
    funded = set(selected)
    results = tuple(
        ProjectResult(
            project_id=p.id,
            cost=p.cost,
            score=tallies[i],
            rank=rank[i],
            funded=i in funded,
            reason=reasons.get(i, (Reason.ELIMINATED, ""))[0],
            detail=reasons.get(i, (Reason.ELIMINATED, ""))[1],
        )
        for i, p in enumerate(election.projects)
    )
    notes: tuple[str, ...] = election.notes
    if report is not None:
        notes += (
            f"add1: share per voter raised from {_fmt(report.start_share, election.unit)} to "
            f"{_fmt(report.final_share, election.unit)} in {report.steps} steps of {_fmt(report.step, election.unit)}",
        )
    return Outcome(
        method=method,
        utility=str(utility),
        completion=str(completion),
        tie_break=tie_break.describe(),
        budget=election.budget,
        unit=election.unit,
        selected=tuple(election.projects[i].id for i in selected),
        projects=results,
        rounds=tuple(rounds),
        ties=tuple(ties),
        add1=report,
        notes=notes,
        options=options.describe(),
    )


def start_share(election: Election, n: int, options: Add1Options) -> Fraction:
    if options.start is StartShare.FLOOR:
        return Fraction((election.budget // (n * election.unit)) * election.unit)
    return Fraction(election.budget, n)


def _add1(setup: MesSetup, *, tie_break: TieBreak, options: Add1Options) -> tuple[MesRun, Add1Report]:
    """Raise the share step by step until the stop rule says so; the runs in between are independent.

    The first few steps run here; if more are needed, add1 estimates how many
    (and refuses if absurd), then evaluates the following steps in batches,
    in parallel worker processes when ``options.workers`` > 1. Whatever the
    batching, the share returned is the first one the stop rule accepts.
    """
    election = setup.election
    step = Fraction(options.step if options.step is not None else 1) * election.unit
    if step <= 0:
        raise TallyError("the add1 step must be positive")
    first = start_share(election, setup.n, options)
    previous: tuple[Fraction, list[int]] = (first, list(setup.free))
    share = first
    runs = 0
    final: Fraction | None = None
    overspent_at_start = False
    batch = 1
    pool: ProcessPoolExecutor | None = None
    global _SHARED
    try:
        while final is None:
            steps = int((share - first) / step)
            if steps >= options.max_steps:
                raise Add1Refused(
                    f"add1 took {steps} steps of {_fmt(step, election.unit)} without reaching an exhaustive "
                    "outcome; choose a larger --add1-step or a larger --add1-max-steps",
                    estimated_steps=steps,
                    suggested_step=_fmt(_nice(step * 10), election.unit),
                )
            if steps == _STEPS_BEFORE_ESTIMATE:
                _refuse_if_absurd(setup, first=first, current=share, step=step, tie_break=tie_break, options=options)
                batch = max(options.workers, 1)
                if options.workers > 1 and "fork" in multiprocessing.get_all_start_methods():
                    # Workers inherit the setup by fork instead of receiving a pickled copy.
                    _SHARED = (setup, tie_break, options.stop)
                    pool = ProcessPoolExecutor(
                        max_workers=options.workers, mp_context=multiprocessing.get_context("fork")
                    )
            shares = [share + k * step for k in range(batch)]
            if pool is not None:
                results = list(pool.map(_probe, shares))
            else:
                results = [_evaluate(setup, tie_break, options.stop, s) for s in shares]
            for candidate, (verdict, selected) in zip(shares, results, strict=True):
                runs += 1
                if verdict == "overspends":
                    final = previous[0]
                    overspent_at_start = candidate == first
                    break
                if verdict == "stop":
                    final = candidate
                    break
                previous = (candidate, selected)
            share = shares[-1] + step
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        _SHARED = None
    if overspent_at_start:
        # pabutools returns the initial allocation when even the first share overspends.
        run = MesRun(share=first, selected=list(setup.free))
    else:
        # Recount the chosen share with the audit trail on (the runs add1 discards skip it for speed).
        run = run_mes(setup, share=final, tie_break=tie_break, record=True)
    report = Add1Report(
        start_share=first,
        final_share=final,
        step=step,
        steps=int((final - first) / step),
        runs=runs,
        start_mode=str(options.start),
        stop_mode=str(options.stop),
    )
    return run, report


_SHARED: tuple[MesSetup, TieBreak, Add1Stop] | None = None


def _probe(share: Fraction) -> tuple[str, list[int]]:
    """Worker-process entry point: one add1 step on the setup inherited by fork."""
    assert _SHARED is not None
    setup, tie_break, stop = _SHARED
    return _evaluate(setup, tie_break, stop, share)


def _evaluate(setup: MesSetup, tie_break: TieBreak, stop: Add1Stop, share: Fraction) -> tuple[str, list[int]]:
    run = run_mes(setup, share=share, tie_break=tie_break, record=False)
    return _verdict(setup, run, stop), run.selected


def _verdict(setup: MesSetup, run: MesRun, stop: Add1Stop) -> str:
    projects = setup.election.projects
    budget = setup.election.budget
    spent = sum(projects[i].cost for i in run.selected)
    if spent > budget:
        return "overspends"
    chosen = set(run.selected)
    if stop is Add1Stop.EXHAUSTIVE:
        if all(i in chosen or spent + projects[i].cost > budget for i in setup.candidates):
            return "stop"
    elif all(i in chosen for i in setup.candidates):
        # Every project MES could fund is funded: raising the share changes nothing more.
        return "stop"
    return "continue"


def _refuse_if_absurd(
    setup: MesSetup, *, first: Fraction, current: Fraction, step: Fraction, tie_break: TieBreak, options: Add1Options
) -> None:
    """Probe shares further and further ahead; refuse if add1 would clearly need more than max_steps."""
    low = current
    jump = step * 16
    high: Fraction | None = None
    for _ in range(64):
        probe = low + jump
        if _verdict(setup, run_mes(setup, share=probe, tie_break=tie_break, record=False), options.stop) != "continue":
            high = probe
            break
        low = probe
        jump *= 4
    if high is None:
        return
    for _ in range(6):
        # Narrow down between the last share that continues and the first that stops.
        mid = low + ((high - low) / 2 // step) * step
        if mid <= low:
            break
        verdict = _verdict(setup, run_mes(setup, share=mid, tie_break=tie_break, record=False), options.stop)
        if verdict == "continue":
            low = mid
        else:
            high = mid
    estimate = int((high - first) / step)
    # Work of one step is about proportional to the ballot entries MES moves around.
    entries = max(sum(len(e) for e in setup.entries), 1)
    limit = max(min(options.max_steps, options.max_work // entries), 1)
    if estimate <= limit:
        return
    unit = setup.election.unit
    target = max(limit // 2, 1)
    suggested = max(_nice((high - first) / target), step)
    raise Add1Refused(
        f"add1 would need about {estimate} steps of {_fmt(step, unit)} (share per voter from "
        f"{_fmt(first, unit)} to about {_fmt(high, unit)}), more than the {limit} this election allows "
        f"({entries} ballot entries per step, limit {options.max_work} per count); "
        f"use --add1-step {_fmt(suggested, unit)} (about {target} steps) or raise --add1-max-work",
        estimated_steps=estimate,
        suggested_step=_fmt(suggested, unit),
    )


def _nice(amount: Fraction) -> Fraction:
    """The smallest 1, 2 or 5 times a power of ten (in internal units) at least ``amount``."""
    if amount <= 1:
        return Fraction(1)
    power = 10 ** max(len(str(math.ceil(amount))) - 1, 0)
    for factor in (1, 2, 5, 10):
        if factor * power >= amount:
            return Fraction(factor * power)
    return Fraction(10 * power)


def _fmt(amount: Fraction, unit: int) -> str:
    value = amount / unit
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value} (~{float(value):.6g})"


def _preferences(election: Election, utility: Utility, first: Sequence[int], second: Sequence[str]) -> tuple[int, int]:
    """Voters who strictly prefer ``second`` (ids) to ``first`` (indices), and the reverse."""
    a = set(first)
    b = {election.index_of(pid) for pid in second}
    prefer_second = prefer_first = 0
    for group in election.groups:
        sa: Score = 0
        sb: Score = 0
        for i, u in zip(group.projects, utility_values(election, group, utility), strict=True):
            if i in a:
                sa += u
            if i in b:
                sb += u
        if sb > sa:
            prefer_second += group.weight
        elif sa > sb:
            prefer_first += group.weight
    return prefer_second, prefer_first


def _replace_outcome(
    alternative: Outcome,
    election: Election,
    completion: Completion,
    tie_break: TieBreak,
    options: Add1Options,
    report: Add1Report,
    notes: tuple[str, ...],
) -> Outcome:
    return Outcome(
        method="mes",
        utility=alternative.utility,
        completion=str(completion),
        tie_break=tie_break.describe(),
        budget=election.budget,
        unit=election.unit,
        selected=alternative.selected,
        projects=alternative.projects,
        rounds=alternative.rounds,
        ties=alternative.ties,
        add1=report,
        notes=alternative.notes + notes,
        options=options.describe(),
    )
