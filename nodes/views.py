"""Public pages of the network registry: read-only, open to everyone."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from nodes import selectors
from nodes.models import Municipality, Node, NodeKind, OrganisationKind

PAGE_SIZE = 50


def _page(request: HttpRequest, items: QuerySet[Any], size: int = PAGE_SIZE) -> Page[Any]:
    """The page asked for in ``?pagina=``; a wrong or too large number gives the nearest page, not an error."""
    return Paginator(items, size).get_page(request.GET.get("pagina"))


def network_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "nodes/network_home.html",
        {"figures": selectors.network_figures(), "nodes": selectors.node_list()},
    )


def node_list(request: HttpRequest) -> HttpResponse:
    nodes = list(selectors.node_list())
    return render(
        request,
        "nodes/node_list.html",
        {
            "territorial": [node for node in nodes if node.kind == NodeKind.TERRITORIAL],
            "thematic": [node for node in nodes if node.kind != NodeKind.TERRITORIAL],
        },
    )


def node_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        node = selectors.node_page(slug=slug)
    except Node.DoesNotExist as missing:
        raise Http404 from missing
    return render(request, "nodes/node_detail.html", {"node": node})


def municipality_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    department = request.GET.get("departamento", "")[:2]
    node = request.GET.get("nodo", "")[:100]
    members_only = request.GET.get("miembros") == "1"
    municipalities = selectors.municipality_directory(
        query=query, department_code=department, node_slug=node, members_only=members_only
    )
    return render(
        request,
        "nodes/municipality_list.html",
        {
            "page": _page(request, municipalities),
            "query": query,
            "department": department,
            "node": node,
            "members_only": members_only,
            "departments": selectors.department_list(),
            "nodes": selectors.node_list(),
        },
    )


def municipality_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        municipality = selectors.municipality_page(code=code)
    except Municipality.DoesNotExist as missing:
        raise Http404 from missing
    return render(
        request,
        "nodes/municipality_detail.html",
        {"municipality": municipality, "territories": selectors.territory_flat(municipality)},
    )


def organisation_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    kind = request.GET.get("tipo", "")
    if kind not in OrganisationKind.values:
        kind = ""
    node = request.GET.get("nodo", "")[:100]
    organisations = selectors.organisation_directory(query=query, kind=kind, node_slug=node)
    return render(
        request,
        "nodes/organisation_list.html",
        {
            "page": _page(request, organisations),
            "query": query,
            "kind": kind,
            "node": node,
            "kinds": OrganisationKind.choices,
            "nodes": selectors.node_list(),
        },
    )
