"""Phase kinds, the capabilities they open, and the calendar of a cycle.

Pure Python: no Django, no clock. Callers read the clock once and pass
``now``. Features ask ``is_open(windows, Capability.PROPOSE, now, territory)``;
nothing compares phase names or kinds outside this module.

A window is half-open, ``[starts_at, ends_at)``: a phase that ends at 18:00
is closed at 18:00 sharp, and the next one may start at that instant.
A window with ``territories=None`` applies to every territory of the cycle.

Irreversible steps (closing proposals, closing the vote, counting,
publishing results) are *made possible* by time: ``due_steps`` says which
are due given the windows and the steps already done. Services perform them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Capability(StrEnum):
    INFORM = "inform"
    DIAGNOSE = "diagnose"
    PROPOSE = "propose"
    SUPPORT = "support"
    DELIBERATE = "deliberate"
    REVIEW = "review"
    ELECT_DELEGATES = "elect_delegates"
    VOTE = "vote"
    COUNT = "count"
    CONCERT = "concert"
    EXECUTE = "execute"
    MONITOR = "monitor"
    ACCOUNT = "account"


C = Capability


@dataclass(frozen=True)
class PhaseKind:
    key: str
    capabilities: frozenset[Capability]


def _kind(key: str, *capabilities: Capability) -> PhaseKind:
    return PhaseKind(key, frozenset(capabilities))


# The registry. Keys are stored in the database: add new ones, never rename.
PHASE_KINDS: dict[str, PhaseKind] = {
    kind.key: kind
    for kind in (
        _kind("agreement", C.INFORM),  # alistamiento: conveners agree rules and budget
        _kind("information", C.INFORM),  # pre-cabildos, socialisation, rules made public
        _kind("diagnosis", C.INFORM, C.DIAGNOSE, C.DELIBERATE),
        _kind("local_planning", C.INFORM, C.DIAGNOSE, C.DELIBERATE),
        _kind("proposals", C.INFORM, C.PROPOSE, C.DELIBERATE),
        _kind("supports", C.INFORM, C.SUPPORT, C.DELIBERATE),
        _kind("proposals_and_supports", C.INFORM, C.PROPOSE, C.SUPPORT, C.DELIBERATE),
        _kind("deliberation", C.INFORM, C.DELIBERATE),
        _kind("feasibility", C.INFORM, C.REVIEW),
        _kind("delegate_election", C.INFORM, C.ELECT_DELEGATES),
        _kind("assembly_decision", C.INFORM, C.DELIBERATE, C.VOTE),  # cabildos, delegates' prioritisation
        _kind("voting", C.INFORM, C.VOTE),
        _kind("voting_and_delegates", C.INFORM, C.VOTE, C.ELECT_DELEGATES),
        _kind("counting", C.INFORM, C.COUNT),
        _kind("concertation", C.INFORM, C.CONCERT),
        _kind("spokespeople_assembly", C.INFORM, C.CONCERT, C.DELIBERATE),
        _kind("execution", C.INFORM, C.EXECUTE, C.MONITOR),
        _kind("follow_up", C.INFORM, C.MONITOR, C.ACCOUNT),
        _kind("evaluation", C.INFORM, C.MONITOR, C.ACCOUNT),
    )
}


def capabilities_of(kind: str) -> frozenset[Capability]:
    """The capabilities a kind opens; an unknown key opens nothing."""
    found = PHASE_KINDS.get(kind)
    return found.capabilities if found else frozenset()


@dataclass(frozen=True)
class Window:
    """One phase of a cycle as the calendar sees it."""

    key: int | str  # the phase's id, for messages
    kind: str
    starts_at: datetime
    ends_at: datetime
    territories: frozenset[int] | None = None  # None: every territory of the cycle

    @property
    def capabilities(self) -> frozenset[Capability]:
        return capabilities_of(self.kind)

    def applies_to(self, territory: int | None) -> bool:
        """``territory=None`` asks about the cycle as a whole: only phases for every territory apply."""
        if self.territories is None:
            return True
        return territory is not None and territory in self.territories

    def is_running(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at

    def touches(self, other: Window) -> bool:
        """Both apply to some same territory."""
        if self.territories is None or other.territories is None:
            return True
        return bool(self.territories & other.territories)

    def overlaps(self, other: Window) -> bool:
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at


def running(windows: Iterable[Window], now: datetime, territory: int | None = None) -> list[Window]:
    """Phases running at ``now`` for ``territory``, earliest start first."""
    return sorted(
        (w for w in windows if w.is_running(now) and w.applies_to(territory)), key=lambda w: (w.starts_at, str(w.key))
    )


def capabilities_at(windows: Iterable[Window], now: datetime, territory: int | None = None) -> frozenset[Capability]:
    opened: set[Capability] = set()
    for window in running(windows, now, territory):
        opened |= window.capabilities
    return frozenset(opened)


def is_open(windows: Iterable[Window], capability: Capability, now: datetime, territory: int | None = None) -> bool:
    return capability in capabilities_at(windows, now, territory)


def open_until(
    windows: Iterable[Window], capability: Capability, now: datetime, territory: int | None = None
) -> datetime | None:
    """When ``capability`` closes for ``territory``, following back-to-back windows; None if it is not open."""
    relevant = sorted(
        (w for w in windows if capability in w.capabilities and w.applies_to(territory)), key=lambda w: w.starts_at
    )
    until: datetime | None = None
    for window in relevant:
        if until is None:
            if window.is_running(now):
                until = window.ends_at
        elif window.starts_at <= until:
            until = max(until, window.ends_at)
    return until


def next_opening(
    windows: Iterable[Window], capability: Capability, now: datetime, territory: int | None = None
) -> Window | None:
    """The first window not yet started that opens ``capability`` for ``territory``."""
    upcoming = [w for w in windows if capability in w.capabilities and w.applies_to(territory) and w.starts_at > now]
    return min(upcoming, key=lambda w: w.starts_at, default=None)


def has_ended(windows: Iterable[Window], capability: Capability, now: datetime) -> bool:
    """Every window opening ``capability`` (in any territory) has ended, and there was at least one."""
    relevant = [w for w in windows if capability in w.capabilities]
    return bool(relevant) and all(w.ends_at <= now for w in relevant)


# --- Checking a calendar ---------------------------------------------------------


class Problem(StrEnum):
    END_NOT_AFTER_START = "end_not_after_start"
    UNKNOWN_KIND = "unknown_kind"
    OVERLAP = "overlap"


@dataclass(frozen=True)
class Conflict:
    problem: Problem
    first: int | str
    second: int | str | None = None


def conflicts(windows: Sequence[Window]) -> list[Conflict]:
    """What is wrong with a calendar. Two phases may not run at the same time
    in the same territory (that would be contradictory: which one rules?);
    gaps between phases are fine, as are phases of different territories
    running side by side."""
    found: list[Conflict] = []
    for window in windows:
        if window.ends_at <= window.starts_at:
            found.append(Conflict(Problem.END_NOT_AFTER_START, window.key))
        if window.kind not in PHASE_KINDS:
            found.append(Conflict(Problem.UNKNOWN_KIND, window.key))
    valid = [w for w in windows if w.ends_at > w.starts_at]
    ordered = sorted(valid, key=lambda w: (w.starts_at, str(w.key)))
    for i, first in enumerate(ordered):
        for second in ordered[i + 1 :]:
            if second.starts_at >= first.ends_at:
                break
            if first.touches(second):
                found.append(Conflict(Problem.OVERLAP, first.key, second.key))
    return found


# --- Irreversible steps ----------------------------------------------------------


class Step(StrEnum):
    """Irreversible steps of a cycle, in the order they can happen."""

    CLOSE_PROPOSALS = "close_proposals"
    CLOSE_VOTING = "close_voting"
    COUNT = "count"
    PUBLISH_RESULTS = "publish_results"


STEP_ORDER: tuple[Step, ...] = tuple(Step)

# What a step closes for good: no phase may open it again afterwards.
STEP_CLOSES: dict[Step, frozenset[Capability]] = {
    Step.CLOSE_PROPOSALS: frozenset({Capability.PROPOSE}),
    Step.CLOSE_VOTING: frozenset({Capability.VOTE}),
    Step.COUNT: frozenset({Capability.COUNT}),
    Step.PUBLISH_RESULTS: frozenset(),
}


def closed_capabilities(done: Collection[Step]) -> frozenset[Capability]:
    """Capabilities the steps already taken have closed for good."""
    closed: set[Capability] = set()
    for step in done:
        closed |= STEP_CLOSES[step]
    return frozenset(closed)


def applicable_steps(windows: Iterable[Window]) -> list[Step]:
    """Steps this calendar calls for: closing proposals only if proposals are
    collected, the vote and what follows only if something is voted."""
    opened: set[Capability] = set()
    for window in windows:
        opened |= window.capabilities
    steps = []
    if Capability.PROPOSE in opened:
        steps.append(Step.CLOSE_PROPOSALS)
    if Capability.VOTE in opened:
        steps += [Step.CLOSE_VOTING, Step.COUNT, Step.PUBLISH_RESULTS]
    return steps


def step_blocker(step: Step, windows: Sequence[Window], done: Collection[Step], now: datetime) -> str | None:
    """Why ``step`` cannot happen now (a short code), or None if it can.

    - ``done``: it already happened;
    - ``not_applicable``: the calendar has no phase that calls for it;
    - ``earlier_step``: a step before it that applies has not happened;
    - ``too_early``: the phases it closes have not all ended (for counting:
      the vote is closed, and for publishing: any counting phase has ended).
    """
    if step in done:
        return "done"
    steps = applicable_steps(windows)
    if step not in steps:
        return "not_applicable"
    if any(earlier not in done for earlier in steps[: steps.index(step)]):
        return "earlier_step"
    if step is Step.CLOSE_PROPOSALS and not has_ended(windows, Capability.PROPOSE, now):
        return "too_early"
    if step is Step.CLOSE_VOTING and not has_ended(windows, Capability.VOTE, now):
        return "too_early"
    if step is Step.PUBLISH_RESULTS and any(Capability.COUNT in w.capabilities and w.ends_at > now for w in windows):
        return "too_early"
    return None


def due_steps(windows: Sequence[Window], done: Collection[Step], now: datetime) -> list[Step]:
    """The steps that may happen now, in order, as if each one happened before
    the next is considered. Running it again after they are done returns []."""
    performed = set(done)
    due = []
    for step in STEP_ORDER:
        if step_blocker(step, windows, performed, now) is None:
            due.append(step)
            performed.add(step)
    return due
