"""Reads of proposals shared by pages, documents and (later) the API."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F, QuerySet

from cycles.models import Cycle
from proposals.models import Proposal, Status
from proposals.services import SEARCH_CONFIG

SORTS = {
    "supports": ("-support_count", "-submitted_at", "-pk"),
    "newest": ("-submitted_at", "-pk"),
    "cost": ("estimated_cost", "pk"),
    "cost_desc": ("-estimated_cost", "pk"),
}


@dataclass(frozen=True)
class ProposalFilters:
    unit: int | None = None
    sector: int | None = None
    status: str = ""
    plan_line: int | None = None
    query: str = ""
    sort: str = "supports"


def proposal_list(*, cycle: Cycle, filters: ProposalFilters) -> QuerySet[Proposal]:
    """The public proposals of a cycle, filtered and sorted, with what a list row shows
    (one query per page, whatever the size of the cycle; ``support_count`` is kept by
    the support services, so sorting by supports needs no aggregate)."""
    proposals = (
        Proposal.objects.filter(cycle=cycle)
        .exclude(status=Status.DRAFT)
        .select_related("unit__territory", "unit__municipality", "sector")
        .only(
            "pk",
            "title",
            "summary",
            "status",
            "estimated_cost",
            "adjusted_cost",
            "support_count",
            "submitted_at",
            "on_paper",
            "latitude",
            "longitude",
            "unit__territory__name",
            "unit__municipality__name",
            "unit__cycle_id",
            "unit__territory_id",
            "unit__municipality_id",
            "sector__name",
            "sector__name_en",
        )
    )
    if filters.unit is not None:
        proposals = proposals.filter(unit_id=filters.unit)
    if filters.sector is not None:
        proposals = proposals.filter(sector_id=filters.sector)
    if filters.status in Status.values and filters.status != Status.DRAFT:
        proposals = proposals.filter(status=filters.status)
    if filters.plan_line is not None:
        proposals = proposals.filter(plan_line_id=filters.plan_line)
    if filters.query.strip():
        query = SearchQuery(filters.query.strip(), config=SEARCH_CONFIG, search_type="websearch")
        proposals = proposals.filter(search=query)
        if filters.sort == "relevance":
            return proposals.annotate(rank=SearchRank(F("search"), query)).order_by("-rank", "-pk")
    return proposals.order_by(*SORTS.get(filters.sort, SORTS["supports"]))
