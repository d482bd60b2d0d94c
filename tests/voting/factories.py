"""A cycle whose vote is open now, its ballots and its voters, for the voting tests."""

from __future__ import annotations

import hashlib
import itertools
import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts.models import User
from cycles.allocation import split_if_possible
from cycles.models import Cycle, CycleStatus, CycleTerritory, EnvelopeMode, Phase
from proposals.models import Participation, Proposal, Status
from tests.cycles.factories import draft_cycle
from tests.proposals.factories import citizen, proposals_in, unit_of
from voting.ballots import Choice
from voting.eligibility import Voter
from voting.models import Channel, Station, VoterRollEntry

_stations = itertools.count(1)


def voting_cycle(
    place: str = "05001",
    *,
    ballot_type: str = "approval",
    proposals: int = 4,
    cost: int = 100_000_000,
    opened_days_ago: int = 1,
    closes_in_days: int = 2,
    **voting: Any,
) -> Cycle:
    """A published cycle of ``place`` (3 comunas) whose only phase is a vote open now,
    with ``proposals`` viable proposals of ``cost`` in each territory.

    ``voting`` sets fields of its ``VotingSettings`` (max_selections, wallet_amount, …).

    About 500 tests start here, so only ``cycle_create`` goes through the services (the
    Medellín methodology's territories and voting settings); the rest is written straight:
    envelopes split equally by the cycle's own formula (what ``make_cycle`` asks
    ``envelopes_apply_formula`` for), published, the methodology's phases replaced by the
    vote, the proposals in one statement. Configuring and publishing a cycle, with their
    audit entries, are tested in tests/cycles."""
    cycle = draft_cycle(place, methodology="medellin")
    now = timezone.now()
    cycle.envelope_mode, cycle.rounding_unit = EnvelopeMode.FORMULA, 1
    cycle.weight_equal, cycle.weight_population, cycle.weight_need = 100, 0, 0
    cycle.status, cycle.published_at = CycleStatus.PUBLISHED, now
    cycle.save(
        update_fields=[
            "envelope_mode",
            "rounding_unit",
            "weight_equal",
            "weight_population",
            "weight_need",
            "status",
            "published_at",
        ]
    )
    split_if_possible(cycle)
    cycle.phases.all().delete()
    Phase.objects.create(
        cycle=cycle,
        kind="voting",
        title="Votación",
        starts_at=now - timedelta(days=opened_days_ago),
        ends_at=now + timedelta(days=closes_in_days),
    )
    settings_ = cycle.voting
    settings_.ballot_type = ballot_type
    settings_.max_selections = voting.pop("max_selections", 3)
    for field, value in voting.items():
        setattr(settings_, field, value)
    settings_.save()
    proposals_in(cycle, units(cycle), proposals, status=Status.VIABLE, estimated_cost=cost)
    return Cycle.objects.select_related("voting").get(pk=cycle.pk)


def units(cycle: Cycle) -> list[CycleTerritory]:
    return list(cycle.units.exclude(territory__isnull=True, municipality__isnull=True).order_by("position", "pk"))


def on_ballot(cycle: Cycle, unit: CycleTerritory | None = None) -> list[Proposal]:
    unit = unit or unit_of(cycle)
    return list(Proposal.objects.filter(cycle=cycle, unit=unit, status=Status.VIABLE).order_by("pk"))


def voter_in(cycle: Cycle, unit: CycleTerritory | None = None, **citizen_fields: Any) -> User:
    """A citizen of the cycle's municipality who declared ``unit`` (default: the first territory)."""
    unit = unit or unit_of(cycle)
    citizen_fields.setdefault("municipality_code", cycle.municipality_id)
    person = citizen(**citizen_fields)
    Participation.objects.create(cycle=cycle, user=person, unit=unit, declared_at=timezone.now())
    return person


def voter_of(person: User, unit: CycleTerritory) -> Voter:
    return Voter(key=person.identity.document_hash, unit_id=unit.pk, user_id=person.pk)


def approve(*proposals: Proposal) -> list[Choice]:
    return [Choice(p.pk) for p in proposals]


def submission() -> str:
    return uuid.uuid4().hex


def station_in(cycle: Cycle, unit: CycleTerritory | None = None, **fields: Any) -> Station:
    now = timezone.now()
    values: dict[str, Any] = {
        "name": f"Mesa {next(_stations)}",
        "place": "Institución educativa",
        "opens_at": now - timedelta(hours=4),
        "closes_at": now + timedelta(hours=4),
    }
    values.update(fields)
    return Station.objects.create(cycle=cycle, unit=unit or unit_of(cycle), **values)


_marked = itertools.count(1)


def paper_voters(station: Station, count: int = 60) -> None:
    """Mark ``count`` more made-up people in the roll for a paper ballot at ``station``:
    paper records are refused when they hold more ballots than people marked there."""
    VoterRollEntry.objects.bulk_create(
        VoterRollEntry(
            cycle_id=station.cycle_id,
            voter_key=hashlib.sha256(f"paper-{station.pk}-{next(_marked)}".encode()).hexdigest(),
            unit_id=station.unit_id,
            channel=Channel.PAPER,
            station=station,
            voted_on=timezone.localdate(),
        )
        for n in range(count)
    )
