from __future__ import annotations

import io
import json
from pathlib import Path

from voting.tally.cli import main

DATA = Path(__file__).parent / "data"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def test_cli_prints_selected_ids_one_per_line() -> None:
    status, out, _ = run(str(DATA / "official_greedy.pb"), "--method", "greedy")
    assert status == 0
    assert out == "A-01\nB-02\nD-04\n"


def test_cli_json_prints_the_whole_outcome() -> None:
    status, out, _ = run(str(DATA / "official_equalshares_add1.pb"), "--method", "official", "--json", "--workers", "1")
    data = json.loads(out)
    assert status == 0
    assert data["method"] == "official:equalshares/add1"
    assert data["add1"]["steps"] == 22872
    assert {p["project_id"] for p in data["projects"] if p["funded"]} == set(data["selected"])


def test_cli_lexicographic_tie_break_and_add1_flags_are_recorded() -> None:
    status, out, _ = run(
        str(DATA / "official_greedy.pb"),
        "--method",
        "mes",
        "--completion",
        "add1",
        "--tie-break",
        "lexicographic",
        "--add1-start",
        "floor",
        "--add1-step",
        "2",
        "--add1-stop",
        "overspend",
        "--json",
        "--workers",
        "1",
    )
    data = json.loads(out)
    assert status == 0
    assert data["options"]["add1_start"] == "floor" and data["options"]["add1_stop"] == "overspend"
    assert data["tie_break"].startswith("lexicographic")
    assert data["add1"]["step"] == "2"


def test_cli_reports_a_malformed_file_in_one_line_naming_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pb"
    bad.write_text(
        "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;ten\nVOTES\nvoter_id;vote\n"
    )
    status, out, err = run(str(bad))
    assert status == 1 and out == ""
    assert err.count("\n") == 1
    assert "line 7: cost of project '1' 'ten' is not a number" in err


def test_cli_reports_a_missing_file_without_a_traceback(tmp_path: Path) -> None:
    status, _, err = run(str(tmp_path / "missing.pb"))
    assert status == 1 and "No such file" in err and "Traceback" not in err


def test_cli_rejects_a_bad_step_and_unknown_methods() -> None:
    status, _, err = run(str(DATA / "official_greedy.pb"), "--add1-step", "two")
    assert status == 1 and "--add1-step" in err
    assert run(str(DATA / "official_greedy.pb"), "--method", "dhondt")[0] == 2


def test_cli_official_on_a_file_without_a_rule_asks_for_a_method(tmp_path: Path) -> None:
    text = (DATA / "official_greedy_threshold.pb").read_text().replace("rule;greedy-threshold\n", "")
    path = tmp_path / "norule.pb"
    path.write_text(text)
    status, _, err = run(str(path), "--method", "official")
    assert status == 1 and "declares no rule" in err
