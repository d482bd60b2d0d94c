"""2,000 voters each submitting their ballot 4 times at once, through the real HTTP
endpoint of a live server (sessions, CSRF, eligibility, roll + box in PostgreSQL).

Each voter's four requests are in flight together. A quarter of the voters
retry one submission four times, a quarter send four different submissions,
the rest mix the two. Whatever the timing: one ballot and one roll entry per
voter, one 201 per voter, every 2xx of a voter for the first submission with
the same receipt, every other request a 409, no 5xx, and a chain that
verifies after sealing.

The server is gunicorn with two worker processes on the test database (Django's
threaded live server is one process: with the clients in it too, it cannot use
both cores). ``VOTING_LIVE_WORKERS`` changes the number of workers.
"""

from __future__ import annotations

import os
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import local
from urllib.parse import quote

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
from voting.services import ballot_chain_seal_all, ballot_chain_verify

pytestmark = pytest.mark.django_db(transaction=True)

VOTERS = 2000
SUBMISSIONS_PER_VOTER = 4
THREADS = 24  # client connections, served by the workers in turn


@pytest.fixture
def web(tmp_path: Path, transactional_db):
    """gunicorn serving the platform from this test's database; yields its port."""
    db = database.settings_dict
    url = f"postgres://{quote(db['USER'] or '', safe='')}:{quote(db['PASSWORD'] or '', safe='')}@"
    url += f"{quote(db['HOST'] or '', safe='')}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_LOG_LEVEL": "ERROR", "DATABASE_CONN_MAX_AGE": "60"}
    server = Gunicorn(
        env,
        tmp_path / "gunicorn.log",
        workers=int(os.environ.get("VOTING_LIVE_WORKERS", "2")),
        worker_class="sync",
        threads=1,
    )
    try:
        server.wait_ready("/votar/api/ciclos/0/papeleta/")
        yield server.port
    finally:
        server.stop()
        log = (tmp_path / "gunicorn.log").read_text(errors="replace")
        assert "Traceback" not in log, log[-3000:]


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


def test_two_thousand_voters_submitting_four_times_at_once_leave_one_ballot_each(web):
    cycle = voting_cycle(max_selections=2, proposals=3)
    territories = units(cycle)
    started = time.perf_counter()
    voters = signed_in_voters(cycle, territories, VOTERS)
    created = time.perf_counter() - started
    on_ballot: dict[int, list[int]] = defaultdict(list)
    for proposal_pk, unit_pk in cycle.proposals.values_list("pk", "unit_id").order_by("pk"):
        on_ballot[unit_pk].append(proposal_pk)

    ballot_path = reverse("voting-api:ballot", kwargs={"cycle_pk": cycle.pk})
    cast_path = reverse("voting-api:cast", kwargs={"cycle_pk": cycle.pk})
    threads = local()

    def connection() -> Connection:
        if not hasattr(threads, "connection"):
            threads.connection = Connection("127.0.0.1", web)
        return threads.connection

    sessions = [Session(voter.session_key, session_cookie=settings.SESSION_COOKIE_NAME) for voter in voters]

    def open_ballot(index: int) -> int:
        return connection().ballot(ballot_path, sessions[index]).status

    def cast(index: int, submission: str) -> tuple[int, str, int, dict]:
        voter = voters[index]
        proposals = on_ballot[voter.unit_id]
        choices = [{"proposal": proposals[index % 3], "value": 1}]
        answer = connection().cast(cast_path, sessions[index], {"submission_id": submission, "choices": choices})
        return index, submission, answer.status, answer.data

    plan = [(index, submissions_of(index)) for index in range(VOTERS)]
    started = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        ballot_statuses = list(pool.map(open_ballot, range(VOTERS)))
        opened = time.perf_counter() - started
        # A voter's four submissions are next to each other in the queue: in flight together.
        jobs = [pool.submit(cast, index, key) for index, keys in plan for key in keys]
        results = [job.result() for job in jobs]
    elapsed = time.perf_counter() - started
    requests = VOTERS + len(results)
    print(
        f"\n{VOTERS} voters created in {created:.1f} s; {requests} requests in {elapsed:.1f} s "
        f"({requests / elapsed:.0f} req/s; ballots opened in {opened:.1f} s, "
        f"{len(results) / (elapsed - opened):.0f} casts/s)"
    )

    assert set(ballot_statuses) == {200}
    statuses = defaultdict(int)
    by_voter: dict[int, list[tuple[str, int, dict]]] = defaultdict(list)
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

    ballot_chain_seal_all()
    report = ballot_chain_verify(cycle_id=cycle.pk)
    assert report.holds and report.length == VOTERS and report.unsealed == 0
