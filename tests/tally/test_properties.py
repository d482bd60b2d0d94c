"""Properties every count must have, on generated elections (Hypothesis drives the seeds)."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.tally.generators import random_election
from voting.tally import (
    BallotGroup,
    BallotKind,
    Completion,
    Election,
    Method,
    Outcome,
    TieBreak,
    TieBreakRule,
    Utility,
    count,
)

seeds = st.integers(min_value=0, max_value=2**32 - 1)
tie_breaks = st.sampled_from([TieBreak(rule=r) for r in TieBreakRule if r is not TieBreakRule.REFUSE])
METHODS: list[tuple[Method, Completion | None]] = [
    (Method.GREEDY, None),
    (Method.GREEDY_STOP, None),
    (Method.MES, Completion.NONE),
    (Method.MES, Completion.GREEDY),
    (Method.MES, Completion.ADD1),
    (Method.MES, Completion.ADD1_GREEDY),
    (Method.PHRAGMEN, None),
    (Method.OFFICIAL, None),
]


def counts(election: Election, tie_break: TieBreak) -> list[Outcome]:
    outcomes = []
    for method, completion in METHODS:
        if method is Method.PHRAGMEN and election.kind is not BallotKind.APPROVAL:
            continue
        if method is Method.OFFICIAL:
            election = Election(
                projects=election.projects,
                budget=election.budget,
                kind=election.kind,
                groups=election.groups,
                meta={"rule": "greedy"},
            )
        outcomes.append(count(election, method=method, completion=completion, tie_break=tie_break))
    return outcomes


@settings(max_examples=80, deadline=None)
@given(seed=seeds, tie_break=tie_breaks)
def test_no_method_ever_spends_more_than_the_budget(seed: int, tie_break: TieBreak) -> None:
    election = random_election(random.Random(seed))
    for outcome in counts(election, tie_break):
        assert outcome.spent <= election.budget
        assert len(set(outcome.selected)) == len(outcome.selected)
        assert {r.project_id for r in outcome.projects if r.funded} == set(outcome.selected)


@settings(max_examples=60, deadline=None)
@given(seed=seeds, tie_break=tie_breaks)
def test_the_order_of_the_ballots_does_not_matter(seed: int, tie_break: TieBreak) -> None:
    rng = random.Random(seed)
    election = random_election(rng)
    shuffled = list(election.groups)
    rng.shuffle(shuffled)
    other = Election(projects=election.projects, budget=election.budget, kind=election.kind, groups=tuple(shuffled))
    for a, b in zip(counts(election, tie_break), counts(other, tie_break), strict=True):
        assert a.selected == b.selected


@settings(max_examples=60, deadline=None)
@given(seed=seeds)
def test_merging_identical_ballots_does_not_change_the_outcome(seed: int) -> None:
    election = random_election(random.Random(seed))
    split = tuple(
        BallotGroup(projects=g.projects, points=g.points, weight=1) for g in election.groups for _ in range(g.weight)
    )
    other = Election(projects=election.projects, budget=election.budget, kind=election.kind, groups=split)
    for a, b in zip(counts(election, TieBreak()), counts(other, TieBreak()), strict=True):
        assert a.selected == b.selected


@settings(max_examples=40, deadline=None)
@given(seed=seeds, tie_break=tie_breaks)
def test_counting_twice_gives_the_same_outcome_and_audit_trail(seed: int, tie_break: TieBreak) -> None:
    election = random_election(random.Random(seed))
    for a, b in zip(counts(election, tie_break), counts(election, tie_break), strict=True):
        assert a.to_dict() == b.to_dict()


@settings(max_examples=40, deadline=None)
@given(seed=seeds)
def test_mes_payments_add_up_to_the_cost_of_each_funded_project(seed: int) -> None:
    election = random_election(random.Random(seed), kind=BallotKind.APPROVAL)
    outcome = count(election, method=Method.MES, utility=Utility.COST)
    costs = {p.id: p.cost for p in election.projects}
    for round_ in outcome.rounds:
        assert sum(p.voters * p.each for p in round_.payments) == costs[round_.project_id]
