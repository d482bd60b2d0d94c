"""2,000 voters each submitting their ballot 4 times at once, through the real HTTP
endpoint of a live server (sessions, CSRF, eligibility, roll + box in PostgreSQL).

Each voter's four requests are in flight together. A quarter of the voters
retry one submission four times, a quarter send four different submissions,
the rest mix the two. Whatever the timing: one ballot and one roll entry per
voter, one 201 per voter, every 2xx of a voter for the first submission with
the same receipt, every other request a 409, no 5xx, and a chain that
verifies after sealing.

Every request carries a real session cookie and passes Django's CSRF check.
One voter in 40 first opens the ballot (``GET .../papeleta/``) and casts with
the cookie and masked token it sets; the others bring their own CSRF cookie
(a 32-character secret, the same value in ``X-CSRFToken``), as a browser that
already holds one does: the check is the same, and 2,000 ballot GETs would
take a fifth of the test's time.

The server is gunicorn (Django's threaded live server is one process: with the
clients in it too, it cannot use both cores): two gthread workers with four
threads and keep-alive. ``VOTING_LIVE_WORKERS``, ``VOTING_LIVE_WORKER_CLASS``,
``VOTING_LIVE_THREADS`` and ``VOTING_LIVE_CLIENTS`` change that. If gunicorn
does not start, the test fails (it is never skipped).
"""

from __future__ import annotations

import os
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import local
from typing import Any
from urllib.parse import quote

import psutil
import pytest
from django.conf import settings
from django.db import connection as database
from django.urls import reverse

from tests.load.castclient import Connection, Session
from tests.load.run_cast_load import Gunicorn
from tests.load.voters import signed_in_voters
from tests.voting.factories import units, voting_cycle
from voting import chain
from voting.models import Ballot, VoterRollEntry
from voting.services import ballot_chain_seal, ballot_chain_verify

pytestmark = pytest.mark.django_db(transaction=True)

VOTERS = 2000
SUBMISSIONS_PER_VOTER = 4
OPENING_THE_BALLOT = 40  # one voter in this many GETs the ballot for the server's CSRF token
CLIENTS = int(os.environ.get("VOTING_LIVE_CLIENTS", "16"))  # keep-alive connections, one per thread


class Server:
    def __init__(self, gunicorn: Gunicorn) -> None:
        self.gunicorn = gunicorn
        self.port = gunicorn.port

    def cpu_seconds(self) -> float:
        total = 0.0
        for pid in self.gunicorn.workers():
            try:
                times = psutil.Process(pid).cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
        return total


@pytest.fixture
def web(tmp_path: Path, transactional_db: None) -> Iterator[Server]:
    """gunicorn serving the platform from this test's database."""
    db = database.settings_dict
    url = f"postgres://{quote(db['USER'] or '', safe='')}:{quote(db['PASSWORD'] or '', safe='')}@"
    url += f"{quote(db['HOST'] or '', safe='')}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_LOG_LEVEL": "ERROR", "DATABASE_CONN_MAX_AGE": "60"}
    log = tmp_path / "gunicorn.log"
    server = Gunicorn(
        env,
        log,
        workers=int(os.environ.get("VOTING_LIVE_WORKERS", "2")),
        worker_class=os.environ.get("VOTING_LIVE_WORKER_CLASS", "gthread"),
        threads=int(os.environ.get("VOTING_LIVE_THREADS", "4")),
        keep_alive=30,
        # Each client keeps its connection for the whole test: room for all of them
        # (the shipped gunicorn.conf.py, made for a connection per request, holds 8).
        worker_connections=1000,
        preload=True,
    )
    try:
        try:
            server.wait_ready("/votar/api/ciclos/0/papeleta/")
        except SystemExit as failure:  # the harness's way of saying so; here it is a failure, never a skip
            pytest.fail(f"gunicorn did not start: {failure}\n{log.read_text(errors='replace')[-3000:]}")
        yield Server(server)
    finally:
        server.stop()
        text = log.read_text(errors="replace")
        assert "Traceback" not in text, text[-3000:]


def submissions_of(voter_index: int) -> list[str]:
    """The four submission ids one voter sends: the same one retried, four different
    ones, or a mix (first id retried once, then a new one, then the first again)."""
    first, second, third, fourth = (uuid.uuid4().hex for _ in range(4))
    return [
        [first, first, first, first],
        [first, second, third, fourth],
        [first, first, second, second],
        [first, second, first, third],
    ][voter_index % 4]


def test_two_thousand_voters_submitting_four_times_at_once_leave_one_ballot_each(web: Server) -> None:
    began = time.perf_counter()
    cycle = voting_cycle(max_selections=2, proposals=3)
    territories = units(cycle)
    voters = signed_in_voters(cycle, territories, VOTERS)
    on_ballot: dict[int, list[int]] = defaultdict(list)
    for proposal_pk, unit_pk in cycle.proposals.values_list("pk", "unit_id").order_by("pk"):
        on_ballot[unit_pk].append(proposal_pk)
    created = time.perf_counter() - began

    ballot_path = reverse("voting-api:ballot", kwargs={"cycle_pk": cycle.pk})
    cast_path = reverse("voting-api:cast", kwargs={"cycle_pk": cycle.pk})
    threads = local()

    def connection() -> Connection:
        if not hasattr(threads, "connection"):
            threads.connection = Connection("127.0.0.1", web.port)
        own: Connection = threads.connection
        return own

    sessions = [Session(voter.session_key, session_cookie=settings.SESSION_COOKIE_NAME) for voter in voters]
    opening = range(0, VOTERS, OPENING_THE_BALLOT)
    for index in set(range(VOTERS)) - set(opening):
        sessions[index].own_csrf()

    def open_ballot(index: int) -> int:
        return connection().ballot(ballot_path, sessions[index]).status

    def cast(index: int, submission: str) -> tuple[int, str, int, dict[str, Any]]:
        voter = voters[index]
        proposals = on_ballot[voter.unit_id]
        choices = [{"proposal": proposals[index % 3], "value": 1}]
        answer = connection().cast(cast_path, sessions[index], {"submission_id": submission, "choices": choices})
        return index, submission, answer.status, answer.data

    plan = [(index, submissions_of(index)) for index in range(VOTERS)]
    with ThreadPoolExecutor(CLIENTS) as pool:
        ballot_statuses = list(pool.map(open_ballot, opening))
        cpu_before, load_before = web.cpu_seconds(), os.getloadavg()[0]
        started = time.perf_counter()
        # A voter's four submissions are next to each other in the queue: in flight together.
        jobs = [pool.submit(cast, index, key) for index, keys in plan for key in keys]
        results = [job.result() for job in jobs]
        elapsed = time.perf_counter() - started
        worker_ms = (web.cpu_seconds() - cpu_before) * 1000 / len(results)
    print(
        f"\n{VOTERS} voters written in {created:.1f} s; {len(opening)} ballots opened; "
        f"{len(results)} casts in {elapsed:.1f} s ({len(results) / elapsed:.0f} casts/s, "
        f"workers {worker_ms:.1f} ms CPU per cast; load average {load_before:.1f})"
    )

    assert set(ballot_statuses) == {200}
    assert all(len(sessions[index].csrf_token) == 64 for index in opening)  # the server's masked token
    statuses: dict[int, int] = defaultdict(int)
    by_voter: dict[int, list[tuple[str, int, dict[str, Any]]]] = defaultdict(list)
    for index, submission, status, data in results:
        statuses[status] += 1
        by_voter[index].append((submission, status, data))
    assert set(statuses) <= {200, 201, 409}, dict(statuses)
    assert statuses[201] == VOTERS, dict(statuses)

    receipts = set()
    for index, answers in by_voter.items():
        created_ = [(submission, data) for submission, status, data in answers if status == 201]
        assert len(created_) == 1, (index, answers)
        winner, first = created_[0]
        for submission, status, data in answers:
            if status in (200, 201):
                assert submission == winner and data["receipt"] == first["receipt"], (index, answers)
                assert data["repeated"] is (status == 200)
            else:
                assert submission != winner and data["error"] == "already_voted", (index, answers)
        same = sum(1 for submission in plan[index][1] if submission == winner)
        assert sum(1 for _, status, _ in answers if status in (200, 201)) == same
        receipts.add(first["receipt"])

    assert Ballot.objects.filter(cycle=cycle).count() == VOTERS
    assert VoterRollEntry.objects.filter(cycle=cycle).count() == VOTERS
    stored = set(Ballot.objects.filter(cycle=cycle).values_list("receipt_digest", flat=True))
    assert stored == {chain.receipt_digest(code) for code in receipts}

    ballot_chain_seal(cycle_id=cycle.pk, minimum=1)  # what the cast path left unsealed (it seals by 25)
    report = ballot_chain_verify(cycle_id=cycle.pk)
    assert report.holds and report.length == VOTERS and report.unsealed == 0
    print(f"whole test body {time.perf_counter() - began:.1f} s")
