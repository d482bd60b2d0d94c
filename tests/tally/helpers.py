"""Small builders shared by the tally tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from voting.tally import BallotKind, Election, Project, build_election


def approval(costs: Mapping[str, int], ballots: Sequence[Sequence[str]], *, budget: int) -> Election:
    return build_election(
        projects=[Project(id=pid, cost=cost) for pid, cost in costs.items()],
        budget=budget,
        ballots=[list(b) for b in ballots],
        kind=BallotKind.APPROVAL,
    )


def result(outcome: object, project_id: str) -> object:
    return next(r for r in outcome.projects if r.project_id == project_id)  # type: ignore[attr-defined]
