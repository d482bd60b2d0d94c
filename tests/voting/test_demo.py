"""The demo vote: stations with officers and a sealed box in the Medellín cycle, loaded once."""

import pytest

from accounts import demo as accounts_demo
from cycles import demo as cycles_demo
from nodes import demo as nodes_demo
from proposals import demo as proposals_demo
from voting import demo
from voting.models import Ballot, Station, StationOfficer, VoterRollEntry
from voting.rules import officer_of
from voting.services import ballot_chain_verify

pytestmark = pytest.mark.django_db


def test_demo_vote_loads_once_with_a_verifying_chain():
    accounts_demo.load()
    nodes_demo.load()
    cycles_demo.load()
    proposals_demo.load()
    accounts = demo.load()
    assert {email for email, _ in accounts} == {email for email, _ in demo.OFFICERS}
    stations = list(Station.objects.all())
    assert len(stations) == 2 and {s.counts_on_site for s in stations} == {True, False}
    assert StationOfficer.objects.count() == 4
    assert all(officer_of(a.user, a.station) for a in StationOfficer.objects.select_related("user", "station"))
    cycle = stations[0].cycle
    assert Ballot.objects.filter(cycle=cycle).count() == VoterRollEntry.objects.filter(cycle=cycle).count() == 40
    report = ballot_chain_verify(cycle_id=cycle.pk)
    assert report.holds and report.length == 40 and report.unsealed == 0
    demo.load()
    assert Ballot.objects.count() == 40 and Station.objects.count() == 2 and StationOfficer.objects.count() == 4
