"""Envelope formulas of ``cycles.envelopes``, exact to the peso (no database).

Tie rule: after every territory gets the whole units of its exact share
rounded down, the units left go one each to the territories with the largest
fractional remainder; among equal remainders, the territory listed first
gets the unit (the order is the cycle's position order of its territories).
What does not make a whole unit stays unassigned.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cycles.envelopes import (
    BY_NEED,
    BY_POPULATION,
    EQUAL,
    EnvelopeError,
    Share,
    Weights,
    exact_shares,
    split,
)

# --- Worked examples a municipal official can check by hand ---------------------


def test_a_thousand_million_and_one_pesos_equally_among_three_in_thousands():
    result = split(1_000_000_001, [Share("01"), Share("02"), Share("03")], EQUAL, unit=1000)
    assert result.amounts == {"01": 333_334_000, "02": 333_333_000, "03": 333_333_000}
    assert result.unassigned == 1
    assert result.extra_unit_to == ("01",)
    assert result.assigned + result.unassigned == 1_000_000_001


def test_the_extra_unit_goes_to_the_territory_listed_first_among_equals():
    result = split(1_000_000_001, [Share("03"), Share("02"), Share("01")], EQUAL, unit=1000)
    assert result.amounts == {"03": 333_334_000, "02": 333_333_000, "01": 333_333_000}


def test_a_split_by_population():
    # 100 million among 50 000, 30 000 and 20 000 inhabitants: 50 %, 30 %, 20 %
    shares = [Share("A", population=50_000), Share("B", population=30_000), Share("C", population=20_000)]
    result = split(100_000_000, shares, BY_POPULATION)
    assert result.amounts == {"A": 50_000_000, "B": 30_000_000, "C": 20_000_000}
    assert result.unassigned == 0


def test_a_split_by_population_with_a_remainder_goes_to_the_largest_fraction():
    # 1 000 pesos among 1, 1 and 1 inhabitants... of 3, 3 and 4: 300, 300, 400 exactly
    shares = [Share("A", population=3), Share("B", population=3), Share("C", population=4)]
    assert split(1000, shares, BY_POPULATION).amounts == {"A": 300, "B": 300, "C": 400}
    # 100 pesos among 1, 2 and 4: 14.28.., 28.57.., 57.14.. -> 14, 29, 57 (B has the largest fraction, .57)
    shares = [Share("A", population=1), Share("B", population=2), Share("C", population=4)]
    result = split(100, shares, BY_POPULATION)
    assert result.amounts == {"A": 14, "B": 29, "C": 57}
    assert result.extra_unit_to == ("B",)


def test_a_20_30_50_mix_of_equal_population_and_need():
    # 1 000 000 000 among two territories:
    #   equal 20 %      -> 100 000 000 each
    #   population 30 % -> 300 000 000 split 3:1 -> 225 000 000 / 75 000 000
    #   need 50 %       -> 500 000 000 split by index 0.6 : 0.4 -> 300 000 000 / 200 000 000
    shares = [
        Share("Comuna 1", population=75_000, need_index=Decimal("0.6")),
        Share("Comuna 14", population=25_000, need_index=Decimal("0.4")),
    ]
    result = split(1_000_000_000, shares, Weights(20, 30, 50), unit=1_000_000)
    assert result.amounts == {"Comuna 1": 625_000_000, "Comuna 14": 375_000_000}
    assert result.unassigned == 0


def test_a_split_by_need_gives_more_to_the_higher_index():
    shares = [Share(1, need_index=1), Share(2, need_index=3)]
    assert split(400, shares, BY_NEED).amounts == {1: 100, 2: 300}


def test_the_unit_larger_than_the_amount_leaves_it_all_unassigned():
    result = split(999, [Share(1), Share(2)], EQUAL, unit=1000)
    assert result.amounts == {1: 0, 2: 0}
    assert result.unassigned == 999


def test_zero_pesos_split_is_zero_everywhere():
    assert split(0, [Share(1), Share(2)]).amounts == {1: 0, 2: 0}


def test_exact_shares_add_up_to_exactly_one():
    shares = [Share(i, population=i * 7, need_index=Decimal(i) / 3) for i in range(1, 8)]
    assert sum(exact_shares(shares, Weights(33, 33, 34)).values()) == 1


# --- Errors -------------------------------------------------------------------------


def code_of(call) -> str:
    with pytest.raises(EnvelopeError) as caught:
        call()
    return caught.value.code


@pytest.mark.parametrize(
    "weights", [Weights(50, 30, 30), Weights(50, 30, 10), Weights(120, -20, 0), Weights(33.5, 33.5, 33)]
)
def test_weights_must_add_up_to_100(weights):
    assert code_of(lambda: split(100, [Share(1, 1, 1)], weights)) == "weights_not_100"


def test_population_missing_is_refused_for_a_population_split():
    shares = [Share(1, population=10), Share(2)]
    assert code_of(lambda: split(100, shares, BY_POPULATION)) == "population_missing"
    assert split(100, shares, EQUAL).amounts == {1: 50, 2: 50}, "an equal split does not need the population"


def test_populations_adding_to_zero_are_refused():
    assert code_of(lambda: split(100, [Share(1, population=0), Share(2, population=0)], BY_POPULATION)) == (
        "population_zero"
    )


def test_need_index_missing_and_all_zero_are_refused():
    assert code_of(lambda: split(100, [Share(1, need_index=1), Share(2)], BY_NEED)) == "need_index_missing"
    assert code_of(lambda: split(100, [Share(1, need_index=0), Share(2, need_index=0)], BY_NEED)) == ("need_index_zero")


@pytest.mark.parametrize("index", [Decimal("-0.1"), Decimal("NaN"), Decimal("Infinity")])
def test_a_need_index_that_is_negative_or_not_a_number_is_refused(index):
    assert code_of(lambda: split(100, [Share(1, need_index=1), Share(2, need_index=index)], BY_NEED)) == (
        "need_index_missing"
    )


def test_a_negative_amount_is_refused():
    assert code_of(lambda: split(-1, [Share(1)])) == "negative_amount"


def test_a_unit_below_one_peso_is_refused():
    assert code_of(lambda: split(100, [Share(1)], unit=0)) == "bad_unit"


def test_no_territory_and_a_territory_twice_are_refused():
    assert code_of(lambda: split(100, [])) == "no_territories"
    assert code_of(lambda: split(100, [Share(1), Share(1)])) == "duplicate_territory"


# --- Properties -----------------------------------------------------------------------


@st.composite
def cases(draw: st.DrawFn) -> tuple[int, list[Share], Weights, int]:
    count = draw(st.integers(1, 8))
    shares = [
        Share(
            key,
            population=draw(st.integers(0, 3_000_000)),
            need_index=draw(st.decimals(min_value=0, max_value=100, places=4)),
        )
        for key in range(count)
    ]
    equal = draw(st.integers(0, 100))
    population = draw(st.integers(0, 100 - equal))
    weights = Weights(equal, population, 100 - equal - population)
    assume(not weights.population or sum(s.population or 0 for s in shares) > 0)
    assume(not weights.need or sum(Fraction(s.need_index or 0) for s in shares) > 0)
    amount = draw(st.integers(0, 10**15))
    unit = draw(st.sampled_from([1, 10, 1000, 1_000_000, 7]))
    return amount, shares, weights, unit


@settings(max_examples=400, deadline=None)
@given(cases())
def test_no_peso_is_lost_or_invented(case):
    amount, shares, weights, unit = case
    result = split(amount, shares, weights, unit=unit)
    assert sum(result.amounts.values()) + result.unassigned == amount
    assert set(result.amounts) == {s.key for s in shares}


@settings(max_examples=400, deadline=None)
@given(cases())
def test_every_amount_is_whole_units_and_less_than_a_unit_is_unassigned(case):
    amount, shares, weights, unit = case
    result = split(amount, shares, weights, unit=unit)
    assert all(value % unit == 0 and value >= 0 for value in result.amounts.values())
    assert 0 <= result.unassigned < unit


@settings(max_examples=400, deadline=None)
@given(cases())
def test_each_amount_is_within_one_unit_of_its_exact_share(case):
    amount, shares, weights, unit = case
    result = split(amount, shares, weights, unit=unit)
    exact = exact_shares(shares, weights)
    distributable = amount - result.unassigned
    for key, value in result.amounts.items():
        assert abs(value - exact[key] * distributable) < unit
        # the extra unit goes only where the exact share was rounded up
        floor = (exact[key] * distributable // unit) * unit
        assert value == floor + (unit if key in result.extra_unit_to else 0)


@settings(max_examples=200, deadline=None)
@given(cases())
def test_the_split_is_deterministic(case):
    amount, shares, weights, unit = case
    assert split(amount, shares, weights, unit=unit) == split(amount, list(shares), weights, unit=unit)


@settings(max_examples=300, deadline=None)
@given(st.integers(2, 12), st.integers(0, 10**12), st.sampled_from([1, 1000, 7]), st.randoms(use_true_random=False))
def test_among_equal_shares_the_extra_units_go_to_the_first_listed(count, amount, unit, rng):
    keys = list(range(count))
    rng.shuffle(keys)
    result = split(amount, [Share(k) for k in keys], EQUAL, unit=unit)
    left = (amount // unit) % count
    assert list(result.extra_unit_to) == keys[:left]
    assert [result.amounts[k] for k in keys] == sorted((result.amounts[k] for k in keys), reverse=True)


@settings(max_examples=200, deadline=None)
@given(cases())
def test_a_larger_exact_share_never_gets_less(case):
    amount, shares, weights, unit = case
    result = split(amount, shares, weights, unit=unit)
    exact = exact_shares(shares, weights)
    for a in shares:
        for b in shares:
            if exact[a.key] > exact[b.key]:
                assert result.amounts[a.key] >= result.amounts[b.key]
