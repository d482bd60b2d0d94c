"""Reads of proposals shared by pages, documents and (later) the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.db.models.query import ModelIterable

from cycles.models import Cycle
from proposals.models import Proposal, ProposalQuerySet, Status
from proposals.services import SEARCH_CONFIG

# Cost as the rows show it: after review when reviewed, else as estimated.
_COST = Coalesce("adjusted_cost", "estimated_cost")

SORTS = {
    "supports": ("-support_count", "-submitted_at", "-pk"),
    "newest": ("-submitted_at", "-pk"),
    "cost": (_COST.asc(), "pk"),
    "cost_desc": (_COST.desc(), "pk"),
}


@dataclass(frozen=True)
class ProposalFilters:
    unit: int | None = None
    sector: int | None = None
    status: str = ""
    plan_line: int | None = None
    query: str = ""
    sort: str = "supports"


class ListedProposals(ProposalQuerySet):
    """A page (a slice) is read in two steps: the ids of the page, sorted and cut in
    the database on the narrow proposal rows alone, then those rows with their
    joins. Sorting every row of a large cycle with its joined columns only to keep
    twenty costs more the deeper the page (10,000 proposals: the last page took
    four times the first); the ids alone sort cheaply, or come from an index.
    Two queries per page, whatever the page."""

    def __getitem__(self, k: Any) -> Any:
        if not isinstance(k, slice) or self._result_cache is not None or self._iterable_class is not ModelIterable:
            return super().__getitem__(k)
        ids = list(self.values_list("pk", flat=True)[k])
        if not ids:
            return []
        rows = {row.pk: row for row in super().filter(pk__in=ids).order_by()}
        return [rows[pk] for pk in ids if pk in rows]


def proposal_list(*, cycle: Cycle, filters: ProposalFilters) -> QuerySet[Proposal]:
    """The public proposals of a cycle, filtered and sorted, with what a list row shows
    (a page costs two queries whatever the size of the cycle, see ``ListedProposals``;
    ``support_count`` is kept by the support services, so sorting by supports needs no
    aggregate). Slicing gives a list; filter or count before slicing."""
    listed: QuerySet[Proposal] = ListedProposals(Proposal)
    proposals = (
        listed.filter(cycle=cycle)
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
