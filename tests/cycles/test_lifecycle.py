"""Irreversible steps (``cycles.lifecycle``): by hand with the same checks as the schedule,
by the beat task exactly once however often or late it runs, followers after commit,
and two workers at once."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from accounts.models import AuditEntry
from cycles import lifecycle
from cycles.lifecycle import cycle_advance, cycle_step, on_step, step_states
from cycles.models import Cycle, CycleStep
from cycles.phases import Step
from cycles.tasks import cycles_advance_all_task
from nodes.models import Municipality
from nodes.services import divipola_load
from tests.cycles.conftest import make_actor
from tests.cycles.factories import make_cycle, secretariat

pytestmark = pytest.mark.django_db
START = date(2027, 1, 1)
ALL = [Step.CLOSE_PROPOSALS, Step.CLOSE_VOTING, Step.COUNT, Step.PUBLISH_RESULTS]


def end_of(cycle: Cycle, kind: str) -> datetime:
    return cycle.phases.get(kind=kind).ends_at


def steps_of(cycle: Cycle) -> list[str]:
    return list(CycleStep.objects.filter(cycle=cycle).order_by("pk").values_list("step", flat=True))


def step_audits(cycle: Cycle) -> list[str]:
    return list(
        AuditEntry.objects.filter(subject=f"cycles.cycle:{cycle.pk}", action__startswith="cycles.step_")
        .order_by("id")
        .values_list("action", flat=True)
    )


@pytest.fixture
def boss():
    return secretariat()


@pytest.fixture
def cycle(boss) -> Cycle:
    """A published Medellín-style cycle from 2027-01-01: proposals, voting, counting, then execution."""
    made = make_cycle("52001", start=START, published=True, actor=boss)
    return Cycle.objects.get(pk=made.pk)  # make_cycle hands back the instance from before publishing


# --- By hand ----------------------------------------------------------------------


def test_a_manager_closes_proposals_by_hand_once_they_have_ended(boss, cycle):
    moment = end_of(cycle, "proposals")
    record = cycle_step(actor=boss, cycle=cycle, step=Step.CLOSE_PROPOSALS, now=moment)
    assert (record.step, record.done_at, record.done_by) == (Step.CLOSE_PROPOSALS, moment, boss)
    entry = AuditEntry.objects.get(action="cycles.step_close_proposals")
    assert entry.data == {"step": "close_proposals", "by": "person"} and entry.actor_id == boss.pk


@pytest.mark.parametrize(
    ("step", "when", "done", "code"),
    [
        (Step.CLOSE_PROPOSALS, ("proposals", -1), [], "too_early"),
        (Step.CLOSE_VOTING, ("voting", 0), [], "earlier_step"),
        (Step.CLOSE_VOTING, ("voting", -1), [Step.CLOSE_PROPOSALS], "too_early"),
        (Step.PUBLISH_RESULTS, ("voting", 1), [Step.CLOSE_PROPOSALS, Step.CLOSE_VOTING, Step.COUNT], "too_early"),
        (Step.CLOSE_PROPOSALS, ("proposals", 1), [Step.CLOSE_PROPOSALS], "done"),
    ],
)
def test_a_step_by_hand_has_the_same_checks_as_the_schedule(boss, cycle, step, when, done, code):
    kind, seconds = when
    for earlier in done:
        CycleStep.objects.create(cycle=cycle, step=earlier, done_at=end_of(cycle, "proposals"))
    with pytest.raises(ValidationError) as caught:
        cycle_step(actor=boss, cycle=cycle, step=step, now=end_of(cycle, kind) + timedelta(seconds=seconds))
    assert caught.value.code == code
    assert CycleStep.objects.filter(cycle=cycle).count() == len(done)
    assert step_audits(cycle) == []


def test_no_step_is_taken_in_a_draft(boss):
    draft = make_cycle("52001", start=START, actor=boss)
    with pytest.raises(ValidationError) as caught:
        cycle_step(actor=boss, cycle=draft, step=Step.CLOSE_PROPOSALS, now=end_of(draft, "evaluation"))
    assert caught.value.code == "draft"
    assert cycle_advance(cycle_id=draft.pk, now=end_of(draft, "evaluation")) == []
    assert not CycleStep.objects.exists()
    assert all(blocker == "draft" for _, _, blocker in step_states(draft, end_of(draft, "evaluation")))


@pytest.mark.parametrize("role", ["reviewer", "station_officer", "monitor", "plain_user"])
def test_people_who_do_not_run_the_cycle_cannot_take_a_step(scene, role):
    cycle = make_cycle(scene.own_municipality, start=START, published=True)
    with pytest.raises(PermissionDenied):
        cycle_step(
            actor=make_actor(role, scene), cycle=cycle, step=Step.CLOSE_PROPOSALS, now=end_of(cycle, "proposals")
        )
    assert not CycleStep.objects.exists()


def test_step_states_say_what_is_done_and_what_waits(boss, cycle):
    cycle_step(actor=boss, cycle=cycle, step=Step.CLOSE_PROPOSALS, now=end_of(cycle, "proposals"))
    states = step_states(cycle, end_of(cycle, "voting") - timedelta(seconds=1))
    assert [(s, r is not None, b) for s, r, b in states] == [
        (Step.CLOSE_PROPOSALS, True, None),
        (Step.CLOSE_VOTING, False, "too_early"),
        (Step.COUNT, False, "earlier_step"),
        (Step.PUBLISH_RESULTS, False, "earlier_step"),
    ]


# --- The schedule -------------------------------------------------------------------


def test_cycle_advance_performs_the_due_steps_once_in_order(cycle):
    assert cycle_advance(cycle_id=cycle.pk, now=end_of(cycle, "proposals") - timedelta(seconds=1)) == []
    late = end_of(cycle, "voting") + timedelta(hours=1)
    assert cycle_advance(cycle_id=cycle.pk, now=late) == [Step.CLOSE_PROPOSALS, Step.CLOSE_VOTING, Step.COUNT]
    assert cycle_advance(cycle_id=cycle.pk, now=late) == []
    assert cycle_advance(cycle_id=cycle.pk, now=end_of(cycle, "counting")) == [Step.PUBLISH_RESULTS]
    assert steps_of(cycle) == ALL
    assert step_audits(cycle) == [f"cycles.step_{s.value}" for s in ALL]
    assert AuditEntry.objects.filter(action="cycles.step_count").get().data["by"] == "schedule"


def test_the_beat_task_fires_each_transition_exactly_once_when_run_twice_or_an_hour_late(boss, cycle):
    draft = make_cycle("52001", start=START, actor=boss)
    with time_machine.travel(end_of(cycle, "proposals") + timedelta(hours=1), tick=False):
        assert cycles_advance_all_task() == {str(cycle.pk): ["close_proposals"]}
        assert cycles_advance_all_task() == {}
    with time_machine.travel(end_of(cycle, "voting"), tick=False):
        cycles_advance_all_task()
        cycles_advance_all_task()
    with time_machine.travel(end_of(cycle, "counting") + timedelta(hours=1), tick=False):
        assert cycles_advance_all_task() == {str(cycle.pk): ["publish_results"]}
        assert cycles_advance_all_task() == {}
    assert steps_of(cycle) == ALL
    assert step_audits(cycle) == [f"cycles.step_{s.value}" for s in ALL]
    assert CycleStep.objects.get(cycle=cycle, step="count").done_at == end_of(cycle, "voting")
    assert steps_of(draft) == []


def test_the_beat_task_run_once_very_late_takes_every_step_once(cycle):
    with time_machine.travel(end_of(cycle, "evaluation") + timedelta(days=30), tick=False):
        assert cycles_advance_all_task() == {str(cycle.pk): [s.value for s in ALL]}
        assert cycles_advance_all_task() == {}
    assert steps_of(cycle) == ALL
    assert len(step_audits(cycle)) == 4


def test_followers_run_once_after_the_commit(cycle, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(lifecycle, "_FOLLOWERS", {s: [] for s in Step})
    calls: list[tuple[str, int]] = []

    @on_step(Step.CLOSE_VOTING)
    def freeze(*, cycle_id: int) -> None:
        calls.append(("close_voting", cycle_id))

    @on_step(Step.COUNT)
    def count(*, cycle_id: int) -> None:
        calls.append(("count", cycle_id))

    late = end_of(cycle, "voting") + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        cycle_advance(cycle_id=cycle.pk, now=late)
        assert calls == [], "followers wait for the commit"
    assert calls == [("close_voting", cycle.pk), ("count", cycle.pk)]
    assert len(callbacks) == 2
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        cycle_advance(cycle_id=cycle.pk, now=late)
    assert callbacks == []
    assert calls == [("close_voting", cycle.pk), ("count", cycle.pk)]


def test_a_step_by_hand_runs_its_followers_and_then_asks_the_schedule(
    boss, cycle, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(lifecycle, "_FOLLOWERS", {s: [] for s in Step})
    calls: list[int] = []
    on_step(Step.CLOSE_PROPOSALS)(lambda *, cycle_id: calls.append(cycle_id))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        cycle_step(actor=boss, cycle=cycle, step=Step.CLOSE_PROPOSALS, now=end_of(cycle, "proposals"))
    assert len(callbacks) == 2  # the follower, then the schedule for what else is due
    callbacks[0]()
    assert calls == [cycle.pk]


# --- Two workers at once ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_workers_advancing_at_the_same_moment_take_each_step_once():
    if not Municipality.objects.exists():  # an earlier transactional test emptied every table
        divipola_load()
    cycle = make_cycle("52001", start=START, published=True)
    late = end_of(cycle, "evaluation")
    barrier = threading.Barrier(2)
    results: list[object] = []

    def work() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(cycle_advance(cycle_id=cycle.pk, now=late))
        except Exception as error:  # reported below, not lost in the thread
            results.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)

    assert sorted(results, key=len) == [[], ALL]
    assert steps_of(cycle) == ALL
    assert len(step_audits(cycle)) == 4
