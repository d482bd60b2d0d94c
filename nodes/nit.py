"""The NIT (Número de Identificación Tributaria) of Colombian organisations.

A NIT is up to 15 digits (9 for companies and entities) followed by a check
digit (dígito de verificación, DV) computed by DIAN's modulo-11 rule: the
digits, read from the right, are weighted 3, 7, 13, 17, 19, 23, 29, 37, 41,
43, 47, 53, 59, 67, 71; the weighted sum modulo 11 gives the remainder r,
and the DV is r when r is 0 or 1, otherwise 11 - r.

Pure functions, no Django: the model field validator and the services call them.
"""

from __future__ import annotations

import re

WEIGHTS = (3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71)
_NIT_PATTERN = re.compile(r"^(?P<number>[0-9]{6,15})-?(?P<dv>[0-9])$")


class InvalidNit(ValueError):
    """The text is not a NIT with a correct check digit."""


def check_digit(number: str) -> int:
    """The DIAN check digit of a NIT's number (digits only, without the DV)."""
    if not number.isdigit() or not 1 <= len(number) <= len(WEIGHTS):
        raise InvalidNit(number)
    total = sum(int(digit) * weight for digit, weight in zip(reversed(number), WEIGHTS, strict=False))
    remainder = total % 11
    return remainder if remainder in (0, 1) else 11 - remainder


def normalise_nit(text: str) -> str:
    """``"900.123.456-8"`` → ``"900123456-8"``; raise InvalidNit if the check digit is wrong.

    Dots, spaces and commas are dropped; the DV must be present (after a dash or
    as the last digit).
    """
    compact = re.sub(r"[\s.,]", "", text)
    match = _NIT_PATTERN.match(compact)
    if match is None:
        raise InvalidNit(text)
    number, dv = match["number"], int(match["dv"])
    if check_digit(number) != dv:
        raise InvalidNit(text)
    return f"{number}-{dv}"


def is_valid_nit(text: str) -> bool:
    try:
        normalise_nit(text)
    except InvalidNit:
        return False
    return True
