"""The capability calendar of ``cycles.phases``: pure functions over literal datetimes (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cycles.phases import (
    PHASE_KINDS,
    Capability,
    Conflict,
    Problem,
    Step,
    Window,
    applicable_steps,
    capabilities_at,
    conflicts,
    due_steps,
    has_ended,
    is_open,
    next_opening,
    open_until,
    running,
    step_blocker,
)

C = Capability
BASE = datetime(2027, 3, 1, tzinfo=UTC)
A, B = 1, 2  # two territories of the cycle


def h(hours: float) -> datetime:
    """``hours`` after the base instant."""
    return BASE + timedelta(hours=hours)


def w(key: int | str, kind: str, start: float, end: float, territories: set[int] | None = None) -> Window:
    return Window(key, kind, h(start), h(end), frozenset(territories) if territories is not None else None)


# --- Boundaries and gaps ---------------------------------------------------------


def test_a_phase_is_open_at_its_start_instant():
    assert is_open([w(1, "proposals", 10, 20)], C.PROPOSE, h(10))


def test_a_phase_is_closed_at_its_end_instant():
    calendar = [w(1, "proposals", 10, 20)]
    assert is_open(calendar, C.PROPOSE, h(20) - timedelta(microseconds=1))
    assert not is_open(calendar, C.PROPOSE, h(20))


def test_nothing_is_open_before_the_first_phase():
    assert capabilities_at([w(1, "proposals", 10, 20)], h(10) - timedelta(microseconds=1)) == frozenset()


def test_nothing_is_open_in_a_gap_between_phases():
    calendar = [w(1, "proposals", 0, 10), w(2, "voting", 15, 20)]
    assert capabilities_at(calendar, h(12)) == frozenset()
    assert capabilities_at(calendar, h(15)) == {C.INFORM, C.VOTE}


def test_back_to_back_phases_hand_over_at_the_shared_instant():
    calendar = [w(1, "proposals", 0, 10), w(2, "voting", 10, 20)]
    assert capabilities_at(calendar, h(10)) == {C.INFORM, C.VOTE}
    assert [x.key for x in running(calendar, h(10))] == [2]


def test_a_phase_opens_exactly_the_capabilities_of_its_kind():
    assert capabilities_at([w(1, "execution", 0, 10)], h(5)) == {C.INFORM, C.EXECUTE, C.MONITOR}


def test_an_unknown_kind_opens_nothing():
    assert capabilities_at([w(1, "no_such_kind", 0, 10)], h(5)) == frozenset()


# --- Per-territory phases -------------------------------------------------------


def test_a_phase_for_territory_a_opens_it_for_a_only():
    calendar = [w(1, "voting", 0, 10, {A})]
    assert is_open(calendar, C.VOTE, h(5), A)
    assert not is_open(calendar, C.VOTE, h(5), B)


def test_a_phase_for_some_territories_opens_nothing_for_the_cycle_as_a_whole():
    calendar = [w(1, "voting", 0, 10, {A, B})]
    assert not is_open(calendar, C.VOTE, h(5))
    assert not is_open(calendar, C.VOTE, h(5), None)


def test_a_phase_for_every_territory_opens_for_each_territory_and_the_whole_cycle():
    calendar = [w(1, "voting", 0, 10)]
    assert is_open(calendar, C.VOTE, h(5), A)
    assert is_open(calendar, C.VOTE, h(5), B)
    assert is_open(calendar, C.VOTE, h(5))


def test_territories_can_be_in_different_phases_at_once():
    calendar = [w(1, "proposals", 0, 10, {A}), w(2, "voting", 0, 10, {B})]
    assert capabilities_at(calendar, h(5), A) == {C.INFORM, C.PROPOSE, C.DELIBERATE}
    assert capabilities_at(calendar, h(5), B) == {C.INFORM, C.VOTE}


# --- open_until and next_opening --------------------------------------------------


def test_open_until_is_the_end_of_the_running_phase():
    assert open_until([w(1, "proposals", 0, 10)], C.PROPOSE, h(3)) == h(10)


def test_open_until_follows_back_to_back_phases_that_keep_the_capability_open():
    calendar = [w(1, "proposals", 0, 10), w(2, "proposals_and_supports", 10, 20), w(3, "voting", 20, 30)]
    assert open_until(calendar, C.PROPOSE, h(3)) == h(20)
    assert open_until(calendar, C.INFORM, h(3)) == h(30)


def test_open_until_stops_at_a_gap():
    calendar = [w(1, "proposals", 0, 10), w(2, "proposals", 11, 20)]
    assert open_until(calendar, C.PROPOSE, h(3)) == h(10)


def test_open_until_follows_a_territory_phase_after_an_all_territory_phase_only_for_that_territory():
    calendar = [w(1, "proposals", 0, 10), w(2, "proposals", 10, 20, {A})]
    assert open_until(calendar, C.PROPOSE, h(3), A) == h(20)
    assert open_until(calendar, C.PROPOSE, h(3), B) == h(10)
    assert open_until(calendar, C.PROPOSE, h(3)) == h(10)


def test_open_until_is_none_when_the_capability_is_closed():
    calendar = [w(1, "proposals", 0, 10)]
    assert open_until(calendar, C.VOTE, h(3)) is None
    assert open_until(calendar, C.PROPOSE, h(10)) is None
    assert open_until(calendar, C.PROPOSE, h(-1)) is None


def test_next_opening_is_the_earliest_window_not_yet_started():
    calendar = [w(1, "voting", 0, 10), w(3, "voting", 40, 50), w(2, "voting", 20, 30)]
    assert next_opening(calendar, C.VOTE, h(5)).key == 2
    assert next_opening(calendar, C.VOTE, h(-1)).key == 1
    assert next_opening(calendar, C.VOTE, h(40)) is None


def test_next_opening_ignores_windows_of_other_territories():
    calendar = [w(1, "voting", 20, 30, {B}), w(2, "voting", 40, 50, {A})]
    assert next_opening(calendar, C.VOTE, h(0), A).key == 2
    assert next_opening(calendar, C.VOTE, h(0)) is None


def test_has_ended_needs_every_window_of_every_territory_to_have_ended():
    calendar = [w(1, "voting", 0, 10, {A}), w(2, "voting", 0, 12, {B})]
    assert not has_ended(calendar, C.VOTE, h(11))
    assert has_ended(calendar, C.VOTE, h(12))
    assert not has_ended(calendar, C.PROPOSE, h(100)), "a capability never opened has not ended"


# --- Conflicts ---------------------------------------------------------------------


def test_an_overlap_of_all_territory_phases_is_a_conflict():
    assert conflicts([w(1, "proposals", 0, 10), w(2, "voting", 9, 20)]) == [Conflict(Problem.OVERLAP, 1, 2)]


def test_an_overlap_in_a_shared_territory_is_a_conflict():
    calendar = [w(1, "proposals", 0, 10, {A, B}), w(2, "voting", 5, 20, {B})]
    assert conflicts(calendar) == [Conflict(Problem.OVERLAP, 1, 2)]


def test_a_territory_phase_overlapping_an_all_territory_phase_is_a_conflict():
    assert conflicts([w(1, "proposals", 0, 10), w(2, "voting", 5, 20, {B})]) == [Conflict(Problem.OVERLAP, 1, 2)]


def test_the_same_time_in_disjoint_territories_is_not_a_conflict():
    assert conflicts([w(1, "proposals", 0, 10, {A}), w(2, "voting", 0, 10, {B})]) == []


def test_adjacent_phases_are_not_a_conflict():
    assert conflicts([w(1, "proposals", 0, 10), w(2, "voting", 10, 20)]) == []


def test_a_gap_is_not_a_conflict():
    assert conflicts([w(1, "proposals", 0, 10), w(2, "voting", 30, 40)]) == []


def test_an_overlap_is_found_whatever_the_order_given():
    calendar = [w(3, "voting", 25, 30), w(1, "proposals", 0, 30), w(2, "information", 40, 50)]
    assert conflicts(calendar) == [Conflict(Problem.OVERLAP, 1, 3)]


def test_a_phase_ending_before_or_when_it_starts_is_a_conflict():
    assert conflicts([w(1, "proposals", 10, 5)]) == [Conflict(Problem.END_NOT_AFTER_START, 1)]
    assert conflicts([w(1, "proposals", 10, 10)]) == [Conflict(Problem.END_NOT_AFTER_START, 1)]


def test_an_unknown_kind_is_a_conflict():
    assert conflicts([w(1, "referendum", 0, 10)]) == [Conflict(Problem.UNKNOWN_KIND, 1)]


# --- Steps -----------------------------------------------------------------------

MEDELLIN = [
    w(1, "proposals", 0, 10),
    w(2, "feasibility", 10, 20),
    w(3, "voting", 20, 30),
    w(4, "counting", 30, 40),
    w(5, "execution", 40, 100),
]
ALL_STEPS = [Step.CLOSE_PROPOSALS, Step.CLOSE_VOTING, Step.COUNT, Step.PUBLISH_RESULTS]


def test_applicable_steps_follow_what_the_calendar_opens():
    assert applicable_steps(MEDELLIN) == ALL_STEPS
    assert applicable_steps([w(1, "proposals", 0, 10)]) == [Step.CLOSE_PROPOSALS]
    assert applicable_steps([w(1, "voting", 0, 10)]) == [Step.CLOSE_VOTING, Step.COUNT, Step.PUBLISH_RESULTS]
    assert applicable_steps([w(1, "information", 0, 10)]) == []


def test_a_step_is_too_early_while_the_phase_it_closes_runs():
    assert step_blocker(Step.CLOSE_PROPOSALS, MEDELLIN, set(), h(9)) == "too_early"
    assert step_blocker(Step.CLOSE_PROPOSALS, MEDELLIN, set(), h(10)) is None


def test_closing_the_vote_waits_for_every_territory_vote():
    calendar = [w(1, "voting", 0, 10, {A}), w(2, "voting", 0, 20, {B})]
    assert step_blocker(Step.CLOSE_VOTING, calendar, set(), h(15)) == "too_early"
    assert step_blocker(Step.CLOSE_VOTING, calendar, set(), h(20)) is None


def test_a_step_needs_the_earlier_applicable_steps_done():
    assert step_blocker(Step.CLOSE_VOTING, MEDELLIN, set(), h(35)) == "earlier_step"
    assert step_blocker(Step.CLOSE_VOTING, MEDELLIN, {Step.CLOSE_PROPOSALS}, h(35)) is None
    assert step_blocker(Step.COUNT, MEDELLIN, {Step.CLOSE_PROPOSALS}, h(35)) == "earlier_step"


def test_a_step_that_does_not_apply_is_not_needed_before_the_next():
    voting_only = [w(1, "voting", 0, 10)]
    assert step_blocker(Step.CLOSE_VOTING, voting_only, set(), h(10)) is None
    assert step_blocker(Step.CLOSE_PROPOSALS, voting_only, set(), h(10)) == "not_applicable"


def test_a_step_done_is_reported_done():
    assert step_blocker(Step.CLOSE_PROPOSALS, MEDELLIN, {Step.CLOSE_PROPOSALS}, h(50)) == "done"


def test_publishing_results_waits_for_the_counting_phase_to_end():
    done = {Step.CLOSE_PROPOSALS, Step.CLOSE_VOTING, Step.COUNT}
    assert step_blocker(Step.PUBLISH_RESULTS, MEDELLIN, done, h(35)) == "too_early"
    assert step_blocker(Step.PUBLISH_RESULTS, MEDELLIN, done, h(40)) is None


def test_due_steps_come_in_order_each_as_if_the_previous_was_done():
    assert due_steps(MEDELLIN, set(), h(5)) == []
    assert due_steps(MEDELLIN, set(), h(10)) == [Step.CLOSE_PROPOSALS]
    assert due_steps(MEDELLIN, set(), h(30)) == [Step.CLOSE_PROPOSALS, Step.CLOSE_VOTING, Step.COUNT]
    assert due_steps(MEDELLIN, set(), h(40)) == ALL_STEPS
    assert due_steps(MEDELLIN, {Step.CLOSE_PROPOSALS}, h(40)) == ALL_STEPS[1:]
    assert due_steps(MEDELLIN, set(ALL_STEPS), h(40)) == []


# --- Properties ---------------------------------------------------------------------

KINDS = sorted(PHASE_KINDS)


@st.composite
def calendars(draw: st.DrawFn) -> list[Window]:
    """Up to 6 windows on a grid of hours, some for all territories, some for A and/or B."""
    count = draw(st.integers(0, 6))
    windows = []
    for key in range(count):
        start = draw(st.integers(0, 40))
        length = draw(st.integers(1, 20))
        kind = draw(st.sampled_from(KINDS))
        scope = draw(st.sampled_from([None, {A}, {B}, {A, B}]))
        windows.append(w(key, kind, start, start + length, scope))
    return windows


instants = st.integers(-5, 70).map(h)
step_sets = st.sets(st.sampled_from(list(Step)))


@settings(max_examples=300, deadline=None)
@given(calendars(), step_sets, instants)
def test_due_steps_is_idempotent(calendar, done, now):
    due = due_steps(calendar, done, now)
    assert due_steps(calendar, set(done) | set(due), now) == []
    assert not set(due) & set(done)


@settings(max_examples=300, deadline=None)
@given(calendars(), step_sets, instants, st.integers(0, 50))
def test_a_later_now_never_undues_a_step(calendar, done, now, later_by):
    assert set(due_steps(calendar, done, now)) <= set(due_steps(calendar, done, now + timedelta(hours=later_by)))


@settings(max_examples=300, deadline=None)
@given(calendars(), instants)
def test_due_steps_from_nothing_keep_the_order_of_steps(calendar, now):
    due = due_steps(calendar, set(), now)
    assert due == [s for s in applicable_steps(calendar) if s in due]
    assert due == applicable_steps(calendar)[: len(due)], "no step is skipped"


@settings(max_examples=300, deadline=None)
@given(calendars(), instants, st.sampled_from([None, A, B]), st.sampled_from(list(Capability)))
def test_open_until_agrees_with_is_open(calendar, now, territory, capability):
    until = open_until(calendar, capability, now, territory)
    assert (until is not None) == is_open(calendar, capability, now, territory)
    if until is not None:
        assert until > now
        # open all the way up to the end, closed at it
        step = timedelta(minutes=30)
        moment = now
        while moment < until:
            assert is_open(calendar, capability, moment, territory)
            moment += step
        assert is_open(calendar, capability, until - timedelta(microseconds=1), territory)
        assert not is_open(calendar, capability, until, territory)


@settings(max_examples=300, deadline=None)
@given(calendars())
def test_conflicts_find_exactly_the_pairs_running_at_once_in_a_shared_territory(calendar):
    expected = set()
    for i, first in enumerate(calendar):
        for second in calendar[i + 1 :]:
            shared = first.territories is None or second.territories is None or first.territories & second.territories
            at_once = first.starts_at < second.ends_at and second.starts_at < first.ends_at
            if shared and at_once:
                expected.add(frozenset({first.key, second.key}))
    found = {frozenset({c.first, c.second}) for c in conflicts(calendar) if c.problem is Problem.OVERLAP}
    assert found == expected


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_opens_at_least_inform(kind):
    assert C.INFORM in PHASE_KINDS[kind].capabilities
