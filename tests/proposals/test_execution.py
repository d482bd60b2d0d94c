# ruff: noqa: F811  (fixtures imported from other test modules are parameters here)
"""Execution follow-up: services (who may start, update and remark, each rule, nothing
half-saved, audit), photos checked by content and stripped of metadata, and selectors
(exact figures, constant queries)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from accounts.models import AuditEntry
from cycles.models import Cycle
from proposals import execution as services
from proposals.execution import (
    cycle_execution_summary,
    execution_context,
    execution_start,
    execution_timeline,
    execution_update_post,
    monitor_remark,
)
from proposals.models import Execution, ExecutionUpdate, MonitorRemark, Proposal, Status
from tests.cycles.conftest import make_actor, scene  # noqa: F401  (the two-sided scene)
from tests.cycles.factories import make_cycle, secretariat
from tests.nodes.test_activities import jpeg_with_exif, minimal_pdf, png_with_exif
from tests.proposals.factories import proposal_in, unit_of

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
# The cycle's managers (its own organisation convenes the own cycle) and the network.
UPDATERS = {"own": {"secretariat", "coordinator", "manager", "organisation_manager"}, "other": {"secretariat"}}
REMARKERS = {"own": {"monitor"}, "other": set()}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@dataclass
class Sides:
    """A published cycle on each side of the scene: "own" is Pasto (52001), convened by
    the scene's own organisation; "other" is Barrancabermeja (68081). Each has a selected
    proposal whose follow-up has started and one whose follow-up has not."""

    scene: Any
    cycle: dict[str, Cycle]
    followed: dict[str, Proposal]
    selected: dict[str, Proposal]

    def execution(self, side: str = "own") -> Execution:
        return Execution.objects.get(proposal=self.followed[side])


def selected_in(cycle: Cycle, **fields: Any) -> Proposal:
    return proposal_in(cycle, status=Status.SELECTED, **fields)


@pytest.fixture
def sides(scene) -> Sides:
    return make_sides(scene)


def make_sides(scene) -> Sides:
    scene.own_organisation.municipality = scene.own_municipality
    scene.own_organisation.save()
    boss = secretariat()
    cycle = {
        "own": make_cycle(
            scene.own_municipality,
            convener_kind="mixed",
            convener_organisation=scene.own_organisation,
            published=True,
            actor=boss,
        ),
        "other": make_cycle(scene.other_municipality, published=True, actor=boss),
    }
    followed, selected = {}, {}
    for side in ("own", "other"):
        followed[side] = selected_in(cycle[side], title=f"Polideportivo {side}", estimated_cost=200_000_000)
        Execution.objects.create(proposal=followed[side], updated_at=timezone.now())
        selected[side] = selected_in(cycle[side], title=f"Biblioteca {side}", estimated_cost=80_000_000)
    return Sides(scene, cycle, followed, selected)


def actor(sides: Sides, role: str):
    return make_actor(role, sides.scene)


def post(sides: Sides, who, side: str = "own", **overrides):
    values: dict[str, Any] = {
        "happened_on": timezone.localdate(),
        "text": "Se firmó el contrato de obra.",
        "status": "contracted",
        "progress": 10,
        "committed": 150_000_000,
        "spent": 20_000_000,
        "mode": "contractor",
        "now": timezone.now(),
    }
    values.update(overrides)
    return execution_update_post(actor=who, execution=sides.execution(side), **values)


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def field_code(error: ValidationError, name: str) -> str | None:
    return error.error_dict[name][0].code


# --- Starting the follow-up -----------------------------------------------------------


CELLS = [(role, side) for role in ROLES for side in ("own", "other")]


@pytest.mark.parametrize(("role", "side"), CELLS)
def test_execution_start_only_by_the_cycles_managers(sides, role, side):
    proposal = sides.selected[side]
    if role in UPDATERS[side]:
        execution = execution_start(actor=actor(sides, role), proposal=proposal, now=timezone.now())
        assert (execution.status, execution.progress, execution.committed, execution.spent) == ("in_plan", 0, 0, 0)
        entry = AuditEntry.objects.get(action="proposals.execution_started")
        assert entry.subject == f"proposals.proposal:{proposal.pk}"
    else:
        with pytest.raises(PermissionDenied):
            execution_start(actor=actor(sides, role), proposal=proposal, now=timezone.now())
        assert not Execution.objects.filter(proposal=proposal).exists()
        assert not AuditEntry.objects.filter(action="proposals.execution_started").exists()


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.IN_REVIEW, Status.VIABLE, Status.NOT_SELECTED])
def test_execution_start_refuses_proposals_not_selected(sides, status):
    proposal = proposal_in(sides.cycle["own"], status=status)
    with pytest.raises(ValidationError) as caught:
        execution_start(actor=actor(sides, "manager"), proposal=proposal, now=timezone.now())
    assert caught.value.code == "not_selected"
    assert not Execution.objects.filter(proposal=proposal).exists()


def test_execution_start_refuses_a_second_start(sides):
    manager = actor(sides, "manager")
    with pytest.raises(ValidationError) as caught:
        execution_start(actor=manager, proposal=sides.followed["own"], now=timezone.now())
    assert caught.value.code == "already_started"
    assert Execution.objects.filter(proposal=sides.followed["own"]).count() == 1
    assert not AuditEntry.objects.filter(action__startswith="proposals.").exists()


# --- Posting updates ------------------------------------------------------------------


def test_an_update_is_kept_and_mirrored_on_the_execution_with_an_audit_entry(sides):
    manager = actor(sides, "manager")
    update = post(sides, manager, text="  Se firmó el contrato.  ")
    execution = sides.execution()
    assert (update.text, update.status, update.progress, update.author) == (
        "Se firmó el contrato.",
        "contracted",
        10,
        manager,
    )
    assert not update.photo
    assert (execution.status, execution.progress, execution.committed, execution.spent, execution.mode) == (
        "contracted",
        10,
        150_000_000,
        20_000_000,
        "contractor",
    )
    entry = AuditEntry.objects.get(action="proposals.execution_updated")
    assert entry.data["update"] == update.pk and entry.data["spent"] == 20_000_000 and entry.data["photo"] is False
    later = post(sides, manager, status="delivered", progress=100, committed=190_000_000, spent=190_000_000, mode="")
    execution.refresh_from_db()
    assert (execution.status, execution.progress, execution.spent, execution.mode) == (
        "delivered",
        100,
        190_000_000,
        "",
    )
    assert list(execution.updates.all()) == [later, update]


@pytest.mark.parametrize(("role", "side"), CELLS)
def test_only_the_cycles_managers_post_updates(sides, role, side):
    if role in UPDATERS[side]:
        assert post(sides, actor(sides, role), side=side).pk
    else:
        with pytest.raises(PermissionDenied):
            post(sides, actor(sides, role), side=side)
        assert not ExecutionUpdate.objects.exists()
        assert sides.execution(side).status == "in_plan"


@pytest.mark.parametrize(
    ("overrides", "name", "code"),
    [
        ({"happened_on": timezone.localdate() + timedelta(days=1)}, "happened_on", "future_date"),
        ({"text": "   "}, "text", "text_required"),
        ({"text": "x" * 5001}, "text", "text_too_long"),
        ({"status": "finished"}, "status", "status"),
        ({"progress": 101}, "progress", "progress"),
        ({"progress": -1}, "progress", "progress"),
        ({"progress": 50.5}, "progress", "progress"),
        ({"status": "delivered", "progress": 90}, "progress", "delivered_not_complete"),
        ({"committed": -5}, "committed", "negative_money"),
        ({"spent": -5}, "spent", "negative_money"),
        ({"committed": 10**16}, "committed", "absurd_money"),
        ({"committed": 1_000.5}, "committed", "pesos"),
        ({"committed": 10_000_000, "spent": 10_000_001}, "spent", "spent_over_committed"),
        ({"mode": "magic"}, "mode", "mode"),
    ],
)
def test_post_refuses_each_broken_rule_and_saves_nothing(sides, overrides, name, code):
    with pytest.raises(ValidationError) as caught:
        post(sides, actor(sides, "manager"), **overrides)
    assert field_code(caught.value, name) == code
    assert not ExecutionUpdate.objects.exists()
    assert sides.execution().status == "in_plan" and sides.execution().spent == 0
    assert not AuditEntry.objects.filter(action__startswith="proposals.").exists()


def test_post_refuses_an_update_dated_before_the_latest_one(sides):
    manager = actor(sides, "manager")
    post(sides, manager, happened_on=days_ago(10))
    post(sides, manager, happened_on=days_ago(10), progress=15)  # the same day is fine
    with pytest.raises(ValidationError) as caught:
        post(sides, manager, happened_on=days_ago(11), progress=40)
    assert field_code(caught.value, "happened_on") == "before_latest"
    assert days_ago(10).isoformat() in caught.value.error_dict["happened_on"][0].messages[0]
    assert sides.execution().progress == 15


def test_spending_exactly_what_was_committed_is_fine(sides):
    assert post(sides, actor(sides, "manager"), committed=5_000, spent=5_000).pk


# --- Photos -----------------------------------------------------------------------------


def stored(media, update: ExecutionUpdate) -> bytes:
    return (media / update.photo.name).read_bytes()


def test_a_jpeg_photo_loses_its_exif_and_comment(sides, media):
    original = jpeg_with_exif()
    assert b"CameraMaker" in original
    update = post(sides, actor(sides, "manager"), photo=upload("../../obra <1>.jpg", original))
    content = stored(media, update)
    assert update.photo.name.startswith(f"execution/{update.created_at:%Y}/") and update.photo.name.endswith(".jpg")
    assert "obra" not in update.photo.name
    assert content.startswith(b"\xff\xd8\xff")
    assert b"Exif" not in content and b"CameraMaker" not in content and b"secret comment" not in content
    assert not Image.open(io.BytesIO(content)).getexif()
    assert AuditEntry.objects.get(action="proposals.execution_updated").data["photo"] is True


def test_a_png_photo_is_stored_as_a_jpeg_without_metadata(sides, media):
    update = post(sides, actor(sides, "manager"), photo=upload("foto.png", png_with_exif(), "image/png"))
    content = stored(media, update)
    image = Image.open(io.BytesIO(content))
    assert (image.format, image.size) == ("JPEG", (12, 8))
    assert b"CameraMaker" not in content


def test_a_transparent_png_is_flattened_onto_white(sides, media):
    image = Image.new("RGBA", (4, 4), (0, 0, 0, 0))
    output = io.BytesIO()
    image.save(output, format="PNG")
    update = post(sides, actor(sides, "manager"), photo=upload("logo.png", output.getvalue(), "image/png"))
    stored_image = Image.open(io.BytesIO(stored(media, update)))
    assert stored_image.mode == "RGB"
    assert all(channel > 240 for channel in stored_image.getpixel((1, 1)))


def test_a_large_photo_is_scaled_down(sides, media, monkeypatch):
    monkeypatch.setattr(services, "PHOTO_MAX_SIDE", 10)
    update = post(sides, actor(sides, "manager"), photo=upload("foto.jpg", jpeg_with_exif()))
    assert Image.open(io.BytesIO(stored(media, update))).size == (10, 10)


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("foto.jpg", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00PE\x00\x00 fake program", "unsupported_type"),
        ("foto.svg", SVG, "unsupported_type"),
        ("foto.jpg", SVG, "unsupported_type"),
        ("acta.pdf", minimal_pdf(), "photo_not_image"),
        ("rota.jpg", b"\xff\xd8\xff" + b"\x00" * 40, "image_unreadable"),
        ("vacia.jpg", b"", "empty"),
    ],
)
def test_a_photo_that_is_not_a_clean_image_is_refused_and_nothing_is_kept(sides, media, name, content, code):
    with pytest.raises(ValidationError) as caught:
        post(sides, actor(sides, "manager"), photo=upload(name, content))
    assert field_code(caught.value, "photo") == code
    assert not ExecutionUpdate.objects.exists()
    assert sides.execution().status == "in_plan"
    assert not any(path.is_file() for path in media.rglob("*"))


def test_a_photo_over_the_size_limit_is_refused(sides, settings):
    settings.MAX_UPLOAD_SIZE = 100
    with pytest.raises(ValidationError) as caught:
        post(sides, actor(sides, "manager"), photo=upload("foto.jpg", jpeg_with_exif()))
    assert field_code(caught.value, "photo") == "too_large"


def test_a_failure_after_the_photo_was_written_removes_it(sides, media, monkeypatch):
    def broken_audit(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(services, "audit_record", broken_audit)
    with pytest.raises(RuntimeError):
        post(sides, actor(sides, "manager"), photo=upload("foto.jpg", jpeg_with_exif()))
    assert not ExecutionUpdate.objects.exists()
    assert not any(path.is_file() for path in media.rglob("*"))


# --- Monitors' remarks --------------------------------------------------------------------


@pytest.mark.parametrize(("role", "side"), CELLS)
def test_only_the_municipalitys_monitors_remark(sides, role, side):
    update = post(sides, actor(sides, "secretariat"), side=side)
    who = actor(sides, role)
    if role in REMARKERS[side]:
        remark = monitor_remark(actor=who, update=update, text="  La obra está parada.  ", now=timezone.now())
        assert (remark.text, remark.monitor, remark.update) == ("La obra está parada.", who, update)
        entry = AuditEntry.objects.get(action="proposals.monitor_remarked")
        assert entry.data == {"update": update.pk, "remark": remark.pk}
    else:
        with pytest.raises(PermissionDenied):
            monitor_remark(actor=who, update=update, text="Observación", now=timezone.now())
        assert not MonitorRemark.objects.exists()


@pytest.mark.parametrize(("text", "code"), [("   ", "text_required"), ("x" * 3001, "text_too_long")])
def test_a_remark_needs_sensible_text(sides, text, code):
    update = post(sides, actor(sides, "manager"))
    with pytest.raises(ValidationError) as caught:
        monitor_remark(actor=actor(sides, "monitor"), update=update, text=text, now=timezone.now())
    assert field_code(caught.value, "text") == code
    assert not MonitorRemark.objects.exists()
    assert not AuditEntry.objects.filter(action="proposals.monitor_remarked").exists()


# --- Reading --------------------------------------------------------------------------------


def test_the_timeline_takes_two_queries_whatever_its_length(sides, django_assert_num_queries):
    manager, monitor = actor(sides, "manager"), actor(sides, "monitor")
    updates = [post(sides, manager, progress=n * 10, happened_on=days_ago(10 - n)) for n in range(1, 5)]
    for update in updates[1:]:
        for n in range(2):
            monitor_remark(actor=monitor, update=update, text=f"Observación {n}", now=timezone.now())
    with django_assert_num_queries(2):
        timeline = execution_timeline(sides.followed["own"])
        seen = [(u.progress, [(r.text, r.monitor.name) for r in u.remarks.all()]) for u in timeline]
    assert [progress for progress, _remarks in seen] == [40, 30, 20, 10]
    assert seen[0][1] == [("Observación 0", monitor.name), ("Observación 1", monitor.name)]
    assert seen[-1][1] == []
    assert execution_timeline(sides.followed["other"]) == []


def test_the_cycle_summary_has_exact_figures_in_two_queries(sides, django_assert_num_queries):
    cycle = sides.cycle["own"]
    first, second = unit_of(cycle, 0), unit_of(cycle, 1)
    manager = actor(sides, "manager")
    # sides gave the first territory: followed (200 M, in plan) and selected (80 M, not started).
    delivered = selected_in(cycle, unit=second, estimated_cost=90_000_000, adjusted_cost=120_000_000)
    execution_start(actor=manager, proposal=delivered, now=timezone.now())
    execution_update_post(
        actor=manager,
        execution=delivered.execution,
        happened_on=timezone.localdate(),
        text="Entregado",
        status="delivered",
        progress=100,
        committed=118_000_000,
        spent=117_500_000,
        mode="convenio_solidario",
        now=timezone.now(),
    )
    post(sides, manager, status="in_execution", progress=35, committed=150_000_000, spent=60_000_000)
    proposal_in(cycle, unit=second, status=Status.VIABLE, estimated_cost=999)  # not funded
    selected_in(sides.cycle["other"], estimated_cost=777)  # another cycle
    with django_assert_num_queries(2):
        summary = cycle_execution_summary(cycle)
        rows = [(row.unit.name, row.figures) for row in summary.territories]
        projects = [
            (p.proposal.title, p.proposal.unit.name, p.execution and p.execution.status) for p in summary.projects
        ]
    totals = summary.totals
    assert (totals.funded, totals.delivered) == (3, 1)
    assert totals.decided == 200_000_000 + 80_000_000 + 120_000_000  # the cost after review counts
    assert (totals.committed, totals.spent) == (268_000_000, 177_500_000)
    assert {row.status: row.count for row in summary.by_status} == {
        "not_started": 1,
        "in_plan": 0,
        "contracted": 0,
        "in_execution": 1,
        "delivered": 1,
        "suspended": 0,
    }
    by_unit = dict(rows)
    assert (by_unit[first.name].funded, by_unit[first.name].decided, by_unit[first.name].spent) == (
        2,
        280_000_000,
        60_000_000,
    )
    assert (by_unit[second.name].funded, by_unit[second.name].delivered, by_unit[second.name].committed) == (
        1,
        1,
        118_000_000,
    )
    assert len(rows) == cycle.units.count()  # territories without projects are listed too
    assert sum(figures.funded for _name, figures in rows) == 3
    assert projects == [
        ("Biblioteca own", first.name, None),
        ("Polideportivo own", first.name, "in_execution"),
        (delivered.title, second.name, "delivered"),
    ]


def test_a_cycle_without_funded_projects_sums_to_zero(sides):
    summary = cycle_execution_summary(make_cycle("68081", published=True))
    assert (summary.totals.funded, summary.totals.decided, summary.totals.spent, summary.projects) == (0, 0, 0, [])


def test_the_proposal_page_context_has_the_latest_updates_in_two_queries(sides, django_assert_num_queries):
    manager, monitor = actor(sides, "manager"), actor(sides, "monitor")
    updates = [post(sides, manager, progress=n, happened_on=days_ago(10 - n)) for n in range(1, 6)]
    monitor_remark(actor=monitor, update=updates[-1], text="Bien", now=timezone.now())
    with django_assert_num_queries(2):
        context = execution_context(proposal=sides.followed["own"])
    assert context["execution"].progress == 5
    assert [(u.progress, u.remark_count) for u in context["execution_recent"]] == [(5, 1), (4, 0), (3, 0)]
    with django_assert_num_queries(1):
        assert execution_context(proposal=sides.selected["own"]) == {"execution": None, "execution_recent": []}
