from datetime import date

import pytest
from django.utils import timezone

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
from voting.census import census_import
from voting.eligibility import PersonAtStation
from voting.errors import AlreadyVoted
from voting.models import Ballot, CensusEntry, PaperRecord, StationOfficer
from voting.paper import batch_content, paper_key, paper_reconcile
from voting.selectors import turnout
from voting.services import ballot_cast
from voting.stations import assisted_cast, person_check, roll_mark

pytestmark = pytest.mark.django_db


def officer(station):
    user = MembershipFactory(role="station_officer", municipality_id=station.cycle.municipality_id).user
    StationOfficer.objects.create(station=station, user=user, assigned_at=timezone.now())
    return user


def test_station_flow():
    cycle = voting_cycle()
    unit = unit_of(cycle)
    station = station_in(cycle, unit)
    paper_voters(station)
    first, second = officer(station), officer(station)
    now = timezone.now()
    online = voter_in(cycle)
    ballot_cast(
        cycle=cycle,
        unit=unit,
        voter=voter_of(online, unit),
        choices=approve(on_ballot(cycle)[0]),
        submission=submission(),
    )
    person = PersonAtStation("CC", "80123456", date(1980, 1, 1), True)
    assert person_check(officer=first, station=station, person=person, now=now).may_vote
    roll_mark(officer=first, station=station, person=person, now=now)
    with pytest.raises(AlreadyVoted):
        roll_mark(officer=second, station=station, person=person, now=now)
    a, b, c, _d = on_ballot(cycle)
    helped = PersonAtStation("CC", "80123457", date(1950, 1, 1), True)
    receipt = assisted_cast(
        officer=first, station=station, person=helped, choices=approve(a), submission="s1".ljust(32, "0"), now=now
    )
    assert receipt.code
    content = batch_content(station, [[Choice(a.pk)], [Choice(b.pk), Choice(c.pk)]], 1, 0)
    paper_key(officer=first, station=station, kind="batch", number=1, content=content, now=now)
    reordered = batch_content(station, [[Choice(c.pk), Choice(b.pk)], [Choice(a.pk)]], 1, 0)
    record = paper_key(officer=second, station=station, kind="batch", number=1, content=reordered, now=now)
    assert record.status == PaperRecord.Status.CONFIRMED
    paper_key(officer=first, station=station, kind="batch", number=2, content=content, now=now)
    record = paper_key(
        officer=second,
        station=station,
        kind="batch",
        number=2,
        content=batch_content(station, [[Choice(a.pk)]], 0, 0),
        now=now,
    )
    assert record.status == PaperRecord.Status.MISMATCH
    manager = MembershipFactory(role="manager", municipality_id=cycle.municipality_id).user
    paper_reconcile(actor=manager, record=record, entry=record.entries.first(), reason="El papel dice eso", now=now)
    assert Ballot.objects.filter(channel="paper").count() == 4
    t = turnout(cycle)
    assert t.totals == {"online": 1, "assisted": 1, "paper": 61}  # one marked here, 60 made up (paper_voters)
    assert t.stations[0].paper_ballots == 6 and t.stations[0].marked == 61
    report = census_import(actor=manager, cycle=cycle, data=b"tipo;numero\nCC;80.123.456\nTI;1000123\n", now=now)
    assert report.saved and report.added == 2 and CensusEntry.objects.count() == 2
    bad = census_import(actor=manager, cycle=cycle, data=b"numero\n12a\n", now=now)
    assert not bad.saved and bad.errors[0][0] == 2
