"""``manage.py ballot_chain_verify``: the command that anyone running the platform uses to
check that no ballot was changed, removed or reordered after it was sealed."""

import pytest
from django.core.management import CommandError, call_command

from tests.proposals.factories import unit_of
from tests.voting.factories import approve, on_ballot, submission, voter_in, voter_of, voting_cycle
from voting.models import Ballot, BallotChain
from voting.services import ballot_cast, ballot_chain_seal

pytestmark = pytest.mark.django_db


@pytest.fixture
def sealed_box():
    cycle = voting_cycle()
    unit = unit_of(cycle)
    a, b, c, _d = on_ballot(cycle)
    for choices in ([a], [a, b], [c]):
        person = voter_in(cycle, unit)
        ballot_cast(
            cycle=cycle, unit=unit, voter=voter_of(person, unit), choices=approve(*choices), submission=submission()
        )
    ballot_chain_seal(cycle_id=cycle.pk)
    return cycle


def test_an_untouched_box_verifies(sealed_box, capsys):
    head = BallotChain.objects.get(cycle=sealed_box).head
    call_command("ballot_chain_verify", "--cycle", str(sealed_box.pk), "--head", head)
    assert f"3 ballots sealed, 0 waiting, head {head} — intact" in capsys.readouterr().out


def test_a_changed_ballot_breaks_the_chain(sealed_box):
    ballot = Ballot.objects.get(cycle=sealed_box, position=2)
    Ballot.objects.filter(pk=ballot.pk).update(selections=[[on_ballot(sealed_box)[3].pk, 1]])
    with pytest.raises(CommandError, match="broken"):
        call_command("ballot_chain_verify", "--cycle", str(sealed_box.pk))


def test_a_removed_ballot_breaks_the_chain(sealed_box):
    Ballot.objects.filter(cycle=sealed_box, position=3).delete()
    with pytest.raises(CommandError):
        call_command("ballot_chain_verify")


def test_a_chain_rewritten_from_scratch_differs_from_the_published_head(sealed_box):
    published = BallotChain.objects.get(cycle=sealed_box).head
    Ballot.objects.filter(cycle=sealed_box).update(position=None, previous_hash="", ballot_hash="")
    BallotChain.objects.filter(cycle=sealed_box).delete()
    Ballot.objects.filter(cycle=sealed_box, position__isnull=True).first().delete()
    ballot_chain_seal(cycle_id=sealed_box.pk)  # a consistent chain, of a different box
    with pytest.raises(CommandError):
        call_command("ballot_chain_verify", "--cycle", str(sealed_box.pk), "--head", published)


def test_sealing_everything_takes_every_waiting_ballot_batch_after_batch():
    from voting import services

    cycle = voting_cycle()
    unit = unit_of(cycle)
    for _ in range(5):
        person = voter_in(cycle, unit)
        ballot_cast(
            cycle=cycle,
            unit=unit,
            voter=voter_of(person, unit),
            choices=approve(on_ballot(cycle)[0]),
            submission=submission(),
        )
    assert services.ballot_chain_seal_everything(cycle_id=cycle.pk, limit=2) == 5  # batches of 2, 2, 1
    assert not Ballot.objects.filter(cycle=cycle, position__isnull=True).exists()
    assert BallotChain.objects.get(cycle=cycle).length == 5
