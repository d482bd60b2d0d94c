"""The Secretaría Técnica builds a node on a phone; its coordinator and a
municipal manager act only inside their own scope."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from nodes.models import Membership, Municipality, NodeMunicipality, Organisation, Territory
from nodes.nit import check_digit
from nodes.services import divipola_load
from tests.e2e.conftest import assert_accessible, phone_page, sign_in, submit, with_authenticator
from tests.nodes.factories import NodeFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_secretariat_builds_a_node_and_people_act_only_in_their_scope(page, browser, live_server):
    if not Municipality.objects.exists():  # another transactional test may have emptied the table
        divipola_load()
    secretariat, secretariat_secret = with_authenticator(role="secretariat")
    coordinator, coordinator_secret = with_authenticator()
    other_node = NodeFactory(name="Magdalena Medio")
    manager, manager_secret = with_authenticator(role="manager", municipality=Municipality.objects.get(code="52001"))

    # The Secretaría Técnica creates a node.
    sign_in(page, secretariat, secretariat_secret)
    page.goto("/gestion/red/")
    expect(page.locator("main h1")).to_be_visible()
    assert_accessible(page)
    page.locator("a[href='/gestion/red/nodos/nuevo/']").click()
    assert_accessible(page)
    page.fill("input[name=name]", "Caribe")
    page.select_option("select[name=kind]", "territorial")
    submit(page)
    expect(page).to_have_url(re.compile(r"/gestion/red/nodos/caribe/municipios/$"))
    assert_accessible(page)

    # ... finds municipalities by name, without accents, and adds them.
    for query, code in (("cartagena", "13001"), ("turbaco", "13836")):
        page.fill("main input[name=q]", query)
        submit(page)  # the search form
        page.locator(f"form:has(input[name=municipality][value='{code}']) button").click()
        expect(page.locator(".messages")).to_be_visible()
    assert_accessible(page)
    assert set(NodeMunicipality.objects.filter(node__slug="caribe").values_list("municipality_id", flat=True)) == {
        "13001",
        "13836",
    }

    # ... registers an organisation; a wrong check digit is explained first.
    page.goto("/gestion/red/organizaciones/nueva/")
    assert_accessible(page)
    good_dv = check_digit("900123456")
    page.fill("input[name=name]", "Fundación Caribe Participa")
    page.select_option("select[name=kind]", "ngo")
    page.fill("input[name=nit]", f"900123456-{(good_dv + 1) % 10}")
    page.fill("input[name=municipality_code]", "13001")
    page.get_by_label("Caribe", exact=True).check()
    submit(page)
    expect(page.locator("#field-nit")).to_contain_text("NIT")
    assert_accessible(page)
    page.fill("input[name=nit]", f"900.123.456-{good_dv}")
    submit(page)
    expect(page).to_have_url(re.compile(r"/gestion/red/organizaciones/$"))
    assert_accessible(page)
    organisation = Organisation.objects.get(name="Fundación Caribe Participa")
    assert [node.slug for node in organisation.nodes.all()] == ["caribe"]

    # ... and appoints the node's coordinator.
    page.goto("/gestion/red/equipo/asignar/")
    assert_accessible(page)
    caribe = organisation.nodes.get()
    page.fill("input[name=email]", coordinator.email)
    page.select_option("select[name=role]", "coordinator")
    page.select_option("select[name=scope]", f"node:{caribe.pk}")
    submit(page)
    expect(page).to_have_url(re.compile(r"/gestion/red/equipo/$"))
    expect(page.locator("main")).to_contain_text(coordinator.email)
    assert_accessible(page)
    assert Membership.objects.active().filter(user=coordinator, role="coordinator", node=caribe).exists()

    # The coordinator edits their node but is refused another node's page.
    context, coordinator_page = phone_page(browser, live_server)
    sign_in(coordinator_page, coordinator, coordinator_secret)
    assert coordinator_page.goto("/gestion/red/nodos/caribe/editar/").status == 200
    assert_accessible(coordinator_page)
    refused = coordinator_page.goto(f"/gestion/red/nodos/{other_node.slug}/editar/")
    assert refused.status == 403
    expect(coordinator_page.locator("main h1")).to_have_text("No puedes hacer esto aquí")
    assert_accessible(coordinator_page)
    context.close()

    # A manager of Pasto edits its territories, and is refused Barrancabermeja's.
    context, manager_page = phone_page(browser, live_server)
    sign_in(manager_page, manager, manager_secret)
    manager_page.goto("/gestion/red/municipios/52001/territorios/")
    assert_accessible(manager_page)
    manager_page.locator("a[href='/gestion/red/municipios/52001/territorios/nuevo/']").click()
    assert_accessible(manager_page)
    manager_page.fill("input[name=code]", "01")
    manager_page.fill("input[name=name]", "Comuna 1")
    manager_page.select_option("select[name=kind]", "comuna")
    submit(manager_page)
    expect(manager_page.locator("main")).to_contain_text("Comuna 1")
    assert_accessible(manager_page)

    manager_page.goto("/gestion/red/municipios/52001/territorios/importar/")
    assert_accessible(manager_page)
    bad = b"code,name,kind,parent_code\n01-01,Centro,planeta,01\n"
    manager_page.set_input_files("input[name=file]", {"name": "t.csv", "mimeType": "text/csv", "buffer": bad})
    submit(manager_page)
    expect(manager_page.locator("#import-errors")).to_contain_text(re.compile(r"(Fila|Row) 2"))
    assert_accessible(manager_page)
    good = "code,name,kind,parent_code\n01-01,Centro,barrio,01\n01-02,San Andrés,barrio,01\n".encode("latin-1")
    manager_page.set_input_files("input[name=file]", {"name": "t.csv", "mimeType": "text/csv", "buffer": good})
    submit(manager_page)
    expect(manager_page).to_have_url(re.compile(r"/gestion/red/municipios/52001/territorios/$"))
    expect(manager_page.locator("main")).to_contain_text("San Andrés")
    assert Territory.objects.filter(municipality_id="52001", parent__code="01").count() == 2

    refused = manager_page.goto("/gestion/red/municipios/68081/territorios/")
    assert refused.status == 403
    assert_accessible(manager_page)
    context.close()
