"""Who may run the vote of a cycle and who may work at a polling station (django-rules).

``voting.manage_voting`` (object: the cycle): the people who run the cycle
(``cycles.rules.may_run``) create stations, assign officers, load the census
list, follow turnout and reconcile paper records.

``voting.work_station`` (object: the station): an officer assigned to the
station who holds an active station-officer role in the cycle's municipality
(for a department's cycle: the station territory's municipality). Managers
are not officers by default: each paper record needs two officers' hands.
"""

from __future__ import annotations

from typing import Any

import rules

from cycles.rules import may_run
from nodes.models import Membership, Role
from voting.models import Station, StationOfficer


def municipality_of(station: Station) -> str | None:
    return station.cycle.municipality_id or station.unit.municipality_id


@rules.predicate
def officer_of(user: Any, station: Any) -> bool:
    if not isinstance(station, Station) or user is None or not user.is_authenticated or not user.is_active:
        return False
    if not StationOfficer.objects.filter(station=station, user_id=user.pk).exists():
        return False
    code = municipality_of(station)
    return Membership.objects.active().filter(user_id=user.pk, role=Role.STATION_OFFICER, municipality_id=code).exists()


rules.add_perm("voting.manage_voting", may_run)
rules.add_perm("voting.work_station", officer_of)
