"""Command line: count a Pabulib file. ``python -m voting.tally FILE --method greedy``.

Prints the selected project ids, one per line (``--json``: the whole outcome).
Bad input ends with one line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from fractions import Fraction
from typing import TextIO

from .equalshares import Add1Options, Add1Stop, Completion, StartShare
from .errors import TallyError
from .methods import Method, count
from .model import Utility
from .pabulib import read_pabulib
from .tiebreak import TieBreak, TieBreakRule


def build_parser(prog: str = "python -m voting.tally") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, description="Count a participatory budgeting vote from a Pabulib .pb file."
    )
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags, shared with the Django command ``tally_pb``."""
    parser.add_argument("file", help="the .pb file")
    parser.add_argument("--method", choices=[m.value for m in Method], default=Method.GREEDY.value)
    parser.add_argument(
        "--utility",
        choices=[u.value for u in Utility],
        default=None,
        help="default: cost (greedy with it ranks by votes)",
    )
    parser.add_argument(
        "--completion",
        choices=[c.value for c in Completion],
        default=None,
        help="for mes (default none) and official equal shares",
    )
    parser.add_argument(
        "--tie-break",
        choices=[t.value for t in TieBreakRule],
        default=TieBreakRule.VOTES_THEN_COST.value,
        help="lexicographic reproduces pabutools",
    )
    parser.add_argument(
        "--lot", default="", help="for cost-then-votes: project ids in the order drawn, comma separated"
    )
    parser.add_argument(
        "--add1-start",
        choices=[s.value for s in StartShare],
        default=StartShare.EXACT.value,
        help="exact: B/n (pabutools); floor: whole units floor(B/n) (equalshares.net)",
    )
    parser.add_argument("--add1-step", default="1", help="raise per voter by this many currency units (default 1)")
    parser.add_argument(
        "--add1-stop",
        choices=[s.value for s in Add1Stop],
        default=Add1Stop.EXHAUSTIVE.value,
        help="exhaustive: first exhaustive outcome (pabutools); overspend: raise until it would overspend",
    )
    parser.add_argument("--add1-max-steps", type=int, default=Add1Options().max_steps)
    parser.add_argument(
        "--add1-max-work",
        type=int,
        default=Add1Options().max_work,
        help="refuse add1 up front when steps x ballot entries would exceed this",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes for add1 steps (default 1: on 2 cores they did not pay for themselves)",
    )
    parser.add_argument(
        "--compare-with-greedy",
        action="store_true",
        help="switch to the greedy outcome if strictly more voters prefer it",
    )
    parser.add_argument("--encoding", default=None, help="file encoding when it is not UTF-8 (e.g. cp1252)")
    parser.add_argument("--json", action="store_true", help="print the whole outcome as JSON")


def run(args: argparse.Namespace, *, stdout: TextIO, stderr: TextIO) -> int:
    """Count as ``args`` say; returns the exit status."""
    try:
        step = Fraction(str(args.add1_step).replace(",", "."))
    except (ValueError, ZeroDivisionError):
        stderr.write(f"error: --add1-step {args.add1_step!r} is not a number\n")
        return 1
    try:
        election = read_pabulib(args.file, encoding=args.encoding)
        outcome = count(
            election,
            method=Method(args.method),
            utility=Utility(args.utility) if args.utility else None,
            completion=Completion(args.completion) if args.completion else None,
            tie_break=TieBreak(
                rule=TieBreakRule(args.tie_break),
                lot=tuple(x.strip() for x in args.lot.split(",") if x.strip()),
            ),
            add1=Add1Options(
                start=StartShare(args.add1_start),
                step=step,
                stop=Add1Stop(args.add1_stop),
                compare_with_greedy=args.compare_with_greedy,
                max_steps=args.add1_max_steps,
                max_work=args.add1_max_work,
                workers=args.workers,
            ),
        )
    except TallyError as exc:
        stderr.write(f"error: {args.file}: {exc}\n")
        return 1
    except OSError as exc:
        stderr.write(f"error: {args.file}: {exc.strerror or exc}\n")
        return 1
    if args.json:
        json.dump(outcome.to_dict(), stdout, indent=2, ensure_ascii=False)
        stdout.write("\n")
    else:
        for note in outcome.notes:
            stderr.write(f"note: {note}\n")
        for pid in outcome.selected:
            stdout.write(f"{pid}\n")
    return 0


def main(argv: list[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed its one-line usage error
        return int(exc.code or 0)
    return run(args, stdout=out, stderr=err)
