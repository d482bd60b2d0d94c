"""The forms of the network's management pages: each succeeds with good input
and, with bad input, shows a clear error (200) and saves nothing."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from nodes.models import Membership, Municipality, Node, NodeMunicipality, Organisation, Territory
from nodes.nit import check_digit
from tests.factories import UserFactory
from tests.nodes.conftest import make_actor
from tests.nodes.factories import MembershipFactory, NodeFactory, TerritoryFactory
from tests.nodes.test_manage_views import client_as

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """Pages in English (/en/...), so that tests read the source strings."""
    with translation.override("en"):
        yield


def url(name: str, **kwargs) -> str:
    return reverse(f"network-manage:{name}", kwargs=kwargs or None)


def page_text(response) -> str:
    return response.content.decode()


def valid_nit(number: str = "900123456") -> str:
    return f"{number}-{check_digit(number)}"


# --- Nodes ---------------------------------------------------------------------------


def test_secretariat_creates_a_node_then_goes_to_its_municipalities(scene):
    response = client_as("secretariat", scene).post(
        url("node-create"), {"name": "Caribe", "kind": "territorial", "description": ""}
    )
    node = Node.objects.get(name="Caribe")
    assert response.status_code == 302
    assert response["Location"] == url("node-municipalities", slug=node.slug)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "kind": "territorial"}, "This field is required"),
        ({"name": "Nariño", "kind": "territorial"}, "already exists"),
        ({"name": "Caribe", "kind": "maritime"}, "Select a valid choice"),
    ],
)
def test_node_create_with_bad_input_shows_the_error_and_saves_nothing(scene, data, message):
    before = Node.objects.count()
    response = client_as("secretariat", scene).post(url("node-create"), data)
    assert response.status_code == 200
    assert message in page_text(response)
    assert Node.objects.count() == before


def test_coordinator_renames_their_node_but_cannot_change_its_kind(scene):
    response = client_as("coordinator", scene).post(
        url("node-edit", slug=scene.own_node.slug),
        {"name": "Nodo Nariño", "kind": "thematic", "description": "Sur", "active": ""},
    )
    assert response.status_code == 302
    scene.own_node.refresh_from_db()
    assert (scene.own_node.name, scene.own_node.kind, scene.own_node.active) == ("Nodo Nariño", "territorial", True)


def test_secretariat_changing_a_kind_that_conflicts_gets_the_error(scene):
    thematic = NodeFactory(kind="thematic")
    NodeMunicipality.objects.create(node=thematic, municipality=scene.own_municipality, node_kind="thematic")
    response = client_as("secretariat", scene).post(
        url("node-edit", slug=thematic.slug), {"name": thematic.name, "kind": "territorial", "active": "on"}
    )
    assert response.status_code == 200
    assert "already in another territorial node" in page_text(response)
    thematic.refresh_from_db()
    assert thematic.kind == "thematic"


def test_node_municipalities_search_lists_matches_with_an_add_button(scene):
    response = client_as("coordinator", scene).get(url("node-municipalities", slug=scene.own_node.slug), {"q": "ipial"})
    assert response.status_code == 200
    assert "Ipiales" in page_text(response)
    assert 'value="52356"' in page_text(response)


def test_coordinator_adds_a_municipality_to_their_node(scene):
    response = client_as("coordinator", scene).post(
        url("node-municipality-add", slug=scene.own_node.slug), {"municipality": "52356", "q": "ipiales"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?q=ipiales")
    assert NodeMunicipality.objects.filter(node=scene.own_node, municipality_id="52356").exists()
    assert Municipality.objects.get(code="52356").is_member


def test_adding_a_municipality_of_another_territorial_node_shows_the_error(scene):
    response = client_as("coordinator", scene).post(
        url("node-municipality-add", slug=scene.own_node.slug), {"municipality": scene.other_municipality.code}
    )
    assert response.status_code == 200
    assert "already in another territorial node" in page_text(response)
    assert not NodeMunicipality.objects.filter(node=scene.own_node, municipality=scene.other_municipality).exists()


def test_adding_an_unknown_municipality_shows_the_error(scene):
    response = client_as("coordinator", scene).post(
        url("node-municipality-add", slug=scene.own_node.slug), {"municipality": "99999"}
    )
    assert response.status_code == 200
    assert "That municipality does not exist" in page_text(response)


def test_coordinator_removes_a_municipality_after_confirming(scene):
    client = client_as("coordinator", scene)
    remove = url("node-municipality-remove", slug=scene.own_node.slug, code=scene.own_municipality.code)
    assert "Remove Pasto" in page_text(client.get(remove))
    assert client.post(remove).status_code == 302
    assert not NodeMunicipality.objects.filter(node=scene.own_node, municipality=scene.own_municipality).exists()


# --- Organisations -------------------------------------------------------------------------


def test_secretariat_registers_an_organisation_on_the_secretariat(scene):
    response = client_as("secretariat", scene).post(
        url("organisation-create"),
        {
            "name": "Viva la Ciudadanía",
            "kind": "ngo",
            "nit": "900.123.456-" + str(check_digit("900123456")),
            "municipality_code": "pasto",
            "nodes": [scene.own_node.pk, scene.other_node.pk],
            "sits_on_secretariat": "on",
        },
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Viva la Ciudadanía")
    assert organisation.nit == valid_nit()
    assert organisation.municipality_id == "52001"
    assert organisation.sits_on_secretariat
    assert set(organisation.nodes.all()) == {scene.own_node, scene.other_node}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nit", "900123456-" + str((check_digit("900123456") + 1) % 10), "is not a valid NIT"),
        ("municipality_code", "Gotham", "No municipality is called or coded"),
        ("municipality_code", "Restrepo", "Several municipalities are called"),
        ("name", "", "This field is required"),
    ],
)
def test_organisation_with_bad_input_shows_a_clear_error_and_saves_nothing(scene, field, value, message):
    before = Organisation.objects.count()
    data = {"name": "Fundación Nueva", "kind": "ngo", "nit": "", "municipality_code": "", field: value}
    response = client_as("secretariat", scene).post(url("organisation-create"), data)
    assert response.status_code == 200
    assert message in page_text(response)
    assert Organisation.objects.count() == before


def test_coordinator_registers_an_organisation_only_in_their_node(scene):
    client = client_as("coordinator", scene)
    form_page = page_text(client.get(url("organisation-create")))
    assert "sits_on_secretariat" not in form_page
    assert scene.other_node.name not in form_page
    refused = client.post(url("organisation-create"), {"name": "Colectivo", "kind": "social"})
    assert refused.status_code == 200 and "This field is required" in page_text(refused)
    response = client.post(
        url("organisation-create"), {"name": "Colectivo", "kind": "social", "nodes": [scene.own_node.pk]}
    )
    assert response.status_code == 302
    assert list(Organisation.objects.get(name="Colectivo").nodes.all()) == [scene.own_node]


def test_coordinator_edits_an_organisation_and_keeps_the_nodes_they_do_not_coordinate(scene):
    organisation = scene.own_organisation
    organisation.nodes.add(scene.other_node)
    response = client_as("coordinator", scene).post(
        url("organisation-edit", pk=organisation.pk),
        {"name": "Nuevo nombre", "kind": "social", "nodes": [scene.own_node.pk], "active": "on"},
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "Nuevo nombre"
    assert set(organisation.nodes.all()) == {scene.own_node, scene.other_node}


# --- Municipality -----------------------------------------------------------------------------


def test_manager_edits_their_municipality_tags_and_population(scene):
    response = client_as("manager", scene).post(
        url("municipality-edit", code="52001"),
        {"is_pdet": "on", "category": "1", "population": "400000", "population_14_plus": "300000"},
    )
    assert response.status_code == 302
    pasto = Municipality.objects.get(code="52001")
    assert (pasto.is_pdet, pasto.is_zomac, pasto.category, pasto.population) == (True, False, "1", 400000)


def test_population_14_plus_above_population_is_refused(scene):
    response = client_as("manager", scene).post(
        url("municipality-edit", code="52001"), {"population": "100", "population_14_plus": "200"}
    )
    assert response.status_code == 200
    assert "cannot exceed the whole population" in page_text(response)
    assert Municipality.objects.get(code="52001").population is None


# --- Territories -----------------------------------------------------------------------------


def test_manager_adds_a_territory_inside_another(scene):
    comuna = TerritoryFactory(municipality=scene.own_municipality, code="01")
    response = client_as("manager", scene).post(
        url("territory-create", code="52001"),
        {"code": "01-01", "name": "Centro", "kind": "barrio", "parent": comuna.pk},
    )
    assert response.status_code == 302
    assert Territory.objects.get(municipality_id="52001", code="01-01").parent == comuna


def test_a_repeated_territory_code_is_refused(scene):
    TerritoryFactory(municipality=scene.own_municipality, code="01")
    response = client_as("manager", scene).post(
        url("territory-create", code="52001"), {"code": "01", "name": "Otra", "kind": "comuna", "parent": ""}
    )
    assert response.status_code == 200
    assert "has the code “01”" in page_text(response)
    assert Territory.objects.filter(municipality_id="52001").count() == 1


def test_a_parent_from_another_municipality_cannot_be_chosen(scene):
    elsewhere = TerritoryFactory(municipality=scene.other_municipality)
    response = client_as("manager", scene).post(
        url("territory-create", code="52001"), {"code": "9", "name": "X", "kind": "barrio", "parent": elsewhere.pk}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in page_text(response)
    assert not Territory.objects.filter(municipality_id="52001").exists()


def test_manager_edits_a_territory(scene):
    territory = TerritoryFactory(municipality=scene.own_municipality, code="01")
    response = client_as("manager", scene).post(
        url("territory-edit", pk=territory.pk), {"code": "1", "name": "Comuna Uno", "kind": "comuna"}
    )
    assert response.status_code == 302
    territory.refresh_from_db()
    assert (territory.code, territory.name) == ("1", "Comuna Uno")


def test_move_offers_no_place_inside_itself_and_moves(scene):
    top = TerritoryFactory(municipality=scene.own_municipality, code="A")
    below = TerritoryFactory(municipality=scene.own_municipality, code="B", parent=top)
    other = TerritoryFactory(municipality=scene.own_municipality, code="C")
    client = client_as("manager", scene)
    form_page = page_text(client.get(url("territory-move", pk=top.pk)))
    assert f'value="{other.pk}"' in form_page
    assert f'value="{below.pk}"' not in form_page and f'value="{top.pk}"' not in form_page
    refused = client.post(url("territory-move", pk=top.pk), {"parent": below.pk})
    assert refused.status_code == 200 and "Select a valid choice" in page_text(refused)
    assert client.post(url("territory-move", pk=top.pk), {"parent": other.pk}).status_code == 302
    top.refresh_from_db()
    assert top.parent == other


def test_delete_refuses_a_territory_with_parts_then_deletes_a_leaf(scene):
    top = TerritoryFactory(municipality=scene.own_municipality)
    leaf = TerritoryFactory(municipality=scene.own_municipality, parent=top)
    client = client_as("manager", scene)
    refused = client.post(url("territory-delete", pk=top.pk))
    assert refused.status_code == 200 and "has territories inside it" in page_text(refused)
    assert client.post(url("territory-delete", pk=leaf.pk)).status_code == 302
    assert list(Territory.objects.filter(municipality=scene.own_municipality)) == [top]


def test_territory_names_are_escaped(scene):
    TerritoryFactory(municipality=scene.own_municipality, name="<script>alert(1)</script>")
    text = page_text(client_as("manager", scene).get(url("territory-list", code="52001")))
    assert "<script>alert(1)" not in text and "&lt;script&gt;alert(1)" in text


def csv_upload(text: str, encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile("territorios.csv", text.encode(encoding), content_type="text/csv")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "latin-1"])
def test_csv_import_reads_utf8_with_or_without_bom_and_latin1(scene, encoding):
    text = "code,name,kind,parent_code\n01,Comuna 1,comuna,\n01-01,San Andrés,barrio,01\n"
    response = client_as("manager", scene).post(
        url("territory-import", code="52001"), {"file": csv_upload(text, encoding)}
    )
    assert response.status_code == 302
    child = Territory.objects.get(municipality_id="52001", code="01-01")
    assert child.name == "San Andrés" and child.parent.code == "01"


def test_csv_import_with_errors_lists_them_by_row_and_saves_nothing(scene):
    text = "code,name,kind,parent_code\n01,Comuna 1,comuna,\n02,,planeta,ZZ\n"
    response = client_as("manager", scene).post(url("territory-import", code="52001"), {"file": csv_upload(text)})
    assert response.status_code == 200
    body = page_text(response)
    assert "Row 3: the name is missing." in body
    assert "Row 3: “planeta” is not a kind of territory" in body
    assert "Nothing was saved" in body
    assert not Territory.objects.filter(municipality_id="52001").exists()


def test_csv_import_refuses_a_file_over_one_megabyte(scene):
    text = "code,name,kind,parent_code\n" + "x" * (1024 * 1024)
    response = client_as("manager", scene).post(url("territory-import", code="52001"), {"file": csv_upload(text)})
    assert response.status_code == 200
    assert "larger than 1 MB" in page_text(response)


def test_import_page_shows_a_sample(scene):
    body = page_text(client_as("manager", scene).get(url("territory-import", code="52001")))
    assert "code,name,kind,parent_code" in body


# --- Team -----------------------------------------------------------------------------------


def test_coordinator_appoints_a_manager_of_a_municipality_of_their_node(scene):
    person = UserFactory(email="alcaldia@pasto.gov.co")
    response = client_as("coordinator", scene).post(
        url("membership-grant"), {"email": "ALCALDIA@pasto.gov.co", "role": "manager", "scope": "municipality:52001"}
    )
    assert response.status_code == 302
    assert Membership.objects.active().filter(user=person, role="manager", municipality_id="52001").exists()


def test_secretariat_appoints_a_coordinator(scene):
    person = UserFactory()
    response = client_as("secretariat", scene).post(
        url("membership-grant"), {"email": person.email, "role": "coordinator", "scope": f"node:{scene.other_node.pk}"}
    )
    assert response.status_code == 302
    assert Membership.objects.active().filter(user=person, role="coordinator", node=scene.other_node).exists()


@pytest.mark.parametrize(
    ("role", "data", "message"),
    [
        ("coordinator", {"email": "nadie@ejemplo.co", "role": "manager", "scope": "municipality:52001"}, "No account"),
        ("coordinator", {"role": "manager", "scope": "municipality:68081"}, "Select a valid choice"),
        ("coordinator", {"role": "coordinator", "scope": "municipality:52001"}, "Select a valid choice"),
        ("secretariat", {"role": "reviewer", "scope": "network"}, "is held in"),
        ("manager", {"role": "manager", "scope": "municipality:52001"}, "Select a valid choice"),
    ],
)
def test_a_grant_that_cannot_be_made_shows_a_clear_error(scene, role, data, message):
    person = UserFactory()
    client = client_as(role, scene)
    before = Membership.objects.count()
    response = client.post(url("membership-grant"), {"email": person.email, **data})
    assert response.status_code == 200
    assert message in page_text(response)
    assert Membership.objects.count() == before


def test_granting_the_same_role_twice_is_refused(scene):
    person = UserFactory()
    MembershipFactory(user=person, role="reviewer", municipality=scene.own_municipality)
    response = client_as("manager", scene).post(
        url("membership-grant"), {"email": person.email, "role": "reviewer", "scope": "municipality:52001"}
    )
    assert response.status_code == 200
    assert "already holds this role" in page_text(response)


def test_team_list_shows_only_roles_in_the_scopes_one_manages(scene):
    mine = MembershipFactory(role="monitor", municipality=scene.own_municipality)
    theirs = MembershipFactory(role="monitor", municipality=scene.other_municipality)
    body = page_text(client_as("manager", scene).get(url("membership-list")))
    assert mine.user.email in body and theirs.user.email not in body


def test_revoke_asks_for_confirmation_then_revokes(scene):
    membership = MembershipFactory(role="reviewer", municipality=scene.own_municipality)
    client = client_as("manager", scene)
    assert "Yes, revoke the role" in page_text(client.get(url("membership-revoke", pk=membership.pk)))
    assert Membership.objects.get(pk=membership.pk).revoked_at is None
    assert client.post(url("membership-revoke", pk=membership.pk)).status_code == 302
    membership.refresh_from_db()
    assert membership.revoked_at is not None
    assert client.get(url("membership-revoke", pk=membership.pk)).status_code == 404


def test_every_form_needs_the_csrf_token(scene):
    person = make_actor("secretariat", scene)
    TOTP.activate(person, generate_totp_secret())
    client = Client(enforce_csrf_checks=True)
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(url("node-create"), {"name": "Caribe", "kind": "territorial"})
    assert response.status_code == 403
    assert not Node.objects.filter(name="Caribe").exists()


# --- Queries ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 30])
def test_team_list_runs_a_constant_number_of_queries(scene, size, django_assert_num_queries):
    for _n in range(size):
        MembershipFactory(role="monitor", municipality=scene.own_municipality)
    client = client_as("coordinator", scene)
    client.get(url("membership-list"))  # warm the session
    with django_assert_num_queries(8):
        response = client.get(url("membership-list"))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [3, 30])
def test_territory_tree_runs_a_constant_number_of_queries(scene, size, django_assert_num_queries):
    parent = None
    for n in range(size):
        parent = TerritoryFactory(municipality=scene.own_municipality, parent=parent if n % 3 else None)
    client = client_as("manager", scene)
    client.get(url("territory-list", code="52001"))
    with django_assert_num_queries(9):
        response = client.get(url("territory-list", code="52001"))
    assert response.status_code == 200
