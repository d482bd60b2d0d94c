"""Who may do what in the network registry (django-rules).

Every role is a ``Membership`` that is not revoked. The Secretaría Técnica
may do everything; a node coordinator acts on their node, its
municipalities and the organisations working in it; a manager acts on
their municipality (or organisation). Services check these permissions
with the acting person (``actor.has_perm(...)``), so views, the API,
admin actions and commands all meet the same rules.

Each predicate runs at most one query. Superusers pass every permission
(Django's ``has_perm`` short-circuits for them): that is how support staff
grant the first secretariat role.
"""

from __future__ import annotations

from typing import Any

import rules

from nodes.models import MUNICIPAL_ROLES, Membership, MembershipQuerySet, Municipality, Organisation, Role, Territory


def _active(user: Any) -> MembershipQuerySet:
    return Membership.objects.active().filter(user_id=user.pk)


def _signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _municipality_of(obj: Any) -> Municipality | None:
    if isinstance(obj, Municipality):
        return obj
    if isinstance(obj, Territory | Membership | Organisation):
        return obj.municipality
    return None


def _holds_any_active_membership(user: Any) -> bool:
    return _signed_in(user) and _active(user).exists()


def _is_secretariat(user: Any) -> bool:
    return _signed_in(user) and _active(user).filter(role=Role.SECRETARIAT).exists()


def _is_coordinator(user: Any) -> bool:
    """Coordinates some node (any)."""
    return _signed_in(user) and _active(user).filter(role=Role.COORDINATOR).exists()


def _coordinates_node(user: Any, node: Any) -> bool:
    if not _signed_in(user) or node is None or node.pk is None:
        return False
    return _active(user).filter(role=Role.COORDINATOR, node_id=node.pk).exists()


def _coordinates_municipality(user: Any, obj: Any) -> bool:
    """Coordinates a node the municipality (of a territory, membership, ...) belongs to."""
    municipality = _municipality_of(obj)
    if not _signed_in(user) or municipality is None:
        return False
    return (
        _active(user).filter(role=Role.COORDINATOR, node__node_municipalities__municipality_id=municipality.pk).exists()
    )


def _manages_municipality(user: Any, obj: Any) -> bool:
    municipality = _municipality_of(obj)
    if not _signed_in(user) or municipality is None:
        return False
    return _active(user).filter(role=Role.MANAGER, municipality_id=municipality.pk).exists()


def _manages_organisation(user: Any, organisation: Any) -> bool:
    if not _signed_in(user) or not isinstance(organisation, Organisation) or organisation.pk is None:
        return False
    return _active(user).filter(role=Role.MANAGER, organisation_id=organisation.pk).exists()


def _coordinates_organisation(user: Any, organisation: Any) -> bool:
    """Coordinates a node the organisation works in."""
    if not _signed_in(user) or not isinstance(organisation, Organisation) or organisation.pk is None:
        return False
    return _active(user).filter(role=Role.COORDINATOR, node__organisations=organisation.pk).exists()


def _may_grant_below_secretariat(user: Any, membership: Any) -> bool:
    """What coordinators and managers may grant (or revoke), for a ``Membership``
    (an unsaved one when granting). The secretariat is handled apart.

    - coordinators: manager, reviewer, station officer, monitor of a municipality
      of their node, and manager of an organisation working in their node;
    - municipal managers: reviewer, station officer, monitor of their municipality.
    """
    if not isinstance(membership, Membership):
        return False
    if membership.role in (Role.MANAGER, *MUNICIPAL_ROLES) and membership.municipality_id is not None:
        if _coordinates_municipality(user, membership.municipality):
            return True
        return membership.role in MUNICIPAL_ROLES and _manages_municipality(user, membership.municipality)
    if membership.role == Role.MANAGER and membership.organisation_id is not None:
        return _coordinates_organisation(user, membership.organisation)
    return False


holds_any_active_membership = rules.predicate(_holds_any_active_membership, name="holds_any_active_membership")

is_secretariat = rules.predicate(_is_secretariat, name="is_secretariat")

is_coordinator = rules.predicate(_is_coordinator, name="is_coordinator")

coordinates_node = rules.predicate(_coordinates_node, name="coordinates_node")

coordinates_municipality = rules.predicate(_coordinates_municipality, name="coordinates_municipality")

manages_municipality = rules.predicate(_manages_municipality, name="manages_municipality")

manages_organisation = rules.predicate(_manages_organisation, name="manages_organisation")

coordinates_organisation = rules.predicate(_coordinates_organisation, name="coordinates_organisation")

may_grant_below_secretariat = rules.predicate(_may_grant_below_secretariat, name="may_grant_below_secretariat")


# Widened from accounts.rules: every role of the network reaches management pages.
rules.set_perm("accounts.access_management", rules.is_staff | holds_any_active_membership)

rules.add_perm("nodes.add_node", is_secretariat)
rules.add_perm("nodes.change_node", is_secretariat | coordinates_node)
rules.add_perm("nodes.delete_node", is_secretariat)
# Object: the node.
rules.add_perm("nodes.add_nodemunicipality", is_secretariat | coordinates_node)
rules.add_perm("nodes.delete_nodemunicipality", is_secretariat | coordinates_node)
# Object: the municipality (tags, population, network membership).
rules.add_perm("nodes.change_municipality", is_secretariat | coordinates_municipality | manages_municipality)
rules.add_perm("nodes.add_organisation", is_secretariat | is_coordinator)
rules.add_perm("nodes.change_organisation", is_secretariat | coordinates_organisation | manages_organisation)
# Object: the municipality or the territory.
rules.add_perm("nodes.add_territory", is_secretariat | manages_municipality)
rules.add_perm("nodes.change_territory", is_secretariat | manages_municipality)
rules.add_perm("nodes.delete_territory", is_secretariat | manages_municipality)
# Object: the membership (unsaved when granting).
rules.add_perm("nodes.grant_membership", is_secretariat | may_grant_below_secretariat)
rules.add_perm("nodes.revoke_membership", is_secretariat | may_grant_below_secretariat)
