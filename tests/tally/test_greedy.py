from __future__ import annotations

import pytest

from tests.tally.helpers import approval, result
from voting.tally import (
    Method,
    Project,
    Reason,
    TieBreak,
    TieBreakRule,
    TieError,
    Utility,
    build_election,
    count,
    greedy_by_tally,
    plurality_by_territory,
)

COSTS = {"A": 50, "B": 40, "C": 30, "D": 10}
BALLOTS = [["A", "B", "C", "D"]] * 2 + [["A", "B", "C"]] + [["A", "B"]] + [["A"]]


def test_greedy_skips_project_that_does_not_fit() -> None:
    outcome = count(approval(COSTS, BALLOTS, budget=100), method=Method.GREEDY)
    assert outcome.selected == ("A", "B", "D")
    c = result(outcome, "C")
    assert c.reason is Reason.NOT_ENOUGH_BUDGET and "only 10 left" in c.detail


def test_greedy_stop_variant_stops_at_first_project_that_does_not_fit() -> None:
    outcome = count(approval(COSTS, BALLOTS, budget=100), method=Method.GREEDY_STOP)
    assert outcome.selected == ("A", "B")
    assert result(outcome, "D").reason is Reason.ELIMINATED
    assert "counting stopped at C" in result(outcome, "D").detail


def test_greedy_with_cost_utility_ranks_by_votes_and_cardinality_by_votes_per_peso() -> None:
    election = approval({"big": 90, "small": 10}, [["big"], ["big"], ["small"]], budget=90)
    assert count(election, method=Method.GREEDY, utility=Utility.COST).selected == ("big",)
    assert count(election, method=Method.GREEDY, utility=Utility.CARDINALITY).selected == ("small",)


def test_greedy_records_scores_ranks_and_money_left_in_the_audit_trail() -> None:
    outcome = count(approval(COSTS, BALLOTS, budget=100), method=Method.GREEDY)
    assert [r.rank for r in outcome.projects] == [1, 2, 3, 4]
    assert [r.score for r in outcome.projects] == [5, 4, 3, 2]
    assert [(r.project_id, r.funded, r.money_left) for r in outcome.rounds] == [
        ("A", True, 50),
        ("B", True, 10),
        ("C", False, 10),
        ("D", True, 0),
    ]


def test_greedy_default_tie_break_prefers_the_cheaper_project_and_reports_the_tie() -> None:
    election = approval({"X": 60, "Y": 50}, [["X", "Y"]], budget=60)
    outcome = count(election, method=Method.GREEDY)
    assert outcome.selected == ("Y",)
    assert outcome.ties[0].tied == ("Y", "X") and outcome.ties[0].chosen == "Y"
    assert result(outcome, "X").reason is Reason.LOST_TIE_BREAK
    assert "lower cost" in outcome.tie_break


def test_greedy_lexicographic_tie_break_prefers_the_smaller_id_in_string_order() -> None:
    election = approval({"10": 60, "9": 60}, [["10", "9"]], budget=60)
    outcome = count(election, method=Method.GREEDY, tie_break=TieBreak(rule=TieBreakRule.LEXICOGRAPHIC))
    assert outcome.selected == ("10",)


def test_greedy_cost_then_votes_tie_break_uses_the_lot_drawn_in_advance() -> None:
    election = approval({"X": 60, "Y": 60}, [["X", "Y"]], budget=60)
    outcome = count(
        election, method=Method.GREEDY, tie_break=TieBreak(rule=TieBreakRule.COST_THEN_VOTES, lot=("Y", "X"))
    )
    assert outcome.selected == ("Y",)


def test_greedy_refusing_tie_break_raises_only_when_the_tie_decides_something() -> None:
    refuse = TieBreak(rule=TieBreakRule.REFUSE)
    both_fit = approval({"X": 10, "Y": 10}, [["X", "Y"]], budget=100)
    assert set(count(both_fit, method=Method.GREEDY, tie_break=refuse).selected) == {"X", "Y"}
    one_fits = approval({"X": 60, "Y": 60}, [["X", "Y"]], budget=100)
    with pytest.raises(TieError) as info:
        count(one_fits, method=Method.GREEDY, tie_break=refuse)
    assert info.value.tied == ("X", "Y")


def test_greedy_funds_a_project_without_votes_when_money_is_left_as_pabutools_does() -> None:
    outcome = count(approval({"A": 10, "Z": 10}, [["A"]], budget=100), method=Method.GREEDY)
    assert outcome.selected == ("A", "Z")


def test_greedy_never_funds_a_project_with_the_cost_sentinel() -> None:
    election = build_election(
        projects=[Project(id="A", cost=10), Project(id="S", cost=5, eligible=False)], budget=100, ballots=[["S", "A"]]
    )
    outcome = count(election, method=Method.GREEDY)
    assert outcome.selected == ("A",)
    assert result(outcome, "S").reason is Reason.ELIMINATED


def test_greedy_by_tally_eliminates_projects_below_the_threshold() -> None:
    election = approval({"A": 10, "B": 10}, [["A", "B"], ["A"]], budget=100)
    outcome = greedy_by_tally(election, threshold=2)
    assert outcome.selected == ("A",)
    assert "below the threshold" in result(outcome, "B").detail


def test_plurality_funds_one_winner_per_territory() -> None:
    election = build_election(
        projects=[
            Project(id="n1", cost=30, territory="north"),
            Project(id="n2", cost=30, territory="north"),
            Project(id="s1", cost=30, territory="south"),
        ],
        budget=100,
        ballots=[["n1"], ["n1"], ["n2"], ["s1"]],
    )
    outcome = plurality_by_territory(election)
    assert outcome.selected == ("n1", "s1")
    assert result(outcome, "n2").reason is Reason.ELIMINATED
