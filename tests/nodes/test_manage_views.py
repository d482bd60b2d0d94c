"""Management pages of the network registry: who may open each page (every
role × own scope vs another scope), and what each form does with good and bad input."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.nodes.conftest import Scene, make_actor, make_scene
from tests.nodes.factories import MembershipFactory, TerritoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """Pages in English (/en/...), so that tests read the source strings."""
    with translation.override("en"):
        yield


LOGIN = "login"
REDIRECT = "redirect"

ROLES = [
    "anonymous",
    "plain_user",
    "secretariat",
    "coordinator",
    "manager",
    "organisation_manager",
    "reviewer",
    "station_officer",
    "monitor",
]
ALL_ROLE_HOLDERS = set(ROLES) - {"anonymous", "plain_user"}


def login(person) -> Client:
    client = Client()
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    return client


def person_as(role: str, scene: Scene):
    """Someone holding ``role`` in the scene's own scope, with two-factor authentication set
    up when the role is one (None for "anonymous")."""
    if role == "anonymous":
        return None
    person = make_actor(role, scene)
    if role != "plain_user":
        TOTP.activate(person, generate_totp_secret())
    return person


def sides_with_people(shared_rows, make_sides: Callable[[], Any], roles: list[str]) -> tuple[Any, dict[str, Any]]:
    """What ``make_sides()`` writes (sides with a ``.scene``) and one person per role of its
    scene, written once for a whole role x page matrix (see ``shared_rows``)."""
    with shared_rows():
        sides = make_sides()
        return sides, {role: person_as(role, sides.scene) for role in roles}


def client_of(person) -> Client:
    return Client() if person is None else login(person)


def client_as(role: str, scene: Scene) -> Client:
    return client_of(person_as(role, scene))


@dataclass
class Sides:
    """One object of each kind on each side of the scene."""

    scene: Scene
    territory: dict[str, Any]
    membership: dict[str, Any]


@pytest.fixture
def sides(scene) -> Sides:
    return make_sides(scene)


def make_sides(scene: Scene) -> Sides:
    territory = {
        "own": TerritoryFactory(municipality=scene.own_municipality),
        "other": TerritoryFactory(municipality=scene.other_municipality),
    }
    membership = {
        "own": MembershipFactory(role="reviewer", municipality=scene.own_municipality),
        "other": MembershipFactory(role="reviewer", municipality=scene.other_municipality),
    }
    return Sides(scene, territory, membership)


def _node(s: Sides, side: str) -> dict[str, Any]:
    return {"slug": (s.scene.own_node if side == "own" else s.scene.other_node).slug}


def _municipality(s: Sides, side: str) -> dict[str, Any]:
    return {"code": (s.scene.own_municipality if side == "own" else s.scene.other_municipality).code}


def _node_and_municipality(s: Sides, side: str) -> dict[str, Any]:
    return {**_node(s, side), **_municipality(s, side)}


def _organisation(s: Sides, side: str) -> dict[str, Any]:
    return {"pk": (s.scene.own_organisation if side == "own" else s.scene.other_organisation).pk}


def _territory(s: Sides, side: str) -> dict[str, Any]:
    return {"pk": s.territory[side].pk}


def _membership(s: Sides, side: str) -> dict[str, Any]:
    return {"pk": s.membership[side].pk}


SEC = {"secretariat"}
NODE_OWN = {"secretariat", "coordinator"}
TERRITORY_OWN = {"secretariat", "manager"}
TEAM = {"secretariat", "coordinator", "manager"}

# URL name -> (kwargs for a side, or None when the page has no scope; roles allowed on
# their own side; roles allowed on the other side; what an allowed person gets on GET).
PAGES: dict[str, tuple[Callable[[Sides, str], dict[str, Any]] | None, set[str], set[str], Any]] = {
    "dashboard": (None, ALL_ROLE_HOLDERS, ALL_ROLE_HOLDERS, 200),
    "node-create": (None, SEC, SEC, 200),
    "node-edit": (_node, NODE_OWN, SEC, 200),
    "node-municipalities": (_node, NODE_OWN, SEC, 200),
    "node-municipality-add": (_node, NODE_OWN, SEC, REDIRECT),  # the add itself is a POST
    "node-municipality-remove": (_node_and_municipality, NODE_OWN, SEC, 200),  # confirmation page
    "organisation-list": (None, {"secretariat", "coordinator", "organisation_manager"}, set(), 200),
    "organisation-create": (None, NODE_OWN, NODE_OWN, 200),
    "organisation-edit": (_organisation, {"secretariat", "coordinator", "organisation_manager"}, SEC, 200),
    "municipality-edit": (_municipality, {"secretariat", "coordinator", "manager"}, SEC, 200),
    "territory-list": (_municipality, TERRITORY_OWN, SEC, 200),
    "territory-create": (_municipality, TERRITORY_OWN, SEC, 200),
    "territory-import": (_municipality, TERRITORY_OWN, SEC, 200),
    "territory-edit": (_territory, TERRITORY_OWN, SEC, 200),
    "territory-move": (_territory, TERRITORY_OWN, SEC, 200),
    "territory-delete": (_territory, TERRITORY_OWN, SEC, 200),  # confirmation page
    "membership-list": (None, TEAM, TEAM, 200),
    "membership-grant": (None, TEAM, TEAM, 200),
    "membership-revoke": (_membership, TEAM, SEC, 200),  # confirmation page
}

CELLS = [
    (name, role, side)
    for name, (kwargs, _own, _other, _ok) in PAGES.items()
    for role in ROLES
    for side in (["own", "other"] if kwargs else ["own"])
]


@pytest.fixture(scope="class")
def sides_and_people(shared_rows) -> tuple[Sides, dict[str, Any]]:
    """The sides and one person per role, written once for the whole matrix (see ``shared_rows``)."""
    return sides_with_people(shared_rows, lambda: make_sides(make_scene()), ROLES)


class TestEveryRoleOnEachSide:
    @pytest.mark.parametrize(("name", "role", "side"), CELLS, ids=[f"{n}-{r}-{s}" for n, r, s in CELLS])
    def test_who_may_open_each_management_page(self, sides_and_people, name, role, side):
        sides, people = sides_and_people
        who_may_open(sides, people[role], name, role, side)


def who_may_open(sides: Sides, person, name: str, role: str, side: str) -> None:
    kwargs, own, other, ok = PAGES[name]
    url = reverse(f"network-manage:{name}", kwargs=kwargs(sides, side) if kwargs else None)
    response = client_of(person).get(url)
    location = response.get("Location", "")
    if role == "anonymous":
        assert response.status_code == 302 and location.startswith(reverse("account_login"))
    elif role in (own if side == "own" else other):
        if ok == REDIRECT:
            assert response.status_code == 302 and not location.startswith(reverse("account_login"))
        else:
            assert response.status_code == ok
    else:
        assert response.status_code == 403
        assert "Red PLyPP" in response.content.decode()  # the site's own 403 page


def test_a_role_holder_without_two_factor_is_sent_to_set_it_up(scene):
    response = login(make_actor("manager", scene)).get(reverse("network-manage:dashboard"))
    assert response.status_code == 302 and "/2fa/totp/activate/" in response["Location"]


def test_a_page_of_a_missing_object_is_404(scene):
    client = client_as("secretariat", scene)
    assert client.get(reverse("network-manage:node-edit", kwargs={"slug": "no-such-node"})).status_code == 404
    assert client.get(reverse("network-manage:territory-edit", kwargs={"pk": 999999})).status_code == 404
