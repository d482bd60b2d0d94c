"""The DIAN check digit of NITs (pure, no database)."""

import pytest

from nodes.nit import InvalidNit, check_digit, is_valid_nit, normalise_nit


@pytest.mark.parametrize(
    ("number", "digit"),
    [
        ("800197268", 4),  # DIAN
        ("890903938", 8),  # Bancolombia
        ("860034313", 7),  # Davivienda
        ("899999001", 7),
        ("860007738", 9),
    ],
)
def test_check_digit_matches_published_nits(number, digit):
    assert check_digit(number) == digit


def test_check_digit_keeps_remainders_zero_and_one():
    # 1 * 3 = 3 -> 11 - 3 = 8; "4" -> 12 % 11 = 1 -> 1; "11" -> 3 + 7 = 10 -> 1; digit 0 when the sum is 0 mod 11.
    assert check_digit("1") == 8
    assert check_digit("4") == 1
    assert check_digit("0") == 0


@pytest.mark.parametrize("text", ["800197268-4", "800.197.268-4", "8001972684", " 800 197 268 - 4 "])
def test_normalise_nit_accepts_usual_spellings(text):
    assert normalise_nit(text) == "800197268-4"


@pytest.mark.parametrize("text", ["800197268-5", "800197268", "abc", "", "12-3", "800197268-44"])
def test_normalise_nit_refuses_wrong_digit_or_shape(text):
    with pytest.raises(InvalidNit):
        normalise_nit(text)
    assert not is_valid_nit(text)


def test_check_digit_refuses_non_digits():
    with pytest.raises(InvalidNit):
        check_digit("12a")
