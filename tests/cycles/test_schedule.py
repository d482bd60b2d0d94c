"""Editing a cycle's phases (``cycles.schedule``): overlaps, per-territory phases, the
database's own guard, and what a published calendar still lets a manager change."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from accounts.models import AuditEntry
from cycles.models import Cycle, Phase, PhaseChange
from cycles.schedule import PhaseInput, phase_add, phase_delete, phase_update
from cycles.services import cycle_publish
from tests.cycles.conftest import make_actor
from tests.cycles.factories import at, make_cycle, secretariat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def codes(error: ValidationError) -> set[str]:
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors}
    return {e.code for e in error.error_list}


@pytest.fixture
def boss():
    return secretariat()


@pytest.fixture
def cycle(boss) -> Cycle:
    """A draft of Pasto with 3 comunas and one phase, "Information", 2027-01-01 to 2027-01-15."""
    return make_cycle("52001", methodology="blank", start=date(2027, 1, 1), actor=boss)


def info(cycle: Cycle) -> Phase:
    return cycle.phases.get(kind="information")


def as_input(phase: Phase, **changes) -> PhaseInput:
    values = {
        "kind": phase.kind,
        "starts_at": phase.starts_at,
        "ends_at": phase.ends_at,
        "title": phase.title,
        "units": list(phase.units.all()),
    }
    return PhaseInput(**(values | changes))


# --- Drafts ------------------------------------------------------------------------


def test_an_overlapping_phase_is_refused_naming_the_other_phase(boss, cycle):
    with pytest.raises(ValidationError) as caught:
        phase_add(actor=boss, cycle=cycle, data=PhaseInput("proposals", at("2027-01-14"), at("2027-02-01")))
    assert codes(caught.value) == {"overlap"}
    message = caught.value.messages[0]
    assert "“Information”" in message and "01/01/2027 00:00" in message and "15/01/2027 00:00" in message
    assert cycle.phases.count() == 1
    assert not AuditEntry.objects.filter(action="cycles.phase_added").exists()


def test_a_phase_may_start_when_the_previous_one_ends(boss, cycle):
    phase = phase_add(actor=boss, cycle=cycle, data=PhaseInput("proposals", at("2027-01-15"), at("2027-02-01")))
    assert phase.for_all_units
    assert AuditEntry.objects.get(action="cycles.phase_added").data["phase"] == phase.pk


def test_per_territory_phases_may_run_side_by_side_in_different_territories(boss, cycle):
    a, b, _ = cycle.units.order_by("position")
    data = PhaseInput("voting", at("2027-02-01"), at("2027-02-08"), units=[a])
    first = phase_add(actor=boss, cycle=cycle, data=data)
    second = phase_add(
        actor=boss, cycle=cycle, data=PhaseInput("proposals", at("2027-02-01"), at("2027-02-08"), units=[b])
    )
    assert not first.for_all_units and not second.for_all_units
    assert list(first.units.all()) == [a]
    with pytest.raises(ValidationError) as caught:
        phase_add(actor=boss, cycle=cycle, data=PhaseInput("supports", at("2027-02-07"), at("2027-02-10"), units=[b]))
    assert codes(caught.value) == {"overlap"}
    with pytest.raises(ValidationError):  # an all-territory phase meets both
        phase_add(actor=boss, cycle=cycle, data=PhaseInput("supports", at("2027-02-07"), at("2027-02-10")))


def test_the_database_refuses_overlapping_all_territory_phases_written_directly(cycle):
    with pytest.raises(IntegrityError), transaction.atomic():
        Phase.objects.create(cycle=cycle, kind="proposals", starts_at=at("2027-01-10"), ends_at=at("2027-01-20"))


def test_the_database_allows_overlapping_phases_of_different_cycles(boss, cycle):
    other = make_cycle("52001", methodology="blank", start=date(2027, 1, 1), actor=boss)
    assert other.phases.get().starts_at == info(cycle).starts_at


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (PhaseInput("proposals", at("2027-02-10"), at("2027-02-01")), "ends_at"),
        (PhaseInput("proposals", at("2027-02-10"), at("2027-02-10")), "ends_at"),
        (PhaseInput("referendum", at("2027-02-01"), at("2027-02-10")), "kind"),
    ],
)
def test_bad_input_is_refused_on_its_field(boss, cycle, data, field):
    with pytest.raises(ValidationError) as caught:
        phase_add(actor=boss, cycle=cycle, data=data)
    assert field in caught.value.error_dict
    assert cycle.phases.count() == 1


def test_territories_of_another_cycle_are_refused(boss, cycle):
    stranger = make_cycle("52001", methodology="blank", actor=boss).units.first()
    with pytest.raises(ValidationError) as caught:
        phase_add(
            actor=boss, cycle=cycle, data=PhaseInput("voting", at("2027-02-01"), at("2027-02-02"), units=[stranger])
        )
    assert codes(caught.value) == {"unit_of_other_cycle"}


def test_a_draft_phase_can_be_moved_freely_without_a_reason(boss, cycle):
    phase = phase_update(
        actor=boss, phase=info(cycle), data=as_input(info(cycle), starts_at=at("2026-12-01")), now=at("2027-06-01")
    )
    assert phase.starts_at == at("2026-12-01")
    assert not PhaseChange.objects.exists()


def test_moving_a_phase_onto_another_is_refused_and_nothing_changes(boss, cycle):
    later = phase_add(actor=boss, cycle=cycle, data=PhaseInput("proposals", at("2027-02-01"), at("2027-03-01")))
    with pytest.raises(ValidationError):
        phase_update(actor=boss, phase=later, data=as_input(later, starts_at=at("2027-01-10")))
    later.refresh_from_db()
    assert later.starts_at == at("2027-02-01")


def test_a_draft_phase_can_be_deleted(boss, cycle):
    phase_delete(actor=boss, phase=info(cycle))
    assert not cycle.phases.exists()
    assert AuditEntry.objects.filter(action="cycles.phase_deleted").count() == 1


# --- Published cycles ---------------------------------------------------------------


@pytest.fixture
def published(boss, cycle) -> Cycle:
    """The cycle published with three phases: Information Jan 1–15, proposals Feb 1–Mar 1, voting Apr 1–8."""
    phase_add(actor=boss, cycle=cycle, data=PhaseInput("proposals", at("2027-02-01"), at("2027-03-01")))
    phase_add(actor=boss, cycle=cycle, data=PhaseInput("voting", at("2027-04-01"), at("2027-04-08")))
    return cycle_publish(actor=boss, cycle=cycle, now=at("2026-12-01"))


NOW = at("2027-02-10", 12)  # information has ended, proposals run, voting is ahead


def phase_of(cycle: Cycle, kind: str) -> Phase:
    return cycle.phases.get(kind=kind)


def test_an_ended_phase_of_a_published_cycle_cannot_be_edited(boss, published):
    ended = phase_of(published, "information")
    with pytest.raises(ValidationError) as caught:
        phase_update(actor=boss, phase=ended, data=as_input(ended, title="Otra"), reason="Typo", now=NOW)
    assert codes(caught.value) == {"past_phase"}


def test_a_running_phase_can_move_its_end_with_a_reason(boss, published):
    running = phase_of(published, "proposals")
    phase_update(
        actor=boss, phase=running, data=as_input(running, ends_at=at("2027-03-08")), reason="More time", now=NOW
    )
    change = PhaseChange.objects.get(phase=running)
    assert (change.old_ends_at, change.new_ends_at, change.reason) == (at("2027-03-01"), at("2027-03-08"), "More time")
    entry = AuditEntry.objects.get(action="cycles.phase_changed")
    assert entry.data["reason"] == "More time" and entry.data["phase"] == running.pk


@pytest.mark.parametrize(
    "changes",
    [{"starts_at": at("2027-02-02")}, {"kind": "proposals_and_supports"}, {"units": "first"}],
)
def test_a_running_phase_cannot_change_its_start_kind_or_territories(boss, published, changes):
    running = phase_of(published, "proposals")
    if changes.get("units") == "first":
        changes = {"units": [published.units.order_by("position").first()]}
    with pytest.raises(ValidationError) as caught:
        phase_update(actor=boss, phase=running, data=as_input(running, **changes), reason="Because", now=NOW)
    assert codes(caught.value) == {"running_phase"}
    assert not PhaseChange.objects.exists()


def test_a_running_phase_cannot_end_in_the_past(boss, published):
    running = phase_of(published, "proposals")
    with pytest.raises(ValidationError) as caught:
        phase_update(actor=boss, phase=running, data=as_input(running, ends_at=NOW), reason="Close now", now=NOW)
    assert "ends_at" in caught.value.error_dict
    running.refresh_from_db()
    assert running.ends_at == at("2027-03-01")


def test_a_future_phase_can_move_with_a_reason(boss, published):
    future = phase_of(published, "voting")
    phase_update(
        actor=boss,
        phase=future,
        data=as_input(future, starts_at=at("2027-04-10"), ends_at=at("2027-04-17")),
        reason="Elections",
        now=NOW,
    )
    change = PhaseChange.objects.get(phase=future)
    assert (change.old_starts_at, change.new_starts_at) == (at("2027-04-01"), at("2027-04-10"))
    assert change.changed_by == boss and change.changed_at == NOW
    assert AuditEntry.objects.filter(action="cycles.phase_changed").count() == 1


def test_moving_a_published_phase_without_a_reason_is_refused(boss, published):
    future = phase_of(published, "voting")
    with pytest.raises(ValidationError) as caught:
        phase_update(actor=boss, phase=future, data=as_input(future, starts_at=at("2027-04-02")), reason="  ", now=NOW)
    assert "reason" in caught.value.error_dict
    future.refresh_from_db()
    assert future.starts_at == at("2027-04-01")


def test_a_future_phase_cannot_be_moved_into_the_past(boss, published):
    future = phase_of(published, "voting")
    with pytest.raises(ValidationError) as caught:
        phase_update(
            actor=boss,
            phase=future,
            data=as_input(future, starts_at=at("2027-02-10"), ends_at=at("2027-04-08")),
            reason="Earlier",
            now=NOW,
        )
    assert "starts_at" in caught.value.error_dict


def test_a_new_phase_of_a_published_cycle_needs_a_future_start_and_a_reason(boss, published):
    data = PhaseInput("counting", at("2027-04-08"), at("2027-04-10"))
    with pytest.raises(ValidationError):
        phase_add(actor=boss, cycle=published, data=data, now=NOW)
    with pytest.raises(ValidationError):
        phase_add(
            actor=boss, cycle=published, data=PhaseInput("counting", NOW - timedelta(hours=1), NOW), reason="x", now=NOW
        )
    phase_add(actor=boss, cycle=published, data=data, reason="Counting was missing", now=NOW)


def test_phases_of_a_published_cycle_cannot_be_deleted(boss, published):
    with pytest.raises(ValidationError) as caught:
        phase_delete(actor=boss, phase=phase_of(published, "voting"))
    assert codes(caught.value) == {"published"}
    assert published.phases.count() == 3


@pytest.mark.parametrize("role", ["reviewer", "monitor", "plain_user"])
def test_people_who_do_not_run_the_cycle_cannot_edit_its_phases(scene, role):
    cycle = make_cycle(scene.own_municipality, methodology="blank", start=date(2027, 1, 1))
    person = make_actor(role, scene)
    with pytest.raises(PermissionDenied):
        phase_add(actor=person, cycle=cycle, data=PhaseInput("proposals", at("2027-02-01"), at("2027-03-01")))
    with pytest.raises(PermissionDenied):
        phase_update(actor=person, phase=info(cycle), data=as_input(info(cycle), title="x"))
    with pytest.raises(PermissionDenied):
        phase_delete(actor=person, phase=info(cycle))
    assert cycle.phases.count() == 1
