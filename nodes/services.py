"""Every write of the network registry: one function per use case.

Contract shared by all of them: keyword-only typed arguments; run in one
transaction; check the acting person's permission (``nodes.rules``) and
raise ``PermissionDenied`` with a translatable message; raise
``ValidationError`` (translatable, with a ``code``) for a domain rule broken;
write one audit entry (``accounts.audit.audit_record``) in the same
transaction. Audit data holds ids and codes only, never personal data.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.audit import audit_record, subject_of
from accounts.models import User
from nodes.divipola_sync import DivipolaSync, sync_divipola
from nodes.models import (
    Department,
    Membership,
    Municipality,
    MunicipalityCategory,
    Node,
    NodeKind,
    NodeMunicipality,
    Organisation,
    OrganisationKind,
    Role,
    Territory,
    TerritoryKind,
)
from nodes.nit import InvalidNit, normalise_nit


def _require(actor: User, perm: str, obj: Any, message: str) -> None:
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(message)


# --- DIVIPOLA --------------------------------------------------------------


@transaction.atomic
def divipola_load() -> DivipolaSync:
    """Upsert the 33 departments and 1,122 municipalities of the shipped file.

    Idempotent: a second run writes nothing. Never deletes and never touches
    tags, population or network membership. Audited (as the system) only
    when something changed.
    """
    result = sync_divipola(Department, Municipality)
    if result.changed:
        audit_record(
            actor=None,
            action="nodes.divipola_loaded",
            subject="nodes.municipality:*",
            data={
                "departments_created": result.departments_created,
                "departments_renamed": result.departments_renamed,
                "municipalities_created": result.municipalities_created,
                "municipalities_updated": result.municipalities_updated,
            },
        )
    return result


@transaction.atomic
def municipality_update(
    *,
    actor: User,
    municipality: Municipality,
    is_pdet: bool,
    is_zomac: bool,
    category: str,
    population: int | None,
    population_14_plus: int | None,
) -> Municipality:
    """Edit a municipality's tags and population figures (not its DIVIPOLA code or name)."""
    _require(actor, "nodes.change_municipality", municipality, _("You may not edit this municipality."))
    if category and category not in MunicipalityCategory.values:
        raise ValidationError(_("Unknown municipality category."), code="invalid_category")
    if population is not None and population_14_plus is not None and population_14_plus > population:
        raise ValidationError(
            _("The population aged 14 or more cannot exceed the whole population."), code="invalid_population"
        )
    municipality = Municipality.objects.select_for_update().get(pk=municipality.pk)
    municipality.is_pdet = is_pdet
    municipality.is_zomac = is_zomac
    municipality.category = category
    municipality.population = population
    municipality.population_14_plus = population_14_plus
    municipality.save(update_fields=["is_pdet", "is_zomac", "category", "population", "population_14_plus"])
    audit_record(
        actor=actor,
        action="nodes.municipality_updated",
        subject=subject_of(municipality),
        data={"is_pdet": is_pdet, "is_zomac": is_zomac, "category": category, "population": population},
    )
    return municipality


# --- Nodes ------------------------------------------------------------------


@transaction.atomic
def node_create(*, actor: User, name: str, kind: str, description: str = "", slug: str = "") -> Node:
    """Create a node (secretariat only). The slug defaults to the slugified name."""
    _require(actor, "nodes.add_node", None, _("Only the Secretaría Técnica may create nodes."))
    if kind not in NodeKind.values:
        raise ValidationError(_("Unknown kind of node."), code="invalid_kind")
    node = Node(name=name.strip(), kind=kind, description=description, slug=slug or slugify(name))
    node.full_clean()
    node.save()
    audit_record(actor=actor, action="nodes.node_created", subject=subject_of(node), data={"kind": kind})
    return node


@transaction.atomic
def node_update(*, actor: User, node: Node, name: str, kind: str, description: str, active: bool = True) -> Node:
    """Edit a node. Coordinators may edit their node's name and description;
    changing the kind or deactivating is for the secretariat. Changing the kind
    to territorial is refused when one of its municipalities is already in
    another territorial node."""
    _require(actor, "nodes.change_node", node, _("You may not edit this node."))
    node = Node.objects.select_for_update().get(pk=node.pk)
    if (kind != node.kind or active != node.active) and not actor.has_perm("nodes.add_node"):
        raise PermissionDenied(_("Only the Secretaría Técnica may change a node's kind or deactivate it."))
    if kind not in NodeKind.values:
        raise ValidationError(_("Unknown kind of node."), code="invalid_kind")
    node.name, node.kind, node.description, node.active = name.strip(), kind, description, active
    node.full_clean()
    node.save()
    try:
        with transaction.atomic():
            NodeMunicipality.objects.filter(node=node).exclude(node_kind=kind).update(node_kind=kind)
    except IntegrityError as error:
        raise ValidationError(
            _("Some municipalities of this node are already in another territorial node."),
            code="territorial_conflict",
        ) from error
    audit_record(actor=actor, action="nodes.node_updated", subject=subject_of(node), data={"kind": kind})
    return node


@transaction.atomic
def node_add_municipality(
    *, actor: User, node: Node, municipality: Municipality, joined_on: date | None = None
) -> NodeMunicipality:
    """Put a municipality in a node and mark it a member of the network.

    A municipality is in at most one territorial node (refused here and by the
    database); it may be in any number of thematic ones.
    """
    _require(actor, "nodes.add_nodemunicipality", node, _("You may not add municipalities to this node."))
    joined = joined_on or timezone.localdate()
    try:
        with transaction.atomic():
            link = NodeMunicipality.objects.create(
                node=node, municipality=municipality, node_kind=node.kind, joined_on=joined
            )
    except IntegrityError as error:
        if NodeMunicipality.objects.filter(node=node, municipality=municipality).exists():
            raise ValidationError(
                _("%(municipality)s is already in this node.") % {"municipality": municipality.name},
                code="already_in_node",
            ) from error
        raise ValidationError(
            _("%(municipality)s is already in another territorial node.") % {"municipality": municipality.name},
            code="territorial_conflict",
        ) from error
    if not municipality.is_member:
        Municipality.objects.filter(pk=municipality.pk).update(is_member=True, member_since=joined)
        municipality.is_member, municipality.member_since = True, joined
    audit_record(
        actor=actor,
        action="nodes.node_municipality_added",
        subject=subject_of(node),
        data={"municipality": municipality.code},
    )
    return link


@transaction.atomic
def node_remove_municipality(*, actor: User, node: Node, municipality: Municipality) -> None:
    """Take a municipality out of a node. Its network membership stays (a separate fact)."""
    _require(actor, "nodes.delete_nodemunicipality", node, _("You may not remove municipalities from this node."))
    deleted, _rows = NodeMunicipality.objects.filter(node=node, municipality=municipality).delete()
    if not deleted:
        raise ValidationError(_("That municipality is not in this node."), code="not_in_node")
    audit_record(
        actor=actor,
        action="nodes.node_municipality_removed",
        subject=subject_of(node),
        data={"municipality": municipality.code},
    )


# --- Organisations ------------------------------------------------------------


def _clean_nit(nit: str) -> str:
    if not nit.strip():
        return ""
    try:
        return normalise_nit(nit)
    except InvalidNit as error:
        raise ValidationError(
            _("“%(nit)s” is not a valid NIT: check the number and its check digit.") % {"nit": nit},
            code="invalid_nit",
        ) from error


def _save_organisation(organisation: Organisation) -> None:
    organisation.full_clean(exclude=["nodes"])
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError as error:  # two requests racing past full_clean
        raise ValidationError(_("Another organisation has that name or NIT."), code="duplicate_organisation") from error


@transaction.atomic
def organisation_create(
    *,
    actor: User,
    name: str,
    kind: str,
    nit: str = "",
    municipality: Municipality | None = None,
    nodes: list[Node] | None = None,
    sits_on_secretariat: bool = False,
    description: str = "",
) -> Organisation:
    """Register an organisation. The NIT is optional, normalised and checked
    (DIAN check digit). Coordinators may register organisations only in
    their own nodes; only the secretariat seats one on the Secretaría Técnica."""
    _require(actor, "nodes.add_organisation", None, _("You may not register organisations."))
    nodes = list(nodes or [])
    is_secretariat = actor.has_perm("nodes.add_node")
    if not is_secretariat:
        if sits_on_secretariat:
            raise PermissionDenied(_("Only the Secretaría Técnica may seat an organisation on it."))
        if not nodes or not all(actor.has_perm("nodes.change_node", node) for node in nodes):
            raise PermissionDenied(_("You may register organisations only in the nodes you coordinate."))
    if kind not in OrganisationKind.values:
        raise ValidationError(_("Unknown kind of organisation."), code="invalid_kind")
    organisation = Organisation(
        name=name.strip(),
        kind=kind,
        nit=_clean_nit(nit),
        municipality=municipality,
        sits_on_secretariat=sits_on_secretariat,
        description=description,
    )
    _save_organisation(organisation)
    organisation.nodes.set(nodes)
    audit_record(
        actor=actor,
        action="nodes.organisation_created",
        subject=subject_of(organisation),
        data={"kind": kind, "nodes": sorted(node.pk for node in nodes), "secretariat": sits_on_secretariat},
    )
    return organisation


@transaction.atomic
def organisation_update(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    kind: str,
    nit: str,
    municipality: Municipality | None,
    nodes: list[Node],
    sits_on_secretariat: bool,
    description: str = "",
    active: bool = True,
) -> Organisation:
    """Edit an organisation. Only the secretariat changes the seat on the
    Secretaría Técnica or adds/removes nodes other than ones the actor coordinates."""
    _require(actor, "nodes.change_organisation", organisation, _("You may not edit this organisation."))
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    is_secretariat = actor.has_perm("nodes.add_node")
    if not is_secretariat:
        if sits_on_secretariat != organisation.sits_on_secretariat:
            raise PermissionDenied(_("Only the Secretaría Técnica may change who sits on it."))
        before = set(organisation.nodes.all())
        for node in before.symmetric_difference(nodes):
            if not actor.has_perm("nodes.change_node", node):
                raise PermissionDenied(_("You may change only the nodes you coordinate."))
    if kind not in OrganisationKind.values:
        raise ValidationError(_("Unknown kind of organisation."), code="invalid_kind")
    organisation.name, organisation.kind, organisation.nit = name.strip(), kind, _clean_nit(nit)
    organisation.municipality, organisation.sits_on_secretariat = municipality, sits_on_secretariat
    organisation.description, organisation.active = description, active
    _save_organisation(organisation)
    organisation.nodes.set(nodes)
    audit_record(
        actor=actor,
        action="nodes.organisation_updated",
        subject=subject_of(organisation),
        data={"kind": kind, "nodes": sorted(node.pk for node in nodes), "secretariat": sits_on_secretariat},
    )
    return organisation


# --- Territories ----------------------------------------------------------------


def _lock_tree(municipality: Municipality) -> dict[int, Territory]:
    """Serialise edits of one municipality's tree (row lock on the municipality)
    and return its territories by id (one query)."""
    Municipality.objects.select_for_update().filter(pk=municipality.pk).first()
    return {territory.pk: territory for territory in Territory.objects.filter(municipality=municipality)}


def _check_parent(territory_pk: int | None, parent: Territory | None, tree: dict[int, Territory]) -> None:
    if parent is None:
        return
    if parent.pk not in tree:
        raise ValidationError(
            _("A territory can only be inside a territory of the same municipality."), code="other_municipality"
        )
    ancestor_id: int | None = parent.pk
    seen: set[int] = set()
    while ancestor_id is not None and ancestor_id not in seen:
        if ancestor_id == territory_pk:
            raise ValidationError(
                _("A territory cannot be inside itself or inside one of its own parts."), code="cycle"
            )
        seen.add(ancestor_id)
        ancestor_id = tree[ancestor_id].parent_id if ancestor_id in tree else None


def _save_territory(territory: Territory) -> None:
    try:
        with transaction.atomic():
            territory.save()
    except IntegrityError as error:
        raise ValidationError(
            _("Another territory of this municipality has the code “%(code)s”.") % {"code": territory.code},
            code="duplicate_code",
        ) from error


def _check_territory_fields(*, kind: str, code: str, name: str) -> None:
    if kind not in TerritoryKind.values:
        raise ValidationError(_("Unknown kind of territory."), code="invalid_kind")
    if not code.strip() or not name.strip():
        raise ValidationError(_("A territory needs a code and a name."), code="required")


@transaction.atomic
def territory_create(
    *,
    actor: User,
    municipality: Municipality,
    code: str,
    name: str,
    kind: str,
    parent: Territory | None = None,
) -> Territory:
    """Add a territory to a municipality's tree (its managers and the secretariat).
    The parent must be in the same municipality; the code unique within it."""
    _require(actor, "nodes.add_territory", municipality, _("You may not edit the territories of this municipality."))
    _check_territory_fields(kind=kind, code=code, name=name)
    tree = _lock_tree(municipality)
    _check_parent(None, parent, tree)
    territory = Territory(municipality=municipality, parent=parent, code=code.strip(), name=name.strip(), kind=kind)
    _save_territory(territory)
    audit_record(
        actor=actor,
        action="nodes.territory_created",
        subject=subject_of(territory),
        data={"municipality": municipality.code, "code": territory.code, "parent": parent.pk if parent else None},
    )
    return territory


@transaction.atomic
def territory_update(*, actor: User, territory: Territory, code: str, name: str, kind: str) -> Territory:
    """Rename or recode a territory, or change its kind (not its place: see ``territory_move``)."""
    _require(actor, "nodes.change_territory", territory, _("You may not edit the territories of this municipality."))
    _check_territory_fields(kind=kind, code=code, name=name)
    tree = _lock_tree(territory.municipality)
    territory = tree[territory.pk]
    territory.code, territory.name, territory.kind = code.strip(), name.strip(), kind
    _save_territory(territory)
    audit_record(
        actor=actor, action="nodes.territory_updated", subject=subject_of(territory), data={"code": territory.code}
    )
    return territory


@transaction.atomic
def territory_move(*, actor: User, territory: Territory, parent: Territory | None) -> Territory:
    """Put a territory inside another one (or at the top with ``parent=None``).
    Refuses a parent from another municipality and any move that would make a cycle."""
    _require(actor, "nodes.change_territory", territory, _("You may not edit the territories of this municipality."))
    tree = _lock_tree(territory.municipality)
    territory = tree[territory.pk]
    _check_parent(territory.pk, parent, tree)
    territory.parent = parent
    territory.save(update_fields=["parent"])
    audit_record(
        actor=actor,
        action="nodes.territory_moved",
        subject=subject_of(territory),
        data={"parent": parent.pk if parent else None},
    )
    return territory


@transaction.atomic
def territory_delete(*, actor: User, territory: Territory) -> None:
    """Delete a territory that has no parts below it."""
    _require(actor, "nodes.delete_territory", territory, _("You may not edit the territories of this municipality."))
    tree = _lock_tree(territory.municipality)
    if any(other.parent_id == territory.pk for other in tree.values()):
        raise ValidationError(
            _("“%(name)s” has territories inside it: move or delete them first.") % {"name": territory.name},
            code="has_children",
        )
    subject = subject_of(territory)
    data = {"municipality": territory.municipality_id, "code": territory.code}
    territory.delete()
    audit_record(actor=actor, action="nodes.territory_deleted", subject=subject, data=data)


TERRITORY_CSV_COLUMNS = ("code", "name", "kind", "parent_code")


@dataclass
class TerritoryImport:
    """What an import did, or why it did nothing (``errors`` not empty)."""

    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _kind_from_text(text: str) -> str | None:
    wanted = text.strip().lower()
    for value, label in TerritoryKind.choices:
        if wanted in (value, value.replace("_", " "), str(label).lower()):
            return value
    return None


@transaction.atomic
def territories_import_csv(*, actor: User, municipality: Municipality, file_text: str) -> TerritoryImport:
    """Create or update a municipality's territories from CSV text with the
    columns ``code, name, kind, parent_code`` (header row first).

    All or nothing: every row is checked first (kind known, code present and
    not repeated, parent found in the file or already in the municipality,
    no cycles); on any error nothing is saved and the errors come back
    numbered by the file's line (the header is line 1). Rows whose code
    exists are updated (name, kind, parent); the others are created.
    """
    _require(actor, "nodes.add_territory", municipality, _("You may not edit the territories of this municipality."))
    result = TerritoryImport()
    reader = csv.DictReader(io.StringIO(file_text.lstrip("\ufeff")))
    header = [column.strip().lower() for column in (reader.fieldnames or [])]
    missing = [column for column in TERRITORY_CSV_COLUMNS if column not in header]
    if missing:
        result.errors.append(
            _("The file must have the columns %(columns)s; missing: %(missing)s.")
            % {"columns": ", ".join(TERRITORY_CSV_COLUMNS), "missing": ", ".join(missing)}
        )
        return result
    reader.fieldnames = header
    tree = _lock_tree(municipality)
    by_code = {territory.code: territory for territory in tree.values()}
    rows: dict[str, tuple[int, str, str, str]] = {}  # code -> (line, name, kind, parent_code)
    for line, row in enumerate(reader, start=2):
        code, name = (row.get("code") or "").strip(), (row.get("name") or "").strip()
        kind_text, parent_code = (row.get("kind") or "").strip(), (row.get("parent_code") or "").strip()
        if not code:
            result.errors.append(_("Row %(row)d: the code is missing.") % {"row": line})
            continue
        if len(code) > 20:
            result.errors.append(_("Row %(row)d: the code is longer than 20 characters.") % {"row": line})
        if code in rows:
            result.errors.append(
                _("Row %(row)d: the code “%(code)s” is already used in row %(first)d.")
                % {"row": line, "code": code, "first": rows[code][0]}
            )
            continue
        if not name:
            result.errors.append(_("Row %(row)d: the name is missing.") % {"row": line})
        elif len(name) > 150:
            result.errors.append(_("Row %(row)d: the name is longer than 150 characters.") % {"row": line})
        kind = _kind_from_text(kind_text)
        if kind is None:
            result.errors.append(
                _("Row %(row)d: “%(kind)s” is not a kind of territory (use one of: %(kinds)s).")
                % {"row": line, "kind": kind_text, "kinds": ", ".join(TerritoryKind.values)}
            )
        if parent_code == code:
            result.errors.append(_("Row %(row)d: a territory cannot be inside itself.") % {"row": line})
        rows[code] = (line, name, kind or "", parent_code)
    for code, (line, _name, _kind, parent_code) in rows.items():
        if parent_code and parent_code != code and parent_code not in rows and parent_code not in by_code:
            result.errors.append(
                _("Row %(row)d: the parent code “%(parent)s” is neither in the file nor in this municipality.")
                % {"row": line, "parent": parent_code}
            )
    if result.errors:
        return result

    # The resulting tree: parents from the file override the stored ones.
    parent_of: dict[str, str] = {
        territory.code: tree[territory.parent_id].code
        for territory in tree.values()
        if territory.parent_id is not None and territory.parent_id in tree
    }
    for code, (_line, _name, _kind, parent_code) in rows.items():
        parent_of.pop(code, None)
        if parent_code:
            parent_of[code] = parent_code
    for code, (line, *_rest) in rows.items():
        seen = {code}
        ancestor = parent_of.get(code)
        while ancestor is not None:
            if ancestor in seen:
                result.errors.append(
                    _("Row %(row)d: the parents make a loop (a territory inside one of its own parts).") % {"row": line}
                )
                break
            seen.add(ancestor)
            ancestor = parent_of.get(ancestor)
    if result.errors:
        return result

    # Save parents before children: first every row without its parent, then link.
    for code, (_line, name, kind, _parent_code) in rows.items():
        territory = by_code.get(code)
        if territory is None:
            by_code[code] = Territory.objects.create(municipality=municipality, code=code, name=name, kind=kind)
            result.created += 1
        else:
            territory.name, territory.kind = name, kind
            territory.save(update_fields=["name", "kind"])
            result.updated += 1
    for code, (_line, _name, _kind, parent_code) in rows.items():
        territory = by_code[code]
        parent_id = by_code[parent_code].pk if parent_code else None
        if territory.parent_id != parent_id:
            territory.parent_id = parent_id
            territory.save(update_fields=["parent"])
    audit_record(
        actor=actor,
        action="nodes.territories_imported",
        subject=subject_of(municipality),
        data={"created": result.created, "updated": result.updated},
    )
    return result


# --- Memberships ------------------------------------------------------------------


# The scopes each role may be held in (each set is one allowed combination).
_ROLE_SCOPES: dict[str, list[set[str]]] = {
    Role.SECRETARIAT: [set()],
    Role.COORDINATOR: [{"node"}],
    Role.MANAGER: [{"municipality"}, {"organisation"}],
    Role.REVIEWER: [{"municipality"}],
    Role.STATION_OFFICER: [{"municipality"}],
    Role.MONITOR: [{"municipality"}],
}


def _check_scope(membership: Membership) -> None:
    role = membership.role
    scopes = {
        "node": membership.node_id is not None,
        "municipality": membership.municipality_id is not None,
        "organisation": membership.organisation_id is not None,
    }
    given = {name for name, present in scopes.items() if present}
    allowed = _ROLE_SCOPES.get(role, [])
    if not allowed:
        raise ValidationError(_("Unknown role."), code="invalid_role")
    if given not in allowed:
        raise ValidationError(
            _("The role %(role)s is held in: %(scopes)s.")
            % {
                "role": Role(role).label,
                "scopes": " / ".join(", ".join(sorted(scope)) or _("the whole network") for scope in allowed),
            },
            code="invalid_scope",
        )


def _membership_audit_data(membership: Membership) -> dict[str, Any]:
    return {
        "user": membership.user_id,
        "role": membership.role,
        "node": membership.node_id,
        "municipality": membership.municipality_id,
        "organisation": membership.organisation_id,
    }


@transaction.atomic
def membership_grant(
    *,
    actor: User,
    user: User,
    role: str,
    node: Node | None = None,
    municipality: Municipality | None = None,
    organisation: Organisation | None = None,
    now: datetime | None = None,
) -> Membership:
    """Grant ``user`` a role in a scope.

    The scope must fit the role (``ValidationError`` code ``invalid_scope``).
    Who may grant: the secretariat anything; a coordinator manager, reviewer,
    station officer and monitor roles for municipalities of their node (and
    manager of an organisation working in it); a municipal manager reviewer,
    station officer and monitor in their municipality (``PermissionDenied``
    otherwise). The same active grant twice is refused by the database
    (``ValidationError`` code ``already_granted``). Audited.
    """
    membership = Membership(
        user=user,
        role=role,
        node=node,
        municipality=municipality,
        organisation=organisation,
        granted_by=actor,
        granted_at=now or timezone.now(),
    )
    _check_scope(membership)
    _require(actor, "nodes.grant_membership", membership, _("You may not grant this role in this scope."))
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as error:
        raise ValidationError(_("This person already holds this role here."), code="already_granted") from error
    audit_record(
        actor=actor,
        action="nodes.membership_granted",
        subject=subject_of(membership),
        data=_membership_audit_data(membership),
        now=membership.granted_at,
    )
    return membership


@transaction.atomic
def membership_revoke(*, actor: User, membership: Membership, now: datetime | None = None) -> Membership:
    """Revoke a role: the row stays, stamped with who and when. Whoever may
    grant a role may revoke it. Locks the row; revoking twice is refused
    (``ValidationError`` code ``already_revoked``). Audited."""
    _require(actor, "nodes.revoke_membership", membership, _("You may not revoke this role."))
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.revoked_at is not None:
        raise ValidationError(_("This role was already revoked."), code="already_revoked")
    membership.revoked_at = now or timezone.now()
    membership.revoked_by = actor
    membership.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=actor,
        action="nodes.membership_revoked",
        subject=subject_of(membership),
        data=_membership_audit_data(membership),
        now=membership.revoked_at,
    )
    return membership
