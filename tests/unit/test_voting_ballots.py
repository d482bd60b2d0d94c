"""What a valid ballot is (voting.ballots): pure rules, no database."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voting.ballots import (
    BallotKind,
    BallotProblem,
    BallotRules,
    Choice,
    ballot_check,
    basket,
    canonical,
    from_canonical,
)

COSTS = {1: 40, 2: 30, 3: 20, 4: 10}


def problem(rules, choices, costs=COSTS):
    with pytest.raises(BallotProblem) as caught:
        ballot_check(rules, choices, costs)
    return caught.value


def test_single_choice_takes_exactly_one_proposal():
    rules = BallotRules(BallotKind.SINGLE, max_selections=5)
    assert ballot_check(rules, [Choice(2)], COSTS) == (Choice(2),)
    assert problem(rules, [Choice(1), Choice(2)]).code == "too_many"
    assert problem(rules, [Choice(1), Choice(2)]).params == {"most": 1}


def test_empty_ballot_says_how_many_to_choose():
    assert problem(BallotRules(BallotKind.APPROVAL, min_selections=2), []).params == {"least": 2}


def test_approval_respects_minimum_and_maximum():
    rules = BallotRules(BallotKind.APPROVAL, min_selections=2, max_selections=3)
    assert problem(rules, [Choice(1)]).code == "too_few"
    assert problem(rules, [Choice(1), Choice(2), Choice(3), Choice(4)]).code == "too_many"
    assert len(ballot_check(rules, [Choice(3), Choice(1)], COSTS)) == 2


def test_duplicated_and_unknown_proposals_are_refused_before_counting():
    rules = BallotRules(BallotKind.APPROVAL, max_selections=3)
    assert problem(rules, [Choice(1), Choice(1)]).code == "duplicate"
    assert problem(rules, [Choice(9)]).code == "not_on_ballot"


def test_approval_values_must_be_one():
    assert problem(BallotRules(BallotKind.APPROVAL), [Choice(1, 2)]).code == "bad_value"


def test_knapsack_stays_within_the_envelope():
    rules = BallotRules(BallotKind.KNAPSACK, max_selections=None, envelope=60)
    assert ballot_check(rules, [Choice(1), Choice(3)], COSTS) == (Choice(1), Choice(3))
    refused = problem(rules, [Choice(1), Choice(2)])
    assert refused.code == "over_envelope" and refused.params == {"envelope": 60, "total": 70}


def test_ranked_ballot_numbers_choices_without_gaps_or_repeats():
    rules = BallotRules(BallotKind.RANKED, max_selections=3)
    assert ballot_check(rules, [Choice(4, 2), Choice(1, 1)], COSTS) == (Choice(1, 1), Choice(4, 2))
    assert problem(rules, [Choice(1, 1), Choice(2, 3)]).code == "bad_rank"
    assert problem(rules, [Choice(1, 1), Choice(2, 1)]).code == "bad_rank"


def test_wallet_is_spent_in_whole_blocks_up_to_the_wallet():
    rules = BallotRules(BallotKind.WALLET, max_selections=10, wallet_amount=1_000_000, wallet_block=100_000)
    assert ballot_check(rules, [Choice(1, 600_000), Choice(2, 400_000)], COSTS)
    assert problem(rules, [Choice(1, 150_000)]).code == "bad_block"
    assert problem(rules, [Choice(1, 0)]).code == "bad_block"
    over = problem(rules, [Choice(1, 700_000), Choice(2, 400_000)])
    assert over.code == "over_wallet" and over.params["spent"] == 1_100_000


def test_basket_reports_what_remains():
    knapsack = BallotRules(BallotKind.KNAPSACK, envelope=100)
    assert basket(knapsack, [Choice(1), Choice(2)], COSTS).remaining == 30
    wallet = BallotRules(BallotKind.WALLET, wallet_amount=10, wallet_block=2)
    assert basket(wallet, [Choice(1, 4)], COSTS).remaining == 6
    assert basket(BallotRules(BallotKind.APPROVAL), [Choice(1), Choice(99)], COSTS).count == 1


@given(st.lists(st.sampled_from(sorted(COSTS)), unique=True, min_size=1, max_size=4), st.integers(0, 100))
def test_a_knapsack_ballot_accepted_never_exceeds_the_envelope(chosen, envelope):
    rules = BallotRules(BallotKind.KNAPSACK, envelope=envelope)
    try:
        ballot = ballot_check(rules, [Choice(p) for p in chosen], COSTS)
    except BallotProblem as refused:
        assert refused.code == "over_envelope"
        assert sum(COSTS[p] for p in chosen) > envelope
    else:
        assert sum(COSTS[c.proposal] for c in ballot) <= envelope


@given(st.permutations([Choice(1, 2), Choice(3, 1), Choice(4, 3)]))
def test_the_order_choices_come_in_does_not_change_the_stored_ballot(choices):
    rules = BallotRules(BallotKind.RANKED, max_selections=3)
    stored = canonical(ballot_check(rules, choices, COSTS))
    assert stored == [[1, 2], [3, 1], [4, 3]]
    assert from_canonical(stored) == tuple(sorted(choices))
