"""How the automatic sealers share the chain: small batches, and never idle on its lock.

A busy vote used to be sealed every ten seconds in one go: thousands of ballots in one
transaction, which held a web process (tasks in process) or the Celery worker for most
of a second and made every cast of that moment wait. The automatic sealing now comes
every ``VOTING_SEAL_SECONDS``, takes at most ``VOTING_SEAL_BATCH`` ballots, and leaves
the ballots to the sealer already at work instead of queueing behind it.
"""

from __future__ import annotations

from time import perf_counter
from types import SimpleNamespace

import psycopg
import pytest
from django.core.cache import cache
from django.db import connection

from tests.proposals.factories import unit_of
from tests.voting.factories import approve, on_ballot, submission, voter_in, voter_of, voting_cycle
from voting.models import Ballot, BallotChain
from voting.services import ballot_cast, ballot_chain_seal, ballot_chain_verify, seal_soon
from voting.tasks import ballot_chain_seal_task


def cast_many(cycle, count: int) -> None:
    unit = unit_of(cycle)
    first = on_ballot(cycle)[0]
    for _ in range(count):
        ballot_cast(
            cycle=cycle,
            unit=unit,
            voter=voter_of(voter_in(cycle), unit),
            choices=approve(first),
            submission=submission(),
        )


def unsealed(cycle) -> int:
    return Ballot.objects.filter(cycle=cycle, position__isnull=True).count()


@pytest.mark.django_db
def test_the_automatic_sealing_takes_at_most_a_batch_and_the_next_one_goes_on(settings):
    settings.VOTING_SEAL_MINIMUM = 1000  # no sealing while casting
    cycle = voting_cycle()
    cast_many(cycle, 7)
    settings.VOTING_SEAL_MINIMUM, settings.VOTING_SEAL_BATCH = 2, 3

    assert ballot_chain_seal_task(cycle_id=cycle.pk) == 3
    assert ballot_chain_seal_task(cycle_id=cycle.pk) == 3
    assert ballot_chain_seal_task(cycle_id=cycle.pk) == 0  # one waits: fewer than the minimum
    assert unsealed(cycle) == 1
    report = ballot_chain_verify(cycle_id=cycle.pk)
    assert report.holds and report.length == 6


@pytest.mark.django_db
def test_a_process_asks_for_a_sealing_once_per_period(settings, monkeypatch):
    settings.VOTING_SEAL_SECONDS = 2
    asked: list[dict] = []
    monkeypatch.setattr("voting.tasks.queue", lambda task, **kwargs: asked.append(kwargs))
    now = [100.0]
    monkeypatch.setattr("voting.services.time", SimpleNamespace(monotonic=lambda: now[0], perf_counter=perf_counter))
    cycle = voting_cycle()

    for second in (100.0, 100.5, 101.9):  # asks, then within the period twice
        now[0] = second
        seal_soon(cycle.pk)
    assert asked == [{"cycle_id": cycle.pk, "countdown": 2}]
    cache.delete(f"voting:seal:{cycle.pk}")  # the queued sealing ran (its mark expired)
    now[0] = 102.1
    seal_soon(cycle.pk)
    assert len(asked) == 2


def holding_the_chain(cycle_id: int) -> psycopg.Connection:
    """Another session (another web process, the Celery worker) in the middle of a sealing."""
    other = psycopg.connect(**connection.get_connection_params())
    other.execute("SELECT 1 FROM voting_ballotchain WHERE cycle_id = %s FOR UPDATE", [cycle_id])
    return other


@pytest.mark.django_db(transaction=True)
def test_an_automatic_sealer_leaves_the_ballots_to_the_one_at_work(settings):
    settings.VOTING_SEAL_MINIMUM = 1000
    cycle = voting_cycle()
    cast_many(cycle, 4)
    ballot_chain_seal(cycle_id=cycle.pk, limit=1)  # the chain's row exists from the first sealing
    settings.VOTING_SEAL_MINIMUM = 1
    other = holding_the_chain(cycle.pk)
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # a sealer that waited would fail here, not hang
        assert ballot_chain_seal_task(cycle_id=cycle.pk) == 0
        assert unsealed(cycle) == 3
    finally:
        other.rollback()
        other.close()
    assert ballot_chain_seal_task(cycle_id=cycle.pk) == 3
    assert ballot_chain_verify(cycle_id=cycle.pk).holds


@pytest.mark.django_db(transaction=True)
def test_the_first_sealing_creates_the_chain_even_without_waiting(settings):
    settings.VOTING_SEAL_MINIMUM = 1000
    cycle = voting_cycle()
    cast_many(cycle, 2)
    BallotChain.objects.filter(cycle=cycle).delete()  # as before any sealer came
    assert ballot_chain_seal(cycle_id=cycle.pk, wait=False) == 2
    assert BallotChain.objects.get(cycle=cycle).length == 2
