"""Plain data the counting methods work on.

Money is an ``int`` in *internal units*: whole pesos for our own elections
(``unit == 1``); files with decimal amounts are scaled by a power of ten and
``unit`` records the scale, so every method still works on integers and
``Fraction`` only appears where a method divides (shares, loads).

Identical ballots are merged into weighted groups when an election is built:
large cities produce many identical ballots and every method is a sum over
voters, so counting a group once with its weight gives the same result.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from itertools import chain
from typing import NamedTuple

from .errors import TallyError

Score = int | Fraction
"""Points on a ballot or a project's total: integers, or fractions for files with decimal points."""


class BallotKind(StrEnum):
    """How voters expressed themselves (Pabulib ``vote_type``)."""

    APPROVAL = "approval"
    ORDINAL = "ordinal"
    CUMULATIVE = "cumulative"
    SCORING = "scoring"


class Utility(StrEnum):
    """How much a voter is taken to gain from a funded project (PB literature).

    COST: the project's cost if the voter listed it (greedy with it ranks by votes).
    CARDINALITY: one per listed project (greedy with it ranks by votes per peso).
    SCORE: the points given (cumulative, scoring) or the Borda score
    ``len(ballot) - position - 1`` (ordinal, as pabutools' Additive_Borda_Sat).
    POSITION: ordinal points by position, ``max_length - position`` (0-based), as Kraków counts.
    """

    COST = "cost"
    CARDINALITY = "cardinality"
    SCORE = "score"
    POSITION = "position"


@dataclass(frozen=True, slots=True)
class Project:
    """A project on the ballot.

    ``eligible`` is False for projects that cannot be built (Pabulib's cost sentinel
    999999999): they keep their place on ballots (positions matter for ordinal
    points) and their score is shown, but no method funds them.
    """

    id: str
    cost: int
    name: str = ""
    territory: str = ""
    eligible: bool = True
    meta: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)


class BallotGroup(NamedTuple):
    """``weight`` identical ballots.

    A NamedTuple rather than a frozen dataclass: a city has tens of thousands of
    distinct ballots and a frozen dataclass is several times slower to build.

    ``projects`` are indices into ``Election.projects``: in rank order for ordinal
    ballots, ascending otherwise. ``points`` is parallel to ``projects`` for
    cumulative and scoring ballots and ``None`` otherwise.
    """

    projects: tuple[int, ...]
    points: tuple[Score, ...] | None
    weight: int


@dataclass(frozen=True, slots=True)
class Election:
    """Projects, a budget and the merged ballots of one count.

    Contract: project ids are unique; ``budget`` and costs are non-negative
    integers in internal units (``unit`` internal units make one currency unit);
    every index in a group is a valid project index; ``num_voters`` counts
    empty ballots too (they matter for Equal Shares, where every voter gets a share).
    """

    projects: tuple[Project, ...]
    budget: int
    kind: BallotKind
    groups: tuple[BallotGroup, ...]
    unit: int = 1
    max_length: int | None = None
    meta: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    notes: tuple[str, ...] = ()

    @property
    def num_voters(self) -> int:
        return sum(g.weight for g in self.groups)

    def index_of(self, project_id: str) -> int:
        for i, p in enumerate(self.projects):
            if p.id == project_id:
                return i
        raise KeyError(project_id)

    def position_length(self) -> int:
        """Length used for points by position: META max_length, else the longest ballot."""
        if self.max_length is not None:
            return self.max_length
        return max((len(g.projects) for g in self.groups), default=0)


def utility_values(election: Election, group: BallotGroup, utility: Utility) -> list[Score]:
    """The utility ``group`` gets from each project it lists, parallel to ``group.projects``.

    Raises TallyError when the utility does not apply to the ballot kind (SCORE and
    POSITION need points or ranks).
    """
    projects = election.projects
    if utility is Utility.COST:
        return [projects[i].cost for i in group.projects]
    if utility is Utility.CARDINALITY:
        return [1] * len(group.projects)
    if utility is Utility.SCORE:
        if election.kind is BallotKind.ORDINAL:
            n = len(group.projects)
            return [n - pos - 1 for pos in range(n)]
        if group.points is None:
            raise TallyError("the score utility needs ordinal, cumulative or scoring ballots")
        return list(group.points)
    if election.kind is not BallotKind.ORDINAL:
        raise TallyError("the position utility needs ordinal ballots")
    top = election.position_length()
    return [max(top - pos, 0) for pos in range(len(group.projects))]


def tally(election: Election) -> list[Score]:
    """Each project's score as cities publish it.

    Approval and choose-1: number of ballots; cumulative and scoring: sum of points;
    ordinal: sum of points by position (``max_length - position``).
    """
    if election.kind is BallotKind.APPROVAL:
        return list(supporter_counts(election))
    scores: list[Score] = [0] * len(election.projects)
    for group in election.groups:
        if election.kind is BallotKind.ORDINAL:
            for i, u in zip(group.projects, utility_values(election, group, Utility.POSITION), strict=True):
                scores[i] += group.weight * u
        else:
            assert group.points is not None
            for i, pts in zip(group.projects, group.points, strict=True):
                scores[i] += group.weight * pts
    return scores


def supporter_counts(election: Election) -> list[int]:
    """How many voters list each project (any ballot kind).

    Single ballots (weight 1, most of them in a city) are counted by Counter in C;
    a million approval ballots take a fraction of a second.
    """
    counts = [0] * len(election.projects)
    groups = election.groups
    singles = Counter(chain.from_iterable(g.projects for g in groups if g.weight == 1))
    for i, n in singles.items():
        counts[i] += n
    for group in groups:
        if group.weight != 1:
            for i in group.projects:
                counts[i] += group.weight
    return counts


BallotInput = Sequence[str] | Mapping[str, Score]


def build_election(
    *,
    projects: Sequence[Project],
    budget: int,
    ballots: Iterable[BallotInput],
    kind: BallotKind = BallotKind.APPROVAL,
    unit: int = 1,
    max_length: int | None = None,
    meta: Mapping[str, str] | None = None,
    notes: Sequence[str] = (),
) -> Election:
    """Build an election from ballots that name projects by id, merging identical ballots.

    Approval ballots are sequences of ids (order ignored); ordinal ballots are
    sequences in rank order; cumulative and scoring ballots map ids to points.
    Raises TallyError on unknown ids, repeated ids in one ballot, duplicate
    project ids, or negative money.
    """
    index: dict[str, int] = {}
    for i, p in enumerate(projects):
        if p.id in index:
            raise TallyError(f"project id {p.id!r} appears twice")
        if p.cost < 0:
            raise TallyError(f"project {p.id!r} has a negative cost")
        index[p.id] = i
    if budget < 0:
        raise TallyError("the budget is negative")
    counts: Counter[tuple[tuple[int, ...], tuple[Score, ...] | None]] = Counter()
    # Merging a million ballots allocates a million keys that all stay alive: pause the
    # cyclic garbage collector, which would rescan them repeatedly for nothing.
    enabled = gc.isenabled()
    gc.disable()
    try:
        if kind in (BallotKind.CUMULATIVE, BallotKind.SCORING):
            for ballot in ballots:
                counts[_ballot_key(ballot, index, kind)] += 1
        else:
            # Identical raw ballots are merged first (in C), then each distinct one is checked once.
            raw: Counter[tuple[str, ...]] = Counter(map(tuple, ballots))
            for ballot, n in raw.items():
                counts[_ballot_key(ballot, index, kind)] += n
    finally:
        if enabled:
            gc.enable()
    groups = tuple(BallotGroup(projects=ps, points=pts, weight=w) for (ps, pts), w in counts.items())
    return Election(
        projects=tuple(projects),
        budget=budget,
        kind=kind,
        groups=groups,
        unit=unit,
        max_length=max_length,
        meta=dict(meta or {}),
        notes=tuple(notes),
    )


def _ballot_key(
    ballot: BallotInput, index: Mapping[str, int], kind: BallotKind
) -> tuple[tuple[int, ...], tuple[Score, ...] | None]:
    try:
        if kind in (BallotKind.CUMULATIVE, BallotKind.SCORING):
            if not isinstance(ballot, Mapping):
                raise TallyError(f"{kind} ballots map project ids to points")
            pairs = sorted((index[pid], pts) for pid, pts in ballot.items())
            return tuple(i for i, _ in pairs), tuple(p for _, p in pairs)
        ids = [index[pid] for pid in ballot]
    except KeyError as exc:
        raise TallyError(f"a ballot names unknown project {exc.args[0]!r}") from None
    if len(set(ids)) != len(ids):
        raise TallyError("a ballot lists the same project twice")
    if kind is BallotKind.ORDINAL:
        return tuple(ids), None
    return tuple(sorted(ids)), None
