"""``manage.py tally_pb`` wraps the CLI; it needs the project's settings but no database."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

pytest.importorskip("django")
from django.conf import settings

pytestmark = pytest.mark.skipif(
    "DJANGO_SETTINGS_MODULE" not in os.environ and not settings.configured,
    reason="needs the project's Django settings (run with pytest-django)",
)

DATA = Path(__file__).parent / "data"


def test_tally_pb_command_prints_the_selected_projects_without_a_database() -> None:
    from django.core.management import call_command

    out, err = io.StringIO(), io.StringIO()
    call_command("tally_pb", str(DATA / "official_greedy.pb"), "--method", "greedy", stdout=out, stderr=err)
    assert out.getvalue() == "A-01\nB-02\nD-04\n"


def test_tally_pb_command_turns_a_malformed_file_into_a_command_error(tmp_path: Path) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    bad = tmp_path / "bad.pb"
    bad.write_text("META\nkey;value\nbudget;10\nvote_type;approval\n")
    with pytest.raises(CommandError) as info:
        call_command("tally_pb", str(bad), "--method", "official", stdout=io.StringIO(), stderr=io.StringIO())
    assert "no PROJECTS section" in str(info.value)
