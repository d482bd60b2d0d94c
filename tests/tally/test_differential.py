"""The engine against pabutools, the reference implementation, on generated elections.

With the lexicographic tie-break every shared method, utility and completion
must select exactly what pabutools selects (greedy: in the same order).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.tally.generators import random_election
from tests.tally.pabu_bridge import pabutools_outcome
from voting.tally import (
    Add1Options,
    Add1Stop,
    BallotKind,
    Completion,
    Election,
    Method,
    TieBreak,
    TieBreakRule,
    Utility,
    count,
    read_pabulib,
    write_pabulib,
)

LEX = TieBreak(rule=TieBreakRule.LEXICOGRAPHIC)
SEEDS = range(60)


def utilities(election: Election) -> list[Utility]:
    extra = [] if election.kind is BallotKind.APPROVAL else [Utility.SCORE]
    return [Utility.COST, Utility.CARDINALITY, *extra]


def ours(election: Election, method: str, utility: Utility, completion: str = "none", **add1: object) -> list[str]:
    outcome = count(
        election,
        method=Method(method),
        utility=utility,
        completion=Completion(completion) if method == "mes" else None,
        tie_break=LEX,
        add1=Add1Options(**add1),  # type: ignore[arg-type]
    )
    return list(outcome.selected)


@pytest.mark.parametrize("seed", SEEDS)
def test_greedy_selects_what_pabutools_selects_in_the_same_order(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(3):
        election = random_election(rng)
        for utility in utilities(election):
            assert ours(election, "greedy", utility) == pabutools_outcome(election, method="greedy", utility=utility)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("completion", ["none", "greedy", "add1", "add1-greedy"])
def test_equal_shares_selects_what_pabutools_selects(seed: int, completion: str) -> None:
    rng = random.Random(1000 + seed)
    for _ in range(2):
        election = random_election(rng)
        for utility in utilities(election):
            expected = pabutools_outcome(election, method="mes", utility=utility, completion=completion)
            assert sorted(ours(election, "mes", utility, completion)) == sorted(expected)


@pytest.mark.parametrize("seed", range(25))
def test_add1_overspend_stop_matches_pabutools_exhaustion_by_budget_increase(seed: int) -> None:
    rng = random.Random(5000 + seed)
    election = random_election(rng, kind=BallotKind.APPROVAL)
    if election.num_voters == 0:
        pytest.skip("pabutools raises the budget by 0 per step forever when there are no voters")
    expected = pabutools_outcome(election, method="mes", completion="add1", add1_stop="overspend")
    assert sorted(ours(election, "mes", Utility.COST, "add1", stop=Add1Stop.OVERSPEND)) == sorted(expected)


@pytest.mark.parametrize("seed", SEEDS)
def test_phragmen_selects_what_pabutools_selects(seed: int) -> None:
    rng = random.Random(2000 + seed)
    for _ in range(3):
        election = random_election(rng, kind=BallotKind.APPROVAL)
        assert sorted(ours(election, "phragmen", Utility.CARDINALITY)) == sorted(
            pabutools_outcome(election, method="phragmen")
        )


@pytest.mark.parametrize("seed", range(12))
def test_file_read_by_both_parsers_gives_the_same_outcome(seed: int, tmp_path: Path) -> None:
    from pabutools.election import parse_pabulib

    rng = random.Random(3000 + seed)
    election = random_election(rng, kind=rng.choice([BallotKind.APPROVAL, BallotKind.CUMULATIVE]))
    path = tmp_path / "e.pb"
    path.write_text(write_pabulib(election), encoding="utf-8")
    instance, profile = parse_pabulib(str(path))
    mine = read_pabulib(path)
    for method, completion in [("greedy", "none"), ("mes", "add1-greedy")]:
        expected = pabutools_outcome(mine, method=method, completion=completion, instance=instance, profile=profile)
        assert sorted(ours(mine, method, Utility.COST, completion)) == sorted(expected)
