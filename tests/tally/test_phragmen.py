from __future__ import annotations

from fractions import Fraction

import pytest

from tests.tally.helpers import approval, result
from voting.tally import BallotKind, Method, Project, Reason, TallyError, build_election, count


def test_phragmen_buys_the_project_with_the_lowest_new_maximal_load() -> None:
    election = approval({"A": 30, "B": 20, "C": 30}, [["A", "B"], ["A", "B"], ["C"]], budget=60)
    outcome = count(election, method=Method.PHRAGMEN)
    assert outcome.selected == ("B", "A")
    assert outcome.rounds[0].value == Fraction(10)
    assert result(outcome, "C").reason is Reason.NOT_ENOUGH_BUDGET


def test_phragmen_stops_for_good_when_the_next_project_does_not_fit() -> None:
    election = approval({"A": 80, "B": 10}, [["A"], ["A"], ["B"]], budget=50)
    # A is dearer than the budget and never a candidate; B is bought.
    assert count(election, method=Method.PHRAGMEN).selected == ("B",)
    election = approval({"A": 40, "B": 20}, [["A"], ["A"], ["A"], ["B"]], budget=50)
    outcome = count(election, method=Method.PHRAGMEN)
    assert outcome.selected == ("A",)
    assert "did not fit" in outcome.notes[-1]


def test_phragmen_refuses_ordinal_ballots() -> None:
    election = build_election(projects=[Project(id="A", cost=1)], budget=1, ballots=[["A"]], kind=BallotKind.ORDINAL)
    with pytest.raises(TallyError):
        count(election, method=Method.PHRAGMEN)
