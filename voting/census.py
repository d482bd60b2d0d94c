"""A cycle's census list: the documents that may vote, loaded from a CSV.

The file is read in memory and never stored: each number is normalised and
replaced by its keyed hash (the same family hash as citizen identities, so
a TI on the list matches the CC the person shows later). A file with one
bad row saves nothing and every bad row is reported by line, without
echoing the number.

Accepted: one column of numbers (all of the default document type), or a
header with a type column (``tipo``/``type``/``tipo_documento``) and a number
column (``numero``/``número``/``documento``/``number``); comma or semicolon;
UTF-8 (with or without BOM) or Latin-1.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import audit_record, subject_of
from accounts.identity import DocumentKind, InvalidDocument
from accounts.models import User
from cycles.guards import refuse
from cycles.models import Cycle
from voting.eligibility import voter_key
from voting.models import CensusEntry
from voting.stations import require_manager

MAX_BYTES = 20 * 1024 * 1024
_TYPE_HEADERS = {"tipo", "type", "tipo_documento", "tipodocumento", "tipo de documento", "document_type"}
_NUMBER_HEADERS = {"numero", "number", "documento", "document", "numero_documento", "numero de documento", "cedula"}


@dataclass
class CensusReport:
    rows: int = 0
    added: int = 0
    already: int = 0
    repeated: int = 0  # rows naming a document already named earlier in the file
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)

    @property
    def saved(self) -> bool:
        return not self.errors


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in folded if not unicodedata.combining(c))


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _hashes(text: str, default_type: str, report: CensusReport) -> set[str]:
    if text[:4].lower() == "sep=":  # Excel's first line naming the separator
        text = text.split("\n", 1)[1] if "\n" in text else ""
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as error:
        raise refuse(_("This file cannot be read as a CSV list of documents."), "not_csv") from error
    type_column, number_column, first = None, 0, 0
    if rows:
        header = [_plain(cell) for cell in rows[0]]
        if any(cell in _NUMBER_HEADERS for cell in header):
            number_column = next(i for i, cell in enumerate(header) if cell in _NUMBER_HEADERS)
            type_column = next((i for i, cell in enumerate(header) if cell in _TYPE_HEADERS), None)
            first = 1
    hashes: set[str] = set()
    for line, row in enumerate(rows[first:], start=first + 1):
        if not any(cell.strip() for cell in row):
            continue
        report.rows += 1
        kind = (
            row[type_column].strip().upper() if type_column is not None and type_column < len(row) else ""
        ) or default_type
        number = row[number_column] if number_column < len(row) else ""
        if kind not in DocumentKind.__members__:
            report.errors.append((line, _("Unknown document type: use RC, TI, CC, CE, PEP, PPT or PA.")))
            continue
        try:
            key = voter_key(kind, number)
        except InvalidDocument:
            report.errors.append((line, _("This is not a valid document number for its type.")))
            continue
        if key in hashes:
            report.repeated += 1
        hashes.add(key)
    return hashes


def census_import(
    *, actor: User, cycle: Cycle, data: bytes, default_type: str = "CC", replace: bool = False, now: datetime
) -> CensusReport:
    """Add the documents of a CSV to ``cycle``'s census list (or replace the list).

    Nothing is saved when a row is bad (see the report). Idempotent: a
    document already on the list is counted in ``already``.
    """
    require_manager(actor, cycle)
    if len(data) > MAX_BYTES:
        raise refuse(_("The file is too big: at most 20 MB."), "too_big")
    if default_type not in DocumentKind.__members__:
        raise refuse(_("Choose a document type."), "default_type")
    report = CensusReport()
    hashes = _hashes(_decode(data), default_type, report)
    if report.errors:
        return report
    if not hashes:
        raise refuse(_("The file has no document numbers."), "empty")
    with transaction.atomic():
        if replace:
            CensusEntry.objects.filter(cycle=cycle).delete()
        before = CensusEntry.objects.filter(cycle=cycle).count()
        CensusEntry.objects.bulk_create(
            [CensusEntry(cycle=cycle, document_hash=h) for h in hashes], batch_size=5000, ignore_conflicts=True
        )
        report.added = CensusEntry.objects.filter(cycle=cycle).count() - before
        report.already = report.rows - report.repeated - report.added
        audit_record(
            actor=actor,
            action="voting.census_import",
            subject=subject_of(cycle),
            data={"rows": report.rows, "added": report.added, "replace": replace},
            now=now,
        )
    return report


def census_size(cycle: Cycle) -> int:
    return CensusEntry.objects.filter(cycle=cycle).count()
