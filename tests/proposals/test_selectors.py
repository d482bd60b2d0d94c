"""The public list of a cycle's proposals: each filter, Spanish full-text search
(accents ignored, words stemmed), each sort, drafts never shown, and one query
for a page whatever the size of the cycle."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.paginator import Paginator
from django.utils import timezone

from cycles.models import DevelopmentPlan, PlanLevel, PlanLine
from proposals.models import Sector, Status
from proposals.selectors import ProposalFilters, proposal_list
from tests.cycles.factories import make_cycle
from tests.proposals.factories import proposal_in, unit_of

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def cycle():
    return make_cycle("52001", methodology="bogota", published=True)


def titles(cycle, **filters) -> list[str]:
    return [p.title for p in proposal_list(cycle=cycle, filters=ProposalFilters(**filters))]


def test_drafts_are_never_listed_even_when_asked_for(cycle):
    proposal_in(cycle, title="Borrador", status=Status.DRAFT)
    proposal_in(cycle, title="Enviada")
    assert titles(cycle) == ["Enviada"]
    assert titles(cycle, status=Status.DRAFT) == ["Enviada"]  # an unknown or draft status: no filter
    assert titles(cycle, status="nonsense") == ["Enviada"]
    assert titles(cycle, query="borrador") == []


def test_only_the_cycle_asked_for(cycle):
    other = make_cycle("68081", methodology="bogota", published=True)
    proposal_in(other, title="De otro ciclo")
    proposal_in(cycle, title="De este ciclo")
    assert titles(cycle) == ["De este ciclo"]


def test_filter_by_territory(cycle):
    first, second = unit_of(cycle, 0), unit_of(cycle, 1)
    proposal_in(cycle, unit=first, title="Primera")
    proposal_in(cycle, unit=second, title="Segunda")
    assert titles(cycle, unit=second.pk) == ["Segunda"]


def test_filter_by_sector(cycle):
    education, health = Sector.objects.get(key="education"), Sector.objects.get(key="health")
    proposal_in(cycle, title="Colegio", sector=education)
    proposal_in(cycle, title="Puesto de salud", sector=health)
    proposal_in(cycle, title="Sin sector")
    assert titles(cycle, sector=health.pk) == ["Puesto de salud"]


def test_filter_by_status(cycle):
    proposal_in(cycle, title="Viable", status=Status.VIABLE)
    proposal_in(cycle, title="En revisión", status=Status.IN_REVIEW)
    assert titles(cycle, status=Status.VIABLE) == ["Viable"]


def test_filter_by_plan_line(cycle):
    plan = DevelopmentPlan.objects.create(
        municipality_id="52001", name="Pasto 2024-2027", start_year=2024, end_year=2027
    )
    line = PlanLine.objects.create(plan=plan, level=PlanLevel.LINE, code="1", name="Pasto educado")
    other = PlanLine.objects.create(plan=plan, level=PlanLevel.LINE, code="2", name="Pasto verde")
    proposal_in(cycle, title="En la línea", plan_line=line)
    proposal_in(cycle, title="En otra", plan_line=other)
    assert titles(cycle, plan_line=line.pk) == ["En la línea"]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("educacion", "Dotación para la Institución Educativa"),
        ("EDUCACIÓN", "Dotación para la Institución Educativa"),
        ("vias", "Pavimentación de vías terciarias"),
        ("parques", "Un parque para los niños"),
        ("niño", "Un parque para los niños"),
        ("ambulancia", "Puesto de salud"),  # in the summary
        ("acueducto", "Puesto de salud"),  # in the description
    ],
)
def test_spanish_search_ignores_accents_and_stems(cycle, query, found):
    proposal_in(cycle, title="Dotación para la Institución Educativa", summary="Educación de calidad")
    proposal_in(cycle, title="Pavimentación de vías terciarias", summary="Vías para sacar la cosecha")
    proposal_in(cycle, title="Un parque para los niños", summary="Juegos infantiles")
    proposal_in(cycle, title="Puesto de salud", summary="Con una ambulancia", description="Y agua del acueducto")
    assert titles(cycle, query=query) == [found]


def test_search_takes_what_people_type_without_errors(cycle):
    proposal_in(cycle, title="Parque del barrio")
    for query in ['"parque', "parque -barrio", "parque OR cancha", "&|!():*", "   ", "' or 1=1 --"]:
        titles(cycle, query=query)  # no syntax error, whatever the punctuation
    assert titles(cycle, query="parque -colegio") == ["Parque del barrio"]
    assert titles(cycle, query="   ") == ["Parque del barrio"]


def test_sorts(cycle):
    base = NOW - timedelta(days=3)
    proposal_in(cycle, title="A", support_count=5, estimated_cost=300, now=base)
    proposal_in(cycle, title="B", support_count=9, estimated_cost=100, now=base + timedelta(days=1))
    proposal_in(cycle, title="C", support_count=5, estimated_cost=200, now=base + timedelta(days=2))
    assert titles(cycle) == ["B", "C", "A"]  # supports, then the newest first
    assert titles(cycle, sort="supports") == ["B", "C", "A"]
    assert titles(cycle, sort="newest") == ["C", "B", "A"]
    assert titles(cycle, sort="cost") == ["B", "C", "A"]
    assert titles(cycle, sort="cost_desc") == ["A", "C", "B"]
    assert titles(cycle, sort="whatever") == ["B", "C", "A"]


def test_relevance_puts_title_matches_first(cycle):
    proposal_in(cycle, title="Cancha múltiple", summary="Junto al parque", support_count=50)
    proposal_in(cycle, title="Parque lineal", summary="A lo largo del río")
    assert titles(cycle, query="parque", sort="relevance") == ["Parque lineal", "Cancha múltiple"]
    assert titles(cycle, query="parque") == ["Cancha múltiple", "Parque lineal"]  # by supports
    assert titles(cycle, sort="relevance")[0] == "Cancha múltiple"  # no query: the default sort


def rows(cycle, count: int) -> None:
    sectors = list(Sector.objects.all()[:3])
    for number in range(count):
        proposal_in(
            cycle,
            unit=unit_of(cycle, number % 3),
            sector=sectors[number % 3] if number % 4 else None,
            status=[Status.SUBMITTED, Status.VIABLE, Status.IN_REVIEW][number % 3],
            support_count=number,
            adjusted_cost=None if number % 2 else 90_000,
        )


def show(page) -> list[tuple]:
    """What a list row displays, read the way a template reads it."""
    return [
        (
            p.pk,
            p.title,
            p.summary,
            p.get_status_display(),
            p.cost,
            p.support_count,
            p.submitted_at,
            p.on_paper,
            p.latitude,
            str(p.unit),
            p.sector.name if p.sector else "",
        )
        for p in page
    ]


@pytest.mark.parametrize("count", [10, 100])
@pytest.mark.parametrize(
    "filters",
    [
        ProposalFilters(),
        ProposalFilters(sort="newest", status=Status.VIABLE),
        ProposalFilters(query="propuesta", sort="relevance"),
        ProposalFilters(sector=1, sort="cost"),
    ],
    ids=["supports", "newest-viable", "search", "sector-cost"],
)
def test_a_page_takes_two_queries_and_the_count_one_more_whatever_the_size(
    cycle, count, filters, django_assert_num_queries
):
    rows(cycle, count)
    proposals = proposal_list(cycle=cycle, filters=filters)
    with django_assert_num_queries(3):
        total = proposals.count()
        page = show(proposals[:20])
    assert total >= len(page) > 0


@pytest.mark.parametrize(
    "filters",
    [
        ProposalFilters(),
        ProposalFilters(sort="newest"),
        ProposalFilters(sort="cost_desc", unit=None),
        ProposalFilters(query="propuesta resumen", sort="relevance"),
    ],
    ids=["supports", "newest", "cost-desc", "relevance"],
)
def test_a_page_read_in_two_steps_is_the_slice_of_the_sorted_list(cycle, filters):
    rows(cycle, 45)
    proposals = proposal_list(cycle=cycle, filters=filters)
    everything = [p.pk for p in proposals]  # one plain query, sorted in the database
    pages = [[p.pk for p in proposals[start : start + 20]] for start in (0, 20, 40, 60)]
    assert pages[0] + pages[1] + pages[2] == everything and pages[3] == []
    assert len(everything) == 45


def test_the_paginator_reads_pages_and_the_last_one(cycle):
    rows(cycle, 45)
    paginator = Paginator(proposal_list(cycle=cycle, filters=ProposalFilters()), 20)
    last = paginator.get_page(99)
    assert (paginator.count, paginator.num_pages, last.number, len(last)) == (45, 3, 3, 5)
    assert [p.support_count for p in last] == [4, 3, 2, 1, 0]


def test_sorting_by_cost_uses_the_cost_after_review_when_there_is_one():
    cycle = make_cycle("52001", published=True)
    proposal_in(cycle, title="Estimated high, reviewed low", estimated_cost=900, adjusted_cost=100)
    proposal_in(cycle, title="Estimated middle", estimated_cost=500)
    listed = [p.title for p in proposal_list(cycle=cycle, filters=ProposalFilters(sort="cost"))]
    assert listed == ["Estimated high, reviewed low", "Estimated middle"]
