"""Citizen identity documents, as plain Python (no Django models).

National ID numbers are never stored: only a keyed hash (HMAC-SHA256) of the
normalised number. Colombian documents of one person share one number (the
NUIP of the civil registry carries over to the TI and the CC), so RC, TI and
CC hash in one family: someone who registered with their TI and later with
their CC is recognised as the same person. Foreign documents each form their
own family, so a CE number cannot collide with a CC number.

Validation is loose on purpose: old cédulas have 3 to 8 digits, new ones 10,
passports are alphanumeric. We reject what is clearly not a number of that
kind, never a real document because of its length.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class DocumentKind(StrEnum):
    RC = "RC"
    TI = "TI"
    CC = "CC"
    CE = "CE"
    PEP = "PEP"
    PPT = "PPT"
    PA = "PA"


@dataclass(frozen=True, slots=True)
class DocumentRule:
    pattern: re.Pattern[str]
    min_length: int
    max_length: int
    family: str


_DIGITS = re.compile(r"^[0-9]+$")
_ALNUM = re.compile(r"^[A-Z0-9]+$")

DOCUMENT_RULES: dict[DocumentKind, DocumentRule] = {
    DocumentKind.RC: DocumentRule(_DIGITS, 6, 15, "CO"),
    DocumentKind.TI: DocumentRule(_DIGITS, 6, 15, "CO"),
    DocumentKind.CC: DocumentRule(_DIGITS, 3, 15, "CO"),
    DocumentKind.CE: DocumentRule(_ALNUM, 3, 15, "CE"),
    DocumentKind.PEP: DocumentRule(_DIGITS, 6, 20, "PEP"),
    DocumentKind.PPT: DocumentRule(_ALNUM, 5, 20, "PPT"),
    DocumentKind.PA: DocumentRule(_ALNUM, 5, 20, "PA"),
}

# Separators people type inside numbers: "1.234.567", "1 234 567", "AB-123".
_SEPARATORS = re.compile(r"[\s.\-_,/]")


class InvalidDocument(ValueError):
    """The text is not a plausible number for that kind of document.

    ``code`` says why: ``"empty"``, ``"characters"`` or ``"length"``.
    """

    def __init__(self, code: str, rule: DocumentRule | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.rule = rule


def normalise_document(kind: DocumentKind | str, number: str) -> str:
    """Return the number as it is hashed: separators dropped, letters upper-case.

    Raises ``InvalidDocument`` when what is left is empty, has characters the
    kind does not allow (letters in a cédula) or a length outside the loose range.
    """
    rule = DOCUMENT_RULES[DocumentKind(kind)]
    cleaned = _SEPARATORS.sub("", number or "").upper()
    if not cleaned:
        raise InvalidDocument("empty", rule)
    if not rule.pattern.match(cleaned):
        raise InvalidDocument("characters", rule)
    if not rule.min_length <= len(cleaned) <= rule.max_length:
        raise InvalidDocument("length", rule)
    return cleaned


def document_hash(kind: DocumentKind | str, number: str, *, key: str) -> str:
    """The keyed hash (hex HMAC-SHA256) that stands for a document everywhere.

    The same person's RC, TI and CC give the same hash (one family).
    """
    if not key:
        raise ValueError("an identity hash key is required")
    normalised = normalise_document(kind, number)
    family = DOCUMENT_RULES[DocumentKind(kind)].family
    message = f"{family}:{normalised}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def age_on(birth_date: date, day: date) -> int:
    """Whole years of age on ``day`` (a birthday on 29 February counts on 1 March)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


ADULT_AGE = 18
