"""Who may configure and run budget cycles (django-rules).

A cycle is managed by the Secretaría Técnica, by the coordinators of a node
the cycle's municipality belongs to (for a department's cycle: a node with a
municipality of that department), by the managers of the municipality, and
by the managers of the organisation that convenes it. Reviewers, station
officers and monitors do not configure cycles.

Objects: ``cycles.add_cycle`` takes the municipality or department the cycle
would belong to; the other permissions take the cycle.
"""

from __future__ import annotations

from typing import Any

import rules

from cycles.models import Cycle
from nodes.models import Department, Membership, MembershipQuerySet, Municipality, Role
from nodes.rules import is_secretariat


def _active(user: Any) -> MembershipQuerySet:
    return Membership.objects.active().filter(user_id=user.pk)


def _signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _place_of(obj: Any) -> Municipality | Department | None:
    if isinstance(obj, Cycle):
        return obj.municipality or obj.department
    if isinstance(obj, Municipality | Department):
        return obj
    return None


@rules.predicate
def runs_cycles_of(user: Any, obj: Any) -> bool:
    """Coordinates a node of the place, or manages the municipality or (for a
    cycle) its convening organisation, or manages an organisation of the municipality."""
    place = _place_of(obj)
    if not _signed_in(user) or place is None:
        return False
    memberships = _active(user)
    if isinstance(place, Department):
        return memberships.filter(
            role=Role.COORDINATOR, node__node_municipalities__municipality__department_id=place.pk
        ).exists()
    from django.db.models import Q

    scope = Q(role=Role.COORDINATOR, node__node_municipalities__municipality_id=place.pk) | Q(
        role=Role.MANAGER, municipality_id=place.pk
    )
    if isinstance(obj, Cycle):
        if obj.convener_organisation_id is not None:
            scope |= Q(role=Role.MANAGER, organisation_id=obj.convener_organisation_id)
    else:
        scope |= Q(role=Role.MANAGER, organisation__municipality_id=place.pk)
    return memberships.filter(scope).exists()


@rules.predicate
def is_published_cycle(user: Any, obj: Any) -> bool:
    return isinstance(obj, Cycle) and obj.is_published


may_run = is_secretariat | runs_cycles_of

rules.add_perm("cycles.add_cycle", may_run)
rules.add_perm("cycles.change_cycle", may_run)
rules.add_perm("cycles.view_cycle", is_published_cycle | may_run)
rules.add_perm("cycles.record_assembly", may_run)
# Object: the municipality of the plan.
rules.add_perm("cycles.change_developmentplan", may_run)
