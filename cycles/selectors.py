"""Reads of cycles shared by pages, documents and (later) the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from cycles.models import Assembly, Cycle, CycleStatus, CycleTerritory, Delegate, Phase
from cycles.phases import Capability, Window, capabilities_at, next_opening, open_until
from nodes.models import Department, Municipality, NodeMunicipality, Organisation
from nodes.selectors import Reach


def phase_window(phase: Phase) -> Window:
    """A phase as the pure calendar sees it (``units`` prefetched, or one query)."""
    units = None if phase.for_all_units else frozenset(u.pk for u in phase.units.all())
    return Window(phase.pk, phase.kind, phase.starts_at, phase.ends_at, units)


def cycle_windows(cycle: Cycle) -> list[Window]:
    """Every phase of the cycle as a calendar window (two queries)."""
    return [phase_window(p) for p in cycle.phases.prefetch_related("units").order_by("starts_at", "pk")]


def open_capabilities(cycle: Cycle, now: datetime, unit: CycleTerritory | None = None) -> frozenset[Capability]:
    """Everything open now (for this territory), for a page that asks several questions
    at once (two queries). Only published cycles open anything."""
    if not cycle.is_published:
        return frozenset()
    return capabilities_at(cycle_windows(cycle), now, unit.pk if unit else None)


def capability_open(cycle: Cycle, capability: Capability, now: datetime, unit: CycleTerritory | None = None) -> bool:
    """The one question features ask: is ``capability`` open now (for this territory)?"""
    return capability in open_capabilities(cycle, now, unit)


def cycle_list(
    *,
    node: str = "",
    department: str = "",
    year: int | None = None,
    methodology: str = "",
    municipality: str = "",
) -> QuerySet[Cycle]:
    """Published cycles of the network with what the list shows, annotated
    with ``first_start`` / ``last_end`` of their phases (see ``filter_by_moment``)."""
    cycles = (
        Cycle.objects.filter(status=CycleStatus.PUBLISHED)
        .select_related("municipality__department", "department", "convener_organisation")
        .annotate(
            first_start=Min("phases__starts_at"),
            last_end=Max("phases__ends_at"),
            unit_count=Count("units", distinct=True),
        )
    )
    if node:
        cycles = cycles.filter(
            Q(municipality__nodes__slug=node) | Q(department__municipalities__nodes__slug=node)
        ).distinct()
    if department:
        cycles = cycles.filter(Q(municipality__department_id=department) | Q(department_id=department))
    if municipality:
        cycles = cycles.filter(Q(municipality_id=municipality) | Q(units__municipality_id=municipality)).distinct()
    if year:
        cycles = cycles.filter(fiscal_year=year)
    if methodology:
        cycles = cycles.filter(methodology=methodology)
    return cycles.order_by("-fiscal_year", "title", "pk")


def filter_by_moment(cycles: QuerySet[Cycle], status: str, now: datetime) -> QuerySet[Cycle]:
    # The stubs cannot see annotations made by ``cycle_list``.
    if status == "upcoming":
        return cycles.filter(first_start__gt=now)  # type: ignore[misc]
    if status == "running":
        return cycles.filter(first_start__lte=now, last_end__gt=now)  # type: ignore[misc]
    if status == "finished":
        return cycles.filter(last_end__lte=now)  # type: ignore[misc]
    return cycles


@dataclass(frozen=True)
class CitizenAction:
    capability: Capability
    until: datetime | None  # open now until then
    opens_at: datetime | None  # or, not open yet, opens then


# What a citizen can do, in the order a page lists it (inform and the
# official-only capabilities are not actions for citizens).
CITIZEN_CAPABILITIES = (
    Capability.DIAGNOSE,
    Capability.PROPOSE,
    Capability.SUPPORT,
    Capability.DELIBERATE,
    Capability.ELECT_DELEGATES,
    Capability.VOTE,
    Capability.MONITOR,
)


def citizen_actions(windows: list[Window], now: datetime, unit: int | None = None) -> list[CitizenAction]:
    """For each thing a citizen can take part in: open now (and until when) or the next opening."""
    actions = []
    for capability in CITIZEN_CAPABILITIES:
        until = open_until(windows, capability, now, unit)
        if until is not None:
            actions.append(CitizenAction(capability, until, None))
            continue
        upcoming = next_opening(windows, capability, now, unit)
        if upcoming is not None:
            actions.append(CitizenAction(capability, None, upcoming.starts_at))
    return actions


def running_phase_ids(windows: list[Window], now: datetime) -> set[int | str]:
    """Phases running now in any territory (the timeline marks them)."""
    return {w.key for w in windows if w.is_running(now)}


def cycle_for_page(pk: int) -> Cycle:
    """A cycle with everything its public page shows, in a fixed number of queries."""
    units = CycleTerritory.objects.select_related("territory", "municipality").order_by("position", "pk")
    return (
        Cycle.objects.select_related(
            "municipality__department", "department", "convener_organisation", "voting", "plan"
        )
        .prefetch_related(
            Prefetch("units", queryset=units),
            Prefetch("phases", queryset=Phase.objects.prefetch_related("units", "changes").order_by("starts_at", "pk")),
            Prefetch(
                "assemblies",
                queryset=Assembly.objects.select_related("unit__territory", "unit__municipality", "phase")
                .prefetch_related("decisions")
                .order_by("held_at", "pk"),
            ),
            Prefetch(
                "delegates",
                queryset=Delegate.objects.select_related("unit__territory", "unit__municipality").order_by(
                    "unit__position", "name"
                ),
            ),
        )
        .get(pk=pk)
    )


def envelope_summary(cycle: Cycle) -> dict[str, int]:
    assigned = cycle.units.aggregate(total=Sum("amount"))["total"] or 0
    return {"total": cycle.total_amount, "assigned": assigned, "unassigned": cycle.total_amount - assigned}


# --- Who may configure what ---------------------------------------------------------


def configures_cycles(reach: Reach) -> bool:
    """Secretaría Técnica, coordinators and managers (of a municipality or an organisation);
    reviewers, station officers and monitors do not configure cycles."""
    return reach.is_secretariat or bool(reach.node_ids or reach.municipality_codes or reach.organisation_ids)


def cycles_managed_by(reach: Reach) -> QuerySet[Cycle]:
    """The cycles ``cycles.change_cycle`` lets this person change, in one query
    (the same scopes as ``cycles.rules.runs_cycles_of``)."""
    cycles = Cycle.objects.select_related("municipality__department", "department", "convener_organisation")
    if reach.is_secretariat:
        return cycles
    in_nodes = NodeMunicipality.objects.filter(node_id__in=reach.node_ids)
    return cycles.filter(
        Q(municipality_id__in=in_nodes.values("municipality_id"))
        | Q(department_id__in=in_nodes.values("municipality__department_id"))
        | Q(municipality_id__in=reach.municipality_codes)
        | Q(convener_organisation_id__in=reach.organisation_ids, municipality__isnull=False)
    )


def creation_places(reach: Reach) -> list[tuple[str, list[tuple[str, str]]]]:
    """Where this person may create cycles (``cycles.add_cycle``), grouped for a select.
    The Secretaría Técnica may create them anywhere and types the place instead."""
    municipalities = (
        Municipality.objects.filter(
            Q(node_municipalities__node_id__in=reach.node_ids)
            | Q(code__in=reach.municipality_codes)
            | Q(organisations__pk__in=reach.organisation_ids)
        )
        .select_related("department")
        .distinct()
        .order_by("name")
    )
    departments = (
        Department.objects.filter(municipalities__node_municipalities__node_id__in=reach.node_ids)
        .distinct()
        .order_by("name")
    )
    groups = [
        (_("Municipalities"), [(f"m:{m.code}", f"{m.name} ({m.department.name})") for m in municipalities]),
        (
            _("A whole department"),
            [(f"d:{d.code}", _("Department of %(name)s") % {"name": d.name}) for d in departments],
        ),
    ]
    return [group for group in groups if group[1]]


def organisations_near(reach: Reach, place: Municipality | Department | None = None) -> list[Organisation]:
    """Organisations a cycle could name as its convener: those of the place and its nodes,
    and those of the person's own scope."""
    scope = (
        Q(pk__in=reach.organisation_ids) | Q(nodes__in=reach.node_ids) | Q(municipality_id__in=reach.municipality_codes)
    )
    if isinstance(place, Municipality):
        scope |= Q(municipality=place) | Q(nodes__node_municipalities__municipality=place)
    elif isinstance(place, Department):
        scope |= Q(municipality__department=place) | Q(nodes__node_municipalities__municipality__department=place)
    elif reach.is_secretariat:
        scope = Q()
    return list(Organisation.objects.filter(scope, active=True).distinct().order_by("name"))
