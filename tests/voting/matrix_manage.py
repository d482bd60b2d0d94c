"""Rows of tests/permission_matrix.py for the vote's management URLs (/gestion/votacion/):
URL name -> (kwargs or a function making them, {role: expected}); see that module for the values.

Nobody in that matrix holds a role: "staff_mfa" passes the management gate and is then
refused by ``voting.manage_voting`` on the cycle (403), or by the method on POST-only
URLs (405). Role × own/other municipality cells are in tests/voting/test_manage_views.py.
"""

MANAGE = {"anonymous": "login", "user": 403, "citizen": 403, "staff": "mfa", "staff_mfa": 403}
POST_ONLY = {**MANAGE, "staff_mfa": 405}


def a_cycle():
    from tests.voting.factories import voting_cycle

    return {"cycle_pk": voting_cycle(proposals=1).pk}


def a_station():
    from tests.voting.factories import station_in, voting_cycle

    return {"pk": station_in(voting_cycle(proposals=1)).pk}


def a_station_and_officer():
    from django.utils import timezone

    from tests.nodes.factories import MembershipFactory
    from tests.voting.factories import station_in, voting_cycle
    from voting.models import StationOfficer

    station = station_in(voting_cycle(proposals=1))
    user = MembershipFactory(role="station_officer", municipality_id=station.cycle.municipality_id).user
    StationOfficer.objects.create(station=station, user=user, assigned_at=timezone.now())
    return {"pk": station.pk, "user_pk": user.pk}


def a_mismatched_record():
    from django.utils import timezone

    from tests.nodes.factories import MembershipFactory
    from tests.voting.factories import on_ballot, paper_voters, station_in, voting_cycle
    from voting.ballots import Choice
    from voting.models import StationOfficer
    from voting.paper import batch_content, paper_key

    cycle = voting_cycle(proposals=2)
    station = station_in(cycle)
    paper_voters(station)
    a, b = on_ballot(cycle)
    for proposal in (a, b):
        user = MembershipFactory(role="station_officer", municipality_id=cycle.municipality_id).user
        StationOfficer.objects.create(station=station, user=user, assigned_at=timezone.now())
        content = batch_content(station, [[Choice(proposal.pk)]], 0, 0)
        record = paper_key(officer=user, station=station, kind="batch", number=1, content=content, now=timezone.now())
    return {"pk": record.pk}


ROWS: dict = {
    "voting-manage:cycle-vote": (a_cycle, MANAGE),
    "voting-manage:station-list": (a_cycle, MANAGE),
    "voting-manage:station-create": (a_cycle, MANAGE),
    "voting-manage:station-edit": (a_station, MANAGE),
    "voting-manage:officer-assign": (a_station, POST_ONLY),
    "voting-manage:officer-remove": (a_station_and_officer, POST_ONLY),
    "voting-manage:census-upload": (a_cycle, MANAGE),
    "voting-manage:reconcile-list": (a_cycle, MANAGE),
    "voting-manage:reconcile": (a_mismatched_record, POST_ONLY),
}
