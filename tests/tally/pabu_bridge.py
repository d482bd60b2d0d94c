"""Run pabutools (a test-only dependency) on our Election, for differential tests and the benchmark."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from pabutools.election import (
    Additive_Borda_Sat,
    Additive_Cardinal_Sat,
    ApprovalBallot,
    ApprovalProfile,
    Cardinality_Sat,
    Cost_Sat,
    CumulativeBallot,
    CumulativeProfile,
    Instance,
    OrdinalBallot,
    OrdinalProfile,
)
from pabutools.election import Project as PabuProject
from pabutools.rules import (
    completion_by_rule_combination,
    exhaustion_by_budget_increase,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
    sequential_phragmen,
)
from pabutools.tiebreaking import lexico_tie_breaking

from voting.tally import BallotKind, Election, Utility

SAT = {
    Utility.COST: Cost_Sat,
    Utility.CARDINALITY: Cardinality_Sat,
}


def sat_class(election: Election, utility: Utility) -> Any:
    if utility is Utility.SCORE:
        return Additive_Borda_Sat if election.kind is BallotKind.ORDINAL else Additive_Cardinal_Sat
    return SAT[utility]


def to_pabutools(election: Election) -> tuple[Any, Any]:
    """Instance and profile with one ballot per voter, as pabutools' parser would build them."""
    projects = [PabuProject(p.id, p.cost) for p in election.projects]
    instance = Instance(projects, budget_limit=election.budget)
    ballots: list[Any] = []
    for group in election.groups:
        for _ in range(group.weight):
            if election.kind is BallotKind.APPROVAL:
                ballots.append(ApprovalBallot(projects[i] for i in group.projects))
            elif election.kind is BallotKind.ORDINAL:
                ballots.append(OrdinalBallot([projects[i] for i in group.projects]))
            else:
                assert group.points is not None
                ballots.append(
                    CumulativeBallot({projects[i]: pt for i, pt in zip(group.projects, group.points, strict=True)})
                )
    if election.kind is BallotKind.APPROVAL:
        profile: Any = ApprovalProfile(ballots, instance=instance)
    elif election.kind is BallotKind.ORDINAL:
        profile = OrdinalProfile(ballots, instance=instance)
    else:
        profile = CumulativeProfile(ballots, instance=instance)
    return instance, profile


def pabutools_outcome(
    election: Election,
    *,
    method: str,
    utility: Utility = Utility.COST,
    completion: str = "none",
    add1_stop: str = "exhaustive",
    step: int = 1,
    instance: Any = None,
    profile: Any = None,
) -> list[str]:
    """Selected project ids according to pabutools, lexicographic tie-break."""
    if instance is None:
        instance, profile = to_pabutools(election)
    tie = lexico_tie_breaking
    if method == "greedy":
        result = greedy_utilitarian_welfare(instance, profile, sat_class=sat_class(election, utility), tie_breaking=tie)
    elif method == "phragmen":
        result = sequential_phragmen(instance, profile, tie_breaking=tie)
    elif method == "mes":
        sat = sat_class(election, utility)
        mes_params: dict[str, Any] = {"sat_class": sat, "tie_breaking": tie}
        if completion in ("add1", "add1-greedy"):
            if add1_stop == "overspend":
                n = profile.num_ballots()
                mes = lambda inst, prof, **kw: exhaustion_by_budget_increase(  # noqa: E731
                    inst,
                    prof,
                    method_of_equal_shares,
                    rule_params={"sat_class": sat, "tie_breaking": tie},
                    exhaustive_stop=False,
                    budget_step=Fraction(step * n),
                    **kw,
                )
                mes_params = {}
            else:
                mes = method_of_equal_shares
                mes_params["voter_budget_increment"] = step
        else:
            mes = method_of_equal_shares
        if completion in ("greedy", "add1-greedy"):
            result = completion_by_rule_combination(
                instance,
                profile,
                [mes, greedy_utilitarian_welfare],
                [mes_params, {"sat_class": sat, "tie_breaking": tie}],
            )
        else:
            result = mes(instance, profile, **mes_params)
    else:
        raise ValueError(method)
    return [p.name for p in result]
