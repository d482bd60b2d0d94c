"""Setting the scene for proposal tests: citizens who may take part, and
proposals written straight with the ORM (indexed for the full-text search).

    person = citizen()                       # verified e-mail + identity in Pasto (52001)
    young = citizen(birth_date=date(2015, 1, 1))
    p = proposal_in(cycle, title="Parque para la comuna", support_count=3)
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.identity import ADULT_AGE, age_on
from accounts.models import User
from accounts.services import IdentityInput, identity_save
from cycles.models import Cycle, CycleTerritory
from proposals.models import Proposal, Status
from proposals.services import index

_documents = itertools.count(1_097_000_001)
_people = itertools.count(1)
_titles = itertools.count(1)


def citizen(
    municipality_code: str = "52001",
    birth_date: date = date(1990, 1, 1),
    document_type: str = "CC",
    *,
    email: str | None = None,
    verified: bool = True,
    identity: bool = True,
    now: datetime | None = None,
    **identity_fields: Any,
) -> User:
    """A user with a verified e-mail address and a citizen identity (unless told otherwise).

    A minor gets a guardian's authorisation so that ``identity_save`` accepts them."""
    from tests.factories import UserFactory

    person = UserFactory(email=email or f"ciudadano{next(_people)}.{next(_documents)}@ejemplo.co")
    if not verified:
        EmailAddress.objects.filter(user=person).update(verified=False)
    if identity:
        now = now or timezone.now()
        minor = age_on(birth_date, now.date()) < ADULT_AGE
        extra: dict[str, Any] = {}
        if minor:
            extra = {
                "guardian_name": "Madre de familia",
                "guardian_document_type": "CC",
                "guardian_document_number": str(next(_documents)),
                "guardian_authorises": True,
            }
        extra.update(identity_fields)
        identity_save(
            user=person,
            now=now,
            data=IdentityInput(
                document_type=document_type,
                document_number=str(next(_documents)),
                birth_date=birth_date,
                municipality_code=municipality_code,
                **extra,
            ),
        )
    return person


def unit_of(cycle: Cycle, index_: int = 0) -> CycleTerritory:
    """The ``index_``-th territory of the cycle that is not the city-wide envelope."""
    units = cycle.units.exclude(territory__isnull=True, municipality__isnull=True)
    return units.select_related("territory", "municipality").order_by("position", "pk")[index_]


def _written(cycle: Cycle, unit: CycleTerritory, author: User | None, status: str, fields: dict[str, Any]) -> Proposal:
    now = fields.pop("now", None) or timezone.now()
    number = next(_titles)
    values: dict[str, Any] = {
        "title": f"Propuesta {number}",
        "summary": f"Resumen de la propuesta {number}",
        "estimated_cost": 100_000_000,
        "created_at": now,
        "updated_at": now,
        "submitted_at": None if status == Status.DRAFT else now,
    }
    values.update(fields)
    return Proposal(cycle=cycle, unit=unit, author=author, status=status, **values)


def proposal_in(
    cycle: Cycle,
    unit: CycleTerritory | None = None,
    author: User | None = None,
    status: str = Status.SUBMITTED,
    **fields: Any,
) -> Proposal:
    """A proposal of ``cycle`` written with the ORM (no rule checked), indexed for search.

    ``unit`` defaults to the cycle's first territory; any model field may be given."""
    proposal = _written(cycle, unit or unit_of(cycle), author, status, fields)
    proposal.save(force_insert=True)
    index(proposal)
    return proposal


def proposals_in(
    cycle: Cycle, units: Sequence[CycleTerritory], count: int, status: str = Status.SUBMITTED, **fields: Any
) -> list[Proposal]:
    """``count`` proposals in each of ``units``, as ``proposal_in`` writes them (the same
    titles, in the same order), inserted in one statement and indexed for search."""
    proposals = Proposal.objects.bulk_create(
        [_written(cycle, unit, None, status, dict(fields)) for unit in units for _ in range(count)]
    )
    for proposal in proposals:
        index(proposal)
    return proposals
