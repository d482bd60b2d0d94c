"""A visitor on a phone finds their municipality in the network directory and opens its node."""

import pytest
from playwright.sync_api import expect

from nodes.models import Municipality, NodeMunicipality
from tests.e2e.conftest import assert_accessible
from tests.nodes.factories import NodeFactory, OrganisationFactory, municipality

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_visitor_searches_a_municipality_without_accents_and_reaches_its_node(page):
    node = NodeFactory(name="Nariño", description="Nodo del sur del país.")
    pasto = municipality("52001")
    NodeMunicipality.objects.create(node=node, municipality=pasto, node_kind=node.kind)
    Municipality.objects.filter(code="52001").update(is_member=True)
    OrganisationFactory(name="Fundación Sur", municipality=pasto).nodes.add(node)

    page.goto("/red/")
    expect(page.locator("main h1")).to_contain_text("Red Nacional")
    assert_accessible(page)

    page.get_by_role("link", name="Municipios", exact=True).click()
    page.fill("input[name=q]", "narino pasto")
    page.get_by_role("button", name="Buscar").click()
    expect(page.locator("main [role=status]")).to_contain_text("0 municipios")
    page.fill("input[name=q]", "pasto")
    page.get_by_role("button", name="Buscar").click()
    assert_accessible(page)
    page.get_by_role("link", name="Pasto", exact=True).click()
    expect(page.locator("main h1")).to_have_text("Pasto")
    expect(page.locator("main")).to_contain_text("Fundación Sur")
    assert_accessible(page)

    page.get_by_role("link", name="Nariño").click()
    expect(page.locator("main h1")).to_contain_text("Nariño")
    expect(page.locator("main")).to_contain_text("Pasto")
    assert_accessible(page)

    page.goto("/red/organizaciones/?q=fundacion")
    expect(page.locator("main")).to_contain_text("Fundación Sur")
    assert_accessible(page)
