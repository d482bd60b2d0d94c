"""How the automatic sealers share the chain: small batches, and never idle on its lock.

A busy vote used to be sealed every ten seconds in one go: thousands of ballots in one
transaction, which held a web process (tasks in process) or the Celery worker for most
of a second and made every cast of that moment wait. The automatic sealing now comes
every ``VOTING_SEAL_SECONDS``, takes at most ``VOTING_SEAL_BATCH`` ballots, and leaves
the ballots to the sealer already at work instead of queueing behind it.
"""

from __future__ import annotations

import json
from time import perf_counter
from types import SimpleNamespace

import psycopg
import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import connection
from django.urls import reverse

from tests.proposals.factories import unit_of
from tests.voting.factories import approve, on_ballot, submission, voter_in, voter_of, voting_cycle
from voting.models import Ballot, BallotChain
from voting.services import ballot_cast, ballot_chain_seal, ballot_chain_verify, seal_soon
from voting.tasks import ballot_chain_seal_task, queue


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


# --- With no broker: after the response ------------------------------------------------


class Recorded:
    name = "recorded"

    def __init__(self) -> None:
        self.ran: list[dict] = []

    def apply(self, kwargs: dict) -> None:
        self.ran.append(kwargs)


def test_with_no_broker_what_may_wait_runs_after_the_response():
    task = Recorded()
    request_started.send(sender=None)
    queue(task, countdown=2, cycle_id=1)
    assert task.ran == []  # not while the request is answered
    queue(task, cycle_id=2)  # no countdown: at once
    assert task.ran == [{"cycle_id": 2}]
    request_finished.send(sender=None)  # the server closed the response
    assert task.ran == [{"cycle_id": 2}, {"cycle_id": 1}]
    queue(task, countdown=2, cycle_id=3)  # outside a request (a command, a test): at once
    assert task.ran[-1] == {"cycle_id": 3}


def test_a_failure_after_the_response_is_logged_and_the_rest_still_runs(caplog):
    class Failing(Recorded):
        def apply(self, kwargs: dict) -> None:
            raise RuntimeError("the database went away")

    done = Recorded()
    request_started.send(sender=None)
    queue(Failing(), countdown=2, cycle_id=1)
    queue(done, countdown=2, cycle_id=2)
    request_finished.send(sender=None)
    assert done.ran == [{"cycle_id": 2}]
    assert "after the response failed" in caplog.text


@pytest.mark.django_db(transaction=True)  # the cast's on_commit queues the sealing
def test_a_cast_through_the_api_is_sealed_once_its_answer_is_sent(settings, client):
    settings.VOTING_SEAL_MINIMUM = 1
    cycle = voting_cycle()
    person = voter_in(cycle)
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    body = {"submission_id": submission(), "choices": [{"proposal": on_ballot(cycle)[0].pk}]}
    url = reverse("voting-api:cast", kwargs={"cycle_pk": cycle.pk})
    answer = client.post(url, data=json.dumps(body), content_type="application/json")
    assert answer.status_code == 201  # the test client closes the response, as a server does
    assert unsealed(cycle) == 0 and BallotChain.objects.get(cycle=cycle).length == 1
