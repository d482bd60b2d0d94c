"""Document normalisation, hashing and ages: the rules that keep one person one identity."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.identity import InvalidDocument, age_on, document_hash, normalise_document

KEY = "test-key"


@pytest.mark.parametrize(
    ("kind", "typed", "stored"),
    [
        ("CC", "1.085.000.001", "1085000001"),
        ("CC", " 43 000 003 ", "43000003"),
        ("CC", "123", "123"),  # old cédulas can be very short
        ("TI", "1001000002", "1001000002"),
        ("PA", "ab-123456", "AB123456"),
        ("CE", "e123456", "E123456"),
        ("PPT", "4567890", "4567890"),
    ],
)
def test_normalise_document_drops_separators_and_uppercases(kind, typed, stored):
    assert normalise_document(kind, typed) == stored


@pytest.mark.parametrize(
    ("kind", "typed", "code"),
    [
        ("CC", "", "empty"),
        ("CC", " . - ", "empty"),
        ("CC", "12A45", "characters"),
        ("TI", "10O1000002", "characters"),
        ("CC", "12", "length"),
        ("CC", "1" * 16, "length"),
        ("PA", "AB1", "length"),
    ],
)
def test_normalise_document_rejects_what_is_not_a_number_of_that_kind(kind, typed, code):
    with pytest.raises(InvalidDocument) as raised:
        normalise_document(kind, typed)
    assert raised.value.code == code


def test_colombian_documents_of_one_person_hash_alike():
    # The NUIP of the TI carries over to the CC: same person, same hash.
    assert document_hash("TI", "1001000002", key=KEY) == document_hash("CC", "1.001.000.002", key=KEY)


def test_foreign_documents_do_not_collide_with_colombian_ones():
    assert document_hash("CE", "123456", key=KEY) != document_hash("CC", "123456", key=KEY)
    assert document_hash("PA", "123456", key=KEY) != document_hash("PPT", "123456", key=KEY)


def test_document_hash_depends_on_the_secret_key():
    assert document_hash("CC", "1085000001", key="one") != document_hash("CC", "1085000001", key="two")


@given(st.from_regex(r"[0-9]{3,15}", fullmatch=True))
def test_document_hash_is_hex_and_never_contains_the_number(number):
    digest = document_hash("CC", number, key=KEY)
    assert len(digest) == 64
    assert int(digest, 16) >= 0
    assert number not in digest or len(number) < 6  # a short digit run can appear in hex by chance


def test_document_hash_requires_a_key():
    with pytest.raises(ValueError, match="key"):
        document_hash("CC", "1085000001", key="")


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(2010, 3, 2), date(2024, 3, 1), 13),
        (date(2010, 3, 2), date(2024, 3, 2), 14),
        (date(2008, 2, 29), date(2026, 2, 28), 17),
        (date(2008, 2, 29), date(2026, 3, 1), 18),
    ],
)
def test_age_on_counts_whole_years(born, day, age):
    assert age_on(born, day) == age


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 1, 1)), st.integers(min_value=0, max_value=100))
def test_age_on_birthday_is_exact(born, years):
    try:
        birthday = born.replace(year=born.year + years)
    except ValueError:  # 29 February in a non-leap year
        return
    assert age_on(born, birthday) == years
