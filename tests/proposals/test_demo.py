"""The demo proposals load into the demo cycles, in the states each cycle's moment
calls for, searchable, with execution data for last year's winners, and only once."""

from __future__ import annotations

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db.models import Count, F

from accounts import demo as accounts_demo
from cycles import demo as cycles_demo
from cycles.models import Cycle
from nodes import demo as nodes_demo
from proposals import demo
from proposals.models import (
    Comment,
    Execution,
    ExecutionUpdate,
    MonitorRemark,
    Proposal,
    Review,
    StateChange,
    Status,
    Support,
)
from proposals.selectors import ProposalFilters, proposal_list
from proposals.services import SEARCH_CONFIG

pytestmark = pytest.mark.django_db

MODELS = (Proposal, StateChange, Review, Support, Comment, Execution, ExecutionUpdate, MonitorRemark)


def load_all() -> list[tuple[str, str]]:
    accounts_demo.load()
    nodes_demo.load()
    cycles_demo.load()
    return demo.load()


def cycles_of(code: str) -> list[Cycle]:
    return list(Cycle.objects.published().filter(municipality_id=code).order_by("-fiscal_year"))


def statuses(cycle: Cycle) -> dict[str, int]:
    return dict(cycle.proposals.values_list("status").annotate(n=Count("pk")))


def test_demo_proposals_sit_in_each_cycle_as_its_moment_calls_for():
    printed = load_all()
    assert printed == [(demo.LEADER, "community leader of Barrancabermeja with draft proposals")]
    medellin, medellin_past = cycles_of("05001")
    pasto, pasto_past = cycles_of("52001")
    (barranca,) = cycles_of("68081")

    assert 28 <= statuses(medellin)[Status.VIABLE] <= 32 and statuses(medellin)[Status.NOT_VIABLE] >= 1
    assert medellin.proposals.values("unit").distinct().count() == 21
    assert not medellin.proposals.exclude(status__in=[Status.VIABLE, Status.NOT_VIABLE]).exists()
    assert Review.objects.filter(proposal__cycle=medellin).count() == medellin.proposals.count()
    assert set(statuses(pasto)) == {Status.SUBMITTED, Status.VIABLE} and pasto.proposals.count() == 15
    assert statuses(barranca) == {Status.DRAFT: 3}
    for past in (pasto_past, medellin_past):
        assert statuses(past)[Status.SELECTED] == 5
        assert Execution.objects.filter(proposal__cycle=past).count() == 5
        assert ExecutionUpdate.objects.filter(execution__proposal__cycle=past).count() >= 10
    assert MonitorRemark.objects.filter(update__execution__proposal__cycle=pasto_past).exists()

    # every proposal's history ends in its status; every count matches its rows where citizens supported
    for proposal in Proposal.objects.all():
        assert proposal.history.last().to_status == proposal.status
    supported = Proposal.objects.annotate(rows=Count("supports")).filter(rows__gt=0)
    assert supported.exists() and not supported.filter(support_count__lt=F("rows")).exists()
    assert Comment.objects.filter(parent__isnull=False).exists()

    # searchable and listed
    assert Proposal.objects.filter(search=SearchQuery("biblioteca", config=SEARCH_CONFIG)).exists()
    assert proposal_list(cycle=barranca, filters=ProposalFilters()).count() == 0
    assert proposal_list(cycle=medellin, filters=ProposalFilters(query="pavimentacion via")).count() >= 1


def test_demo_proposals_load_only_once():
    load_all()
    before = tuple(model.objects.count() for model in MODELS)
    load_all()
    assert tuple(model.objects.count() for model in MODELS) == before
