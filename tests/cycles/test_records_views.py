"""Record pages of cycles (assemblies, decisions, scan, delegates, development
plans): who may open each page (every role × own municipality vs another), and
what each form does with good and bad input (clear error, nothing saved)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from cycles.assemblies import AssemblyInput, DecisionInput, assembly_decisions_set, assembly_record, delegate_add
from cycles.models import Assembly, AssemblyDecision, Cycle, Delegate, DevelopmentPlan, PlanLine
from cycles.plans import plan_create
from tests.cycles.factories import at, make_cycle, secretariat
from tests.nodes.conftest import make_scene
from tests.nodes.test_activities import minimal_pdf, png_with_exif
from tests.nodes.test_manage_views import REDIRECT, ROLES, client_as, client_of, sides_with_people
from tests.test_permission_matrix import url_names

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """Pages in English (/en/...), so that tests read the source strings."""
    with translation.override("en"):
        yield


@dataclass
class Sides:
    """One object of each kind on each side of the scene: "own" is Pasto (52001),
    whose cycle the scene's own organisation convenes; "other" is Barrancabermeja (68081)."""

    scene: Any
    cycle: dict[str, Cycle]
    assembly: dict[str, Assembly]
    delegate: dict[str, Delegate]
    plan: dict[str, DevelopmentPlan]


@pytest.fixture
def sides(scene) -> Sides:
    return make_sides(scene)


def make_sides(scene) -> Sides:
    scene.own_organisation.municipality = scene.own_municipality
    scene.own_organisation.save()
    boss = secretariat()
    cycle = {
        "own": make_cycle(
            scene.own_municipality, convener_kind="mixed", convener_organisation=scene.own_organisation, actor=boss
        ),
        "other": make_cycle(scene.other_municipality, actor=boss),
    }
    assembly, delegate, plan = {}, {}, {}
    for side, place in (("own", scene.own_municipality), ("other", scene.other_municipality)):
        unit = cycle[side].units.order_by("position").first()
        assembly[side] = assembly_record(
            actor=boss,
            cycle=cycle[side],
            data=AssemblyInput(kind="cabildo", held_at=at("2027-03-01", 18), place="Salón comunal", unit=unit),
        )
        delegate[side] = delegate_add(
            actor=boss,
            cycle=cycle[side],
            unit=unit,
            name="Ana",
            term_start=date(2027, 3, 1),
            term_end=date(2027, 12, 31),
        )
        plan[side] = plan_create(actor=boss, municipality=place, name="Plan", start_year=2024, end_year=2027)
    return Sides(scene, cycle, assembly, delegate, plan)


def _cycle(s: Sides, side: str) -> dict[str, Any]:
    return {"cycle_pk": s.cycle[side].pk}


def _assembly(s: Sides, side: str) -> dict[str, Any]:
    return {"pk": s.assembly[side].pk}


def _delegate(s: Sides, side: str) -> dict[str, Any]:
    return {"pk": s.delegate[side].pk}


def _municipality(s: Sides, side: str) -> dict[str, Any]:
    return {"code": (s.scene.own_municipality if side == "own" else s.scene.other_municipality).code}


def _plan(s: Sides, side: str) -> dict[str, Any]:
    return {"pk": s.plan[side].pk}


SEC = {"secretariat"}
# The cycle's managers: the network, the node's coordinators, the municipality's managers
# and the managers of the convening organisation (of an organisation of the municipality, for plans).
RECORDERS = {"secretariat", "coordinator", "manager", "organisation_manager"}

# URL name -> (kwargs for a side, or None when the page has no scope; roles allowed on
# their own side; roles allowed on the other side; what an allowed person gets on GET).
PAGES: dict[str, tuple[Callable[[Sides, str], dict[str, Any]] | None, set[str], set[str], Any]] = {
    "assembly-list": (_cycle, RECORDERS, SEC, 200),
    "assembly-create": (_cycle, RECORDERS, SEC, 200),
    "assembly-edit": (_assembly, RECORDERS, SEC, 200),
    "assembly-decisions": (_assembly, RECORDERS, SEC, 200),
    "assembly-scan": (_assembly, RECORDERS, SEC, 200),
    "delegate-list": (_cycle, RECORDERS, SEC, 200),
    "delegate-remove": (_delegate, RECORDERS, SEC, 200),  # confirmation page
    "plan-list": (_municipality, RECORDERS, SEC, 200),
    "plan-detail": (_plan, RECORDERS, SEC, 200),
    "plan-import": (_plan, RECORDERS, SEC, 200),
}

CELLS = [
    (name, role, side)
    for name, (kwargs, _own, _other, _ok) in PAGES.items()
    for role in ROLES
    for side in (["own", "other"] if kwargs else ["own"])
]


def url(name: str, **kwargs) -> str:
    return reverse(f"cycles-records:{name}", kwargs=kwargs or None)


def test_every_record_page_has_a_role_by_scope_row():
    names = {name.split(":", 1)[1] for name in url_names() if name.startswith("cycles-records:")}
    assert names == set(PAGES)


@pytest.fixture(scope="class")
def sides_and_people(shared_rows) -> tuple[Sides, dict[str, Any]]:
    """The sides and one person per role, written once for the whole matrix (see ``shared_rows``)."""
    return sides_with_people(shared_rows, lambda: make_sides(make_scene()), ROLES)


class TestEveryRoleOnEachSide:
    @pytest.mark.parametrize(("name", "role", "side"), CELLS, ids=[f"{n}-{r}-{s}" for n, r, s in CELLS])
    def test_who_may_open_each_record_page(self, sides_and_people, name, role, side):
        sides, people = sides_and_people
        kwargs, own, other, ok = PAGES[name]
        response = client_of(people[role]).get(url(name, **(kwargs(sides, side) if kwargs else {})))
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


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("assembly-list", {"cycle_pk": 999999}),
        ("assembly-create", {"cycle_pk": 999999}),
        ("assembly-edit", {"pk": 999999}),
        ("assembly-decisions", {"pk": 999999}),
        ("assembly-scan", {"pk": 999999}),
        ("delegate-list", {"cycle_pk": 999999}),
        ("delegate-remove", {"pk": 999999}),
        ("plan-list", {"code": "99999"}),
        ("plan-detail", {"pk": 999999}),
        ("plan-import", {"pk": 999999}),
    ],
)
def test_a_page_of_a_missing_object_is_404(scene, name, kwargs):
    assert client_as("secretariat", scene).get(url(name, **kwargs)).status_code == 404


def test_a_post_by_a_manager_of_another_municipality_is_refused_and_saves_nothing(sides):
    client = client_as("manager", sides.scene)
    response = client.post(url("assembly-create", **_cycle(sides, "other")), assembly_post())
    assert response.status_code == 403
    assert Assembly.objects.count() == 2


# --- Assemblies ----------------------------------------------------------------------------


def assembly_post(**overrides) -> dict[str, str]:
    return {"kind": "cabildo", "held_at": "2027-03-01T18:00", "place": "Colegio Santa Teresita", **overrides}


def page(response) -> str:
    return response.content.decode()


def test_the_list_links_each_assembly_and_offers_to_record_one(sides):
    response = client_as("manager", sides.scene).get(url("assembly-list", **_cycle(sides, "own")))
    text = page(response)
    assert "Record an assembly" in text
    assert url("assembly-edit", pk=sides.assembly["own"].pk) in text
    assert url("assembly-decisions", pk=sides.assembly["own"].pk) in text
    assert url("plan-list", code="52001") in text


def test_recording_an_assembly_goes_on_to_what_else_to_record(sides):
    own = sides.cycle["own"]
    unit = own.units.order_by("position").last()
    response = client_as("manager", sides.scene).post(
        url("assembly-create", cycle_pk=own.pk), assembly_post(unit=str(unit.pk), attendance="35", women="20")
    )
    assembly = Assembly.objects.exclude(pk=sides.assembly["own"].pk).get(cycle=own)
    assert response.status_code == 302 and response["Location"] == url("assembly-edit", pk=assembly.pk)
    assert (assembly.unit, assembly.attendance, assembly.women, assembly.men) == (unit, 35, 20, None)
    assert assembly.held_at == at("2027-03-01", 18)
    text = page(client_as("manager", sides.scene).get(response["Location"]))
    assert "What else to record" in text and url("assembly-scan", pk=assembly.pk) in text


def test_the_create_form_starts_with_now_and_the_convening_organisation(sides):
    text = page(client_as("manager", sides.scene).get(url("assembly-create", **_cycle(sides, "own"))))
    assert 'type="datetime-local"' in text
    assert f'value="{sides.scene.own_organisation.name}"' in text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"place": ""}, "This field is required"),
        ({"held_at": "yesterday"}, "Enter a valid date/time"),
        ({"attendance": "10", "women": "6", "men": "5"}, "more than the 10 people attending"),
        ({"attendance": "-3"}, "greater than or equal to 0"),
        ({"kind": "fiesta"}, "Select a valid choice"),
    ],
)
def test_bad_assembly_input_shows_the_error_and_saves_nothing(sides, data, message):
    response = client_as("manager", sides.scene).post(
        url("assembly-create", **_cycle(sides, "own")), assembly_post(**data)
    )
    assert response.status_code == 200
    assert message in page(response)
    assert Assembly.objects.count() == 2


def test_a_breakdown_error_unfolds_the_breakdown(sides):
    data = assembly_post(attendance="10", age_14_17="11")
    text = page(client_as("manager", sides.scene).post(url("assembly-create", **_cycle(sides, "own")), data))
    assert '<details class="mb-3 border rounded p-2" open>' in text


def test_a_territory_of_another_cycle_cannot_be_chosen(sides):
    foreign = sides.cycle["other"].units.first()
    data = assembly_post(unit=str(foreign.pk))
    response = client_as("manager", sides.scene).post(url("assembly-create", **_cycle(sides, "own")), data)
    assert response.status_code == 200 and "Select a valid choice" in page(response)


def test_editing_an_assembly_saves_and_goes_back_to_the_list(sides):
    assembly = sides.assembly["own"]
    data = assembly_post(attendance="80", minutes="Se priorizaron 3 proyectos.")
    response = client_as("coordinator", sides.scene).post(url("assembly-edit", pk=assembly.pk), data)
    assert response.status_code == 302 and response["Location"] == url("assembly-list", cycle_pk=assembly.cycle_id)
    assembly.refresh_from_db()
    assert (assembly.place, assembly.attendance, assembly.unit) == ("Colegio Santa Teresita", 80, None)
    assert assembly.minutes == "Se priorizaron 3 proyectos."


def test_user_text_is_escaped(sides):
    assembly = sides.assembly["own"]
    client = client_as("manager", sides.scene)
    client.post(url("assembly-edit", pk=assembly.pk), assembly_post(place="<script>alert(1)</script>"))
    text = page(client.get(url("assembly-list", cycle_pk=assembly.cycle_id)))
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;" in text


# --- Decisions -------------------------------------------------------------------------------


def formset_post(rows: list[dict[str, str]], initial: int = 0, **extra) -> dict[str, str]:
    data = {
        "d-TOTAL_FORMS": str(len(rows)),
        "d-INITIAL_FORMS": str(initial),
        "d-MIN_NUM_FORMS": "0",
        "d-MAX_NUM_FORMS": "300",
    }
    for index, row in enumerate(rows):
        for field in ("rank", "item", "rating", "votes", "amount", "note"):
            data[f"d-{index}-{field}"] = row.get(field, "")
    return {**data, **extra}


def test_the_decisions_page_shows_recorded_rows_by_place_and_three_blank_ones(sides):
    assembly = sides.assembly["own"]
    assembly_decisions_set(
        actor=secretariat(),
        assembly=assembly,
        decisions=[DecisionInput(rank=2, item="Parque"), DecisionInput(rank=1, item="Vía")],
    )
    text = page(client_as("manager", sides.scene).get(url("assembly-decisions", pk=assembly.pk)))
    assert 'name="d-TOTAL_FORMS" value="5"' in text
    assert text.index('value="Vía"') < text.index('value="Parque"')
    assert "Envelope of Comuna 1" in text


def test_decisions_typed_loosely_are_saved_in_order(sides):
    assembly = sides.assembly["own"]
    rows = [
        {"item": "Parque infantil", "rating": "7,5", "amount": "$ 300.000.000"},
        {"rank": "1", "item": "Vía a la vereda", "votes": "31"},
        {},  # a blank row is not a line
        {"rank": "4"},  # a place alone, with nothing else, is a blank row too
    ]
    response = client_as("manager", sides.scene).post(url("assembly-decisions", pk=assembly.pk), formset_post(rows))
    assert response.status_code == 302 and response["Location"] == url("assembly-edit", pk=assembly.pk)
    saved = list(assembly.decisions.values_list("rank", "item", "rating", "votes", "amount"))
    assert [(r, i, str(ra) if ra else None, v, a) for r, i, ra, v, a in saved] == [
        (1, "Vía a la vereda", None, 31, None),
        (2, "Parque infantil", "7.50", None, 300_000_000),
    ]


def test_emptying_a_row_removes_that_line(sides):
    assembly = sides.assembly["own"]
    assembly_decisions_set(
        actor=secretariat(),
        assembly=assembly,
        decisions=[DecisionInput(rank=1, item="A"), DecisionInput(rank=2, item="B")],
    )
    rows = [{"rank": "", "item": ""}, {"rank": "1", "item": "B"}]
    response = client_as("manager", sides.scene).post(url("assembly-decisions", pk=assembly.pk), formset_post(rows, 2))
    assert response.status_code == 302
    assert list(assembly.decisions.values_list("rank", "item")) == [(1, "B")]


def test_save_and_add_more_rows_comes_back_with_more_blank_rows(sides):
    assembly = sides.assembly["own"]
    client = client_as("manager", sides.scene)
    response = client.post(url("assembly-decisions", pk=assembly.pk), formset_post([{"item": "A"}], more="1"))
    assert response.status_code == 302 and response["Location"].endswith("?rows=9")
    assert 'name="d-TOTAL_FORMS" value="10"' in page(client.get(response["Location"]))


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"rank": "1", "item": "A"}, {"rank": "1", "item": "B"}], "Place 1 is given to more than one line"),
        ([{"votes": "12"}], "Write the proposal or item, or empty the whole row"),
        ([{"item": "A", "amount": "mucho"}], "Write the amount in whole pesos"),
        ([{"item": "A", "amount": "1.000.000.001"}], "more than the envelope of Comuna 1"),
        ([{"item": "A", "votes": "-1"}], "greater than or equal to 0"),
    ],
)
def test_bad_decisions_show_the_error_and_save_nothing(sides, rows, message):
    assembly = sides.assembly["own"]
    assembly_decisions_set(actor=secretariat(), assembly=assembly, decisions=[DecisionInput(rank=1, item="Antes")])
    response = client_as("manager", sides.scene).post(url("assembly-decisions", pk=assembly.pk), formset_post(rows))
    assert response.status_code == 200
    assert message in page(response)
    assert list(AssemblyDecision.objects.values_list("item", flat=True)) == ["Antes"]


def test_a_tampered_formset_is_an_error_not_a_crash(sides):
    response = client_as("manager", sides.scene).post(url("assembly-decisions", **_assembly(sides, "own")), {"x": "1"})
    assert response.status_code == 200


# --- Scan of the minutes --------------------------------------------------------------------------


def test_a_photo_of_the_minutes_is_saved(sides):
    assembly = sides.assembly["own"]
    photo = SimpleUploadedFile("acta.png", png_with_exif(), content_type="image/png")
    response = client_as("manager", sides.scene).post(url("assembly-scan", pk=assembly.pk), {"file": photo})
    assert response.status_code == 302 and response["Location"] == url("assembly-edit", pk=assembly.pk)
    assembly.refresh_from_db()
    assert (assembly.minutes_scan_type, assembly.minutes_scan_name) == ("image/png", "acta.png")
    text = page(client_as("manager", sides.scene).get(url("assembly-scan", pk=assembly.pk)))
    assert "Attached now: acta.png (image/png)" in text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("acta.pdf", b"MZ\x90\x00 program", "Only PDF documents and JPEG, PNG or WebP images are accepted"),
        ("acta.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "Only PDF documents"),
    ],
)
def test_a_scan_of_the_wrong_kind_shows_why_and_saves_nothing(sides, name, content, message):
    assembly = sides.assembly["own"]
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = client_as("manager", sides.scene).post(url("assembly-scan", pk=assembly.pk), {"file": upload})
    assert response.status_code == 200 and message in page(response)
    assembly.refresh_from_db()
    assert not assembly.minutes_scan


def test_a_scan_over_the_size_limit_shows_why(sides, settings):
    settings.MAX_UPLOAD_SIZE = 1024
    upload = SimpleUploadedFile("acta.pdf", minimal_pdf() + b"%" * 2000, content_type="application/pdf")
    response = client_as("manager", sides.scene).post(url("assembly-scan", **_assembly(sides, "own")), {"file": upload})
    assert response.status_code == 200 and "larger than" in page(response)


def test_the_scan_page_posts_multipart_and_accepts_photos(sides):
    text = page(client_as("manager", sides.scene).get(url("assembly-scan", **_assembly(sides, "own"))))
    assert 'enctype="multipart/form-data"' in text and "image/jpeg" in text


# --- Delegates ------------------------------------------------------------------------------------


def test_a_delegate_is_added_and_the_form_keeps_territory_and_assembly(sides):
    assembly = sides.assembly["own"]
    data = {
        "unit": str(assembly.unit_id),
        "name": "Rosa Benavides",
        "organisation": "JAC Lorenzo",
        "term_start": "2027-03-01",
        "term_end": "31/12/2027",
        "assembly": str(assembly.pk),
    }
    client = client_as("manager", sides.scene)
    response = client.post(url("delegate-list", cycle_pk=assembly.cycle_id), data)
    assert response.status_code == 302
    assert response["Location"].endswith(f"?unit={assembly.unit_id}&assembly={assembly.pk}")
    delegate = Delegate.objects.get(name="Rosa Benavides")
    assert (delegate.assembly, delegate.term_end) == (assembly, date(2027, 12, 31))
    text = page(client.get(response["Location"]))
    assert "Rosa Benavides" in text and "JAC Lorenzo" in text
    assert f'<option value="{assembly.pk}" selected>' in text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"term_end": "2027-02-01"}, "The term cannot end before it starts"),
        ({"name": ""}, "This field is required"),
        ({"term_start": "el lunes"}, "Enter a valid date"),
    ],
)
def test_bad_delegate_input_shows_the_error_and_saves_nothing(sides, data, message):
    unit = sides.cycle["own"].units.first()
    post = {"unit": str(unit.pk), "name": "Rosa", "term_start": "2027-03-01", "term_end": "2027-12-31", **data}
    response = client_as("manager", sides.scene).post(url("delegate-list", **_cycle(sides, "own")), post)
    assert response.status_code == 200 and message in page(response)
    assert Delegate.objects.count() == 2


def test_removing_a_delegate_asks_first_then_removes(sides):
    delegate = sides.delegate["own"]
    client = client_as("manager", sides.scene)
    assert "Remove Ana?" in page(client.get(url("delegate-remove", pk=delegate.pk)))
    assert Delegate.objects.filter(pk=delegate.pk).exists()
    response = client.post(url("delegate-remove", pk=delegate.pk))
    assert response.status_code == 302 and response["Location"] == url("delegate-list", cycle_pk=delegate.cycle_id)
    assert not Delegate.objects.filter(pk=delegate.pk).exists()


def test_a_delegate_of_another_municipality_cannot_be_removed(sides):
    response = client_as("manager", sides.scene).post(url("delegate-remove", **_delegate(sides, "other")))
    assert response.status_code == 403
    assert Delegate.objects.filter(pk=sides.delegate["other"].pk).exists()


# --- Development plans ------------------------------------------------------------------------


def test_a_plan_is_registered_then_its_page_opens(sides):
    client = client_as("manager", sides.scene)
    data = {"name": "Pasto, la gran capital", "start_year": "2024", "end_year": "2027"}
    response = client.post(url("plan-list", code="52001"), data)
    plan = DevelopmentPlan.objects.get(name="Pasto, la gran capital")
    assert response.status_code == 302 and response["Location"] == url("plan-detail", pk=plan.pk)
    assert "Import lines and programmes" in page(client.get(response["Location"]))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Plan"}, "already has a plan with this name"),
        ({"start_year": "2028"}, "The plan cannot end before it starts"),
        ({"end_year": "dos mil"}, "Enter a whole number"),
    ],
)
def test_bad_plan_input_shows_the_error_and_saves_nothing(sides, data, message):
    post = {"name": "Otro", "start_year": "2024", "end_year": "2027", **data}
    response = client_as("manager", sides.scene).post(url("plan-list", code="52001"), post)
    assert response.status_code == 200 and message in page(response)
    assert DevelopmentPlan.objects.count() == 2


def csv_file(text: str, encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile("plan.csv", text.encode(encoding), content_type="text/csv")


def test_a_plan_csv_is_imported_and_shown(sides):
    plan = sides.plan["own"]
    text = "\ufefflinea_codigo;linea;programa_codigo;programa\n1;Territorio seguro;1.1;Convivencia\n"
    client = client_as("organisation_manager", sides.scene)
    response = client.post(url("plan-import", pk=plan.pk), {"file": csv_file(text)})
    assert response.status_code == 302 and response["Location"] == url("plan-detail", pk=plan.pk)
    shown = page(client.get(response["Location"]))
    assert "Territorio seguro" in shown and "Convivencia" in shown


def test_a_bad_plan_csv_lists_the_rows_and_saves_nothing(sides):
    plan = sides.plan["own"]
    text = "linea_codigo,linea,programa_codigo,programa\n1,Seguridad,1.1,Convivencia\n,Sin código,,\n2,,2.1,X\n"
    response = client_as("manager", sides.scene).post(url("plan-import", pk=plan.pk), {"file": csv_file(text)})
    shown = page(response)
    assert response.status_code == 200 and "Nothing was saved" in shown
    assert "Row 3: the line code is missing." in shown and "Row 4:" in shown
    assert not PlanLine.objects.exists()


def test_a_plan_csv_over_one_megabyte_is_refused(sides):
    big = "linea_codigo,linea\n" + "1,Seguridad\n" * 120_000
    response = client_as("manager", sides.scene).post(
        url("plan-import", **_plan(sides, "own")), {"file": csv_file(big)}
    )
    assert response.status_code == 200 and "larger than 1 MB" in page(response)
    assert not PlanLine.objects.exists()


def test_the_import_page_shows_a_sample(sides):
    text = page(client_as("manager", sides.scene).get(url("plan-import", **_plan(sides, "own"))))
    assert "linea_codigo;linea;programa_codigo;programa" in text
