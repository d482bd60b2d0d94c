from dataclasses import dataclass

import pytest

from nodes.models import Municipality, Node, NodeMunicipality, Organisation
from tests.factories import UserFactory
from tests.nodes.factories import MembershipFactory, NodeFactory, OrganisationFactory, municipality


@dataclass
class Scene:
    """Two territorial nodes, each with one municipality and one organisation:
    "own" is the acting person's side, "other" the side they have no role in."""

    own_node: Node
    other_node: Node
    own_municipality: Municipality
    other_municipality: Municipality
    own_organisation: Organisation
    other_organisation: Organisation


@pytest.fixture
def scene(db) -> Scene:
    return make_scene()


def make_scene() -> Scene:
    own_node, other_node = NodeFactory(name="Nariño"), NodeFactory(name="Magdalena Medio")
    pasto, barranca = municipality("52001"), municipality("68081")
    NodeMunicipality.objects.create(node=own_node, municipality=pasto, node_kind=own_node.kind)
    NodeMunicipality.objects.create(node=other_node, municipality=barranca, node_kind=other_node.kind)
    own_org, other_org = OrganisationFactory(), OrganisationFactory()
    own_org.nodes.set([own_node])
    other_org.nodes.set([other_node])
    return Scene(own_node, other_node, pasto, barranca, own_org, other_org)


ACTOR_ROLES = [
    "secretariat",
    "coordinator",
    "manager",
    "organisation_manager",
    "reviewer",
    "station_officer",
    "monitor",
    "plain_user",
]


def make_actor(role: str, scene: Scene):
    """A person holding ``role`` in the scene's "own" scope."""
    person = UserFactory()
    if role == "plain_user":
        return person
    if role == "secretariat":
        MembershipFactory(user=person, role="secretariat")
    elif role == "coordinator":
        MembershipFactory(user=person, role="coordinator", node=scene.own_node)
    elif role == "organisation_manager":
        MembershipFactory(user=person, role="manager", organisation=scene.own_organisation)
    else:
        MembershipFactory(user=person, role=role, municipality=scene.own_municipality)
    return person


@pytest.fixture
def actor_for(scene):
    return lambda role: make_actor(role, scene)
