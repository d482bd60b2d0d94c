"""Management pages of the network registry (/gestion/red/).

Each view: ``management_required`` (signed in, a role, two-factor set up),
then the object's permission (``request.user.has_perm``), a form for the
shape, one service call. ``PermissionDenied`` propagates to the 403 page;
a service's ``ValidationError`` becomes a form error.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.access import management_required, signed_in_user
from accounts.models import User
from nodes import services
from nodes.forms import (
    MembershipGrantForm,
    MunicipalityCodeForm,
    MunicipalityForm,
    MunicipalitySearchForm,
    NodeForm,
    OrganisationForm,
    TerritoryForm,
    TerritoryImportForm,
    TerritoryMoveForm,
)
from nodes.models import (
    MUNICIPAL_ROLES,
    Membership,
    Municipality,
    Node,
    NodeMunicipality,
    Organisation,
    Role,
    Territory,
)
from nodes.selectors import (
    Reach,
    TerritoryBranch,
    membership_list,
    municipality_search,
    node_list,
    node_municipality_list,
    reach_of,
    territory_flat,
    territory_tree,
)
from nodes.services import TERRITORY_CSV_COLUMNS
from redplypp.forms import add_service_error

GET_POST = require_http_methods(["GET", "POST"])

SAMPLE_CSV = "\n".join(
    [
        ",".join(TERRITORY_CSV_COLUMNS),
        "01,Comuna 1,comuna,",
        "01-01,Centro,barrio,01",
        "01-02,San Andrés,barrio,01",
        "C1,Catambuco,corregimiento,",
        "C1-01,Vereda Botanilla,vereda,C1",
    ]
)


# --- Small read helpers ---------------------------------------------------------


def _coordinated_municipalities(reach: Reach) -> QuerySet[Municipality]:
    return (
        Municipality.objects.filter(node_municipalities__node_id__in=reach.node_ids)
        .select_related("department")
        .distinct()
        .order_by("name")
    )


def _team(reach: Reach) -> QuerySet[Membership]:
    """Active memberships whose role and scope this person may grant and revoke."""
    memberships = membership_list()
    if reach.is_secretariat:
        return memberships
    in_nodes = NodeMunicipality.objects.filter(node_id__in=reach.node_ids).values("municipality_id")
    organisations = Organisation.objects.filter(nodes__in=reach.node_ids).values("pk")
    return memberships.filter(
        Q(role__in=[Role.MANAGER, *MUNICIPAL_ROLES], municipality_id__in=in_nodes)
        | Q(role=Role.MANAGER, organisation_id__in=organisations)
        | Q(role__in=MUNICIPAL_ROLES, municipality_id__in=reach.municipality_codes)
    )


def _scope_choices(reach: Reach) -> list[tuple[str, list[tuple[str, str]]]]:
    """Where this person may grant roles, grouped for a select: ``kind:key`` values."""
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    if reach.is_secretariat:
        groups.append((_("The network"), [("network", _("The whole network (Secretaría Técnica)"))]))
        groups.append((_("Nodes"), [(f"node:{node.pk}", node.name) for node in Node.objects.order_by("name")]))
        municipalities = (
            Municipality.objects.filter(Q(is_member=True) | Q(node_municipalities__isnull=False))
            .select_related("department")
            .distinct()
            .order_by("name")
        )
        organisations = Organisation.objects.filter(active=True).order_by("name")
    else:
        municipalities = (
            Municipality.objects.filter(
                Q(node_municipalities__node_id__in=reach.node_ids) | Q(code__in=reach.municipality_codes)
            )
            .select_related("department")
            .distinct()
            .order_by("name")
        )
        organisations = Organisation.objects.filter(nodes__in=reach.node_ids).distinct().order_by("name")
    groups.append(
        (
            _("Municipalities"),
            [(f"municipality:{m.code}", f"{m.name} ({m.department.name})") for m in municipalities],
        )
    )
    organisation_options = [(f"organisation:{o.pk}", o.name) for o in organisations]
    if organisation_options:
        groups.append((_("Organisations"), organisation_options))
    return [group for group in groups if group[1]]


def _scope_kwargs(value: str) -> dict[str, Any]:
    """``"municipality:52001"`` → ``{"municipality": <Municipality>}`` (404 if gone)."""
    kind, _sep, key = value.partition(":")
    if kind == "node":
        return {"node": get_object_or_404(Node, pk=key)}
    if kind == "municipality":
        return {"municipality": get_object_or_404(Municipality, code=key)}
    if kind == "organisation":
        return {"organisation": get_object_or_404(Organisation, pk=key)}
    return {}


def _require(user: User, perm: str, obj: Any, message: str) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(message)


# --- Dashboard ------------------------------------------------------------------


@management_required
@require_http_methods(["GET"])
def dashboard(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    reach = reach_of(user)
    search = MunicipalitySearchForm(request.GET or None)
    results: list[Municipality] = []
    if reach.is_secretariat and search.is_valid() and search.cleaned_data["q"]:
        results = list(municipality_search(search.cleaned_data["q"]))
    if reach.is_secretariat:
        nodes = list(node_list(active_only=False))
    else:
        nodes = list(node_list(active_only=False).filter(pk__in=reach.node_ids))
    context = {
        "reach": reach,
        "nodes": nodes,
        "coordinated_municipalities": list(_coordinated_municipalities(reach)) if reach.node_ids else [],
        "managed_municipalities": list(
            Municipality.objects.filter(code__in=reach.municipality_codes).select_related("department")
        ),
        "managed_organisations": [m.organisation for m in reach.memberships if m.organisation_id],
        "search": search if reach.is_secretariat else None,
        "results": results,
        "can_add_node": user.has_perm("nodes.add_node"),
        "can_add_organisation": user.has_perm("nodes.add_organisation"),
    }
    return render(request, "nodes/manage/network_dashboard.html", context)


# --- Nodes ------------------------------------------------------------------------

_NODE_ERRORS = {"invalid_kind": "kind", "territorial_conflict": "kind"}


@management_required
@GET_POST
def node_create(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    _require(user, "nodes.add_node", None, _("Only the Secretaría Técnica may create nodes."))
    form = NodeForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            node = services.node_create(
                actor=user,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            add_service_error(form, error, _NODE_ERRORS)
        else:
            messages.success(
                request, _("The node “%(name)s” was created. Now add its municipalities.") % {"name": node.name}
            )
            return redirect("network-manage:node-municipalities", slug=node.slug)
    return render(request, "nodes/manage/node_form.html", {"form": form, "node": None})


@management_required
@GET_POST
def node_edit(request: HttpRequest, slug: str) -> HttpResponse:
    user = signed_in_user(request)
    node = get_object_or_404(Node, slug=slug)
    _require(user, "nodes.change_node", node, _("You may not edit this node."))
    initial = {"name": node.name, "kind": node.kind, "description": node.description, "active": node.active}
    form = NodeForm(request.POST or None, initial=initial, may_change_kind=user.has_perm("nodes.add_node"))
    if request.method == "POST" and form.is_valid():
        try:
            services.node_update(
                actor=user,
                node=node,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                description=form.cleaned_data["description"],
                active=form.cleaned_data["active"],
            )
        except ValidationError as error:
            add_service_error(form, error, _NODE_ERRORS)
        else:
            messages.success(request, _("The node “%(name)s” was saved.") % {"name": form.cleaned_data["name"]})
            return redirect("network-manage:dashboard")
    return render(request, "nodes/manage/node_form.html", {"form": form, "node": node})


def _node_municipalities_page(
    request: HttpRequest, node: Node, *, error: ValidationError | None = None, query: str | None = None
) -> HttpResponse:
    search = MunicipalitySearchForm({"q": query} if query is not None else request.GET or None)
    members = list(node_municipality_list(node=node))
    member_codes = {municipality.code for municipality in members}
    results: list[Municipality] = []
    if search.is_bound and search.is_valid() and search.cleaned_data["q"]:
        results = list(municipality_search(search.cleaned_data["q"]))
    context = {
        "node": node,
        "members": members,
        "member_codes": member_codes,
        "search": search,
        "results": results,
        "searched": bool(search.is_bound and search.is_valid() and search.cleaned_data["q"]),
        "errors": error.messages if error is not None else [],
    }
    return render(request, "nodes/manage/node_municipalities.html", context)


@management_required
@require_http_methods(["GET"])
def node_municipalities(request: HttpRequest, slug: str) -> HttpResponse:
    node = get_object_or_404(Node, slug=slug)
    _require(
        signed_in_user(request),
        "nodes.add_nodemunicipality",
        node,
        _("You may not change the municipalities of this node."),
    )
    return _node_municipalities_page(request, node)


@management_required
@GET_POST
def node_municipality_add(request: HttpRequest, slug: str) -> HttpResponse:
    user = signed_in_user(request)
    node = get_object_or_404(Node, slug=slug)
    _require(user, "nodes.add_nodemunicipality", node, _("You may not add municipalities to this node."))
    if request.method != "POST":
        return redirect("network-manage:node-municipalities", slug=node.slug)
    form = MunicipalityCodeForm(request.POST)
    query = request.POST.get("q", "")
    if not form.is_valid():
        return _node_municipalities_page(
            request, node, error=ValidationError(list(form.errors["municipality"])), query=query
        )
    municipality = form.cleaned_data["municipality"]
    try:
        services.node_add_municipality(actor=user, node=node, municipality=municipality)
    except ValidationError as error:
        return _node_municipalities_page(request, node, error=error, query=query)
    messages.success(
        request,
        _("%(municipality)s was added to the node %(node)s.") % {"municipality": municipality.name, "node": node.name},
    )
    url = redirect("network-manage:node-municipalities", slug=node.slug).url
    return redirect(f"{url}?{urlencode({'q': query})}" if query else url)


@management_required
@GET_POST
def node_municipality_remove(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    user = signed_in_user(request)
    node = get_object_or_404(Node, slug=slug)
    _require(user, "nodes.delete_nodemunicipality", node, _("You may not remove municipalities from this node."))
    municipality = get_object_or_404(Municipality.objects.select_related("department"), code=code)
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.node_remove_municipality(actor=user, node=node, municipality=municipality)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request,
                _("%(municipality)s was removed from the node %(node)s.")
                % {"municipality": municipality.name, "node": node.name},
            )
            return redirect("network-manage:node-municipalities", slug=node.slug)
    context = {"node": node, "municipality": municipality, "errors": errors}
    return render(request, "nodes/manage/nodemunicipality_confirm_delete.html", context)


# --- Organisations -------------------------------------------------------------------

_ORGANISATION_ERRORS = {"invalid_nit": "nit", "duplicate_organisation": "name", "invalid_kind": "kind"}


@management_required
@require_http_methods(["GET"])
def organisation_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    reach = reach_of(user)
    organisations = Organisation.objects.select_related("municipality").prefetch_related("nodes").order_by("name")
    if not reach.is_secretariat:
        if not reach.node_ids and not reach.organisation_ids:
            raise PermissionDenied(_("You do not manage any organisation."))
        organisations = organisations.filter(Q(nodes__in=reach.node_ids) | Q(pk__in=reach.organisation_ids)).distinct()
    context = {"organisations": organisations, "can_add": user.has_perm("nodes.add_organisation")}
    return render(request, "nodes/manage/organisation_list.html", context)


def _nodes_offered(reach: Reach) -> QuerySet[Node]:
    nodes = Node.objects.order_by("name")
    return nodes if reach.is_secretariat else nodes.filter(pk__in=reach.node_ids)


@management_required
@GET_POST
def organisation_create(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    _require(user, "nodes.add_organisation", None, _("You may not register organisations."))
    reach = reach_of(user)
    form = OrganisationForm(
        request.POST or None, node_choices=_nodes_offered(reach), is_secretariat=reach.is_secretariat, creating=True
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organisation = services.organisation_create(
                actor=user,
                name=data["name"],
                kind=data["kind"],
                nit=data["nit"],
                municipality=data["municipality_code"],
                nodes=list(data.get("nodes") or []),
                sits_on_secretariat=data.get("sits_on_secretariat", False),
                description=data["description"],
            )
        except ValidationError as error:
            add_service_error(form, error, _ORGANISATION_ERRORS)
        else:
            messages.success(request, _("The organisation “%(name)s” was registered.") % {"name": organisation.name})
            return redirect("network-manage:organisation-list")
    return render(request, "nodes/manage/organisation_form.html", {"form": form, "organisation": None})


@management_required
@GET_POST
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    organisation = get_object_or_404(Organisation.objects.select_related("municipality"), pk=pk)
    _require(user, "nodes.change_organisation", organisation, _("You may not edit this organisation."))
    reach = reach_of(user)
    offered = list(_nodes_offered(reach))
    current = list(organisation.nodes.all())
    initial = {
        "name": organisation.name,
        "kind": organisation.kind,
        "nit": organisation.nit,
        "municipality_code": organisation.municipality_id or "",
        "nodes": [node for node in current if node in offered],
        "sits_on_secretariat": organisation.sits_on_secretariat,
        "description": organisation.description,
        "active": organisation.active,
    }
    form = OrganisationForm(
        request.POST or None, initial=initial, node_choices=offered, is_secretariat=reach.is_secretariat
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Nodes this person may not change are kept as they are.
        kept = [node for node in current if node not in offered]
        try:
            services.organisation_update(
                actor=user,
                organisation=organisation,
                name=data["name"],
                kind=data["kind"],
                nit=data["nit"],
                municipality=data["municipality_code"],
                nodes=kept + list(data.get("nodes") or []),
                sits_on_secretariat=data.get("sits_on_secretariat", organisation.sits_on_secretariat),
                description=data["description"],
                active=data["active"],
            )
        except ValidationError as error:
            add_service_error(form, error, _ORGANISATION_ERRORS)
        else:
            messages.success(request, _("The organisation “%(name)s” was saved.") % {"name": data["name"]})
            return redirect("network-manage:organisation-list")
    return render(request, "nodes/manage/organisation_form.html", {"form": form, "organisation": organisation})


# --- Municipalities ---------------------------------------------------------------------


@management_required
@GET_POST
def municipality_edit(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in_user(request)
    municipality = get_object_or_404(Municipality.objects.select_related("department"), code=code)
    _require(user, "nodes.change_municipality", municipality, _("You may not edit this municipality."))
    initial = {
        "is_pdet": municipality.is_pdet,
        "is_zomac": municipality.is_zomac,
        "category": municipality.category,
        "population": municipality.population,
        "population_14_plus": municipality.population_14_plus,
    }
    form = MunicipalityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.municipality_update(actor=user, municipality=municipality, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error, {"invalid_population": "population_14_plus", "invalid_category": "category"})
        else:
            messages.success(request, _("%(municipality)s was saved.") % {"municipality": municipality.name})
            return redirect("network-manage:dashboard")
    context = {
        "form": form,
        "municipality": municipality,
        "can_edit_territories": user.has_perm("nodes.add_territory", municipality),
    }
    return render(request, "nodes/manage/municipality_form.html", context)


# --- Territories ------------------------------------------------------------------------

_TERRITORY_ERRORS = {
    "duplicate_code": "code",
    "invalid_kind": "kind",
    "other_municipality": "parent",
    "cycle": "parent",
}
_NO_TERRITORY_RIGHT = gettext_lazy("You may not edit the territories of this municipality.")


def _municipality_for_territories(request: HttpRequest, code: str) -> Municipality:
    municipality = get_object_or_404(Municipality.objects.select_related("department"), code=code)
    _require(signed_in_user(request), "nodes.add_territory", municipality, str(_NO_TERRITORY_RIGHT))
    return municipality


def _territory(request: HttpRequest, pk: int, perm: str) -> Territory:
    territory = get_object_or_404(Territory.objects.select_related("municipality__department", "parent"), pk=pk)
    _require(signed_in_user(request), perm, territory, str(_NO_TERRITORY_RIGHT))
    return territory


@management_required
@require_http_methods(["GET"])
def territory_list(request: HttpRequest, code: str) -> HttpResponse:
    municipality = _municipality_for_territories(request, code)
    tree = territory_tree(municipality)
    return render(request, "nodes/manage/territory_tree.html", {"municipality": municipality, "tree": tree})


@management_required
@GET_POST
def territory_create(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in_user(request)
    municipality = _municipality_for_territories(request, code)
    branches = territory_flat(municipality)
    initial = {"parent": request.GET.get("parent", "")}
    form = TerritoryForm(request.POST or None, initial=initial, branches=branches)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            territory = services.territory_create(
                actor=user,
                municipality=municipality,
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                parent=data["parent"],
            )
        except ValidationError as error:
            add_service_error(form, error, _TERRITORY_ERRORS)
        else:
            messages.success(request, _("“%(name)s” was added.") % {"name": territory.name})
            return redirect("network-manage:territory-list", code=municipality.code)
    context = {"form": form, "municipality": municipality, "territory": None}
    return render(request, "nodes/manage/territory_form.html", context)


@management_required
@GET_POST
def territory_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    territory = _territory(request, pk, "nodes.change_territory")
    initial = {"code": territory.code, "name": territory.name, "kind": territory.kind}
    form = TerritoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.territory_update(
                actor=user, territory=territory, code=data["code"], name=data["name"], kind=data["kind"]
            )
        except ValidationError as error:
            add_service_error(form, error, _TERRITORY_ERRORS)
        else:
            messages.success(request, _("“%(name)s” was saved.") % {"name": data["name"]})
            return redirect("network-manage:territory-list", code=territory.municipality_id)
    context = {"form": form, "municipality": territory.municipality, "territory": territory}
    return render(request, "nodes/manage/territory_form.html", context)


def _outside_branch(branches: list[TerritoryBranch], territory: Territory) -> list[TerritoryBranch]:
    """The branches a territory may move into: not itself, not its own parts."""
    allowed: list[TerritoryBranch] = []
    skip_below: int | None = None
    for branch in branches:  # depth-first order: a subtree is a run of deeper items
        if skip_below is not None and branch.depth > skip_below:
            continue
        skip_below = None
        if branch.territory.pk == territory.pk:
            skip_below = branch.depth
            continue
        allowed.append(branch)
    return allowed


@management_required
@GET_POST
def territory_move(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    territory = _territory(request, pk, "nodes.change_territory")
    branches = _outside_branch(territory_flat(territory.municipality), territory)
    form = TerritoryMoveForm(
        request.POST or None, initial={"parent": str(territory.parent_id or "")}, branches=branches
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.territory_move(actor=user, territory=territory, parent=form.cleaned_data["parent"])
        except ValidationError as error:
            add_service_error(form, error, _TERRITORY_ERRORS)
        else:
            messages.success(request, _("“%(name)s” was moved.") % {"name": territory.name})
            return redirect("network-manage:territory-list", code=territory.municipality_id)
    context = {"form": form, "municipality": territory.municipality, "territory": territory}
    return render(request, "nodes/manage/territory_move.html", context)


@management_required
@GET_POST
def territory_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    territory = _territory(request, pk, "nodes.delete_territory")
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.territory_delete(actor=user, territory=territory)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("“%(name)s” was deleted.") % {"name": territory.name})
            return redirect("network-manage:territory-list", code=territory.municipality_id)
    context = {"territory": territory, "municipality": territory.municipality, "errors": errors}
    return render(request, "nodes/manage/territory_confirm_delete.html", context)


@management_required
@GET_POST
def territory_import(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in_user(request)
    municipality = _municipality_for_territories(request, code)
    form = TerritoryImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        result = services.territories_import_csv(
            actor=user, municipality=municipality, file_text=form.cleaned_data["file"]
        )
        if result.ok:
            messages.success(
                request,
                _("Import done: %(created)d territories created, %(updated)d updated.")
                % {"created": result.created, "updated": result.updated},
            )
            return redirect("network-manage:territory-list", code=municipality.code)
        errors = result.errors
    context = {
        "form": form,
        "municipality": municipality,
        "errors": errors,
        "sample": SAMPLE_CSV,
        "columns": TERRITORY_CSV_COLUMNS,
    }
    return render(request, "nodes/manage/territory_import.html", context)


# --- Team (memberships) ---------------------------------------------------------------------

TEAM_PAGE_SIZE = 50


def _team_reach(user: User) -> Reach:
    reach = reach_of(user)
    if not reach.manages_team:
        raise PermissionDenied(_("Your role does not let you appoint people."))
    return reach


@management_required
@require_http_methods(["GET"])
def membership_list_view(request: HttpRequest) -> HttpResponse:
    reach = _team_reach(signed_in_user(request))
    page = Paginator(_team(reach), TEAM_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "nodes/manage/membership_list.html", {"page": page, "memberships": list(page)})


@management_required
@GET_POST
def membership_grant(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    reach = _team_reach(user)
    form = MembershipGrantForm(
        request.POST or None,
        initial={"scope": request.GET.get("scope", "")},
        roles=reach.grantable_roles(),
        scope_choices=_scope_choices(reach),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = User.objects.filter(email__iexact=data["email"]).first()
        if person is None:
            form.add_error(
                "email",
                _("No account uses this e-mail address. Ask the person to create an account first, then try again."),
            )
        else:
            try:
                services.membership_grant(actor=user, user=person, role=data["role"], **_scope_kwargs(data["scope"]))
            except ValidationError as error:
                add_service_error(form, error, {"invalid_scope": "scope", "invalid_role": "role"})
            else:
                messages.success(
                    request,
                    _("%(person)s now has the role %(role)s.")
                    % {"person": person.email, "role": Role(data["role"]).label},
                )
                return redirect("network-manage:membership-list")
    return render(request, "nodes/manage/membership_form.html", {"form": form})


@management_required
@GET_POST
def membership_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    membership = get_object_or_404(
        Membership.objects.active().select_related("user", "node", "municipality", "organisation"), pk=pk
    )
    _require(user, "nodes.revoke_membership", membership, _("You may not revoke this role."))
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.membership_revoke(actor=user, membership=membership)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request,
                _("%(person)s no longer has the role %(role)s.")
                % {"person": membership.user.email, "role": membership.get_role_display()},
            )
            return redirect("network-manage:membership-list")
    return render(request, "nodes/manage/membership_confirm_revoke.html", {"membership": membership, "errors": errors})
