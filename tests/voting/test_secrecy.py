"""Ballot secrecy: nothing in the box leads back to the roll.

The roll says that a person voted; the box says what was voted. These tests
check the ways a person with the database could join them: a column, an id
order, a timestamp, the order of the chain, or PostgreSQL's own transaction
ids (``xmin``), which would be shared by the roll entry and the ballot
written in one transaction if sealing did not rewrite the ballot.
"""

import uuid

import pytest
from django.db import connection, models

from tests.proposals.factories import unit_of
from tests.voting.factories import approve, on_ballot, submission, voter_in, voter_of, voting_cycle
from voting.chain import receipt_digest
from voting.models import Ballot, VoterRollEntry
from voting.services import ballot_cast, ballot_chain_seal, ballot_chain_seal_all


def test_the_box_has_no_column_that_names_a_person_a_time_or_the_roll():
    for field in Ballot._meta.get_fields():
        assert not isinstance(field, models.DateField | models.DateTimeField), field.name  # DateTimeField too
        if field.is_relation:
            assert field.related_model._meta.label in {"cycles.Cycle", "cycles.CycleTerritory", "voting.PaperRecord"}


def test_the_roll_keeps_the_day_only():
    kinds = {type(f) for f in VoterRollEntry._meta.get_fields() if not f.is_relation}
    assert models.DateTimeField not in kinds and models.DateField in kinds


@pytest.mark.django_db(transaction=True)
def test_after_sealing_ballots_share_no_transaction_id_nor_order_with_the_roll(settings):
    settings.VOTING_SEAL_MINIMUM = 41
    cycle = voting_cycle(max_selections=1)
    unit = unit_of(cycle)
    proposals = on_ballot(cycle)
    people = [voter_in(cycle, unit) for _ in range(40)]
    receipts = []
    for number, person in enumerate(people):
        receipt = ballot_cast(
            cycle=cycle,
            unit=unit,
            voter=voter_of(person, unit),
            choices=approve(proposals[number % len(proposals)]),
            submission=submission(),
        )
        receipts.append(receipt.code)
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text FROM voting_voterrollentry WHERE cycle_id = %s", [cycle.pk])
        roll_xmins = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT xmin::text FROM voting_ballot WHERE cycle_id = %s AND position IS NULL", [cycle.pk])
        waiting = {row[0] for row in cursor.fetchall()}
    # Casts queued sealings (run at once here, without a broker), which waited for a batch
    # of VOTING_SEAL_MINIMUM; until sealed the ballots share the roll's transaction ids.
    assert waiting == roll_xmins and Ballot.objects.filter(position__isnull=True).count() == 40
    assert ballot_chain_seal(cycle_id=cycle.pk) == 40
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text FROM voting_ballot WHERE cycle_id = %s", [cycle.pk])
        assert not {row[0] for row in cursor.fetchall()} & roll_xmins
    positions = [Ballot.objects.get(receipt_digest=receipt_digest(code)).position for code in receipts]
    assert sorted(positions) == list(range(1, 41))
    assert positions != sorted(positions)  # the chain does not follow the order people voted in
    ids = [Ballot.objects.get(receipt_digest=receipt_digest(code)).id for code in receipts]
    assert all(isinstance(i, uuid.UUID) and i.version == 4 for i in ids)
    assert ids != sorted(ids)


@pytest.mark.django_db
def test_the_automatic_sealers_wait_for_a_batch_so_no_ballot_is_sealed_alone(
    settings, django_capture_on_commit_callbacks
):
    settings.VOTING_SEAL_MINIMUM = 3
    cycle = voting_cycle()
    unit = unit_of(cycle)
    proposal = on_ballot(cycle)[0]
    for _ in range(2):
        person = voter_in(cycle, unit)
        with django_capture_on_commit_callbacks(execute=True):
            ballot_cast(
                cycle=cycle, unit=unit, voter=voter_of(person, unit), choices=approve(proposal), submission=submission()
            )
    assert ballot_chain_seal_all() == {cycle.pk: 0}
    assert Ballot.objects.filter(cycle=cycle, position__isnull=True).count() == 2
    person = voter_in(cycle, unit)
    ballot_cast(
        cycle=cycle, unit=unit, voter=voter_of(person, unit), choices=approve(proposal), submission=submission()
    )
    assert ballot_chain_seal_all() == {cycle.pk: 3}
