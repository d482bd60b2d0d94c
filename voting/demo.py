"""Demo voting for ``manage.py loaddemo``: runs after the proposals demo.

In the Medellín cycle that is voting now: two polling stations of the first
comuna open all day (one sends paper batches, one counts on site), two
station officers assigned to both, and about forty online ballots from
demo voters (keys of made-up documents, no accounts), sealed into the chain.
The demo citizen of Medellín has not voted, so they can try the ballot.
A cycle whose box already has ballots is left alone.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from cycles.models import Cycle
from nodes.models import Membership, Municipality, Role
from voting.ballots import BallotKind, Choice
from voting.eligibility import Voter
from voting.errors import VotingRefused
from voting.models import Ballot, Station, StationOfficer
from voting.services import ballot_cast, ballot_chain_seal, ballot_context, ballot_proposals

MEDELLIN = "05001"
OFFICERS = [
    ("jurada1.medellin@demo.redplypp.co", "Juliana Jurada"),
    ("jurado2.medellin@demo.redplypp.co", "Jaime Jurado"),
]
DEMO_VOTERS = 40


def _officer(email: str, name: str, now: datetime) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"name": name})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    if not Membership.objects.active().filter(user=user, role=Role.STATION_OFFICER, municipality_id=MEDELLIN).exists():
        Membership.objects.create(
            user=user, role=Role.STATION_OFFICER, municipality=Municipality.objects.get(code=MEDELLIN), granted_at=now
        )
    return user


def _choices(kind: BallotKind, proposals: list[int], most: int, rng: random.Random) -> list[Choice]:
    if kind == BallotKind.SINGLE or most <= 1:
        return [Choice(rng.choice(proposals))]
    chosen = rng.sample(proposals, rng.randint(1, min(most, len(proposals))))
    if kind == BallotKind.RANKED:
        return [Choice(p, rank) for rank, p in enumerate(chosen, start=1)]
    return [Choice(p) for p in chosen]


def load() -> list[tuple[str, str]]:
    now = timezone.now()
    officers = [_officer(email, name, now) for email, name in OFFICERS]
    accounts = [
        (email, "polling station officer, Medellín (two stations of the cycle voting now)") for email, _n in OFFICERS
    ]
    cycle = Cycle.objects.published().filter(municipality_id=MEDELLIN).order_by("-fiscal_year", "-pk").first()
    if cycle is None or Ballot.objects.filter(cycle=cycle).exists():
        return accounts
    units = [u for u in cycle.units.select_related("territory").order_by("position", "pk") if not u.is_citywide]
    unit = next((u for u in units if ballot_proposals(cycle, u)), None)
    if unit is None:
        return accounts
    today = timezone.localdate(now)
    opens = timezone.make_aware(datetime.combine(today, time(7)))
    for name, on_site in (("Mesa 1 · Institución Educativa", False), ("Mesa 2 · Junta de Acción Comunal", True)):
        station, _created = Station.objects.get_or_create(
            cycle=cycle,
            name=name,
            defaults={
                "unit": unit,
                "place": "Sede comunal, comuna 1",
                "opens_at": opens,
                "closes_at": opens + timedelta(hours=14),
                "counts_on_site": on_site,
            },
        )
        for officer in officers:
            StationOfficer.objects.get_or_create(station=station, user=officer, defaults={"assigned_at": now})
    context = ballot_context(cycle, unit)
    if not context.vote_open(now):
        return accounts
    rng = random.Random(2027)
    proposals = sorted(context.costs)
    most = min(context.rules.most or 3, 3)
    for number in range(DEMO_VOTERS):
        key = hashlib.sha256(f"demo-voter-{cycle.pk}-{number}".encode()).hexdigest()
        for _attempt in range(5):
            choices = _choices(context.rules.kind, proposals, most, rng)
            if context.rules.kind == BallotKind.KNAPSACK and sum(context.costs[c.proposal] for c in choices) > (
                context.rules.envelope or 0
            ):
                continue
            try:
                ballot_cast(
                    cycle=cycle,
                    unit=unit,
                    voter=Voter(key=key, unit_id=unit.pk),
                    choices=choices,
                    submission=hashlib.sha256(f"demo-submission-{cycle.pk}-{number}".encode()).hexdigest(),
                    now=now,
                    context=context,
                )
            except VotingRefused:
                continue
            break
    ballot_chain_seal(cycle_id=cycle.pk, now=now)
    return accounts
