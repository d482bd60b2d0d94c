from __future__ import annotations

from pathlib import Path

import pytest

from voting.tally import BallotKind, Method, PabulibError, count, parse_pabulib, read_pabulib, write_pabulib
from voting.tally.pabulib import decode_pabulib

DATA = Path(__file__).parent / "data"

GOOD = """META
key;value
budget;100
vote_type;approval
PROJECTS
project_id;cost
1;60
2;50
VOTES
voter_id;vote
1;1,2
2;2
"""


def error_for(text: str) -> PabulibError:
    with pytest.raises(PabulibError) as info:
        parse_pabulib(text)
    return info.value


def test_reader_accepts_bom_crlf_quoted_names_with_semicolons_and_extra_columns() -> None:
    election = read_pabulib(DATA / "official_greedy.pb")
    assert [p.id for p in election.projects] == ["A-01", "B-02", "C-03", "D-04"]
    assert election.projects[0].name == "Parque; barrio norte"
    assert election.projects[1].name == 'Biblioteca "La Paz"'
    assert election.num_voters == 5 and election.budget == 100


def test_reader_merges_identical_ballots_into_weighted_groups() -> None:
    election = read_pabulib(DATA / "official_greedy.pb")
    assert sorted(g.weight for g in election.groups) == [1, 1, 1, 2]


def test_reader_scales_decimal_money_and_reports_it() -> None:
    election = read_pabulib(DATA / "official_cumulative_decimal.pb")
    assert election.unit == 100 and election.budget == 100_000
    assert [p.cost for p in election.projects][:3] == [60_050, 40_025, 39_950]
    assert any("1/100" in note for note in election.notes)


def test_reader_keeps_sentinel_projects_on_the_ballot_but_not_fundable() -> None:
    election = read_pabulib(DATA / "official_cumulative_decimal.pb")
    k4 = election.projects[3]
    assert not k4.eligible
    assert any("999999999" in note for note in election.notes)


def test_reader_counts_a_project_repeated_in_a_ballot_once_at_its_first_position_and_reports_it() -> None:
    election = read_pabulib(DATA / "official_cumulative_decimal.pb")
    group = next(
        g
        for g in election.groups
        if len(g.projects) == 3 and g.points and 0 in g.projects and 2 in g.projects and 3 in g.projects
    )
    assert dict(zip(group.projects, group.points or (), strict=True)) == {0: 3, 2: 2, 3: 5}
    assert any("same project twice (first on line 17)" in note for note in election.notes)


def test_reader_accepts_utf16_with_bom_and_a_named_legacy_encoding() -> None:
    text = GOOD.replace("1;60", "1;60;Año")
    assert parse_pabulib(decode_pabulib(("\ufeff" + text).encode("utf-16"))).budget == 100
    latin = GOOD.replace("PROJECTS\nproject_id;cost", "PROJECTS\nproject_id;cost;name").replace("1;60", "1;60;Peñol")
    election = parse_pabulib(decode_pabulib(latin.encode("cp1252"), encoding="cp1252"))
    assert election.projects[0].name == "Peñol"


def test_wrong_encoding_is_refused_naming_the_line() -> None:
    data = GOOD.replace("2;50", "2;50;Peñol").replace("project_id;cost", "project_id;cost;name").encode("cp1252")
    with pytest.raises(PabulibError) as info:
        decode_pabulib(data)
    assert info.value.line == 8
    assert "--encoding" in str(info.value)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (GOOD.replace("VOTES\nvoter_id;vote\n1;1,2\n2;2\n", ""), 8, "no VOTES section"),
        (
            GOOD.replace("PROJECTS\n", "").replace("project_id;cost\n1;60\n2;50\n", ""),
            5,
            "VOTES section found where PROJECTS",
        ),
        (GOOD.replace("budget;100", "budget;cien"), 3, "budget 'cien' is not a number"),
        (GOOD.replace("2;50", "2;5O"), 8, "cost of project '2'"),
        (GOOD.replace("2;2\n", "2;2,7\n"), 12, "project '7', which is not in PROJECTS"),
        (GOOD.replace("vote_type;approval", "vote_type;quadratic"), 4, "vote_type 'quadratic'"),
        (GOOD.replace("project_id;cost", "project_id;price"), 6, "no 'cost' column"),
        (GOOD.replace("2;50", "1;50"), 8, "appears twice"),
    ],
)
def test_malformed_files_get_a_clear_error_naming_the_line(text: str, line: int, words: str) -> None:
    error = error_for(text)
    assert error.line == line
    assert words in str(error)
    assert str(error).startswith(f"line {line}: ")


def test_points_that_do_not_match_the_vote_are_an_error() -> None:
    text = GOOD.replace("vote_type;approval", "vote_type;cumulative").replace("voter_id;vote", "voter_id;vote;points")
    text = text.replace("1;1,2\n", "1;1,2;3\n").replace("2;2\n", "2;2;1\n")
    error = error_for(text)
    assert error.line == 11 and "points has 1 values" in str(error)


def test_written_file_reads_back_to_the_same_election_and_outcome() -> None:
    election = read_pabulib(DATA / "official_cumulative_decimal.pb")
    again = parse_pabulib(write_pabulib(election))
    assert again.kind is BallotKind.CUMULATIVE and again.unit == election.unit
    assert sorted((g.projects, g.points, g.weight) for g in again.groups) == sorted(
        (g.projects, g.points, g.weight) for g in election.groups
    )
    assert [p.eligible for p in again.projects] == [p.eligible for p in election.projects]
    assert count(again, method=Method.GREEDY).selected == count(election, method=Method.GREEDY).selected


def test_written_file_with_an_outcome_has_score_and_selected_columns() -> None:
    election = parse_pabulib(GOOD)
    outcome = count(election, method=Method.GREEDY)
    text = write_pabulib(election, outcome=outcome)
    assert "project_id;cost;name;score;selected\n1;60;;1;0\n2;50;;2;1\n" in text
