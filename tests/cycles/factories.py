"""Setting the scene for cycle tests: territories and cycles made through the
real services (so a cycle always has its phases, voting settings and envelopes)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from cycles.allocation import envelopes_apply_formula
from cycles.models import Cycle
from cycles.services import cycle_create, cycle_publish
from nodes.models import Municipality, Territory
from tests.nodes.factories import MembershipFactory, municipality


def territories(place: Municipality | str, count: int = 3, kind: str = "comuna") -> list[Territory]:
    """``count`` top-level territories ("Comuna 1", ... with codes "01", ...) in the municipality."""
    place = municipality(place) if isinstance(place, str) else place
    start = Territory.objects.filter(municipality=place).count()
    return [
        Territory.objects.create(
            municipality=place, kind=kind, code=f"{start + i:02d}", name=f"{kind.title()} {start + i}"
        )
        for i in range(1, count + 1)
    ]


def secretariat():
    return MembershipFactory(role="secretariat").user


def draft_cycle(
    place: Municipality | str = "52001",
    *,
    methodology: str = "medellin",
    title: str = "Presupuesto participativo 2027",
    total: int = 3_000_000_000,
    start: date | None = None,
    actor=None,
    **extra,
) -> Cycle:
    """The draft ``cycle_create`` makes of ``methodology`` for ``place`` (the place gets 3 comunas
    if it has no territory), starting ``start`` (default: 10 days ago): its phases and voting
    settings, envelopes as the methodology's formula leaves them (empty without figures)."""
    place = municipality(place) if isinstance(place, str) else place
    if not Territory.objects.filter(municipality=place).exists():
        territories(place)
    return cycle_create(
        actor=actor or secretariat(),
        methodology=methodology,
        title=title,
        fiscal_year=2027,
        total_amount=total,
        start_date=start or (timezone.localdate() - timedelta(days=10)),
        municipality=place,
        **extra,
    )


def make_cycle(
    place: Municipality | str = "52001",
    *,
    methodology: str = "medellin",
    title: str = "Presupuesto participativo 2027",
    total: int = 3_000_000_000,
    start: date | None = None,
    published: bool = False,
    weights: tuple[int, int, int] = (100, 0, 0),
    actor=None,
    **extra,
) -> Cycle:
    """A cycle of ``place`` from ``methodology`` (the place gets 3 comunas if it has no territory),
    envelopes split equally, starting ``start`` (default: 10 days ago), published if asked."""
    cycle = draft_cycle(place, methodology=methodology, title=title, total=total, start=start, actor=actor, **extra)
    actor = cycle.created_by
    envelopes_apply_formula(actor=actor, cycle=cycle, weights=weights)
    if published:
        cycle = cycle_publish(actor=actor, cycle=cycle)
    return cycle


def at(day: str, hour: int = 0) -> datetime:
    """An aware datetime in the project's time zone: ``at("2027-03-01", 18)``."""
    return timezone.make_aware(datetime.fromisoformat(day).replace(hour=hour))
