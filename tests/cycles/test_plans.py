"""Development plans: who may register them (every role, own and other
municipality), the period rules, and the CSV import of lines and programmes
(Spanish or English headers, comma or semicolon, BOM; bad rows reported by
number with nothing saved; a second import changes nothing)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from accounts.models import AuditEntry
from cycles.models import DevelopmentPlan, PlanLevel, PlanLine
from cycles.plans import (
    plan_create,
    plan_for_year,
    plan_import_csv,
    plan_line_choices,
    plan_line_get,
    plan_lines,
    plan_list,
)
from tests.cycles.conftest import make_actor
from tests.nodes.conftest import ACTOR_ROLES

pytestmark = pytest.mark.django_db

PLANNERS = {"secretariat", "coordinator", "manager", "organisation_manager"}

GOOD_CSV = (
    "linea_codigo,linea,programa_codigo,programa\n"
    "1,Territorio seguro,1.1,Convivencia\n"
    "1,Territorio seguro,1.2,Atención a víctimas\n"
    "2,Desarrollo rural,2.1,Vías terciarias\n"
    "3,Ambiente y agua,,\n"
)


@pytest.fixture(autouse=True)
def in_english():
    """Messages in English, so that tests read the source strings."""
    with translation.override("en"):
        yield


@pytest.fixture
def scene(scene):
    """The scene, with its own organisation based in the own municipality (so its managers plan there)."""
    scene.own_organisation.municipality = scene.own_municipality
    scene.own_organisation.save()
    return scene


@pytest.fixture
def manager(scene):
    return make_actor("manager", scene)


@pytest.fixture
def plan(scene, manager):
    return plan_create(
        actor=manager,
        municipality=scene.own_municipality,
        name="Pasto, la gran capital",
        start_year=2024,
        end_year=2027,
    )


def code_of(error: ValidationError) -> str | None:
    if hasattr(error, "error_dict"):
        return next(iter(error.error_dict.values()))[0].code
    return error.code


def tree(plan) -> list[tuple[str, str, str | None]]:
    return [(line.code, line.name, line.parent.code if line.parent else None) for line in plan.lines.order_by("code")]


# --- Plans ------------------------------------------------------------------------------


def test_a_manager_registers_a_plan_of_their_municipality_audited(scene, manager, plan):
    assert (plan.municipality, plan.name, plan.start_year, plan.end_year) == (
        scene.own_municipality,
        "Pasto, la gran capital",
        2024,
        2027,
    )
    [entry] = AuditEntry.objects.filter(action="cycles.plan_created")
    assert entry.subject == f"cycles.developmentplan:{plan.pk}"
    assert entry.data == {"municipality": "52001", "start_year": 2024, "end_year": 2027}


@pytest.mark.parametrize("role", ACTOR_ROLES)
@pytest.mark.parametrize("side", ["own", "other"])
def test_who_may_register_plans(scene, role, side):
    actor = make_actor(role, scene)
    place = scene.own_municipality if side == "own" else scene.other_municipality
    if role == "secretariat" or (side == "own" and role in PLANNERS):
        assert plan_create(actor=actor, municipality=place, name="Plan", start_year=2024, end_year=2027).pk
    else:
        with pytest.raises(PermissionDenied):
            plan_create(actor=actor, municipality=place, name="Plan", start_year=2024, end_year=2027)
        assert not DevelopmentPlan.objects.exists()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"name": "  "}, "name"),
        ({"start_year": 2028, "end_year": 2027}, "period_in_order"),
        ({"start_year": 1200}, "year"),
        ({"name": "Pasto, la gran capital"}, "duplicate_name"),
    ],
)
def test_plan_create_refuses_broken_rules(scene, manager, plan, fields, code):
    arguments = {"name": "Otro plan", "start_year": 2024, "end_year": 2027, **fields}
    with pytest.raises(ValidationError) as caught:
        plan_create(actor=manager, municipality=scene.own_municipality, **arguments)
    assert code_of(caught.value) == code
    assert DevelopmentPlan.objects.count() == 1


def test_the_same_plan_name_is_fine_in_another_municipality(scene, plan):
    other = plan_create(
        actor=make_actor("secretariat", scene),
        municipality=scene.other_municipality,
        name=plan.name,
        start_year=2024,
        end_year=2027,
    )
    assert other.pk != plan.pk


# --- CSV import ------------------------------------------------------------------------


def test_a_good_file_creates_lines_once_with_their_programmes(manager, plan):
    result = plan_import_csv(actor=manager, plan=plan, content=GOOD_CSV.encode())
    assert result.ok, result.errors
    assert (result.lines_created, result.programmes_created, result.updated) == (3, 3, 0)
    assert tree(plan) == [
        ("1", "Territorio seguro", None),
        ("1.1", "Convivencia", "1"),
        ("1.2", "Atención a víctimas", "1"),
        ("2", "Desarrollo rural", None),
        ("2.1", "Vías terciarias", "2"),
        ("3", "Ambiente y agua", None),
    ]
    assert set(plan.lines.filter(parent=None).values_list("level", flat=True)) == {PlanLevel.LINE}
    [entry] = AuditEntry.objects.filter(action="cycles.plan_imported")
    assert entry.data == {"lines_created": 3, "programmes_created": 3, "updated": 0, "unchanged": 0}


def test_semicolons_a_byte_order_mark_and_english_headers_are_read(manager, plan):
    spanish = "\ufeffLínea_Código;Línea;Programa_Código;Programa\r\n1;Territorio seguro;1.1;Convivencia\r\n"
    assert plan_import_csv(actor=manager, plan=plan, content=spanish.encode("utf-8")).ok
    english = "line_code,line,programme_code,programme\n2,Rural development,2.1,Roads\n"
    assert plan_import_csv(actor=manager, plan=plan, content=english).ok
    latin = "linea_codigo;linea;programa_codigo;programa\n3;Educación;3.1;Colegios\n".encode("latin-1")
    assert plan_import_csv(actor=manager, plan=plan, content=latin).ok
    assert [code for code, _name, _parent in tree(plan)] == ["1", "1.1", "2", "2.1", "3", "3.1"]
    assert plan_line_get(plan=plan, code="3").name == "Educación"


def test_importing_again_updates_names_and_creates_nothing(manager, plan):
    plan_import_csv(actor=manager, plan=plan, content=GOOD_CSV)
    again = plan_import_csv(actor=manager, plan=plan, content=GOOD_CSV)
    assert (again.lines_created, again.programmes_created, again.updated, again.unchanged) == (0, 0, 0, 6)
    renamed = GOOD_CSV.replace("Convivencia", "Convivencia y seguridad").replace("2,Desarrollo rural,2.1", "1,,2.1")
    result = plan_import_csv(actor=manager, plan=plan, content=renamed)
    assert result.ok, result.errors
    assert (result.lines_created, result.programmes_created, result.updated) == (0, 0, 2)
    assert ("1.1", "Convivencia y seguridad", "1") in tree(plan)
    assert ("2.1", "Vías terciarias", "1") in tree(plan)  # the programme moved to line 1
    assert PlanLine.objects.count() == 6


def test_every_bad_row_is_reported_with_its_number_and_nothing_is_saved(manager, plan):
    bad = (
        "linea_codigo;linea;programa_codigo;programa\n"
        "1;Territorio seguro;1.1;Convivencia\n"  # row 2: fine
        ";Sin código;1.2;Algo\n"  # row 3
        "4;;4.1;Huérfano\n"  # row 4: a new line without a name
        "1;Otro nombre;1.3;Algo\n"  # row 5: line 1 named differently
        "1;Territorio seguro;1.1;Repetido\n"  # row 6: programme code again
        "2;Rural;2.1;\n"  # row 7: programme without a name
        "2;Rural;;Sin código\n"  # row 8
        "5;Ambiente;" + "X" * 31 + ";Largo\n"  # row 9: code too long
    )
    result = plan_import_csv(actor=manager, plan=plan, content=bad)
    assert not result.ok
    text = "\n".join(result.errors)
    for row in (3, 4, 5, 6, 7, 8, 9):
        assert f"Row {row}:" in text
    assert "Row 2:" not in text
    assert "already used in row 2" in text
    assert not PlanLine.objects.exists()
    assert not AuditEntry.objects.filter(action="cycles.plan_imported").exists()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("codigo,nombre\n1,Algo\n", "The first row must name the columns"),
        ("linea_codigo,linea\n", "no rows below the header"),
        ("", "The file is empty"),
    ],
)
def test_a_file_without_the_columns_or_rows_is_refused(manager, plan, content, words):
    result = plan_import_csv(actor=manager, plan=plan, content=content)
    assert not result.ok and words in result.errors[0]


def test_a_line_code_cannot_become_a_programme_nor_the_reverse(manager, plan):
    plan_import_csv(actor=manager, plan=plan, content=GOOD_CSV)
    swapped = "linea_codigo,linea,programa_codigo,programa\n1.1,Ahora línea,,\n9,Nueva,2,Ahora programa\n"
    result = plan_import_csv(actor=manager, plan=plan, content=swapped)
    assert len(result.errors) == 2
    assert "already a programme" in result.errors[0] and "already a line" in result.errors[1]
    assert PlanLine.objects.count() == 6


def test_a_file_with_only_lines_is_fine_without_programme_columns(manager, plan):
    result = plan_import_csv(actor=manager, plan=plan, content="linea_codigo,linea\nA,Agua\nB,Bosques\n")
    assert result.ok and result.lines_created == 2


@pytest.mark.parametrize("role", sorted(set(ACTOR_ROLES) - PLANNERS))
def test_roles_that_do_not_plan_cannot_import(scene, plan, role):
    with pytest.raises(PermissionDenied):
        plan_import_csv(actor=make_actor(role, scene), plan=plan, content=GOOD_CSV)
    assert not PlanLine.objects.exists()


def test_a_manager_of_another_municipality_cannot_import(scene):
    other = plan_create(
        actor=make_actor("secretariat", scene),
        municipality=scene.other_municipality,
        name="Barrancabermeja",
        start_year=2024,
        end_year=2027,
    )
    with pytest.raises(PermissionDenied):
        plan_import_csv(actor=make_actor("manager", scene), plan=other, content=GOOD_CSV)


# --- Reads -------------------------------------------------------------------------------


def test_reads_for_later_issues(scene, manager, plan, django_assert_num_queries):
    plan_import_csv(actor=manager, plan=plan, content=GOOD_CSV)
    older = plan_create(
        actor=manager, municipality=scene.own_municipality, name="Anterior", start_year=2020, end_year=2023
    )
    assert plan_for_year(municipality=scene.own_municipality, year=2025) == plan
    assert plan_for_year(municipality=scene.own_municipality, year=2021) == older
    assert plan_for_year(municipality=scene.own_municipality, year=2030) is None
    listed = list(plan_list(municipality=scene.own_municipality))
    assert [(p.name, p.line_count, p.programme_count) for p in listed] == [
        ("Pasto, la gran capital", 3, 3),
        ("Anterior", 0, 0),
    ]
    with django_assert_num_queries(2):
        lines = plan_lines(plan)
        assert [[p.code for p in line.programmes.all()] for line in lines] == [["1.1", "1.2"], ["2.1"], []]
    choices = plan_line_choices(plan)
    assert choices[0][0] == "1 Territorio seguro"
    assert [label for _pk, label in choices[0][1]] == [
        "1 Territorio seguro",
        "1.1 Convivencia",
        "1.2 Atención a víctimas",
    ]
    assert plan_line_get(plan=plan, code="9") is None
