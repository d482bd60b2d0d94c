"""Receipts and the ballot chain (voting.chain): pure, no database."""

from dataclasses import replace

from voting.chain import (
    GENESIS,
    ChainLink,
    ballot_hash,
    chain_verify,
    normalise_receipt,
    receipt_code,
    receipt_digest,
)

KEY = b"k" * 32


def test_receipt_is_the_same_for_a_retried_submission_and_differs_otherwise():
    first = receipt_code(KEY, cycle=1, voter="a" * 64, submission="s1")
    assert first == receipt_code(KEY, cycle=1, voter="a" * 64, submission="s1")
    assert first != receipt_code(KEY, cycle=1, voter="a" * 64, submission="s2")
    assert first != receipt_code(KEY, cycle=2, voter="a" * 64, submission="s1")
    assert first != receipt_code(b"x" * 32, cycle=1, voter="a" * 64, submission="s1")
    assert len(first) == 24 and first.count("-") == 4


def test_receipt_typed_loosely_is_recognised():
    code = receipt_code(KEY, cycle=1, voter="b" * 64, submission="s")
    typed = code.lower().replace("-", " ")
    assert normalise_receipt(typed) == code.replace("-", "")
    assert receipt_digest(typed) == receipt_digest(code)
    assert normalise_receipt("ABCD") == ""


def links(n):
    return [ChainLink(i, 7, "online", [[i, 1]], f"{i:064x}", "", None) for i in range(1, n + 1)]


def sealed(cycle, chain_links):
    rows, head = [], GENESIS
    for link in chain_links:
        digest = ballot_hash(head, cycle, link)
        rows.append((link, head, digest))
        head = digest
    return rows, head


def test_an_intact_chain_verifies_to_its_head():
    rows, head = sealed(3, links(5))
    assert chain_verify(3, rows) == (head, [])


def test_changing_a_ballot_is_detected_at_its_position():
    rows, _head = sealed(3, links(5))
    link, previous, digest = rows[2]
    rows[2] = (replace(link, selections=[[99, 1]]), previous, digest)
    _head, faults = chain_verify(3, rows)
    assert [(f.position, f.problem) for f in faults] == [(3, "hash")]


def test_removing_a_ballot_is_detected():
    rows, _head = sealed(3, links(5))
    del rows[1]
    faults = chain_verify(3, rows)[1]
    assert {f.problem for f in faults} >= {"gap", "previous"}


def test_rewriting_the_chain_from_a_point_changes_the_head():
    _rows, head = sealed(3, links(5))
    forged, forged_head = sealed(3, [*links(4), replace(links(5)[4], selections=[[1, 1]])])
    assert chain_verify(3, forged) == (forged_head, [])
    assert forged_head != head  # so a published head exposes it
