from __future__ import annotations

from fractions import Fraction

import pytest

from tests.tally.helpers import approval, result
from voting.tally import (
    Add1Options,
    Add1Refused,
    Add1Stop,
    Completion,
    Method,
    Reason,
    StartShare,
    TieBreak,
    TieBreakRule,
    TieError,
    Utility,
    count,
)

# Four voters, budget 100: 25 each. A (60) is backed by v1-v3, C (30) by v1-v2, B (40) by v4 alone.
COSTS = {"A": 60, "B": 40, "C": 30}
BALLOTS = [["A", "C"], ["A", "C"], ["A"], ["B"]]


def test_mes_funds_what_its_supporters_can_pay_and_records_the_payments() -> None:
    outcome = count(approval(COSTS, BALLOTS, budget=100), method=Method.MES)
    assert outcome.selected == ("A",)
    first = outcome.rounds[0]
    assert first.project_id == "A" and first.value == Fraction(1, 3)
    assert [(p.voters, p.each) for p in first.payments] == [(3, 20)]
    assert first.money_left == 40
    assert result(outcome, "B").reason is Reason.ELIMINATED
    assert "only 25 left" in result(outcome, "B").detail


def test_mes_with_greedy_completion_fills_the_budget_by_votes() -> None:
    outcome = count(approval(COSTS, BALLOTS, budget=100), method=Method.MES, completion=Completion.GREEDY)
    assert outcome.selected == ("A", "C")
    assert "greedy completion" in result(outcome, "C").detail


def test_add1_raises_the_share_until_the_outcome_is_exhaustive_and_reports_steps() -> None:
    outcome = count(approval(COSTS, BALLOTS, budget=100), method=Method.MES, completion=Completion.ADD1)
    assert outcome.selected == ("A", "C")
    assert outcome.add1 is not None
    assert (outcome.add1.start_share, outcome.add1.final_share, outcome.add1.steps) == (25, 35, 10)


def test_add1_overspend_stop_keeps_raising_past_exhaustive_outcomes() -> None:
    # At share 35 {A, C} is exhaustive; at 40 B becomes affordable and {A, C, B} overspends.
    options = Add1Options(stop=Add1Stop.OVERSPEND)
    outcome = count(approval(COSTS, BALLOTS, budget=100), method=Method.MES, completion=Completion.ADD1, add1=options)
    assert outcome.selected == ("A", "C")
    assert outcome.add1 is not None and outcome.add1.final_share == 39


def test_add1_floor_start_uses_whole_currency_units() -> None:
    election = approval(COSTS, BALLOTS + [[]] * 2, budget=100)  # 100 / 6 voters
    options = Add1Options(start=StartShare.FLOOR)
    outcome = count(election, method=Method.MES, completion=Completion.ADD1, add1=options)
    assert outcome.add1 is not None and outcome.add1.start_share == 16


def test_add1_refuses_up_front_when_it_would_need_an_absurd_number_of_steps() -> None:
    election = approval({"A": 6 * 10**8, "B": 4 * 10**8}, [["A"], ["A"], ["B"]], budget=10**9)
    with pytest.raises(Add1Refused) as info:
        count(election, method=Method.MES, completion=Completion.ADD1, add1=Add1Options(max_steps=1000))
    assert info.value.estimated_steps > 1000
    assert "--add1-step" in str(info.value)
    step = Fraction(info.value.suggested_step)
    outcome = count(
        election, method=Method.MES, completion=Completion.ADD1, add1=Add1Options(max_steps=1000, step=step)
    )
    assert set(outcome.selected) == {"A", "B"}


def test_comparison_step_switches_to_greedy_only_when_strictly_more_voters_prefer_it() -> None:
    # MES funds the cheap projects of the minority; greedy funds the majority's expensive one.
    costs = {"big": 70, "m1": 40}
    options = Add1Options(compare_with_greedy=True)
    lex = TieBreak(rule=TieBreakRule.LEXICOGRAPHIC)
    majority = approval(costs, [["big"]] * 3 + [["m1"]] * 2, budget=100)
    outcome = count(majority, method=Method.MES, completion=Completion.GREEDY, add1=options, tie_break=lex)
    assert outcome.add1 is not None and outcome.add1.switched_to_greedy
    assert outcome.add1.voters_preferring_greedy == 3 and outcome.add1.voters_preferring_mes == 2
    assert outcome.selected == ("big",)
    even = approval(costs, [["big"]] * 2 + [["m1"]] * 2 + [[]], budget=100)
    outcome = count(even, method=Method.MES, completion=Completion.GREEDY, add1=options, tie_break=lex)
    assert outcome.add1 is not None and not outcome.add1.switched_to_greedy
    assert outcome.selected == ("m1",)


def test_mes_refusing_tie_break_raises_on_a_tie() -> None:
    election = approval({"X": 10, "Y": 10}, [["X"], ["Y"]], budget=20)
    with pytest.raises(TieError):
        count(election, method=Method.MES, tie_break=TieBreak(rule=TieBreakRule.REFUSE))
    outcome = count(election, method=Method.MES)
    assert outcome.ties and outcome.ties[0].tied == ("X", "Y")


def test_mes_funds_free_supported_projects_first_but_the_cost_utility_sees_no_support() -> None:
    election = approval({"F": 0, "A": 10}, [["F", "A"]], budget=10)
    assert count(election, method=Method.MES, utility=Utility.CARDINALITY).selected == ("F", "A")
    # With the cost utility a free project gives nobody anything (pabutools agrees).
    assert count(election, method=Method.MES, utility=Utility.COST).selected == ("A",)


def test_mes_outcome_serialises_fractions_as_strings() -> None:
    data = count(approval(COSTS, BALLOTS, budget=100), method=Method.MES).to_dict()
    assert data["rounds"][0]["value"] == "1/3"
    assert data["rounds"][0]["payments"] == [{"voters": 3, "each": "20"}]
