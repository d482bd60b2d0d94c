"""Errors raised by the counting engine.

Every error carries a message meant for a person reading a terminal or a
results page: it says what is wrong and, for files, on which line.
"""

from __future__ import annotations


class TallyError(Exception):
    """Base class: the count cannot be produced as asked."""


class PabulibError(TallyError):
    """A .pb file is malformed. ``line`` is 1-based (0 when the file as a whole is at fault)."""

    def __init__(self, message: str, *, line: int = 0) -> None:
        self.line = line
        self.reason = message
        super().__init__(f"line {line}: {message}" if line else message)


class TieError(TallyError):
    """A tie had to be broken but the tie-break in force refuses to break ties."""

    def __init__(self, message: str, *, tied: tuple[str, ...]) -> None:
        self.tied = tied
        super().__init__(message)


class Add1Refused(TallyError):
    """add1 completion would take an absurd number of steps; it refuses before starting.

    ``estimated_steps`` and ``suggested_step`` (in currency units, as a string) let the
    caller retry with a coarser step.
    """

    def __init__(self, message: str, *, estimated_steps: int, suggested_step: str) -> None:
        self.estimated_steps = estimated_steps
        self.suggested_step = suggested_step
        super().__init__(message)
