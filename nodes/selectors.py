"""Reads of the network registry shared by pages, the API and documents.

Each returns a query-complete QuerySet (or plain data) so that showing the
result runs no further queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.models import User
from nodes.models import MUNICIPAL_ROLES, Department, Membership, Municipality, Node, Organisation, Role, Territory


def municipality_search(
    query: str, *, department: Department | None = None, node: Node | None = None, limit: int = 20
) -> QuerySet[Municipality]:
    """Municipalities whose name contains ``query`` ignoring case and accents
    ("cucuta" finds "San José de Cúcuta"), or whose DIVIPOLA code starts with
    it; optionally within a department or a node. Ordered by name."""
    query = query.strip()
    municipalities = Municipality.objects.select_related("department")
    if query:
        municipalities = municipalities.filter(Q(name__unaccent__icontains=query) | Q(code__startswith=query))
    if department is not None:
        municipalities = municipalities.filter(department=department)
    if node is not None:
        municipalities = municipalities.filter(node_municipalities__node=node)
    return municipalities.order_by("name", "code")[:limit]


def municipality_get(code: str) -> Municipality:
    """One municipality with its department and nodes (raises DoesNotExist)."""
    return Municipality.objects.select_related("department").prefetch_related("nodes").get(code=code)


def node_list(*, active_only: bool = True) -> QuerySet[Node]:
    """Nodes with ``municipality_count`` and ``organisation_count``."""
    nodes = Node.objects.annotate(
        municipality_count=Count("node_municipalities", distinct=True),
        organisation_count=Count("organisations", distinct=True),
    )
    if active_only:
        nodes = nodes.filter(active=True)
    return nodes.order_by("kind", "name")


def node_municipality_list(*, node: Node) -> QuerySet[Municipality]:
    return Municipality.objects.filter(node_municipalities__node=node).select_related("department").order_by("name")


def organisation_list(
    *, node: Node | None = None, kind: str | None = None, on_secretariat: bool | None = None
) -> QuerySet[Organisation]:
    """Active organisations with municipality, department and nodes loaded."""
    organisations = (
        Organisation.objects.filter(active=True)
        .select_related("municipality__department")
        .prefetch_related(Prefetch("nodes", queryset=Node.objects.order_by("name")))
    )
    if node is not None:
        organisations = organisations.filter(nodes=node)
    if kind:
        organisations = organisations.filter(kind=kind)
    if on_secretariat is not None:
        organisations = organisations.filter(sits_on_secretariat=on_secretariat)
    return organisations.order_by("name")


@dataclass
class TerritoryBranch:
    """One territory and the branches below it, ordered by code."""

    territory: Territory
    children: list[TerritoryBranch] = field(default_factory=list)
    depth: int = 0


def territory_tree(municipality: Municipality) -> list[TerritoryBranch]:
    """The municipality's territory tree, built in Python from one query."""
    territories = list(Territory.objects.filter(municipality=municipality).order_by("code", "pk"))
    branches = {territory.pk: TerritoryBranch(territory) for territory in territories}
    roots: list[TerritoryBranch] = []
    for territory in territories:
        branch = branches[territory.pk]
        parent = branches.get(territory.parent_id) if territory.parent_id is not None else None
        (parent.children if parent is not None else roots).append(branch)

    def set_depth(items: list[TerritoryBranch], depth: int) -> None:
        for item in items:
            item.depth = depth
            set_depth(item.children, depth + 1)

    set_depth(roots, 0)
    return roots


def territory_flat(municipality: Municipality) -> list[TerritoryBranch]:
    """The tree in display order (depth-first), for indented lists and selects."""
    flat: list[TerritoryBranch] = []

    def walk(items: list[TerritoryBranch]) -> None:
        for item in items:
            flat.append(item)
            walk(item.children)

    walk(territory_tree(municipality))
    return flat


def membership_list(
    *,
    user: User | None = None,
    node: Node | None = None,
    municipality: Municipality | None = None,
    organisation: Organisation | None = None,
    active_only: bool = True,
) -> QuerySet[Membership]:
    """Memberships with person, scope and granter loaded."""
    memberships = Membership.objects.select_related(
        "user", "node", "municipality", "organisation", "granted_by", "revoked_by"
    )
    if active_only:
        memberships = memberships.active()
    if user is not None:
        memberships = memberships.filter(user=user)
    if node is not None:
        memberships = memberships.filter(node=node)
    if municipality is not None:
        memberships = memberships.filter(municipality=municipality)
    if organisation is not None:
        memberships = memberships.filter(organisation=organisation)
    return memberships.order_by("role", "-granted_at")


# --- Public directory pages ----------------------------------------------------


@dataclass(frozen=True)
class NetworkFigures:
    nodes: int
    member_municipalities: int
    organisations: int
    departments_with_members: int


def network_figures() -> NetworkFigures:
    """The network's headline figures (four counting queries, whatever the size)."""
    members = Municipality.objects.members()
    return NetworkFigures(
        nodes=Node.objects.filter(active=True).count(),
        member_municipalities=members.count(),
        organisations=Organisation.objects.filter(active=True).count(),
        departments_with_members=members.values("department").distinct().count(),
    )


def municipality_directory(
    *, query: str = "", department_code: str = "", node_slug: str = "", members_only: bool = False
) -> QuerySet[Municipality]:
    """Municipalities for the public directory: search by name (accents and case
    ignored) or code, filter by department and node; nodes prefetched, so a page
    of results costs the same few queries whatever its size."""
    municipalities = Municipality.objects.select_related("department").prefetch_related(
        Prefetch("nodes", queryset=Node.objects.filter(active=True).order_by("kind", "name"))
    )
    query = query.strip()
    if query:
        municipalities = municipalities.filter(Q(name__unaccent__icontains=query) | Q(code__startswith=query))
    if department_code:
        municipalities = municipalities.filter(department_id=department_code)
    if node_slug:
        municipalities = municipalities.filter(node_municipalities__node__slug=node_slug)
    if members_only:
        municipalities = municipalities.filter(is_member=True)
    return municipalities.order_by("name", "code")


def department_list() -> QuerySet[Department]:
    return Department.objects.order_by("name")


def node_page(*, slug: str) -> Node:
    """A node with its municipalities, organisations and active coordinators loaded (raises DoesNotExist)."""
    return Node.objects.prefetch_related(
        Prefetch(
            "municipalities",
            queryset=Municipality.objects.select_related("department").order_by("name"),
        ),
        Prefetch("organisations", queryset=Organisation.objects.filter(active=True).order_by("name")),
        Prefetch(
            "memberships",
            queryset=Membership.objects.active().filter(role="coordinator").select_related("user"),
            to_attr="coordinator_memberships",
        ),
    ).get(slug=slug, active=True)


def municipality_page(*, code: str) -> Municipality:
    """A municipality with department, nodes and organisations loaded (raises DoesNotExist)."""
    return (
        Municipality.objects.select_related("department")
        .prefetch_related(
            Prefetch("nodes", queryset=Node.objects.filter(active=True).order_by("kind", "name")),
            Prefetch("organisations", queryset=Organisation.objects.filter(active=True).order_by("name")),
        )
        .get(code=code)
    )


def organisation_directory(*, query: str = "", kind: str = "", node_slug: str = "") -> QuerySet[Organisation]:
    """Organisations for the public directory, with their place and nodes loaded."""
    organisations = organisation_list(kind=kind or None)
    query = query.strip()
    if query:
        organisations = organisations.filter(name__unaccent__icontains=query)
    if node_slug:
        organisations = organisations.filter(nodes__slug=node_slug)
    return organisations


@dataclass(frozen=True)
class Reach:
    """What one person may manage, read from their active memberships (one query).

    The services remain the judges; this only decides what to list and offer,
    so that list pages need no permission query per row.
    """

    memberships: list[Membership]
    is_secretariat: bool
    node_ids: frozenset[int]  # nodes they coordinate
    municipality_codes: frozenset[str]  # municipalities they manage
    organisation_ids: frozenset[int]  # organisations they manage

    @property
    def manages_team(self) -> bool:
        return self.is_secretariat or bool(self.node_ids) or bool(self.municipality_codes)

    def grantable_roles(self) -> list[str]:
        if self.is_secretariat:
            return list(Role.values)
        roles: list[str] = []
        if self.node_ids:
            roles.append(Role.MANAGER)
        if self.node_ids or self.municipality_codes:
            roles.extend(MUNICIPAL_ROLES)
        return roles


def reach_of(user: User) -> Reach:
    memberships = list(membership_list(user=user))
    roles = {membership.role for membership in memberships}
    return Reach(
        memberships=memberships,
        is_secretariat=Role.SECRETARIAT in roles or user.is_superuser,
        node_ids=frozenset(m.node_id for m in memberships if m.role == Role.COORDINATOR and m.node_id),
        municipality_codes=frozenset(
            m.municipality_id for m in memberships if m.role == Role.MANAGER and m.municipality_id
        ),
        organisation_ids=frozenset(
            m.organisation_id for m in memberships if m.role == Role.MANAGER and m.organisation_id
        ),
    )
