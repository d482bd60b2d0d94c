import pytest

from tests.proposals.factories import unit_of
from tests.voting.factories import approve, on_ballot, submission, voter_in, voter_of, voting_cycle
from voting.errors import AlreadyVoted, BadBallot
from voting.models import Ballot, VoterRollEntry
from voting.services import ballot_cast, ballot_chain_seal, ballot_chain_verify, receipt_lookup

pytestmark = pytest.mark.django_db


def test_cast_then_seal_then_verify():
    cycle = voting_cycle()
    unit = unit_of(cycle)
    person = voter_in(cycle)
    a, b, *_ = on_ballot(cycle)
    key = submission()
    receipt = ballot_cast(cycle=cycle, unit=unit, voter=voter_of(person, unit), choices=approve(a, b), submission=key)
    again = ballot_cast(cycle=cycle, unit=unit, voter=voter_of(person, unit), choices=approve(a), submission=key)
    assert again.repeated and again.code == receipt.code and again.choices == receipt.choices
    with pytest.raises(AlreadyVoted):
        ballot_cast(cycle=cycle, unit=unit, voter=voter_of(person, unit), choices=approve(a), submission=submission())
    with pytest.raises(BadBallot):
        ballot_cast(
            cycle=cycle,
            unit=unit,
            voter=voter_of(voter_in(cycle), unit),
            choices=approve(a, a),
            submission="x".ljust(32, "0"),
        )
    assert VoterRollEntry.objects.count() == 1 and Ballot.objects.count() == 1
    assert ballot_chain_seal(cycle_id=cycle.pk) in (0, 1)
    report = ballot_chain_verify(cycle_id=cycle.pk)
    assert report.holds and report.length == 1
    assert receipt_lookup(receipt.code).position == 1


def test_a_person_trying_too_often_in_a_minute_is_slowed_down():
    from voting.errors import TooManyAttempts
    from voting.services import CAST_ATTEMPTS_PER_MINUTE

    cycle = voting_cycle()
    unit = unit_of(cycle)
    voter = voter_of(voter_in(cycle), unit)
    a = on_ballot(cycle)[0]
    for _ in range(CAST_ATTEMPTS_PER_MINUTE):
        with pytest.raises(BadBallot):
            ballot_cast(cycle=cycle, unit=unit, voter=voter, choices=approve(a, a), submission=submission())
    with pytest.raises(TooManyAttempts) as refused:
        ballot_cast(cycle=cycle, unit=unit, voter=voter, choices=approve(a), submission=submission())
    assert refused.value.status == 429
    assert not VoterRollEntry.objects.exists()
