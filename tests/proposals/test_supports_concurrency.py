"""Supports under concurrent requests, with real threads and real transactions:
one support per person whatever the timing, and an exact count."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from cycles.schedule import PhaseInput, phase_add
from cycles.services import cycle_publish
from nodes.models import Municipality
from nodes.services import divipola_load
from proposals.models import Proposal, Status, Support
from proposals.services import support_add
from tests.cycles.factories import make_cycle, secretariat
from tests.proposals.factories import citizen, proposal_in

pytestmark = pytest.mark.django_db(transaction=True)

NOW = timezone.now()


@pytest.fixture
def proposal() -> Proposal:
    if not Municipality.objects.exists():  # an earlier transactional test emptied every table
        divipola_load()
    actor = secretariat()
    cycle = make_cycle("52001", methodology="blank", start=timezone.localdate() - timedelta(days=40), actor=actor)
    phase_add(
        actor=actor,
        cycle=cycle,
        data=PhaseInput(kind="supports", starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(days=10)),
    )
    cycle.support_threshold = 5
    cycle.save(update_fields=["support_threshold"])
    cycle = cycle_publish(actor=actor, cycle=cycle)
    return proposal_in(cycle, status=Status.SUBMITTED)


def at_once(calls) -> list[object]:
    """Run each call in its own thread, all released together; results or errors, in no order."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = []
    lock = threading.Lock()

    def work(call) -> None:
        try:
            barrier.wait(timeout=10)
            outcome: object = call()
        except Exception as error:  # reported below, not lost in the thread
            outcome = error
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    workers = [threading.Thread(target=work, args=(call,)) for call in calls]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert len(results) == len(calls), "a thread did not finish"
    return results


@pytest.mark.parametrize("requests", [2, 8])
def test_the_same_person_supporting_at_once_counts_once(proposal, requests):
    person = citizen()
    results = at_once([lambda: support_add(actor=person, proposal=proposal, now=NOW)] * requests)

    accepted = [r for r in results if isinstance(r, Proposal)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(accepted) == 1, results
    assert len(refused) == requests - 1, results
    assert {error.code for error in refused} == {"already_supported"}
    proposal.refresh_from_db()
    assert proposal.support_count == 1 == Support.objects.filter(proposal=proposal).count()


def test_eight_people_supporting_at_once_are_all_counted(proposal):
    people = [citizen() for _ in range(8)]
    results = at_once(
        [lambda person=person: support_add(actor=person, proposal=proposal, now=NOW) for person in people]
    )

    assert all(isinstance(r, Proposal) for r in results), results
    proposal.refresh_from_db()
    assert proposal.support_count == 8 == Support.objects.filter(proposal=proposal).count()
    assert sorted(r.support_count for r in results) == list(range(1, 9))  # each saw its own count
    # the threshold (5) was crossed once, whatever the order
    assert proposal.status == Status.IN_REVIEW
    assert proposal.history.filter(to_status=Status.IN_REVIEW).count() == 1
