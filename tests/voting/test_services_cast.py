"""Casting, replacing, sealing and verifying at the service level: every refusal,
retries, replacement chains, the order of the chain, and tampering found."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from cycles.models import CycleStep
from cycles.phases import Step
from tests.proposals.factories import unit_of
from tests.voting.factories import approve, on_ballot, station_in, submission, voter_in, voter_of, voting_cycle
from voting import chain
from voting.ballots import Choice
from voting.errors import AlreadyVoted, BadBallot, BadReceipt, NotEligible, VotingClosed
from voting.models import Ballot, BallotChain, BallotStart, Channel, VoterRollEntry
from voting.services import (
    ballot_cast,
    ballot_chain_seal,
    ballot_chain_seal_all,
    ballot_chain_verify,
    ballot_replace,
    receipt_lookup,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def scene(**voting):
    cycle = voting_cycle(**voting)
    unit = unit_of(cycle)
    person = voter_in(cycle)
    return cycle, unit, voter_of(person, unit), on_ballot(cycle)


def cast(cycle, unit, voter, choices, key=None, **extra):
    return ballot_cast(cycle=cycle, unit=unit, voter=voter, choices=choices, submission=key or submission(), **extra)


def box_is_empty() -> bool:
    return not Ballot.objects.exists() and not VoterRollEntry.objects.exists()


# --- Refusals of cast ----------------------------------------------------------------


BAD_BALLOTS = [
    ("empty", {}, lambda ps: [], "empty"),
    ("duplicate", {}, lambda ps: [Choice(ps[0].pk), Choice(ps[0].pk)], "duplicate"),
    ("not on ballot", {}, lambda ps: [Choice(999_999)], "not_on_ballot"),
    ("a number on an approval", {}, lambda ps: [Choice(ps[0].pk, 2)], "bad_value"),
    ("ranks skip", {"ballot_type": "ranked"}, lambda ps: [Choice(ps[0].pk, 1), Choice(ps[1].pk, 3)], "bad_rank"),
    (
        "not whole blocks",
        {"ballot_type": "wallet", "wallet_amount": 1_000_000, "wallet_block": 100_000},
        lambda ps: [Choice(ps[0].pk, 150_000)],
        "bad_block",
    ),
    (
        "over the wallet",
        {"ballot_type": "wallet", "wallet_amount": 300_000, "wallet_block": 100_000},
        lambda ps: [Choice(ps[0].pk, 200_000), Choice(ps[1].pk, 200_000)],
        "over_wallet",
    ),
    ("too few", {"min_selections": 2}, lambda ps: [Choice(ps[0].pk)], "too_few"),
    ("too many", {"max_selections": 2}, lambda ps: [Choice(p.pk) for p in ps[:3]], "too_many"),
    ("two on a single ballot", {"ballot_type": "single"}, lambda ps: [Choice(p.pk) for p in ps[:2]], "too_many"),
]


@pytest.mark.parametrize(("voting", "choose", "code"), [b[1:] for b in BAD_BALLOTS], ids=[b[0] for b in BAD_BALLOTS])
def test_cast_refuses_a_bad_ballot_and_writes_nothing(voting, choose, code):
    cycle, unit, voter, proposals = scene(**voting)
    with pytest.raises(BadBallot) as refused:
        cast(cycle, unit, voter, choose(proposals))
    assert refused.value.code == code and refused.value.status == 422 and refused.value.message
    assert box_is_empty()


def test_cast_refuses_a_ballot_over_the_envelope():
    cycle, unit, voter, (a, b, *_) = scene(ballot_type="knapsack")
    unit.amount = 150_000_000
    unit.save(update_fields=["amount"])
    with pytest.raises(BadBallot) as refused:
        cast(cycle, unit, voter, approve(a, b))
    assert refused.value.code == "over_envelope"
    assert box_is_empty()
    assert cast(cycle, unit, voter, approve(a)).code  # one fits


def test_cast_refuses_a_territory_that_is_not_the_voter_own():
    cycle, _unit, voter, _ = scene()
    other = unit_of(cycle, 1)
    with pytest.raises(NotEligible) as refused:
        cast(cycle, other, voter, approve(on_ballot(cycle, other)[0]))
    assert refused.value.code == "other_territory"
    assert box_is_empty()


def test_cast_refuses_outside_the_voting_window():
    cycle, unit, voter, (a, *_) = scene(opened_days_ago=5, closes_in_days=-1)
    with pytest.raises(VotingClosed):
        cast(cycle, unit, voter, approve(a))
    assert box_is_empty()


def test_cast_refuses_before_the_window_opens_given_the_clock():
    cycle, unit, voter, (a, *_) = scene()
    with pytest.raises(VotingClosed):
        cast(cycle, unit, voter, approve(a), now=timezone.now() - timedelta(days=3))
    assert box_is_empty()


def test_cast_after_the_close_voting_step_rolls_back_roll_and_ballot():
    cycle, unit, voter, (a, *_) = scene()
    CycleStep.objects.create(cycle=cycle, step=Step.CLOSE_VOTING, done_at=timezone.now())
    with pytest.raises(VotingClosed) as refused:
        cast(cycle, unit, voter, approve(a))
    assert refused.value.code == "closed"
    assert box_is_empty()


def test_cast_online_refused_where_the_cycle_votes_in_person_only():
    cycle, unit, voter, (a, *_) = scene(online=False, in_person_days=[timezone.localdate().isoformat()])
    with pytest.raises(NotEligible) as refused:
        cast(cycle, unit, voter, approve(a))
    assert refused.value.code == "in_person_only"
    assert box_is_empty()


def test_cast_at_a_station_must_name_the_station():
    cycle, unit, voter, (a, *_) = scene()
    with pytest.raises(NotEligible) as refused:
        cast(cycle, unit, voter, approve(a), channel=Channel.ASSISTED)
    assert refused.value.code == "no_station"
    assert box_is_empty()


# --- One person, one ballot; retries ---------------------------------------------------


def test_a_retried_submission_returns_the_first_receipt_and_writes_nothing_more():
    cycle, unit, voter, (a, b, *_) = scene()
    key = submission()
    first = cast(cycle, unit, voter, approve(b, a), key)
    again = cast(cycle, unit, voter, approve(a), key)  # what the retry carries does not matter

    assert not first.repeated and again.repeated
    assert again.code == first.code and again.choices == first.choices == (Choice(a.pk), Choice(b.pk))
    assert Ballot.objects.count() == 1 and VoterRollEntry.objects.count() == 1


def test_a_second_submission_is_refused_with_the_channel_of_the_first():
    cycle, unit, voter, (a, b, *_) = scene()
    cast(cycle, unit, voter, approve(a))
    with pytest.raises(AlreadyVoted) as refused:
        cast(cycle, unit, voter, approve(b))
    assert refused.value.code == "already_voted" and refused.value.status == 409
    assert "online" in refused.value.message
    assert Ballot.objects.count() == 1


def test_a_person_who_voted_online_is_refused_at_a_station():
    cycle, unit, voter, (a, *_) = scene()
    cast(cycle, unit, voter, approve(a))
    with pytest.raises(AlreadyVoted) as refused:
        cast(cycle, unit, voter, approve(a), channel=Channel.ASSISTED, station=station_in(cycle, unit))
    assert "This person has already voted online" in refused.value.message
    assert Ballot.objects.count() == 1 and VoterRollEntry.objects.get().channel == Channel.ONLINE


def test_a_person_who_voted_at_a_station_is_refused_online():
    cycle, unit, voter, (a, *_) = scene()
    cast(cycle, unit, voter, approve(a), channel=Channel.ASSISTED, station=station_in(cycle, unit))
    with pytest.raises(AlreadyVoted) as refused:
        cast(cycle, unit, voter, approve(a))
    assert "at a polling station" in refused.value.message


def test_the_roll_is_keyed_by_the_person_not_the_account():
    cycle, unit, voter, (a, *_) = scene()
    cast(cycle, unit, voter, approve(a))
    same_person_other_account = voter.__class__(key=voter.key, unit_id=unit.pk, user_id=None)
    with pytest.raises(AlreadyVoted):
        cast(cycle, unit, same_person_other_account, approve(a))


def test_the_box_holds_no_reference_to_the_voter_and_the_roll_no_choice():
    cycle, unit, voter, (a, *_) = scene()
    receipt = cast(cycle, unit, voter, approve(a))
    ballot = Ballot.objects.get()
    entry = VoterRollEntry.objects.get()
    stored = " ".join(str(value) for value in Ballot.objects.values().get().values())
    assert voter.key not in stored
    assert receipt.code not in stored and chain.normalise_receipt(receipt.code) not in stored
    assert ballot.receipt_digest == chain.receipt_digest(receipt.code)
    roll = " ".join(str(value) for value in VoterRollEntry.objects.values().get().values())
    assert receipt.code not in roll and ballot.receipt_digest not in roll
    assert entry.voter_key == voter.key


def test_casting_clears_the_reminder_marker():
    cycle, unit, voter, (a, *_) = scene()
    BallotStart.objects.create(cycle=cycle, user_id=voter.user_id, started_at=timezone.now())
    cast(cycle, unit, voter, approve(a))
    assert not BallotStart.objects.exists()


# --- Replacing ---------------------------------------------------------------------


def replace(cycle, unit, voter, receipt, choices, key=None):
    return ballot_replace(
        cycle=cycle, unit=unit, voter=voter, receipt=receipt, choices=choices, submission=key or submission()
    )


def test_replace_is_refused_where_the_cycle_does_not_allow_it():
    cycle, unit, voter, (a, b, *_) = scene()
    first = cast(cycle, unit, voter, approve(a))
    with pytest.raises(NotEligible) as refused:
        replace(cycle, unit, voter, first.code, approve(b))
    assert refused.value.code == "not_replaceable"
    assert Ballot.objects.count() == 1


def test_replace_before_voting_is_refused():
    cycle, unit, voter, (a, *_) = scene(ballot_replaceable=True)
    with pytest.raises(BadReceipt) as refused:
        replace(cycle, unit, voter, "ABCD-EFGH-IJKL-MNOP-QRST", approve(a))
    assert refused.value.code == "not_voted"


def test_replace_with_a_wrong_receipt_is_refused():
    cycle, unit, voter, (a, b, *_) = scene(ballot_replaceable=True)
    cast(cycle, unit, voter, approve(a))
    for wrong in ("ABCD-EFGH-IJKL-MNOP-QRST", "not a code"):
        with pytest.raises(BadReceipt) as refused:
            replace(cycle, unit, voter, wrong, approve(b))
        assert refused.value.code == "wrong_receipt"
    assert Ballot.objects.count() == 1


def test_replace_refused_for_a_station_ballot():
    cycle, unit, voter, (a, b, *_) = scene(ballot_replaceable=True)
    first = cast(cycle, unit, voter, approve(a), channel=Channel.ASSISTED, station=station_in(cycle, unit))
    with pytest.raises(NotEligible) as refused:
        replace(cycle, unit, voter, first.code, approve(b))
    assert refused.value.code == "in_person"


def test_replace_refused_after_the_window():
    cycle, unit, voter, (a, b, *_) = scene(ballot_replaceable=True)
    first = cast(cycle, unit, voter, approve(a))
    with pytest.raises(VotingClosed):
        ballot_replace(
            cycle=cycle,
            unit=unit,
            voter=voter,
            receipt=first.code,
            choices=approve(b),
            submission=submission(),
            now=timezone.now() + timedelta(days=5),
        )


def test_a_chain_of_replacements_keeps_one_roll_entry_and_links_each_ballot_to_the_previous():
    cycle, unit, voter, (a, b, c, *_) = scene(ballot_replaceable=True)
    first = cast(cycle, unit, voter, approve(a))
    second = replace(cycle, unit, voter, first.code, approve(b))
    key = submission()
    third = replace(cycle, unit, voter, second.code, approve(c), key)
    retried = replace(cycle, unit, voter, second.code, approve(c), key)

    assert len({first.code, second.code, third.code}) == 3
    assert retried.repeated and retried.code == third.code
    assert Ballot.objects.count() == 3
    assert VoterRollEntry.objects.count() == 1
    assert Ballot.objects.get(receipt_digest=chain.receipt_digest(third.code)).replaces_digest == chain.receipt_digest(
        second.code
    )
    assert receipt_lookup(first.code).replaced and receipt_lookup(second.code).replaced
    assert not receipt_lookup(third.code).replaced and receipt_lookup(third.code).choices == (Choice(c.pk),)
    with pytest.raises(BadReceipt):  # only the current receipt replaces
        replace(cycle, unit, voter, first.code, approve(a))
    with pytest.raises(AlreadyVoted):  # replacing is not casting again
        cast(cycle, unit, voter, approve(a))


# --- Receipts ----------------------------------------------------------------------


def test_receipt_lookup_refuses_a_malformed_or_unknown_code():
    with pytest.raises(BadReceipt) as malformed:
        receipt_lookup("1234")
    with pytest.raises(BadReceipt) as unknown:
        receipt_lookup("ABCD-EFGH-IJKL-MNOP-QRST")
    assert (malformed.value.code, unknown.value.code) == ("format", "unknown")


def test_receipt_lookup_forgives_case_spaces_and_look_alike_digits():
    cycle, unit, voter, (a, *_) = scene()
    code = cast(cycle, unit, voter, approve(a)).code
    typed = code.lower().replace("-", " ").replace("O", "0").replace("o", "0").replace("I", "1").replace("i", "1")
    assert receipt_lookup(typed).choices == (Choice(a.pk),)
    assert receipt_lookup(code).position is None  # not sealed yet


# --- Sealing and verifying ------------------------------------------------------------


def many_ballots(count: int):
    cycle = voting_cycle()
    unit = unit_of(cycle)
    a, b, *_ = on_ballot(cycle)
    inserted = []
    for n in range(count):
        receipt = cast(cycle, unit, voter_of(voter_in(cycle), unit), approve(a if n % 2 else b))
        inserted.append(Ballot.objects.get(receipt_digest=chain.receipt_digest(receipt.code)).pk)
    return cycle, inserted


def test_sealing_orders_the_chain_by_random_id_not_by_insertion():
    cycle, inserted = many_ballots(12)

    assert ballot_chain_seal(cycle_id=cycle.pk) == 12
    by_position = list(Ballot.objects.filter(cycle=cycle).order_by("position").values_list("pk", flat=True))
    assert by_position == sorted(inserted)
    assert by_position != inserted  # 1 in 12! to fail by chance
    assert list(Ballot.objects.order_by("position").values_list("position", flat=True)) == list(range(1, 13))


def test_sealing_in_batches_continues_the_chain_and_it_verifies():
    cycle, _ = many_ballots(7)
    assert ballot_chain_seal(cycle_id=cycle.pk, limit=3) == 3
    assert ballot_chain_verify(cycle_id=cycle.pk).unsealed == 4
    assert ballot_chain_seal(cycle_id=cycle.pk, limit=3) == 3
    assert ballot_chain_seal_all() == {cycle.pk: 0}  # fewer than VOTING_SEAL_MINIMUM wait
    assert ballot_chain_seal_all(minimum=1) == {cycle.pk: 1}
    assert ballot_chain_seal(cycle_id=cycle.pk) == 0

    report = ballot_chain_verify(cycle_id=cycle.pk)
    assert report.holds and report.length == 7 and report.unsealed == 0
    assert BallotChain.objects.get(cycle=cycle).head == report.head != chain.GENESIS


def test_an_empty_box_verifies_as_the_genesis():
    cycle = voting_cycle()
    report = ballot_chain_verify(cycle_id=cycle.pk)
    assert report.holds and report.length == 0 and report.head == chain.GENESIS


@pytest.fixture
def sealed():
    cycle, _ = many_ballots(5)
    ballot_chain_seal(cycle_id=cycle.pk)
    assert ballot_chain_verify(cycle_id=cycle.pk).holds
    return cycle


def at(cycle, position: int):
    return Ballot.objects.filter(cycle=cycle, position=position)


def test_verify_finds_a_ballot_whose_content_was_changed(sealed):
    proposal = on_ballot(sealed)[2].pk
    at(sealed, 3).update(selections=[[proposal, 1]])
    report = ballot_chain_verify(cycle_id=sealed.pk)
    assert not report.holds
    assert [(f.position, f.problem) for f in report.faults] == [(3, "hash")]


def test_verify_finds_a_rewritten_hash(sealed):
    at(sealed, 2).update(ballot_hash="f" * 64)
    report = ballot_chain_verify(cycle_id=sealed.pk)
    assert {(f.position, f.problem) for f in report.faults} == {(2, "hash"), (3, "previous")}


def test_verify_finds_a_missing_ballot(sealed):
    at(sealed, 4).delete()
    report = ballot_chain_verify(cycle_id=sealed.pk)
    assert not report.holds
    problems = {f.problem for f in report.faults}
    assert {"gap", "previous", "length"} <= problems


def test_verify_finds_a_chain_rewritten_to_the_end_by_the_published_head(sealed):
    """Rewriting a ballot and every hash after it keeps the stored chain consistent:
    only the head published at sealing time gives it away."""
    from voting.services import _link

    at(sealed, 5).update(selections=[[on_ballot(sealed)[3].pk, 1]])
    row = (
        at(sealed, 5)
        .values(
            "id", "unit_id", "channel", "selections", "receipt_digest", "replaces_digest", "batch_id", "previous_hash"
        )
        .get()
    )
    at(sealed, 5).update(ballot_hash=chain.ballot_hash(row["previous_hash"], sealed.pk, _link(row, 5)))

    report = ballot_chain_verify(cycle_id=sealed.pk)
    assert report.faults == [] and report.head != report.published_head
    assert not report.holds
