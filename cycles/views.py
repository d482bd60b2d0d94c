"""Public pages of budget cycles: the list of the network's cycles, a cycle's
page, one assembly and the scan of its minutes.

Written for a phone on a slow connection: small server-rendered pages, no
JavaScript needed, and a fixed number of queries whatever the size of a
cycle. A draft is shown only to the people who may manage it (a preview,
with a banner); to everybody else it does not exist (404).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

import cycles.rules  # noqa: F401  (registers the cycle permissions)
from accounts.models import DocumentType
from cycles import selectors
from cycles.methodologies import METHODOLOGIES
from cycles.models import Assembly, Cycle, CycleTerritory, Delegate, Phase, PhaseChange
from nodes import selectors as network

PAGE_SIZE = 20

# ``?estado=`` values, as ``selectors.filter_by_moment`` knows them.
MOMENTS = {
    "upcoming": _("Upcoming"),
    "running": _("Running now"),
    "finished": _("Finished"),
}


def _year(value: str | None) -> int | None:
    try:
        year = int(value or "")
    except ValueError:
        return None
    return year if 1990 <= year <= 2100 else None


def _moment(cycle: Cycle, now: datetime) -> str:
    """Where a listed cycle stands, from its ``first_start`` / ``last_end`` annotations."""
    first_start, last_end = getattr(cycle, "first_start", None), getattr(cycle, "last_end", None)
    if first_start is None or last_end is None:
        return ""
    if first_start > now:
        return "upcoming"
    return "running" if last_end > now else "finished"


def _matching(value: str, pattern: str) -> str:
    """A filter value of the expected shape, else no filter (never a database error)."""
    return value if re.fullmatch(pattern, value) else ""


@require_GET
def cycle_list(request: HttpRequest) -> HttpResponse:
    node = _matching(request.GET.get("nodo", ""), r"[-a-zA-Z0-9_]{1,100}")
    department = _matching(request.GET.get("departamento", ""), r"[0-9]{2}")
    municipality = _matching(request.GET.get("municipio", ""), r"[0-9]{5}")
    year = _year(request.GET.get("vigencia"))
    methodology = request.GET.get("metodologia", "")
    if methodology not in METHODOLOGIES:
        methodology = ""
    status = request.GET.get("estado", "")
    if status not in MOMENTS:
        status = ""
    now = timezone.now()
    cycles = selectors.filter_by_moment(
        selectors.cycle_list(
            node=node, department=department, year=year, methodology=methodology, municipality=municipality
        ),
        status,
        now,
    )
    page = Paginator(cycles, PAGE_SIZE).get_page(request.GET.get("pagina"))
    for cycle in page:
        cycle.moment = _moment(cycle, now)  # type: ignore[attr-defined]
    return render(
        request,
        "cycles/cycle_list.html",
        {
            "page": page,
            "filters": {
                "node": node,
                "department": department,
                "municipality": municipality,
                "year": year,
                "methodology": methodology,
                "status": status,
            },
            "nodes": network.node_list(),
            "departments": network.department_list(),
            "methodologies": [(key, m.name) for key, m in METHODOLOGIES.items()],
            "moments": list(MOMENTS.items()),
        },
    )


# --- A cycle's page ---------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    phase: Phase
    units: list[CycleTerritory]  # empty: every territory
    running: bool
    ended: bool
    changes: list[PhaseChange]

    @property
    def whole_days(self) -> bool:
        """Starts and ends at local midnight: shown as dates, the last day included."""
        return all(
            timezone.localtime(moment).time() == time.min for moment in (self.phase.starts_at, self.phase.ends_at)
        )

    @property
    def last_day(self) -> date:
        """The last day of a whole-days phase (its end is the next midnight, excluded)."""
        return (timezone.localtime(self.phase.ends_at) - timedelta(microseconds=1)).date()


@dataclass(frozen=True)
class Bar:
    label: str
    amount: int
    y: int  # top of the row in the chart, in pixels
    unassigned: bool = False


BAR_ROW = 40  # pixels per bar in the chart: a line of text, then the bar


@dataclass(frozen=True)
class Envelopes:
    units: list[CycleTerritory]  # territories first, the city-wide envelope last
    total: int
    assigned: int

    @property
    def unassigned(self) -> int:
        return self.total - self.assigned

    @cached_property
    def largest(self) -> int:
        return max([u.amount for u in self.units] + [self.unassigned], default=0)

    @cached_property
    def bars(self) -> list[Bar]:
        """The chart's rows: each envelope, then what is left unassigned (if anything)."""
        bars = [Bar(unit.name, unit.amount, i * BAR_ROW) for i, unit in enumerate(self.units)]
        if self.unassigned > 0:
            bars.append(Bar(str(_("Not assigned yet")), self.unassigned, len(bars) * BAR_ROW, unassigned=True))
        return bars

    @property
    def chart_height(self) -> int:
        return len(self.bars) * BAR_ROW

    @property
    def has_population(self) -> bool:
        return any(u.population is not None for u in self.units)

    @property
    def has_need(self) -> bool:
        return any(u.need_index is not None for u in self.units)


@dataclass
class DelegateGroup:
    unit: CycleTerritory
    delegates: list[Delegate] = field(default_factory=list)


def _visible(request: HttpRequest, cycle: Cycle) -> None:
    """A draft exists only for the people who may manage it."""
    if not request.user.has_perm("cycles.view_cycle", cycle):
        raise Http404


def _chosen_unit(value: str | None, units: dict[int, CycleTerritory]) -> CycleTerritory | None:
    try:
        unit = units.get(int(value or ""))
    except ValueError:
        return None
    return unit if unit is not None and not unit.is_citywide else None


def _envelopes(cycle: Cycle, units: list[CycleTerritory]) -> Envelopes:
    ordered = sorted(units, key=lambda u: (u.is_citywide, u.position, u.pk))
    return Envelopes(ordered, cycle.total_amount, sum(u.amount for u in units))


def _voting_words(cycle: Cycle) -> dict[str, object] | None:
    voting = getattr(cycle, "voting", None)
    if voting is None:
        return None
    documents = dict(DocumentType.choices)
    return {
        "settings": voting,
        "documents": [documents.get(code, code) for code in voting.accepted_documents],
    }


@require_GET
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        cycle = selectors.cycle_for_page(pk)
    except Cycle.DoesNotExist as missing:
        raise Http404 from missing
    _visible(request, cycle)
    now = timezone.now()
    units = list(cycle.units.all())
    unit_by_pk = {unit.pk: unit for unit in units}
    phases = list(cycle.phases.all())
    windows = [selectors.phase_window(phase) for phase in phases]
    running = selectors.running_phase_ids(windows, now)
    timeline = [
        TimelineEntry(
            phase=phase,
            # The units of the cycle's own list carry their territory: no query per phase.
            units=[] if phase.for_all_units else [unit_by_pk[u.pk] for u in phase.units.all() if u.pk in unit_by_pk],
            running=phase.pk in running,
            ended=phase.ends_at <= now,
            changes=list(phase.changes.all()),
        )
        for phase in phases
    ]
    territory = _chosen_unit(request.GET.get("territorio"), unit_by_pk)
    groups: dict[int, DelegateGroup] = {}
    for delegate in cycle.delegates.all():
        unit = unit_by_pk.get(delegate.unit_id, delegate.unit)
        groups.setdefault(unit.pk, DelegateGroup(unit)).delegates.append(delegate)
    return render(
        request,
        "cycles/cycle_detail.html",
        {
            "cycle": cycle,
            "envelopes": _envelopes(cycle, units),
            "timeline": timeline,
            # What is open now first, then what opens later; each in the selector's order.
            "actions": sorted(
                selectors.citizen_actions(windows, now, territory.pk if territory else None),
                key=lambda action: action.until is None,
            ),
            "territory": territory,
            "territories": [unit for unit in units if not unit.is_citywide],
            "differs_by_territory": any(not phase.for_all_units for phase in phases),
            "assemblies": list(cycle.assemblies.all()),
            "delegate_groups": list(groups.values()),
            "voting": _voting_words(cycle),
            "can_manage": request.user.has_perm("cycles.change_cycle", cycle),
        },
    )


# --- Assemblies ---------------------------------------------------------------------------


def _assembly(request: HttpRequest, pk: int, assembly_pk: int, *, for_page: bool = False) -> Assembly:
    """The assembly ``assembly_pk`` of cycle ``pk``, if that cycle is visible to the viewer; else 404."""
    assemblies = Assembly.objects.select_related("cycle__municipality__department", "cycle__department")
    if for_page:
        assemblies = assemblies.select_related("unit__territory", "unit__municipality", "phase").prefetch_related(
            "decisions",
            Prefetch(
                "delegates",
                queryset=Delegate.objects.select_related("unit__territory", "unit__municipality").order_by(
                    "unit__position", "name", "pk"
                ),
            ),
        )
    try:
        assembly = assemblies.get(pk=assembly_pk, cycle_id=pk)
    except Assembly.DoesNotExist as missing:
        raise Http404 from missing
    _visible(request, assembly.cycle)
    return assembly


@require_GET
def assembly_detail(request: HttpRequest, pk: int, assembly_pk: int) -> HttpResponse:
    assembly = _assembly(request, pk, assembly_pk, for_page=True)
    return render(request, "cycles/assembly_detail.html", {"assembly": assembly, "cycle": assembly.cycle})


@require_GET
def assembly_scan(request: HttpRequest, pk: int, assembly_pk: int) -> FileResponse:
    """Always a download (never shown inline), with the type recorded when it was
    uploaded and checked, not one the browser guesses."""
    assembly = _assembly(request, pk, assembly_pk)
    if not assembly.minutes_scan:
        raise Http404
    try:
        handle = assembly.minutes_scan.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=assembly.minutes_scan_name or f"acta-{assembly.pk}{assembly.minutes_scan_extension}",
        content_type=assembly.minutes_scan_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
