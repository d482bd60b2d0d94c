"""Reads of the voting app: turnout (never the box's contents before the close),
stations and the chain head."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from cycles.models import Cycle, CycleTerritory
from voting.models import BallotChain, Channel, PaperRecord, Station, StationOfficer, VoterRollEntry


@dataclass
class TurnoutRow:
    unit: CycleTerritory
    by_channel: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_channel.values())


@dataclass
class StationTurnout:
    station: Station
    marked: int  # people marked in the roll here for a paper ballot
    paper_ballots: int  # paper ballots of confirmed batches, blank and void included (or the acta's ballots in the box)
    records_waiting: int
    records_mismatch: int

    @property
    def difference(self) -> int:
        """Paper ballots counted minus people marked for paper: should be 0 once every batch is in."""
        return self.paper_ballots - self.marked


@dataclass
class Turnout:
    rows: list[TurnoutRow]
    totals: dict[str, int]
    stations: list[StationTurnout]

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def turnout(cycle: Cycle) -> Turnout:
    """Who has voted, by territory and channel, from the roll only (four queries)."""
    units = list(
        cycle.units.exclude(territory__isnull=True, municipality__isnull=True)
        .select_related("territory", "municipality")
        .order_by("position", "pk")
    )
    counts = VoterRollEntry.objects.filter(cycle=cycle).values("unit_id", "channel").annotate(n=Count("id")).order_by()
    by_unit: dict[int, dict[str, int]] = defaultdict(dict)
    totals = dict.fromkeys(Channel.values, 0)
    for row in counts:
        by_unit[row["unit_id"]][row["channel"]] = row["n"]
        totals[row["channel"]] += row["n"]
    rows = [
        TurnoutRow(unit, {channel: by_unit[unit.pk].get(channel, 0) for channel in Channel.values}) for unit in units
    ]
    return Turnout(rows=rows, totals=totals, stations=station_turnout(cycle))


def station_turnout(cycle: Cycle) -> list[StationTurnout]:
    stations = list(
        Station.objects.filter(cycle=cycle)
        .select_related("unit__territory", "unit__municipality")
        .annotate(marked=Count("roll", filter=Q(roll__channel=Channel.PAPER), distinct=True))
        .prefetch_related(Prefetch("paper_records", queryset=PaperRecord.objects.order_by("kind", "number")))
    )
    result = []
    for station in stations:
        counted = waiting = mismatch = 0
        for record in station.paper_records.all():
            if record.counts and record.accepted:
                content = record.accepted
                if record.kind == PaperRecord.Kind.BATCH:
                    counted += len(content["ballots"]) + content["blank"] + content["void"]
                else:
                    counted += content["in_box"]
            elif record.status == PaperRecord.Status.MISMATCH:
                mismatch += 1
            else:
                waiting += 1
        result.append(StationTurnout(station, station.marked, counted, waiting, mismatch))
    return result


def stations_of(cycle: Cycle) -> QuerySet[Station]:
    return (
        Station.objects.filter(cycle=cycle)
        .select_related("unit__territory", "unit__municipality")
        .prefetch_related(Prefetch("assignments", queryset=StationOfficer.objects.select_related("user")))
        .order_by("opens_at", "name")
    )


def stations_for_officer(user_id: int) -> QuerySet[Station]:
    """The stations someone is assigned to, soonest first."""
    return (
        Station.objects.filter(assignments__user_id=user_id)
        .select_related("cycle", "unit__territory", "unit__municipality")
        .order_by("opens_at", "name")
    )


def chain_head(cycle: Cycle) -> BallotChain | None:
    return BallotChain.objects.filter(cycle=cycle).first()
