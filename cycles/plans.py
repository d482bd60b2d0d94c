"""A municipality's development plan (Plan de Desarrollo): its period, its
strategic lines and the programmes inside them, so that proposals and results
can be tied to the plan. Writes and the reads later issues use.

Writes follow the contract of ``cycles.services``, with the plan row (not a
cycle) locked during an import and ``cycles.change_developmentplan`` checked
on the plan's municipality.

CSV import: a header row naming the columns in Spanish or English
(``linea_codigo``/``line_code``, ``linea``/``line``, ``programa_codigo``/
``programme_code``, ``programa``/``programme``; accents and capitals do not
matter), comma or semicolon separated, UTF-8 with or without a byte-order mark
(Latin-1, as older spreadsheets save, is read too). One row per programme; a
row without a programme only names its line. Lines are created once, their
programmes under them; codes already in the plan are updated (names, and the
line a programme belongs to), so importing the same file twice changes
nothing. All or nothing: every bad row is reported with its row number (the
header is row 1) and then nothing is saved.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.audit import audit_record, subject_of
from accounts.models import User
from cycles.guards import invalid, require
from cycles.models import DevelopmentPlan, PlanLevel, PlanLine
from nodes.models import Municipality

# Header names accepted for each column (compared without accents, in lower case).
PLAN_CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "line_code": ("linea_codigo", "codigo_linea", "line_code"),
    "line": ("linea", "line", "linea_nombre", "line_name"),
    "programme_code": ("programa_codigo", "codigo_programa", "programme_code", "program_code"),
    "programme": ("programa", "programme", "program", "programa_nombre", "programme_name"),
}
REQUIRED_COLUMNS = ("line_code", "line")
CODE_MAX, NAME_MAX = 30, 300
YEAR_MIN, YEAR_MAX = 1990, 2100


def require_plans(actor: User, municipality: Municipality) -> None:
    require(
        actor,
        "cycles.change_developmentplan",
        municipality,
        _("You may not change the development plans of %(municipality)s.") % {"municipality": municipality.name},
    )


# --- Plans ----------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *, actor: User, municipality: Municipality, name: str, start_year: int, end_year: int
) -> DevelopmentPlan:
    """A development plan of ``municipality`` for ``start_year``–``end_year``
    (names unique within the municipality)."""
    require_plans(actor, municipality)
    name = name.strip()
    if not name:
        raise invalid("name", _("Write the plan's name."), "name")
    if len(name) > 200:
        raise invalid("name", _("The name is longer than 200 characters."), "name")
    for field_name, year in (("start_year", start_year), ("end_year", end_year)):
        if not YEAR_MIN <= year <= YEAR_MAX:
            raise invalid(
                field_name, _("Write a year between %(min)d and %(max)d.") % {"min": YEAR_MIN, "max": YEAR_MAX}, "year"
            )
    if end_year < start_year:
        raise invalid("end_year", _("The plan cannot end before it starts."), "period_in_order")
    try:
        with transaction.atomic():
            plan = DevelopmentPlan.objects.create(
                municipality=municipality, name=name, start_year=start_year, end_year=end_year
            )
    except IntegrityError as error:
        raise invalid(
            "name",
            _("%(municipality)s already has a plan with this name.") % {"municipality": municipality.name},
            "duplicate_name",
        ) from error
    audit_record(
        actor=actor,
        action="cycles.plan_created",
        subject=subject_of(plan),
        data={"municipality": municipality.pk, "start_year": start_year, "end_year": end_year},
    )
    return plan


# --- CSV import -----------------------------------------------------------------------


@dataclass
class PlanImport:
    """What an import did, or why it did nothing (``errors`` not empty)."""

    lines_created: int = 0
    programmes_created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def decode_text(content: bytes | str) -> str:
    """CSV bytes as text: UTF-8 (with or without a byte-order mark), else Latin-1."""
    if isinstance(content, str):
        return content.lstrip("\ufeff")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("latin-1")


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace(" ", "_").replace("-", "_")


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


@dataclass
class _Row:
    number: int
    line_code: str
    line: str
    programme_code: str
    programme: str


def _read(text: str, result: PlanImport) -> list[_Row]:
    if "\x00" in text:
        result.errors.append(_("The file holds a NUL character: save it again as CSV text and retry."))
        return []
    try:
        return _read_rows(text, result)
    except csv.Error:
        result.errors.append(_("The file could not be read as CSV: a cell is too long or a quote is not closed."))
        return []


def _read_rows(text: str, result: PlanImport) -> list[_Row]:
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    header = next(reader, None)
    if header is None:
        result.errors.append(_("The file is empty."))
        return []
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        for key, aliases in PLAN_CSV_COLUMNS.items():
            if _plain(name) in aliases and key not in columns:
                columns[key] = index
    missing = [PLAN_CSV_COLUMNS[key][0] for key in REQUIRED_COLUMNS if key not in columns]
    if missing or (("programme_code" in columns) != ("programme" in columns)):
        result.errors.append(
            _(
                "The first row must name the columns linea_codigo, linea, programa_codigo and programa "
                "(or line_code, line, programme_code, programme)."
            )
        )
        return []

    def cell(values: list[str], key: str) -> str:
        index = columns.get(key)
        return values[index].strip() if index is not None and index < len(values) else ""

    rows = []
    for number, values in enumerate(reader, start=2):
        row = _Row(number, *(cell(values, key) for key in ("line_code", "line", "programme_code", "programme")))
        if any((row.line_code, row.line, row.programme_code, row.programme)):
            rows.append(row)
    if not rows:
        result.errors.append(_("The file has no rows below the header."))
    return rows


@dataclass
class _Wanted:
    level: str
    name: str
    parent_code: str
    row: int


def _check(rows: list[_Row], stored: dict[str, PlanLine], result: PlanImport) -> dict[str, _Wanted]:
    """What the plan should hold after the import: code -> level, name, line; errors into ``result``."""
    wanted: dict[str, _Wanted] = {}
    error = result.errors.append
    for row in rows:
        n = row.number
        if not row.line_code:
            error(_("Row %(row)d: the line code is missing.") % {"row": n})
            continue
        for code in (row.line_code, row.programme_code):
            if len(code) > CODE_MAX:
                error(
                    _("Row %(row)d: the code “%(code)s” is longer than %(max)d characters.")
                    % {"row": n, "code": code, "max": CODE_MAX}
                )
        for name in (row.line, row.programme):
            if len(name) > NAME_MAX:
                error(_("Row %(row)d: a name is longer than %(max)d characters.") % {"row": n, "max": NAME_MAX})
        line = wanted.get(row.line_code)
        if line is not None and line.level != PlanLevel.LINE:
            error(
                _("Row %(row)d: “%(code)s” is a programme in row %(first)d, not a line.")
                % {"row": n, "code": row.line_code, "first": line.row}
            )
            continue
        if line is None:
            known = stored.get(row.line_code)
            if known is not None and known.level != PlanLevel.LINE:
                error(
                    _("Row %(row)d: “%(code)s” is already a programme of this plan, not a line.")
                    % {"row": n, "code": row.line_code}
                )
                continue
            if not row.line and known is None:
                error(_("Row %(row)d: the name of line “%(code)s” is missing.") % {"row": n, "code": row.line_code})
                continue
            wanted[row.line_code] = _Wanted(PlanLevel.LINE, row.line or known.name, "", n)  # type: ignore[union-attr]
        elif row.line and row.line != line.name:
            error(
                _("Row %(row)d: line “%(code)s” is named differently in row %(first)d.")
                % {"row": n, "code": row.line_code, "first": line.row}
            )
        if not row.programme_code and not row.programme:
            continue
        if not row.programme_code:
            error(_("Row %(row)d: the programme code is missing.") % {"row": n})
            continue
        if not row.programme:
            error(_("Row %(row)d: the programme name is missing.") % {"row": n})
            continue
        earlier = wanted.get(row.programme_code)
        if earlier is not None:
            error(
                _("Row %(row)d: the code “%(code)s” is already used in row %(first)d.")
                % {"row": n, "code": row.programme_code, "first": earlier.row}
            )
            continue
        known = stored.get(row.programme_code)
        if known is not None and known.level != PlanLevel.PROGRAMME:
            error(
                _("Row %(row)d: “%(code)s” is already a line of this plan, not a programme.")
                % {"row": n, "code": row.programme_code}
            )
            continue
        wanted[row.programme_code] = _Wanted(PlanLevel.PROGRAMME, row.programme, row.line_code, n)
    return wanted


@transaction.atomic
def plan_import_csv(*, actor: User, plan: DevelopmentPlan, content: bytes | str) -> PlanImport:
    """Create or update the plan's lines and programmes from a CSV file (see the module)."""
    plan = DevelopmentPlan.objects.select_for_update().select_related("municipality").get(pk=plan.pk)
    require_plans(actor, plan.municipality)
    result = PlanImport()
    rows = _read(decode_text(content), result)
    if result.errors:
        return result
    stored = {line.code: line for line in plan.lines.all()}
    wanted = _check(rows, stored, result)
    if result.errors:
        return result
    saved: dict[str, PlanLine] = dict(stored)
    # Lines first, so that every programme's line exists when it is saved.
    for level in (PlanLevel.LINE, PlanLevel.PROGRAMME):
        for code, want in wanted.items():
            if want.level != level:
                continue
            parent = saved[want.parent_code] if want.parent_code else None
            line = saved.get(code)
            if line is None:
                saved[code] = PlanLine.objects.create(plan=plan, level=level, code=code, name=want.name, parent=parent)
                if level == PlanLevel.LINE:
                    result.lines_created += 1
                else:
                    result.programmes_created += 1
            elif line.name != want.name or line.parent_id != (parent.pk if parent else None):
                line.name, line.parent = want.name, parent
                line.save(update_fields=["name", "parent"])
                result.updated += 1
            else:
                result.unchanged += 1
    audit_record(
        actor=actor,
        action="cycles.plan_imported",
        subject=subject_of(plan),
        data={
            "lines_created": result.lines_created,
            "programmes_created": result.programmes_created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        },
    )
    return result


# --- Reads ----------------------------------------------------------------------------


def plan_list(*, municipality: Municipality) -> QuerySet[DevelopmentPlan]:
    """The municipality's plans, newest first, with ``line_count`` and ``programme_count``."""
    return (
        DevelopmentPlan.objects.filter(municipality=municipality)
        .annotate(
            line_count=Count("lines", filter=Q(lines__level=PlanLevel.LINE), distinct=True),
            programme_count=Count("lines", filter=Q(lines__level=PlanLevel.PROGRAMME), distinct=True),
        )
        .order_by("-start_year", "name")
    )


def plan_for_year(*, municipality: Municipality, year: int) -> DevelopmentPlan | None:
    """The plan in force in ``year`` (the latest starting one if periods overlap)."""
    return (
        DevelopmentPlan.objects.filter(municipality=municipality, start_year__lte=year, end_year__gte=year)
        .order_by("-start_year", "name")
        .first()
    )


def plan_lines(plan: DevelopmentPlan) -> list[PlanLine]:
    """The plan's strategic lines in code order, each with ``programmes`` prefetched in code order (two queries)."""
    return list(
        plan.lines.filter(level=PlanLevel.LINE)
        .prefetch_related(Prefetch("programmes", queryset=PlanLine.objects.order_by("code")))
        .order_by("code")
    )


def plan_line_get(*, plan: DevelopmentPlan, code: str) -> PlanLine | None:
    """A line or programme of the plan by its code (None when the plan has no such code)."""
    return plan.lines.filter(code=code.strip()).select_related("parent").first()


def plan_line_choices(plan: DevelopmentPlan) -> list[tuple[str, list[tuple[int, str]]]]:
    """Options for a select grouped by line: the line itself, then its programmes."""
    return [
        (str(line), [(line.pk, str(line)), *((p.pk, str(p)) for p in line.programmes.all())])
        for line in plan_lines(plan)
    ]
