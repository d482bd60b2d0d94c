"""Random and adversarial small elections for property and differential tests."""

from __future__ import annotations

import itertools
import random

from voting.tally import BallotKind, Election, Project, build_election

# Few distinct costs on purpose: equal costs and exact fits produce ties.
COSTS = [0, 1, 2, 3, 5, 10, 10, 20, 20, 50, 100, 200]
ID_PREFIXES = ["p", "P", "x", "10", "2", "a b", "Ñ"]


def random_election(rng: random.Random, *, kind: BallotKind | None = None, max_projects: int = 7) -> Election:
    """A small election: ties, exact fits, projects dearer than the budget, empty ballots, single voters."""
    m = rng.randint(1, max_projects)
    costs = [rng.choice(COSTS) for _ in range(m)]
    ids = [rng.choice(ID_PREFIXES) + str(k) for k in range(m)]
    projects = [Project(id=ids[k], cost=costs[k]) for k in range(m)]
    budget = rng.choice([0, 10, 20, 50, 100, 150, sum(costs), max(costs), sum(costs) // 2])
    n = rng.choice([0, 1, 1, 2, 3, 5, 8, 12, 20])
    if kind is None:
        kind = rng.choice([BallotKind.APPROVAL, BallotKind.APPROVAL, BallotKind.ORDINAL, BallotKind.CUMULATIVE])
    pool = [rng.sample(ids, rng.randint(0, m)) for _ in range(rng.randint(1, 4))]
    ballots: list[object] = []
    for _ in range(n):
        # Reuse a few ballots often so identical ballots (merged groups) are common.
        chosen = rng.choice(pool) if rng.random() < 0.5 else rng.sample(ids, rng.randint(0, m))
        if kind in (BallotKind.CUMULATIVE, BallotKind.SCORING):
            ballots.append({c: rng.randint(1, 4) for c in chosen})
        else:
            ballots.append(list(chosen))
    return build_election(projects=projects, budget=budget, ballots=ballots, kind=kind)  # type: ignore[arg-type]


def city_election(
    *,
    seed: int,
    voters: int,
    projects: int,
    budget: int,
    cost_range: tuple[int, int],
    mean_length: float = 4.0,
) -> Election:
    """A city-sized approval election with skewed popularity (a few projects get most votes)."""
    items, ballots = city_ballots(
        seed=seed, voters=voters, projects=projects, cost_range=cost_range, mean_length=mean_length
    )
    return build_election(projects=items, budget=budget, ballots=ballots)


def city_ballots(
    *, seed: int, voters: int, projects: int, cost_range: tuple[int, int], mean_length: float = 4.0
) -> tuple[list[Project], list[list[str]]]:
    """Projects and one approval ballot per voter, before identical ballots are merged."""
    rng = random.Random(seed)
    ids = [str(k + 1) for k in range(projects)]
    costs = [rng.randint(*cost_range) for _ in range(projects)]
    popularity = [rng.paretovariate(1.2) for _ in range(projects)]
    # Voters of a district favour the district's projects: correlated ballots, as in real cities.
    districts = max(1, projects // 10)
    cumulative = [
        list(itertools.accumulate(popularity[k] * (6 if k % districts == d else 1) for k in range(projects)))
        for d in range(districts)
    ]
    everything = range(projects)
    ballots: list[list[str]] = []
    for _ in range(voters):
        d = rng.randrange(districts)
        length = max(1, min(projects, int(rng.expovariate(1 / mean_length)) + 1))
        chosen = set(rng.choices(everything, cum_weights=cumulative[d], k=length))
        ballots.append([ids[k] for k in sorted(chosen)])
    return [Project(id=ids[k], cost=costs[k]) for k in range(projects)], ballots
