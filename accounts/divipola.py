"""The DIVIPOLA list of Colombian departments and municipal units, read from
the copy shipped in ``accounts/data/divipola.csv`` (codes kept as text).

Identity profiles store a municipality code before the network registry
exists; the registry (nodes) loads its tables from this same file.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "divipola.csv"

# Words that stay lower-case inside a Spanish place name ("San José de Cúcuta").
_LOWER_WORDS = {"de", "del", "la", "las", "los", "el", "y", "e", "en"}


def title_es(name: str) -> str:
    """Official upper-case names in title case: ``"SAN JOSÉ DE CÚCUTA"`` →
    ``"San José de Cúcuta"``, ``"BOGOTÁ, D.C."`` → ``"Bogotá, D.C."``."""
    words = name.strip().lower().split()
    titled = []
    for index, word in enumerate(words):
        if index > 0 and word in _LOWER_WORDS:
            titled.append(word)
        elif "." in word:
            titled.append(word.upper())  # abbreviations such as D.C.
        else:
            titled.append("-".join(part[:1].upper() + part[1:] for part in word.split("-")))
    return " ".join(titled)


@dataclass(frozen=True, slots=True)
class Municipality:
    code: str
    name: str
    department_code: str
    department_name: str


@cache
def municipalities() -> tuple[Municipality, ...]:
    """Every municipal unit, in file order (by department, then code)."""
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        return tuple(
            Municipality(
                code=row["municipality_code"],
                name=title_es(row["municipality_name"]),
                department_code=row["department_code"],
                department_name=title_es(row["department_name"]),
            )
            for row in csv.DictReader(handle)
        )


@cache
def municipality_by_code() -> dict[str, Municipality]:
    return {municipality.code: municipality for municipality in municipalities()}


def municipality_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Choices grouped by department, for a select with optgroups."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for municipality in municipalities():
        groups.setdefault(municipality.department_name, []).append((municipality.code, municipality.name))
    return sorted(groups.items(), key=lambda item: item[0])
