"""Counting the box after the close (voting.counting)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from cycles.lifecycle import cycle_advance
from cycles.models import CycleStep
from proposals.models import Proposal, StateChange, Status
from tests.nodes.factories import MembershipFactory
from tests.proposals.factories import unit_of
from tests.voting.factories import (
    approve,
    on_ballot,
    paper_voters,
    station_in,
    submission,
    voter_in,
    voter_of,
    voting_cycle,
)
from voting.ballots import Choice
from voting.counting import as_tally_ballot, cycle_count
from voting.eligibility import PersonAtStation
from voting.models import BallotChain, StationOfficer, TerritoryResult
from voting.paper import acta_content, batch_content, paper_key
from voting.services import ballot_cast, ballot_replace

pytestmark = pytest.mark.django_db


def cast(cycle, unit, choices, person=None):
    person = person or voter_in(cycle, unit)
    key = submission()
    return person, ballot_cast(cycle=cycle, unit=unit, voter=voter_of(person, unit), choices=choices, submission=key)


def test_greedy_count_funds_most_voted_within_the_envelope_and_marks_proposals():
    cycle = voting_cycle(cost=400_000_000)  # envelope of each comuna: 1.000.000.000
    unit = unit_of(cycle)
    a, b, c, d = on_ballot(cycle)
    for choices in ([a, b], [a, c], [a, b], [b], [d]):
        cast(cycle, unit, approve(*choices))
    results = cycle_count(cycle_id=cycle.pk)
    first = next(r for r in results if r.unit_id == unit.pk)
    assert first.ballots == 5
    assert first.outcome["selected"] == [str(a.pk), str(b.pk)]  # 3 and 3 votes: 800 millions; c would exceed
    assert first.spent == 800_000_000 and first.budget == unit.amount
    chain = BallotChain.objects.get(cycle=cycle)
    assert (first.chain_length, first.chain_head) == (chain.length, chain.head) == (5, chain.head)
    statuses = dict(Proposal.objects.filter(unit=unit).values_list("pk", "status"))
    assert statuses == {a.pk: "selected", b.pk: "selected", c.pk: "not_selected", d.pk: "not_selected"}
    assert StateChange.objects.filter(proposal=a, to_status=Status.SELECTED).count() == 1


def test_counting_again_changes_nothing():
    cycle = voting_cycle()
    unit = unit_of(cycle)
    cast(cycle, unit, approve(on_ballot(cycle)[0]))
    cycle_count(cycle_id=cycle.pk)
    cycle_count(cycle_id=cycle.pk)
    assert TerritoryResult.objects.filter(cycle=cycle, unit=unit).count() == 1
    assert StateChange.objects.filter(to_status=Status.SELECTED).count() == 1


def test_a_replaced_ballot_is_not_counted():
    cycle = voting_cycle(ballot_replaceable=True, max_selections=1)
    unit = unit_of(cycle)
    a, b, *_ = on_ballot(cycle)
    person, receipt = cast(cycle, unit, approve(a))
    ballot_replace(
        cycle=cycle,
        unit=unit,
        voter=voter_of(person, unit),
        receipt=receipt.code,
        choices=approve(b),
        submission=submission(),
    )
    result = next(r for r in cycle_count(cycle_id=cycle.pk) if r.unit_id == unit.pk)
    assert result.ballots == 1 and result.chain_length == 2
    scores = {p["project_id"]: p["score"] for p in result.outcome["projects"]}
    assert scores[str(a.pk)] == 0 and scores[str(b.pk)] == 1


def test_paper_batches_and_actas_count_with_online_ballots():
    cycle = voting_cycle(max_selections=2)
    unit = unit_of(cycle)
    a, b, c, _d = on_ballot(cycle)
    cast(cycle, unit, approve(c))
    batch_station, acta_station = station_in(cycle, unit), station_in(cycle, unit, counts_on_site=True)
    paper_voters(batch_station)
    paper_voters(acta_station)
    now = timezone.now()
    for station in (batch_station, acta_station):
        for _ in range(2):
            user = MembershipFactory(role="station_officer", municipality_id=cycle.municipality_id).user
            StationOfficer.objects.create(station=station, user=user, assigned_at=now)
    first, second = (s.user for s in batch_station.assignments.all())
    batch = batch_content(batch_station, [[Choice(a.pk)], [Choice(a.pk), Choice(b.pk)]], blank=1, void=0)
    for officer in (first, second):
        paper_key(officer=officer, station=batch_station, kind="batch", number=1, content=batch, now=now)
    acta = acta_content(acta_station, in_box=5, blank=1, void=1, votes={b.pk: 3, c.pk: 1}, officers=["Ana", "Luis"])
    for assignment in acta_station.assignments.all():
        paper_key(officer=assignment.user, station=acta_station, kind="acta", number=1, content=acta, now=now)
    result = next(r for r in cycle_count(cycle_id=cycle.pk) if r.unit_id == unit.pk)
    scores = {p["project_id"]: p["score"] for p in result.outcome["projects"]}
    assert scores[str(a.pk)] == 2 and scores[str(b.pk)] == 4 and scores[str(c.pk)] == 2
    assert (result.ballots, result.acta_ballots, result.blank, result.void) == (6, 3, 2, 1)
    assert "actas" in " ".join(result.outcome["notes"])


def test_one_winner_per_territory():
    cycle = voting_cycle(ballot_type="single", counting_method="one_winner")
    unit = unit_of(cycle)
    a, b, *_ = on_ballot(cycle)
    for choice in (a, b, b):
        cast(cycle, unit, approve(choice))
    result = next(r for r in cycle_count(cycle_id=cycle.pk) if r.unit_id == unit.pk)
    assert result.outcome["selected"] == [str(b.pk)]


def test_ranked_and_wallet_ballots_reach_the_engine_in_its_terms():
    assert as_tally_ballot("ranked", [[5, 2], [9, 1]]) == ["9", "5"]
    assert as_tally_ballot("wallet", [[5, 300], [9, 700]]) == {"5": 300, "9": 700}
    assert as_tally_ballot("approval", [[5, 1], [9, 1]]) == ["5", "9"]


def test_wallet_count_ranks_by_points():
    cycle = voting_cycle(ballot_type="wallet", wallet_amount=1_000_000, wallet_block=100_000, max_selections=10)
    unit = unit_of(cycle)
    a, b, *_ = on_ballot(cycle)
    cast(cycle, unit, [Choice(a.pk, 300_000), Choice(b.pk, 700_000)])
    cast(cycle, unit, [Choice(a.pk, 200_000)])
    result = next(r for r in cycle_count(cycle_id=cycle.pk) if r.unit_id == unit.pk)
    scores = {p["project_id"]: p["score"] for p in result.outcome["projects"]}
    assert scores[str(a.pk)] == 500_000 and scores[str(b.pk)] == 700_000


def test_the_close_and_count_steps_seal_and_count_the_box(django_capture_on_commit_callbacks):
    cycle = voting_cycle(closes_in_days=1)
    unit = unit_of(cycle)
    cast(cycle, unit, approve(on_ballot(cycle)[0]))
    BallotChain.objects.filter(cycle=cycle).delete()  # as if no sealer had run yet
    with django_capture_on_commit_callbacks(execute=True):
        cycle_advance(cycle_id=cycle.pk, now=timezone.now() + timedelta(days=2))
    assert CycleStep.objects.filter(cycle=cycle, step="close_voting").exists()
    assert BallotChain.objects.get(cycle=cycle).length == 1
    if CycleStep.objects.filter(cycle=cycle, step="count").exists():
        assert TerritoryResult.objects.filter(cycle=cycle).count() == 3


def test_after_the_close_no_ballot_enters():
    cycle = voting_cycle(closes_in_days=1)
    unit = unit_of(cycle)
    person = voter_in(cycle, unit)
    cycle_advance(cycle_id=cycle.pk, now=timezone.now() + timedelta(days=2))
    from voting.errors import VotingClosed

    with pytest.raises(VotingClosed):
        ballot_cast(
            cycle=cycle,
            unit=unit,
            voter=voter_of(person, unit),
            choices=approve(on_ballot(cycle)[0]),
            submission=submission(),
            now=timezone.now(),
        )
    assert PersonAtStation("CC", "1", date(1990, 1, 1), True)  # the station path shares the same guard
