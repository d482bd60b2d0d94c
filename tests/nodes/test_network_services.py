"""Nodes, their municipalities and organisations: who may edit them, and the one-territorial-node rule."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEntry
from nodes.models import Municipality, NodeMunicipality, Organisation
from nodes.services import (
    municipality_update,
    node_add_municipality,
    node_create,
    node_remove_municipality,
    node_update,
    organisation_create,
    organisation_update,
)
from tests.nodes.factories import NodeFactory, municipality

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["coordinator", "manager", "reviewer", "plain_user"])
def test_only_the_secretariat_creates_nodes(actor_for, role):
    with pytest.raises(PermissionDenied):
        node_create(actor=actor_for(role), name="Caribe", kind="territorial")


def test_secretariat_creates_node_audited(actor_for):
    node = node_create(actor=actor_for("secretariat"), name="Caribe", kind="territorial")
    assert node.slug == "caribe"
    assert AuditEntry.objects.filter(action="nodes.node_created", subject=f"nodes.node:{node.pk}").exists()


def test_coordinator_edits_own_node_text_but_not_kind_nor_other_nodes(scene, actor_for):
    coordinator = actor_for("coordinator")
    node_update(actor=coordinator, node=scene.own_node, name="Nariño y Putumayo", kind="territorial", description="x")
    with pytest.raises(PermissionDenied):
        node_update(actor=coordinator, node=scene.own_node, name="Nariño", kind="thematic", description="")
    with pytest.raises(PermissionDenied):
        node_update(actor=coordinator, node=scene.other_node, name="X", kind="territorial", description="")


def test_municipality_in_one_territorial_node_and_many_thematic(scene, actor_for):
    secretariat = actor_for("secretariat")
    pasto = scene.own_municipality
    with pytest.raises(ValidationError) as refused:
        node_add_municipality(actor=secretariat, node=NodeFactory(kind="territorial"), municipality=pasto)
    assert refused.value.code == "territorial_conflict"
    for _ in range(2):
        node_add_municipality(actor=secretariat, node=NodeFactory(kind="thematic"), municipality=pasto)
    assert NodeMunicipality.objects.filter(municipality=pasto).count() == 3


def test_changing_a_node_to_territorial_is_refused_when_it_would_clash(scene, actor_for):
    secretariat = actor_for("secretariat")
    thematic = NodeFactory(kind="thematic")
    node_add_municipality(actor=secretariat, node=thematic, municipality=scene.own_municipality)
    with pytest.raises(ValidationError):
        node_update(actor=secretariat, node=thematic, name=thematic.name, kind="territorial", description="")
    thematic.refresh_from_db()
    assert thematic.kind == "thematic"


def test_adding_a_municipality_makes_it_a_member_and_removal_keeps_membership(scene, actor_for):
    coordinator = actor_for("coordinator")
    ipiales = municipality("52356")
    assert not ipiales.is_member
    node_add_municipality(actor=coordinator, node=scene.own_node, municipality=ipiales)
    assert Municipality.objects.get(code="52356").is_member
    node_remove_municipality(actor=coordinator, node=scene.own_node, municipality=ipiales)
    assert Municipality.objects.get(code="52356").is_member
    with pytest.raises(PermissionDenied):
        node_add_municipality(actor=coordinator, node=scene.other_node, municipality=ipiales)


def test_organisation_nit_is_validated_and_normalised(scene, actor_for):
    secretariat = actor_for("secretariat")
    with pytest.raises(ValidationError) as refused:
        organisation_create(actor=secretariat, name="Mal", kind="ngo", nit="800197268-5")
    assert refused.value.code == "invalid_nit"
    organisation = organisation_create(actor=secretariat, name="Bien", kind="ngo", nit="800.197.268-4")
    assert organisation.nit == "800197268-4"
    with pytest.raises(ValidationError):
        organisation_create(actor=secretariat, name="Otra", kind="ngo", nit="8001972684")


def test_coordinator_registers_organisations_only_in_own_nodes_and_never_on_secretariat(scene, actor_for):
    coordinator = actor_for("coordinator")
    organisation = organisation_create(actor=coordinator, name="JAC El Tejar", kind="jac", nodes=[scene.own_node])
    assert list(organisation.nodes.all()) == [scene.own_node]
    with pytest.raises(PermissionDenied):
        organisation_create(actor=coordinator, name="Otra", kind="jac", nodes=[scene.other_node])
    with pytest.raises(PermissionDenied):
        organisation_create(
            actor=coordinator, name="Otra", kind="jac", nodes=[scene.own_node], sits_on_secretariat=True
        )
    assert not Organisation.objects.filter(name="Otra").exists()


def test_organisation_manager_edits_own_organisation_only(scene, actor_for):
    manager = actor_for("organisation_manager")
    own = scene.own_organisation
    organisation_update(
        actor=manager,
        organisation=own,
        name="Nuevo nombre",
        kind=own.kind,
        nit="",
        municipality=None,
        nodes=[scene.own_node],
        sits_on_secretariat=False,
    )
    with pytest.raises(PermissionDenied):
        organisation_update(
            actor=manager,
            organisation=own,
            name="Nuevo nombre",
            kind=own.kind,
            nit="",
            municipality=None,
            nodes=[scene.own_node],
            sits_on_secretariat=True,
        )
    other = scene.other_organisation
    with pytest.raises(PermissionDenied):
        organisation_update(
            actor=manager,
            organisation=other,
            name="X",
            kind=other.kind,
            nit="",
            municipality=None,
            nodes=[scene.other_node],
            sits_on_secretariat=False,
        )


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("secretariat", True), ("coordinator", True), ("manager", True), ("reviewer", False), ("plain_user", False)],
)
def test_municipality_tags_editable_by_its_roles(scene, actor_for, role, allowed):
    def edit(municipality):
        return municipality_update(
            actor=actor_for(role),
            municipality=municipality,
            is_pdet=True,
            is_zomac=False,
            category="1",
            population=392_000,
            population_14_plus=310_000,
        )

    if allowed:
        assert edit(scene.own_municipality).population == 392_000
    else:
        with pytest.raises(PermissionDenied):
            edit(scene.own_municipality)
    if role != "secretariat":
        with pytest.raises(PermissionDenied):
            edit(scene.other_municipality)
