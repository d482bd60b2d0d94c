"""Odd input found in review: each gets a clear answer, never a 500, and nothing changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from cycles.assemblies import AssemblyInput, assembly_record
from cycles.lifecycle import cycle_advance
from cycles.models import Phase
from cycles.plans import plan_create, plan_import_csv
from cycles.schedule import PhaseInput, phase_add, phase_update
from tests.cycles.factories import make_cycle, secretariat
from tests.nodes.test_manage_views import client_as

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def test_a_phase_cannot_open_proposals_again_once_they_were_closed():
    boss = secretariat()
    cycle = make_cycle(published=True, start=timezone.localdate() - timedelta(days=70), actor=boss)
    assert [step.value for step in cycle_advance(cycle_id=cycle.pk)] == ["close_proposals"]
    last_end = cycle.phases.order_by("-ends_at").first().ends_at
    data = PhaseInput(kind="proposals", starts_at=last_end, ends_at=last_end + timedelta(days=10))
    with pytest.raises(ValidationError) as caught:
        phase_add(actor=boss, cycle=cycle, data=data, reason="more ideas")
    assert caught.value.code == "step_done" and "Submit proposals" in caught.value.messages[0]
    future = cycle.phases.filter(starts_at__gt=timezone.now()).order_by("starts_at").last()
    changed = PhaseInput(kind="proposals", starts_at=future.starts_at, ends_at=future.ends_at)
    with pytest.raises(ValidationError):
        phase_update(actor=boss, phase=future, data=changed, reason="more ideas")
    assert Phase.objects.get(pk=future.pk).kind == future.kind
    # Other phases may still be added.
    phase_add(
        actor=boss,
        cycle=cycle,
        data=PhaseInput(kind="information", starts_at=last_end, ends_at=last_end + timedelta(days=3)),
        reason="an extra information week",
    )


@pytest.mark.parametrize("query", ["nodo=%00", "departamento=%00", "municipio=%00", "municipio=5200x", "nodo=a%20b"])
def test_the_public_list_ignores_malformed_filters(client, query):
    make_cycle(published=True)
    response = client.get(reverse("cycles:cycle-list") + "?" + query)
    assert response.status_code == 200 and len(response.context["page"].object_list) == 1


@pytest.fixture
def assembly(scene):
    cycle = make_cycle(scene.own_municipality)
    return assembly_record(
        actor=secretariat(),
        cycle=cycle,
        data=AssemblyInput(kind="cabildo", held_at=timezone.now(), place="Salón comunal"),
    )


def decisions_post(**row) -> dict[str, str]:
    data = {"d-TOTAL_FORMS": "1", "d-INITIAL_FORMS": "0", "d-MIN_NUM_FORMS": "0", "d-MAX_NUM_FORMS": "300"}
    for field in ("rank", "item", "rating", "votes", "amount", "note"):
        data[f"d-0-{field}"] = row.get(field, "")
    return data


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"rank": "1", "item": "Parque", "amount": "²"}, "whole pesos"),
        ({"rank": "1", "item": "Parque", "amount": "9" * 20}, "not plausible"),
        ({"rank": "1", "item": "Parque", "votes": "99999999999"}, "less than or equal to"),
    ],
)
def test_odd_decision_numbers_are_refused_on_the_form(scene, assembly, row, message):
    url = reverse("cycles-records:assembly-decisions", kwargs={"pk": assembly.pk})
    response = client_as("manager", scene).post(url, decisions_post(**row))
    assert response.status_code == 200 and message in response.content.decode()
    assert not assembly.decisions.exists()


def test_an_assembly_far_in_the_future_is_refused_on_the_form(scene, assembly):
    url = reverse("cycles-records:assembly-create", kwargs={"cycle_pk": assembly.cycle_id})
    post = {"kind": "cabildo", "held_at": "9999-12-31T23:59", "place": "Salón"}
    response = client_as("manager", scene).post(url, post)
    assert response.status_code == 200 and "between 1990 and 2100" in response.content.decode()
    assert assembly.cycle.assemblies.count() == 1


def test_the_delegate_page_ignores_odd_links(scene, assembly):
    url = reverse("cycles-records:delegate-list", kwargs={"cycle_pk": assembly.cycle_id})
    assert client_as("manager", scene).get(url + "?unit=%C2%B2&assembly=99999999999999").status_code == 200


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("linea_codigo,linea\n1,Educaci\x00n\n", "NUL character"),
        ('linea_codigo,linea\n1,"' + "x" * 200_000 + '"\n', "could not be read as CSV"),
    ],
)
def test_a_plan_file_that_is_not_plain_csv_is_refused_with_a_message(scene, content, message):
    boss = secretariat()
    plan = plan_create(actor=boss, municipality=scene.own_municipality, name="Pasto", start_year=2024, end_year=2027)
    result = plan_import_csv(actor=boss, plan=plan, content=content)
    assert any(message in str(error) for error in result.errors)
    assert not plan.lines.exists()


def test_in_person_days_beyond_2100_are_refused(scene):
    cycle = make_cycle(scene.own_municipality)
    before = list(cycle.voting.in_person_days)
    url = reverse("cycles-manage:cycle-voting", kwargs={"pk": cycle.pk})
    client = client_as("manager", scene)
    form = client.get(url).context["form"]
    post = {name: value for name, value in form.initial.items() if value is not None}
    post.update({"in_person_days": "31/12/9999"})
    response = client.post(url, post)
    assert response.status_code == 200 and "between 1990 and 2100" in response.content.decode()
    cycle.voting.refresh_from_db()
    assert cycle.voting.in_person_days == before
