"""Receipts and the hash chain of the ballot box, as plain Python (no Django).

A receipt code is derived, not drawn: ``HMAC(key, cycle, voter, submission)``.
The same submission (a retried request) therefore gives the same code, and
the box can store only ``receipt_digest(code)``: nobody holding the database
(and even the key) can tell which receipt, hence which ballot, is whose
without the submission id that only the voter's browser had.

Each sealed ballot's hash covers the previous ballot's hash, its position and
its content, so changing, removing or reordering a ballot changes the head.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

GENESIS = "0" * 64
RECEIPT_LENGTH = 20  # base32 characters: 100 bits
_NOT_BASE32 = re.compile(r"[^A-Z2-7]")


def _mac(key: bytes, *parts: object) -> bytes:
    message = "\x1f".join(str(part) for part in parts).encode()
    return hmac.new(key, message, hashlib.sha256).digest()


def receipt_code(key: bytes, *, cycle: int, voter: str, submission: str) -> str:
    """``XXXX-XXXX-XXXX-XXXX-XXXX``: what the voter keeps to find their ballot."""
    raw = base64.b32encode(_mac(key, "receipt", cycle, voter, submission)).decode()[:RECEIPT_LENGTH]
    return "-".join(raw[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def normalise_receipt(text: str) -> str:
    """The code as typed, upper-cased, without dashes or spaces; '' when it cannot be one.

    People read 0 for O and 1 for I or L from a screen; base32 has neither 0 nor 1."""
    cleaned = (text or "").upper().replace("0", "O").replace("1", "I")
    cleaned = _NOT_BASE32.sub("", cleaned.replace("-", "").replace(" ", ""))
    return cleaned if len(cleaned) == RECEIPT_LENGTH else ""


def receipt_digest(code: str) -> str:
    """What the box stores of a receipt (unkeyed, so anyone can check a published list)."""
    return hashlib.sha256(normalise_receipt(code).encode()).hexdigest()


def keyed_digest(key: bytes, purpose: str, value: str) -> str:
    """A keyed hash for the roll (submission ids, receipts for replacing)."""
    return _mac(key, purpose, value).hex()


@dataclass(frozen=True, slots=True)
class ChainLink:
    position: int
    unit: int
    channel: str
    selections: Sequence[Sequence[int]]
    receipt_digest: str
    replaces_digest: str
    batch: int | None


def ballot_hash(previous: str, cycle: int, link: ChainLink) -> str:
    payload = json.dumps(
        [
            previous,
            cycle,
            link.position,
            link.unit,
            link.channel,
            [list(choice) for choice in link.selections],
            link.receipt_digest,
            link.replaces_digest,
            link.batch,
        ],
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainFault:
    position: int
    problem: str  # "gap", "previous", "hash"


def chain_verify(cycle: int, links: Sequence[tuple[ChainLink, str, str]]) -> tuple[str, list[ChainFault]]:
    """Recompute a chain given ``(link, stored previous hash, stored hash)`` in position order.

    Returns the head (the last stored hash) and every fault found (empty when
    the chain holds); compare the head with a published one to detect a chain
    rewritten from some point on.
    """
    faults: list[ChainFault] = []
    head = GENESIS
    for expected, (link, previous, stored) in enumerate(links, start=1):
        if link.position != expected:
            faults.append(ChainFault(link.position, "gap"))
        if previous != head:
            faults.append(ChainFault(link.position, "previous"))
        if ballot_hash(previous, cycle, link) != stored:
            faults.append(ChainFault(link.position, "hash"))
        head = stored  # go on from what is stored, so one bad ballot is reported once
    return head, faults
