"""Selectors: accent-insensitive municipality search, and a constant number of queries."""

import pytest

from nodes.models import Department, NodeMunicipality
from nodes.selectors import membership_list, municipality_search, node_list, organisation_list
from tests.nodes.factories import MembershipFactory, NodeFactory, OrganisationFactory, municipality

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("bogota", "Bogotá, D.C."),
        ("BOGOTÁ", "Bogotá, D.C."),
        ("cucuta", "San José de Cúcuta"),
        ("Cúcuta", "San José de Cúcuta"),
        ("medellin", "Medellín"),
        ("05001", "Medellín"),
    ],
)
def test_municipality_search_ignores_accents_and_case(query, expected):
    assert expected in [found.name for found in municipality_search(query)]


def test_municipality_search_within_department_and_node():
    assert [m.code for m in municipality_search("san", department=Department.objects.get(code="68"))][:1]
    assert all(
        m.department_id == "68" for m in municipality_search("san", department=Department.objects.get(code="68"))
    )
    node = NodeFactory()
    NodeMunicipality.objects.create(node=node, municipality=municipality("52001"), node_kind=node.kind)
    assert [m.code for m in municipality_search("", node=node)] == ["52001"]


def test_municipality_search_runs_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        names = [(m.name, m.department.name) for m in municipality_search("san")]
    assert len(names) == 20


def _populate(n: int) -> None:
    for index in range(n):
        node = NodeFactory()
        for code in ("52001", "05001", "66001")[: index + 1]:
            NodeMunicipality.objects.create(node=node, municipality=municipality(code), node_kind="thematic")
        organisation = OrganisationFactory(municipality=municipality("52001"))
        organisation.nodes.set([node])
        MembershipFactory(role="coordinator", node=node)
        MembershipFactory(role="manager", organisation=organisation)


@pytest.mark.parametrize("size", [1, 3])
def test_list_selectors_run_a_constant_number_of_queries(size, django_assert_num_queries):
    _populate(size)
    with django_assert_num_queries(1):
        nodes = [(node.name, node.municipality_count, node.organisation_count) for node in node_list()]
    assert sorted(count for _name, count, _orgs in nodes) == list(range(1, size + 1))
    with django_assert_num_queries(2):
        rows = [
            (o.name, o.municipality.name, o.municipality.department.name, [n.name for n in o.nodes.all()])
            for o in organisation_list()
        ]
    assert len(rows) == size
    with django_assert_num_queries(1):
        grants = [(m.user.email, m.get_role_display(), str(m.scope), m.granted_by) for m in membership_list()]
    assert len(grants) == 2 * size
