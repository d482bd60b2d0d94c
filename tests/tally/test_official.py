"""``--method official`` reproduces the winners files publish in their ``selected`` column."""

from __future__ import annotations

from pathlib import Path

import pytest

from voting.tally import Method, count, read_pabulib

DATA = Path(__file__).parent / "data"
FILES = sorted(DATA.glob("official_*.pb"))


def published(path: Path) -> set[str]:
    election = read_pabulib(path)
    return {p.id for p in election.projects if p.meta.get("selected") == "1"}


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_official_method_reproduces_the_published_winners(path: Path) -> None:
    outcome = count(read_pabulib(path), method=Method.OFFICIAL)
    assert set(outcome.selected) == published(path)
    assert outcome.method.startswith("official:")


def test_fixtures_cover_every_declared_rule() -> None:
    rules = {read_pabulib(p).meta["rule"] for p in FILES}
    assert rules == {"greedy", "greedy-no-skip", "greedy-threshold", "equalshares/add1"}


def test_official_ordinal_count_uses_points_by_position_not_borda() -> None:
    election = read_pabulib(DATA / "official_ordinal_positions.pb")
    official = count(election, method=Method.OFFICIAL)
    assert {r.project_id: r.score for r in official.projects} == {"X": 5, "Y": 8, "Z": 4}
    from voting.tally import Utility

    borda = count(election, method=Method.GREEDY, utility=Utility.SCORE)
    assert set(borda.selected) == {"X", "Z"}
