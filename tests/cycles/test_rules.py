"""Who may configure and run cycles (``cycles.rules``): every role × own / other scope,
drafts vs published for viewing, and a department's cycle (Risaralda)."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser

from cycles.models import Cycle
from cycles.services import cycle_create
from nodes.models import Department, NodeMunicipality
from tests.cycles.conftest import make_actor
from tests.cycles.factories import make_cycle, secretariat
from tests.nodes.factories import MembershipFactory, NodeFactory, municipality

pytestmark = pytest.mark.django_db

ROLES = [
    "secretariat",
    "coordinator",
    "manager",
    "organisation_manager",
    "reviewer",
    "station_officer",
    "monitor",
    "plain_user",
]
RUNS_OWN = {"secretariat", "coordinator", "manager"}
CYCLE_PERMS = ["cycles.change_cycle", "cycles.record_assembly"]


def runs(role: str, side: str) -> bool:
    return role == "secretariat" or (side == "own" and role in RUNS_OWN)


def place_of(scene, side):
    return scene.own_municipality if side == "own" else scene.other_municipality


@pytest.mark.parametrize("side", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
def test_who_may_configure_cycles_of_a_municipality(scene, role, side):
    person = make_actor(role, scene)
    place = place_of(scene, side)
    draft = make_cycle(place)
    expected = runs(role, side)
    assert person.has_perm("cycles.add_cycle", place) is expected
    assert person.has_perm("cycles.change_developmentplan", place) is expected
    for perm in CYCLE_PERMS:
        assert person.has_perm(perm, draft) is expected, perm
    assert person.has_perm("cycles.view_cycle", draft) is expected, "a draft is seen only by those who run it"


@pytest.mark.parametrize("side", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
def test_a_published_cycle_is_visible_to_everyone_but_changed_only_by_those_who_run_it(scene, role, side):
    person = make_actor(role, scene)
    published = Cycle.objects.get(pk=make_cycle(place_of(scene, side), published=True).pk)
    assert person.has_perm("cycles.view_cycle", published)
    assert person.has_perm("cycles.change_cycle", published) is runs(role, side)


def test_anonymous_visitors_see_published_cycles_only_and_change_nothing(scene):
    anonymous = AnonymousUser()
    published = Cycle.objects.get(pk=make_cycle(scene.own_municipality, published=True).pk)
    draft = make_cycle(scene.own_municipality)
    assert anonymous.has_perm("cycles.view_cycle", published)
    assert not anonymous.has_perm("cycles.view_cycle", draft)
    assert not anonymous.has_perm("cycles.change_cycle", published)
    assert not anonymous.has_perm("cycles.add_cycle", scene.own_municipality)


def test_a_revoked_role_grants_nothing(scene):
    person = make_actor("manager", scene)
    cycle = make_cycle(scene.own_municipality)
    assert person.has_perm("cycles.change_cycle", cycle)
    person.memberships.update(revoked_at=cycle.created_at)
    assert not person.has_perm("cycles.change_cycle", cycle)


def test_the_convening_organisations_managers_run_its_cycle(scene):
    scene.other_organisation.nodes.add(scene.own_node)  # it works in both regions
    person = make_actor("organisation_manager", scene)
    convened = make_cycle(
        scene.own_municipality, convener_kind="organisation", convener_organisation=scene.own_organisation
    )
    by_others = make_cycle(
        scene.own_municipality, convener_kind="organisation", convener_organisation=scene.other_organisation
    )
    assert person.has_perm("cycles.change_cycle", convened)
    assert person.has_perm("cycles.record_assembly", convened)
    assert not person.has_perm("cycles.change_cycle", by_others)


def test_managers_of_an_organisation_of_the_municipality_may_create_its_cycles(scene):
    person = make_actor("organisation_manager", scene)
    assert not person.has_perm("cycles.add_cycle", scene.own_municipality)
    scene.own_organisation.municipality = scene.own_municipality
    scene.own_organisation.save()
    assert person.has_perm("cycles.add_cycle", scene.own_municipality)
    assert not person.has_perm("cycles.add_cycle", scene.other_municipality)


# --- A department's cycle (Risaralda splits its concertable investment) -----------------


@pytest.fixture
def risaralda(scene) -> Cycle:
    return cycle_create(
        actor=secretariat(),
        methodology="risaralda",
        title="Presupuesto participativo departamental",
        fiscal_year=2027,
        total_amount=10_000_000_000,
        start_date=date(2027, 1, 1),
        department=Department.objects.get(code="66"),
    )


def test_a_department_cycle_takes_part_with_its_municipalities(risaralda):
    units = list(risaralda.units.select_related("municipality"))
    assert units and all(u.municipality.department_id == "66" and u.territory_id is None for u in units)
    assert "66001" in {u.municipality.code for u in units}


def test_a_coordinator_of_a_node_with_a_municipality_of_the_department_runs_its_cycle(scene, risaralda):
    eje = NodeFactory(name="Eje Cafetero")
    NodeMunicipality.objects.create(node=eje, municipality=municipality("66001"), node_kind=eje.kind)
    coordinator = MembershipFactory(role="coordinator", node=eje).user
    department = risaralda.department
    assert coordinator.has_perm("cycles.add_cycle", department)
    assert coordinator.has_perm("cycles.change_cycle", risaralda)
    assert coordinator.has_perm("cycles.record_assembly", risaralda)
    assert coordinator.has_perm("cycles.view_cycle", risaralda)


@pytest.mark.parametrize("role", ["coordinator", "manager", "organisation_manager", "reviewer", "plain_user"])
def test_people_of_another_department_do_not_run_a_department_cycle(scene, risaralda, role):
    person = make_actor(role, scene)  # their scope is Pasto (Nariño)
    assert not person.has_perm("cycles.add_cycle", risaralda.department)
    assert not person.has_perm("cycles.change_cycle", risaralda)
    assert not person.has_perm("cycles.view_cycle", risaralda)


def test_a_municipal_manager_of_the_department_does_not_run_the_department_cycle(scene, risaralda):
    manager = MembershipFactory(role="manager", municipality=municipality("66001")).user
    assert not manager.has_perm("cycles.change_cycle", risaralda)
    assert secretariat().has_perm("cycles.change_cycle", risaralda)
