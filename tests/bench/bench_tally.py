"""Benchmark: the counting engine against pabutools on generated city-sized elections.

Not a test (pytest collects test_*.py only). Run by hand:

    .venv/bin/python tests/bench/bench_tally.py            # full run, a few minutes
    .venv/bin/python tests/bench/bench_tally.py --quick    # smaller instances

Prints one table row per task with both times and the ratio, then memory.
pabutools runs with a time limit; MES with add1 is compared on a smaller
election (pabutools needs one full MES run per step) and also timed alone on
the full one.
"""

from __future__ import annotations

import argparse
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.tally.generators import city_ballots, city_election  # noqa: E402
from voting.tally import (  # noqa: E402
    Add1Options,
    Add1Refused,
    Completion,
    Election,
    Method,
    build_election,
    count,
    read_pabulib,
    write_pabulib,
)


class TimeLimit(Exception):
    """A measured call ran past its time limit (pabutools' slowest runs are cut off)."""


def timed(func: Callable[[], Any], *, limit: int | None = None) -> tuple[float | None, Any]:
    """Seconds taken (None past ``limit``) and the result."""

    def expire(signum: int, frame: object) -> None:
        raise TimeLimit

    if limit:
        signal.signal(signal.SIGALRM, expire)
        signal.alarm(limit)
    start = time.perf_counter()
    try:
        result = func()
    except TimeLimit:
        return None, None
    finally:
        if limit:
            signal.alarm(0)
    return time.perf_counter() - start, result


def show(seconds: float | None, limit: int | None = None) -> str:
    if seconds is None:
        return f"> {limit} s" if limit else "not run"
    return f"{seconds:8.3f} s"


def ratio(theirs: float | None, ours: float | None, limit: int | None) -> str:
    if ours is None:
        return "-"
    if theirs is None:
        return f"> {limit / ours:,.0f}x" if limit else "-"
    return f"{theirs / ours:,.1f}x"


def row(task: str, theirs: float | None, ours: float | None, limit: int | None = None, note: str = "") -> None:
    print(
        f"| {task:<44} | {show(theirs, limit):>11} | {show(ours):>11} | {ratio(theirs, ours, limit):>9} | {note}",
        flush=True,
    )


def child(kind: str, path: str) -> None:
    """Runs in a fresh process so ru_maxrss is this task's peak alone."""
    if kind == "ours":
        election = read_pabulib(path)
        count(election, method=Method.GREEDY)
        count(election, method=Method.MES)
    else:
        from pabutools.election import Cost_Sat, parse_pabulib
        from pabutools.rules import greedy_utilitarian_welfare

        instance, profile = parse_pabulib(path)
        greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    # VmHWM is this process's own peak; ru_maxrss would include the parent's peak before exec.
    status = Path("/proc/self/status").read_text()
    print(next(int(line.split()[1]) // 1024 for line in status.splitlines() if line.startswith("VmHWM:")))


def peak_mb(kind: str, path: Path) -> str:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path)], capture_output=True, text=True, timeout=900
    )
    return out.stdout.strip().splitlines()[-1] + " MB" if out.returncode == 0 else f"failed: {out.stderr[-200:]}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--limit", type=int, default=300, help="seconds allowed to each pabutools task")
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

    limit = args.limit
    voters, small_voters = (20_000, 4_000) if args.quick else (80_000, 10_000)
    workdir = Path(tempfile.mkdtemp(prefix="bench_tally_"))
    print(f"machine: {resource.getpagesize()} B pages; python {sys.version.split()[0]}")
    city = city_election(seed=7, voters=voters, projects=120, budget=voters * 50, cost_range=(20_000, 400_000))
    city_file = workdir / "city.pb"
    city_file.write_text(write_pabulib(city), encoding="utf-8")
    print(
        f"city: {voters} voters ({len(city.groups)} distinct ballots), 120 projects, "
        f"budget {city.budget} (B/n = 50), file {city_file.stat().st_size // 1024} KB\n"
    )
    print(f"| {'task':<44} | {'pabutools':>11} | {'engine':>11} | {'ratio':>9} | note")
    print(f"|{'-' * 46}|{'-' * 13}|{'-' * 13}|{'-' * 11}|------")

    t_theirs, parsed = timed(lambda: parse_pabulib(str(city_file)), limit=limit)
    t_ours, election = timed(lambda: read_pabulib(city_file))
    row("parse .pb and merge identical ballots", t_theirs, t_ours, limit)
    instance, profile = parsed

    t_theirs, _ = timed(lambda: greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat), limit=limit)
    t_ours, _ = timed(lambda: count(election, method=Method.GREEDY))
    row("greedy by votes", t_theirs, t_ours, limit)

    t_theirs, theirs = timed(lambda: method_of_equal_shares(instance, profile, sat_class=Cost_Sat), limit=limit)
    t_ours, ours = timed(lambda: count(election, method=Method.MES))
    same = "same outcome" if theirs is None or {p.name for p in theirs} == set(ours.selected) else "DIFFERENT"
    row("one MES run (cost utility)", t_theirs, t_ours, limit, same)

    for workers in (1, 2):
        t_ours, ours = timed(
            lambda workers=workers: count(
                election, method=Method.MES, completion=Completion.ADD1, add1=Add1Options(workers=workers)
            )
        )
        report = ours.add1
        row(
            f"MES + add1, full city ({workers} process{'es' if workers > 1 else ''})",
            None,
            t_ours,
            None,
            f"pabutools not run: {report.steps} steps x one MES each; {report.runs} runs",
        )

    small = city_election(
        seed=8, voters=small_voters, projects=80, budget=small_voters * 50, cost_range=(20_000, 400_000)
    )
    small_file = workdir / "small.pb"
    small_file.write_text(write_pabulib(small), encoding="utf-8")
    s_instance, s_profile = parse_pabulib(str(small_file))
    s_election = read_pabulib(small_file)
    t_theirs, theirs = timed(
        lambda: method_of_equal_shares(s_instance, s_profile, sat_class=Cost_Sat, voter_budget_increment=1), limit=limit
    )
    t_ours, ours = timed(lambda: count(s_election, method=Method.MES, completion=Completion.ADD1))
    same = "same outcome" if theirs is None or {p.name for p in theirs} == set(ours.selected) else "DIFFERENT"
    row(f"MES + add1, {small_voters} voters, 80 projects", t_theirs, t_ours, limit, f"{same}; {ours.add1.steps} steps")

    pesos = city_election(seed=9, voters=voters, projects=120, budget=10**9, cost_range=(5 * 10**6, 10**8))
    t_ours, refusal = timed(lambda: _refusal(pesos))
    row("MES + add1, budget 10^9 in pesos (refusal)", None, t_ours, None, refusal)

    items, ballots = city_ballots(seed=11, voters=1_000_000, projects=150, cost_range=(10**5, 10**7))
    t_merge, million = timed(lambda: build_election(projects=items, budget=10**8, ballots=ballots))
    t_ours, _ = timed(lambda: count(million, method=Method.GREEDY))
    row(
        "greedy, 1,000,000 approval ballots",
        None,
        t_ours,
        None,
        f"{len(million.groups)} distinct ballots; merging them first took {t_merge:.2f} s",
    )

    big = city_election(seed=10, voters=150_000, projects=150, budget=150_000 * 50, cost_range=(20_000, 400_000))
    big_file = workdir / "big.pb"
    big_file.write_text(write_pabulib(big), encoding="utf-8")
    print()
    print(f"peak memory, read 150,000 ballots + greedy + MES (engine): {peak_mb('ours', big_file)}")
    print(f"peak memory, read {voters} ballots + greedy (pabutools): {peak_mb('pabutools', city_file)}")


def _refusal(election: Election) -> str:
    try:
        outcome = count(election, method=Method.MES, completion=Completion.ADD1)
    except Add1Refused as exc:
        return f"refused: about {exc.estimated_steps} steps; suggested step {exc.suggested_step}"
    return f"ran: {outcome.add1.steps if outcome.add1 else 0} steps"


if __name__ == "__main__":
    main()
