"""Territory trees: only managers of the municipality (and the secretariat)
edit them, parents stay in the same municipality, no cycles, CSV import all or nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEntry
from nodes.models import Territory
from nodes.selectors import territory_flat, territory_tree
from nodes.services import (
    territories_import_csv,
    territory_create,
    territory_delete,
    territory_move,
    territory_update,
)
from tests.nodes.factories import TerritoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(actor_for):
    return actor_for("manager")


def test_manager_creates_a_territory_tree_in_their_municipality_audited(scene, manager):
    comuna = territory_create(
        actor=manager, municipality=scene.own_municipality, code="01", name="Comuna 1", kind="comuna"
    )
    barrio = territory_create(
        actor=manager, municipality=scene.own_municipality, code="01-01", name="Centro", kind="barrio", parent=comuna
    )
    assert barrio.parent == comuna
    assert AuditEntry.objects.filter(action="nodes.territory_created").count() == 2


@pytest.mark.parametrize("role", ["coordinator", "reviewer", "monitor", "organisation_manager", "plain_user"])
def test_other_roles_cannot_edit_territories(scene, actor_for, role):
    with pytest.raises(PermissionDenied):
        territory_create(
            actor=actor_for(role), municipality=scene.own_municipality, code="01", name="Comuna 1", kind="comuna"
        )


def test_manager_cannot_edit_another_municipality(scene, manager):
    with pytest.raises(PermissionDenied):
        territory_create(actor=manager, municipality=scene.other_municipality, code="01", name="C1", kind="comuna")
    elsewhere = TerritoryFactory(municipality=scene.other_municipality)
    with pytest.raises(PermissionDenied):
        territory_update(actor=manager, territory=elsewhere, code="X", name="X", kind="comuna")
    with pytest.raises(PermissionDenied):
        territory_delete(actor=manager, territory=elsewhere)


def test_parent_from_another_municipality_is_refused(scene, actor_for):
    secretariat = actor_for("secretariat")
    elsewhere = TerritoryFactory(municipality=scene.other_municipality)
    with pytest.raises(ValidationError) as refused:
        territory_create(
            actor=secretariat, municipality=scene.own_municipality, code="9", name="X", kind="barrio", parent=elsewhere
        )
    assert refused.value.code == "other_municipality"
    here = TerritoryFactory(municipality=scene.own_municipality)
    with pytest.raises(ValidationError):
        territory_move(actor=secretariat, territory=here, parent=elsewhere)


def test_move_that_makes_a_cycle_is_refused(scene, manager):
    top = TerritoryFactory(municipality=scene.own_municipality)
    middle = TerritoryFactory(municipality=scene.own_municipality, parent=top)
    bottom = TerritoryFactory(municipality=scene.own_municipality, parent=middle)
    for new_parent in (bottom, top):
        with pytest.raises(ValidationError) as refused:
            territory_move(actor=manager, territory=top, parent=new_parent)
        assert refused.value.code == "cycle"
    moved = territory_move(actor=manager, territory=bottom, parent=top)
    assert moved.parent == top


def test_local_code_is_unique_per_municipality_only(scene, actor_for):
    secretariat = actor_for("secretariat")
    TerritoryFactory(municipality=scene.own_municipality, code="01")
    with pytest.raises(ValidationError) as refused:
        territory_create(actor=secretariat, municipality=scene.own_municipality, code="01", name="X", kind="comuna")
    assert refused.value.code == "duplicate_code"
    territory_create(actor=secretariat, municipality=scene.other_municipality, code="01", name="X", kind="comuna")


def test_delete_refuses_a_territory_with_parts(scene, manager):
    top = TerritoryFactory(municipality=scene.own_municipality)
    part = TerritoryFactory(municipality=scene.own_municipality, parent=top)
    with pytest.raises(ValidationError):
        territory_delete(actor=manager, territory=top)
    territory_delete(actor=manager, territory=part)
    territory_delete(actor=manager, territory=top)
    assert not Territory.objects.filter(municipality=scene.own_municipality).exists()


GOOD_CSV = """code,name,kind,parent_code
01,Comuna 1,comuna,
01-01,Barrio Centro,barrio,01
C01,Corregimiento La Laguna,corregimiento,
C01-V1,Vereda El Barbero,vereda,C01
J,Jóvenes,population_sector,
"""


def test_csv_import_creates_the_tree_and_a_second_run_updates(scene, manager):
    result = territories_import_csv(actor=manager, municipality=scene.own_municipality, file_text=GOOD_CSV)
    assert (result.ok, result.created, result.updated) == (True, 5, 0)
    vereda = Territory.objects.get(municipality=scene.own_municipality, code="C01-V1")
    assert vereda.parent.code == "C01"
    assert vereda.kind == "vereda"
    again = territories_import_csv(
        actor=manager, municipality=scene.own_municipality, file_text=GOOD_CSV.replace("Comuna 1,", "Comuna Uno,")
    )
    assert (again.created, again.updated) == (0, 5)
    assert Territory.objects.get(municipality=scene.own_municipality, code="01").name == "Comuna Uno"


def test_csv_import_saves_nothing_on_any_error_and_numbers_rows(scene, manager):
    bad = """code,name,kind,parent_code
01,Comuna 1,comuna,
02,,comuna,
03,Comuna 3,planeta,
01,Repetida,comuna,
04,Comuna 4,comuna,99
"""
    result = territories_import_csv(actor=manager, municipality=scene.own_municipality, file_text=bad)
    assert not result.ok
    assert [error.split(":")[0] for error in result.errors] == ["Fila 3", "Fila 4", "Fila 5", "Fila 6"]
    assert not Territory.objects.filter(municipality=scene.own_municipality).exists()
    assert not AuditEntry.objects.filter(action="nodes.territories_imported").exists()


def test_csv_import_refuses_loops_and_missing_columns(scene, manager):
    loop = "code,name,kind,parent_code\nA,A,comuna,B\nB,B,comuna,A\n"
    result = territories_import_csv(actor=manager, municipality=scene.own_municipality, file_text=loop)
    assert len(result.errors) == 2
    assert "ciclo" in result.errors[0]
    missing = territories_import_csv(actor=manager, municipality=scene.own_municipality, file_text="code,name\n1,x\n")
    assert "parent_code" in missing.errors[0]
    assert not Territory.objects.filter(municipality=scene.own_municipality).exists()


def test_csv_import_parent_may_already_exist_and_kind_labels_are_accepted(scene, manager):
    TerritoryFactory(municipality=scene.own_municipality, code="01")
    text = "code,name,kind,parent_code\n01-01,Centro,Barrio,01\n"
    result = territories_import_csv(actor=manager, municipality=scene.own_municipality, file_text=text)
    assert result.ok, result.errors
    assert Territory.objects.get(municipality=scene.own_municipality, code="01-01").parent.code == "01"


def test_csv_import_needs_permission(scene, actor_for):
    with pytest.raises(PermissionDenied):
        territories_import_csv(actor=actor_for("reviewer"), municipality=scene.own_municipality, file_text=GOOD_CSV)


def test_territory_tree_is_built_from_one_query(scene, manager, django_assert_num_queries):
    territories_import_csv(actor=manager, municipality=scene.own_municipality, file_text=GOOD_CSV)
    with django_assert_num_queries(1):
        roots = territory_tree(scene.own_municipality)
    assert [branch.territory.code for branch in roots] == ["01", "C01", "J"]
    assert [child.territory.code for child in roots[1].children] == ["C01-V1"]
    assert [(item.territory.code, item.depth) for item in territory_flat(scene.own_municipality)][:2] == [
        ("01", 0),
        ("01-01", 1),
    ]
