"""Who may record network activities (django-rules).

The Secretaría Técnica records any activity, including those of the whole
network (no node). A node coordinator records only activities whose nodes
are all theirs, and at least one: an activity shared with a node they do not
coordinate belongs to the secretariat or to that node's coordinator too.

Objects: ``nodes.add_activity`` takes nothing (may this person open the
form at all?) or the chosen nodes (a collection of ``Node``);
``nodes.change_activity`` and ``nodes.delete_activity`` take the activity.
Each predicate runs at most one query.

``nodes.rules`` is the module django-rules autodiscovers; this one is
imported by ``nodes.activities`` and ``nodes.views_activities``.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import rules
from django.db.models import Count, Q, QuerySet

from nodes.models import Activity, Membership, Node, Role
from nodes.rules import is_coordinator, is_secretariat


def _signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def coordinated_node_ids(user: Any) -> QuerySet[Membership, Any]:
    """The ids of the nodes the user coordinates now, as a subquery (``values("node_id")``)."""
    return Membership.objects.active().filter(user_id=user.pk, role=Role.COORDINATOR).values("node_id")


def _coordinates_every_node(user: Any, target: Any) -> bool:
    """``target`` is an activity (its saved nodes) or a collection of nodes; an empty set is nobody's."""
    if not _signed_in(user) or target is None:
        return False
    if isinstance(target, Activity):
        if target.pk is None:
            return False
        counts = target.nodes.aggregate(
            total=Count("pk"), mine=Count("pk", filter=Q(pk__in=coordinated_node_ids(user)))
        )
        return bool(counts["total"]) and counts["total"] == counts["mine"]
    if isinstance(target, Collection) and not isinstance(target, str):
        node_ids = {node.pk for node in target if isinstance(node, Node)}
        if not node_ids or len(node_ids) != len(target) or None in node_ids:
            return False
        mine = coordinated_node_ids(user).filter(node_id__in=node_ids).values("node_id").distinct().count()
        return mine == len(node_ids)
    return False


def _may_add_activity_for(user: Any, nodes: Any) -> bool:
    """Without an object: coordinates some node. With the chosen nodes: coordinates all of them."""
    if nodes is None:
        return bool(is_coordinator(user))
    return _coordinates_every_node(user, nodes)


coordinates_every_node = rules.predicate(_coordinates_every_node, name="coordinates_every_node")

may_add_activity_for = rules.predicate(_may_add_activity_for, name="may_add_activity_for")


# Object: none (the form) or the collection of chosen nodes.
rules.add_perm("nodes.add_activity", is_secretariat | may_add_activity_for)
# Object: the activity.
rules.add_perm("nodes.change_activity", is_secretariat | coordinates_every_node)
rules.add_perm("nodes.delete_activity", is_secretariat | coordinates_every_node)
