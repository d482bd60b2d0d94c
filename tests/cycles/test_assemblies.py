"""Recording assemblies: who may record them (every role, own and other
municipality), each rule of the attendance, the scan checked by its content,
decisions replaced all or nothing within the envelope, delegates; every act
audited without personal data."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from accounts.models import AuditEntry
from cycles.assemblies import (
    AssemblyInput,
    DecisionInput,
    assembly_attach_scan,
    assembly_decisions_set,
    assembly_record,
    assembly_update,
    delegate_add,
    delegate_remove,
)
from cycles.models import Assembly, AssemblyDecision, Delegate
from cycles.schedule import PhaseInput, phase_add
from tests.cycles.conftest import make_actor
from tests.cycles.factories import at, make_cycle, secretariat
from tests.nodes.conftest import ACTOR_ROLES
from tests.nodes.test_activities import minimal_pdf, png_with_exif

pytestmark = pytest.mark.django_db

RECORDERS = {"secretariat", "coordinator", "manager", "organisation_manager"}
ENVELOPE = 1_000_000_000  # 3,000 million split equally among 3 comunas


@pytest.fixture(autouse=True)
def in_english():
    """Messages in English, so that tests read the source strings."""
    with translation.override("en"):
        yield


@pytest.fixture
def cycles(scene):
    """A cycle of the scene's own municipality convened with its organisation, and one of the other."""
    own = make_cycle(scene.own_municipality, convener_kind="mixed", convener_organisation=scene.own_organisation)
    other = make_cycle(scene.other_municipality)
    return {"own": own, "other": other}


@pytest.fixture
def own(cycles):
    return cycles["own"]


@pytest.fixture
def media(media, settings):
    """The folder uploads go to in this test (set by the cycles conftest)."""
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def manager(scene):
    return make_actor("manager", scene)


def meeting(**overrides) -> AssemblyInput:
    fields = {"kind": "cabildo", "held_at": at("2027-03-01", 18), "place": "Salón comunal", "attendance": 40}
    return AssemblyInput(**{**fields, **overrides})


def unit_of(cycle, position: int = 1):
    return cycle.units.order_by("position")[position - 1]


def code_of(error: ValidationError) -> str | None:
    """The code of a refusal, whether tied to a field or not."""
    if hasattr(error, "error_dict"):
        return next(iter(error.error_dict.values()))[0].code
    return error.code


def audit(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action))


def upload(name: str, content: bytes, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- Recording an assembly ------------------------------------------------------------------


def test_manager_records_a_cabildo_of_a_territory_audited_with_ids_only(own, manager):
    unit = unit_of(own)
    phase = own.phases.first()
    assembly = assembly_record(
        actor=manager,
        cycle=own,
        data=meeting(unit=unit, phase=phase, convener="  Alcaldía  ", women=22, men=17, other_gender=1, age_60_plus=9),
    )
    assembly.refresh_from_db()
    assert (assembly.cycle, assembly.unit, assembly.phase) == (own, unit, phase)
    assert (assembly.attendance, assembly.women, assembly.men, assembly.age_14_17) == (40, 22, 17, None)
    assert assembly.convener == "Alcaldía" and assembly.recorded_by == manager
    [entry] = audit("cycles.assembly_recorded")
    assert entry.subject == f"cycles.assembly:{assembly.pk}"
    assert entry.data == {
        "cycle": own.pk,
        "kind": "cabildo",
        "unit": unit.pk,
        "phase": phase.pk,
        "held_at": "2027-03-01T23:00:00+00:00",
        "attendance": 40,
    }


@pytest.mark.parametrize("role", ACTOR_ROLES)
@pytest.mark.parametrize("side", ["own", "other"])
def test_who_may_record_assemblies(scene, cycles, role, side):
    actor = make_actor(role, scene)
    allowed = role == "secretariat" or (side == "own" and role in RECORDERS)
    if allowed:
        assert assembly_record(actor=actor, cycle=cycles[side], data=meeting()).pk
    else:
        with pytest.raises(PermissionDenied):
            assembly_record(actor=actor, cycle=cycles[side], data=meeting())
        assert not Assembly.objects.exists() and not audit("cycles.assembly_recorded")


def test_an_organisation_manager_records_only_cycles_their_organisation_convenes(scene):
    cycle = make_cycle(scene.own_municipality)  # convened by the Alcaldía alone
    with pytest.raises(PermissionDenied):
        assembly_record(actor=make_actor("organisation_manager", scene), cycle=cycle, data=meeting())


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"kind": "fiesta"}, "kind", "kind"),
        ({"place": "   "}, "place", "place"),
        ({"attendance": -1}, "negative_count", "attendance"),
        ({"attendance": 10, "women": 6, "men": 5}, "breakdown_over_attendance", "women"),
        ({"attendance": 10, "other_gender": 11}, "breakdown_over_attendance", "women"),
        (
            {"attendance": 10, "age_14_17": 3, "age_18_28": 3, "age_29_59": 3, "age_60_plus": 2},
            "breakdown_over_attendance",
            "age_14_17",
        ),
    ],
)
def test_assembly_record_refuses_broken_rules_and_saves_nothing(own, manager, overrides, code, field):
    with pytest.raises(ValidationError) as caught:
        assembly_record(actor=manager, cycle=own, data=meeting(**overrides))
    assert code_of(caught.value) == code
    assert field in caught.value.message_dict
    assert not Assembly.objects.exists() and not audit("cycles.assembly_recorded")


def test_a_phase_or_territory_of_another_cycle_is_refused(cycles, manager):
    own, other = cycles["own"], cycles["other"]
    for overrides, code in (
        ({"phase": other.phases.first()}, "phase_of_other_cycle"),
        ({"unit": unit_of(other)}, "unit_of_other_cycle"),
    ):
        with pytest.raises(ValidationError) as caught:
            assembly_record(actor=manager, cycle=own, data=meeting(**overrides))
        assert code_of(caught.value) == code
    assert not Assembly.objects.exists()


def test_a_territory_where_the_chosen_phase_does_not_run_is_refused(own, manager):
    first, second = unit_of(own, 1), unit_of(own, 2)
    late = at("2031-01-01")
    phase = phase_add(
        actor=secretariat(),
        cycle=own,
        data=PhaseInput(kind="assembly_decision", starts_at=late, ends_at=late + timedelta(days=5), units=[first]),
    )
    assert assembly_record(actor=manager, cycle=own, data=meeting(phase=phase, unit=first)).pk
    with pytest.raises(ValidationError) as caught:
        assembly_record(actor=manager, cycle=own, data=meeting(phase=phase, unit=second))
    assert code_of(caught.value) == "unit_not_in_phase"


@pytest.mark.parametrize(
    "overrides",
    [
        {"attendance": 10, "women": 6, "men": 4, "age_14_17": 2, "age_18_28": 3, "age_29_59": 4, "age_60_plus": 1},
        {"attendance": 10, "women": 7},  # a partial count: the rest were not counted
        {"attendance": None, "women": 7, "men": 9},  # counted by gender, no total taken
        {"attendance": None},
    ],
)
def test_breakdowns_up_to_the_attendance_partial_or_without_total_are_accepted(own, manager, overrides):
    assembly = assembly_record(actor=manager, cycle=own, data=meeting(**overrides))
    assert assembly.attendance == overrides["attendance"]


def test_assembly_update_corrects_the_record_and_audits_what_changed(own, manager):
    assembly = assembly_record(actor=manager, cycle=own, data=meeting())
    unit = unit_of(own, 2)
    assembly_update(actor=manager, assembly=assembly, data=meeting(place="Colegio", unit=unit, attendance=55))
    assembly.refresh_from_db()
    assert (assembly.place, assembly.unit, assembly.attendance) == ("Colegio", unit, 55)
    [entry] = audit("cycles.assembly_updated")
    assert entry.data["changed"] == ["attendance", "place", "unit_id"]


def test_assembly_update_with_a_broken_rule_changes_nothing(own, manager):
    assembly = assembly_record(actor=manager, cycle=own, data=meeting())
    with pytest.raises(ValidationError):
        assembly_update(actor=manager, assembly=assembly, data=meeting(place="Colegio", attendance=5, men=6))
    assembly.refresh_from_db()
    assert (assembly.place, assembly.attendance, assembly.men) == ("Salón comunal", 40, None)
    assert not audit("cycles.assembly_updated")


@pytest.mark.parametrize("role", sorted(set(ACTOR_ROLES) - RECORDERS))
def test_roles_that_do_not_record_cannot_update_an_assembly(scene, own, manager, role):
    assembly = assembly_record(actor=manager, cycle=own, data=meeting())
    with pytest.raises(PermissionDenied):
        assembly_update(actor=make_actor(role, scene), assembly=assembly, data=meeting(place="Otro"))


def test_a_manager_of_another_municipality_cannot_update_an_assembly(scene, cycles):
    assembly = assembly_record(actor=secretariat(), cycle=cycles["other"], data=meeting())
    with pytest.raises(PermissionDenied):
        assembly_update(actor=make_actor("manager", scene), assembly=assembly, data=meeting(place="Otro"))


# --- The scan of the minutes -------------------------------------------------------------------


def test_a_photo_of_the_minutes_is_reencoded_and_stored_under_a_random_name(own, manager, media):
    assembly = assembly_record(actor=manager, cycle=own, data=meeting())
    original = png_with_exif()
    assembly = assembly_attach_scan(
        actor=manager, assembly=assembly, upload=upload("../Acta cabildo <1>.png", original, "text/html")
    )
    assembly.refresh_from_db()
    assert (assembly.minutes_scan_type, assembly.minutes_scan_name) == ("image/png", "Acta cabildo <1>.png")
    name = assembly.minutes_scan.name
    assert name.startswith("assemblies/2027/") and name.endswith(".png") and "Acta" not in name
    stored = (media / name).read_bytes()
    assert stored != original and b"CameraMaker" not in stored
    assert Image.open(io.BytesIO(stored)).size == (12, 8)
    [entry] = audit("cycles.assembly_scan_attached")
    assert entry.data["content_type"] == "image/png" and entry.data["replaced"] is False
    assert "Acta" not in json.dumps(entry.data)


def test_a_new_scan_replaces_the_old_file_once_committed(own, manager, media, django_capture_on_commit_callbacks):
    assembly = assembly_record(actor=manager, cycle=own, data=meeting())
    with django_capture_on_commit_callbacks(execute=True):
        first = assembly_attach_scan(actor=manager, assembly=assembly, upload=upload("acta.pdf", minimal_pdf()))
    old = first.minutes_scan.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        second = assembly_attach_scan(actor=manager, assembly=assembly, upload=upload("acta2.pdf", minimal_pdf()))
    assert (media / old).is_file()  # still there until the transaction commits
    for callback in callbacks:
        callback()
    assert not (media / old).exists()
    assert (media / second.minutes_scan.name).read_bytes() == minimal_pdf()
    assert second.minutes_scan_name == "acta2.pdf"


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("acta.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00PE\x00\x00 program", "unsupported_type"),
        (
            "acta.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "unsupported_type",
        ),
        ("acta.pdf", b"", "empty"),
    ],
)
def test_a_scan_that_is_not_a_pdf_or_photo_is_refused_and_nothing_stored(own, manager, media, name, content, code):
    assembly = assembly_record(actor=manager, cycle=own, data=meeting())
    with pytest.raises(ValidationError) as caught:
        assembly_attach_scan(actor=manager, assembly=assembly, upload=upload(name, content))
    assert code_of(caught.value) == code
    assembly.refresh_from_db()
    assert not assembly.minutes_scan and not any(path.is_file() for path in media.rglob("*"))
    assert not audit("cycles.assembly_scan_attached")


def test_a_scan_over_the_size_limit_is_refused(own, manager, settings, media):
    settings.MAX_UPLOAD_SIZE = 1024
    assembly = assembly_record(actor=manager, cycle=own, data=meeting())
    with pytest.raises(ValidationError) as caught:
        assembly_attach_scan(actor=manager, assembly=assembly, upload=upload("acta.pdf", minimal_pdf() + b"%" * 2000))
    assert code_of(caught.value) == "too_large"
    assert not any(path.is_file() for path in media.rglob("*"))


def test_a_scan_cannot_be_attached_to_another_municipalitys_assembly(scene, cycles, manager, media):
    assembly = assembly_record(actor=secretariat(), cycle=cycles["other"], data=meeting())
    with pytest.raises(PermissionDenied):
        assembly_attach_scan(actor=manager, assembly=assembly, upload=upload("acta.pdf", minimal_pdf()))
    assert not any(path.is_file() for path in media.rglob("*"))


# --- Decisions ---------------------------------------------------------------------------


@pytest.fixture
def cabildo(own, manager):
    return assembly_record(actor=manager, cycle=own, data=meeting(unit=unit_of(own)))


def lines(*rows):
    return [DecisionInput(rank=rank, item=item, **extra) for rank, item, extra in rows]


def test_decisions_are_recorded_in_order_and_audited(cabildo, manager):
    assembly_decisions_set(
        actor=manager,
        assembly=cabildo,
        decisions=lines(
            (2, "Parque infantil", {"rating": Decimal("7.5"), "amount": 300_000_000}),
            (1, "  Vía a la vereda  ", {"votes": 31, "amount": 700_000_000, "note": "Prioridad"}),
        ),
    )
    saved = list(cabildo.decisions.values_list("rank", "item", "votes", "amount"))
    assert saved == [(1, "Vía a la vereda", 31, 700_000_000), (2, "Parque infantil", None, 300_000_000)]
    [entry] = audit("cycles.assembly_decisions_set")
    assert entry.data == {"cycle": cabildo.cycle_id, "count": 2, "amount_total": ENVELOPE}


def test_setting_decisions_again_replaces_the_whole_list(cabildo, manager):
    assembly_decisions_set(actor=manager, assembly=cabildo, decisions=lines((1, "A", {}), (2, "B", {}), (3, "C", {})))
    assembly_decisions_set(actor=manager, assembly=cabildo, decisions=lines((1, "C", {}), (2, "A", {})))
    assert list(cabildo.decisions.values_list("rank", "item")) == [(1, "C"), (2, "A")]
    assembly_decisions_set(actor=manager, assembly=cabildo, decisions=[])
    assert not cabildo.decisions.exists()


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        ([(1, "A", {}), (1, "B", {})], "Place 1 is given to more than one line"),
        ([(1, "A", {}), (3, "B", {})], "missing: 2"),
        ([(0, "A", {})], "Places start at 1"),
        ([(1, "  ", {})], "Place 1: write the proposal"),
        ([(1, "A", {"votes": -1})], "votes cannot be negative"),
        ([(1, "A", {"amount": -5})], "the amount must be 0 or more"),
        ([(1, "A", {"rating": Decimal("-1")})], "a rating goes from 0"),
        ([(1, "A" * 301, {})], "longer than 300"),
    ],
)
def test_bad_decisions_are_refused_and_the_previous_list_is_kept(cabildo, manager, rows, words):
    assembly_decisions_set(actor=manager, assembly=cabildo, decisions=lines((1, "Antes", {})))
    with pytest.raises(ValidationError) as caught:
        assembly_decisions_set(actor=manager, assembly=cabildo, decisions=lines(*rows))
    assert any(words in message for message in caught.value.messages)
    assert list(cabildo.decisions.values_list("item", flat=True)) == ["Antes"]
    assert len(audit("cycles.assembly_decisions_set")) == 1


def test_amounts_above_the_territorys_envelope_are_refused_with_both_figures(cabildo, manager):
    with pytest.raises(ValidationError) as caught:
        assembly_decisions_set(
            actor=manager,
            assembly=cabildo,
            decisions=lines((1, "Vía", {"amount": ENVELOPE}), (2, "Parque", {"amount": 1})),
        )
    assert code_of(caught.value) == "over_envelope"
    message = caught.value.messages[0]
    assert "$ 1,000,000,001" in message and "$ 1,000,000,000" in message and "Comuna 1" in message
    assert not AssemblyDecision.objects.exists()


def test_an_assembly_of_the_whole_cycle_has_no_envelope_to_keep_within(own, manager):
    assembly = assembly_record(actor=manager, cycle=own, data=meeting(kind="spokespeople"))
    assembly_decisions_set(actor=manager, assembly=assembly, decisions=lines((1, "Plan", {"amount": 2 * ENVELOPE})))
    assert assembly.decisions.get().amount == 2 * ENVELOPE


@pytest.mark.parametrize("role", sorted(set(ACTOR_ROLES) - RECORDERS))
def test_roles_that_do_not_record_cannot_set_decisions(scene, cabildo, role):
    with pytest.raises(PermissionDenied):
        assembly_decisions_set(actor=make_actor(role, scene), assembly=cabildo, decisions=lines((1, "A", {})))
    assert not AssemblyDecision.objects.exists()


# --- Delegates ---------------------------------------------------------------------------


TERM = {"term_start": date(2027, 3, 1), "term_end": date(2027, 12, 31)}


def test_a_delegate_elected_at_a_cabildo_is_recorded_and_the_audit_has_no_name(own, cabildo, manager):
    delegate = delegate_add(
        actor=manager,
        cycle=own,
        unit=cabildo.unit,
        name="  María Pérez ",
        organisation="JAC Lorenzo",
        assembly=cabildo,
        **TERM,
    )
    delegate.refresh_from_db()
    assert (delegate.name, delegate.unit, delegate.assembly, delegate.term_end) == (
        "María Pérez",
        cabildo.unit,
        cabildo,
        date(2027, 12, 31),
    )
    [entry] = audit("cycles.delegate_added")
    assert entry.data == {"cycle": own.pk, "unit": cabildo.unit_id, "assembly": cabildo.pk}
    assert "María" not in json.dumps(entry.data) + entry.subject


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda c, cyc: {"unit": unit_of(cyc["other"])}, "unit_of_other_cycle"),
        (lambda c, cyc: {"name": "  "}, "name"),
        (lambda c, cyc: {"term_end": date(2027, 2, 28)}, "term_end_before_start"),
        (
            lambda c, cyc: {"assembly": assembly_record(actor=secretariat(), cycle=cyc["other"], data=meeting())},
            "assembly_of_other_cycle",
        ),
        (lambda c, cyc: {"unit": unit_of(cyc["own"], 2), "assembly": c}, "assembly_of_other_unit"),
    ],
)
def test_delegate_add_refuses_broken_rules(cycles, cabildo, manager, change, code):
    fields = {"unit": cabildo.unit, "name": "María Pérez", **TERM, **change(cabildo, cycles)}
    with pytest.raises(ValidationError) as caught:
        delegate_add(actor=manager, cycle=cycles["own"], **fields)
    assert code_of(caught.value) == code
    assert not Delegate.objects.exists() and not audit("cycles.delegate_added")


def test_a_delegate_on_a_one_day_term_is_fine(own, manager):
    day = date(2027, 5, 1)
    assert delegate_add(actor=manager, cycle=own, unit=unit_of(own), name="Ana", term_start=day, term_end=day).pk


@pytest.mark.parametrize("role", ACTOR_ROLES)
@pytest.mark.parametrize("side", ["own", "other"])
def test_who_may_add_and_remove_delegates(scene, cycles, role, side):
    actor = make_actor(role, scene)
    cycle = cycles[side]
    allowed = role == "secretariat" or (side == "own" and role in RECORDERS)
    existing = delegate_add(actor=secretariat(), cycle=cycle, unit=unit_of(cycle), name="Luis", **TERM)
    if allowed:
        delegate_add(actor=actor, cycle=cycle, unit=unit_of(cycle), name="Ana", **TERM)
        delegate_remove(actor=actor, delegate=existing)
        assert list(Delegate.objects.values_list("name", flat=True)) == ["Ana"]
    else:
        with pytest.raises(PermissionDenied):
            delegate_add(actor=actor, cycle=cycle, unit=unit_of(cycle), name="Ana", **TERM)
        with pytest.raises(PermissionDenied):
            delegate_remove(actor=actor, delegate=existing)
        assert list(Delegate.objects.values_list("name", flat=True)) == ["Luis"]


def test_removing_a_delegate_is_audited_without_their_name(own, manager):
    delegate = delegate_add(actor=manager, cycle=own, unit=unit_of(own), name="Ana Ruiz", **TERM)
    delegate_remove(actor=manager, delegate=delegate)
    assert not Delegate.objects.exists()
    [entry] = audit("cycles.delegate_removed")
    assert entry.subject == f"cycles.delegate:{delegate.pk}"
    assert entry.data == {"cycle": own.pk, "unit": delegate.unit_id}
