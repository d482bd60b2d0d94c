"""The public directory of the network: pages answer, search ignores accents, and cost a constant number of queries."""

import pytest
from django.urls import reverse

from nodes.models import Municipality, NodeMunicipality
from tests.nodes.factories import NodeFactory, OrganisationFactory, municipality

pytestmark = pytest.mark.django_db


@pytest.fixture
def node_with(db):
    def make(count: int):
        node = NodeFactory(name="Antioquia")
        codes = list(Municipality.objects.filter(department_id="05").order_by("code").values_list("code", flat=True))
        for code in codes[:count]:
            NodeMunicipality.objects.create(node=node, municipality=municipality(code), node_kind=node.kind)
            OrganisationFactory(municipality=municipality(code)).nodes.add(node)
        Municipality.objects.filter(code__in=codes[:count]).update(is_member=True)
        return node

    return make


def test_the_network_home_shows_figures_and_nodes(client, node_with):
    node_with(3)
    html = client.get(reverse("nodes:network-home")).content.decode()
    assert "Antioquia" in html
    assert "Municipios miembros" in html


def test_municipality_search_ignores_accents_and_case(client):
    html = client.get(reverse("nodes:municipality-list"), {"q": "cucuta"}).content.decode()
    assert "San José de Cúcuta" in html
    html = client.get(reverse("nodes:municipality-list"), {"q": "BOGOTA"}).content.decode()
    assert "Bogotá, D.C." in html


def test_municipality_directory_filters_by_department_and_node(client, node_with):
    node = node_with(2)
    by_department = client.get(reverse("nodes:municipality-list"), {"departamento": "52"}).content.decode()
    assert "Pasto" in by_department
    assert "Medellín" not in by_department
    by_node = client.get(reverse("nodes:municipality-list"), {"nodo": node.slug})
    assert by_node.context["page"].paginator.count == 2


def test_unknown_filters_and_pages_do_not_fail(client):
    response = client.get(reverse("nodes:municipality-list"), {"pagina": "9999", "departamento": "zz", "nodo": "<x>"})
    assert response.status_code == 200
    response = client.get(reverse("nodes:organisation-list"), {"tipo": "nope", "pagina": "abc"})
    assert response.status_code == 200


def test_unknown_node_and_municipality_are_404(client):
    assert client.get(reverse("nodes:node-detail", args=["no-existe"])).status_code == 404
    assert client.get(reverse("nodes:municipality-detail", args=["99999"])).status_code == 404


def test_user_text_is_escaped(client):
    node = NodeFactory(name="<script>alert(1)</script>", description="<img src=x onerror=alert(2)>")
    html = client.get(reverse("nodes:node-detail", args=[node.slug])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


@pytest.mark.parametrize(
    ("url_name", "kwargs"),
    [
        ("nodes:network-home", {}),
        ("nodes:node-list", {}),
        ("nodes:municipality-list", {}),
        ("nodes:organisation-list", {}),
    ],
)
def test_directory_pages_cost_the_same_queries_whatever_the_rows(
    client, node_with, django_assert_max_num_queries, url_name, kwargs
):
    node_with(2)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse(url_name, kwargs=kwargs))
    NodeFactory(name="Mujeres", kind="thematic")
    for code in ["05002", "05004", "05021", "05030", "05031", "05034"]:
        OrganisationFactory(municipality=municipality(code))
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        client.get(reverse(url_name, kwargs=kwargs))
    assert len(large.captured_queries) == len(small.captured_queries)


def test_node_and_municipality_pages_cost_the_same_queries_whatever_the_rows(
    client, node_with, django_assert_num_queries
):
    node = node_with(2)
    pasto = municipality("52001")
    sizes = []
    for extra in (0, 5):
        codes = list(Municipality.objects.filter(department_id="05").order_by("-code").values_list("code", flat=True))
        for code in codes[:extra]:
            NodeMunicipality.objects.get_or_create(
                node=node, municipality=municipality(code), defaults={"node_kind": node.kind}
            )
            OrganisationFactory(municipality=pasto).nodes.add(node)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("nodes:node-detail", args=[node.slug])).status_code == 200
            assert client.get(reverse("nodes:municipality-detail", args=["52001"])).status_code == 200
        sizes.append(len(captured.captured_queries))
    assert sizes[0] == sizes[1]
