"""``manage.py tally_pb FILE --method greedy``: count a Pabulib file with the counting engine.

A thin wrapper: the flags, the output and the exit status are those of
``python -m voting.tally`` (``voting.tally.cli``). It needs no database.
"""

from __future__ import annotations

import argparse
import io
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from voting.tally.cli import add_arguments, run


class Command(BaseCommand):
    help = "Count a participatory budgeting vote from a Pabulib .pb file (no database needed)."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        namespace = argparse.Namespace(**options)
        errors = io.StringIO()
        status = run(namespace, stdout=cast(TextIO, self.stdout), stderr=errors)
        if status:
            # Django prints a CommandError as one line and exits with its returncode.
            raise CommandError(errors.getvalue().strip().removeprefix("error: "), returncode=status)
        self.stderr.write(errors.getvalue(), ending="")
