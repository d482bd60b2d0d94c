"""Staff pages of proposals (/gestion/propuestas/): the review queue of a cycle,
the feasibility review of one proposal, merging duplicates, and paper proposals
keyed in at assemblies.

Each view: ``management_required`` (signed in, a role, two-factor set up), then
the object's permission (``proposals.review_proposal`` / ``merge_proposal`` on
the proposal, ``cycles.record_assembly`` on the cycle; the queue: the cycle's
reviewers, and its managers read-only) → 403 before any form is shown; one
service call per submitted form, whose ``ValidationError`` becomes a form error.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import management_required, signed_in_user
from cycles.models import Cycle
from cycles.phases import Capability, capabilities_at
from cycles.selectors import capability_open, cycle_windows
from proposals import review as review_services
from proposals.forms_manage import MergeForm, PaperProposalForm, ReviewForm
from proposals.models import Proposal, Status
from proposals.services import SEARCH_CONFIG, proposal_submit_on_paper
from redplypp.forms import add_service_error

GET_POST = require_http_methods(["GET", "POST"])
PAGE_SIZE = 50
CANDIDATES_SHOWN = 50
# The columns of the queue's counts, in the order a proposal goes through them.
QUEUE_STATUSES = [
    Status.SUBMITTED,
    Status.IN_REVIEW,
    Status.NEEDS_CHANGES,
    Status.VIABLE,
    Status.NOT_VIABLE,
    Status.MERGED,
    Status.WITHDRAWN,
]

PROPOSAL_RELATED = ("cycle__municipality", "cycle__department", "unit__territory", "unit__municipality", "sector")


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _cycle(pk: int) -> Cycle:
    return get_object_or_404(
        Cycle.objects.select_related("municipality", "department", "convener_organisation", "voting"), pk=pk
    )


def _proposal(request: HttpRequest, pk: int, perm: str, message: str) -> Proposal:
    """A public proposal (drafts are their author's alone: 404) the user holds ``perm`` on (else 403)."""
    proposal = get_object_or_404(
        Proposal.objects.exclude(status=Status.DRAFT).select_related(*PROPOSAL_RELATED, "plan_line", "merged_into"),
        pk=pk,
    )
    if not signed_in_user(request).has_perm(perm, proposal):
        raise PermissionDenied(message)
    return proposal


# --- The review queue ----------------------------------------------------------------


@management_required
@require_http_methods(["GET"])
def review_queue(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    cycle = _cycle(cycle_pk)
    scope = review_services.review_scope(user, cycle)
    read_only = scope is None
    if scope is None:
        if not user.has_perm("cycles.change_cycle", cycle):
            raise PermissionDenied(_("Only the reviewers and managers of this cycle see its review queue."))
        scope = Proposal.objects.filter(cycle=cycle)
    scope = scope.exclude(status=Status.DRAFT)

    units = list(
        cycle.units.exclude(territory__isnull=True, municipality__isnull=True)
        .select_related("territory", "municipality")
        .order_by("position", "pk")
    )
    counts: dict[int, dict[str, int]] = {}
    for row in scope.values("unit_id", "status").annotate(n=Count("pk")).order_by():
        counts.setdefault(row["unit_id"], {})[row["status"]] = row["n"]
    rows = [
        {"unit": unit, "cells": [(s, counts[unit.pk].get(s, 0)) for s in QUEUE_STATUSES]}
        for unit in units
        if unit.pk in counts
    ]
    totals = [(s, sum(c.get(s, 0) for c in counts.values())) for s in QUEUE_STATUSES]

    status = request.GET.get("estado", Status.IN_REVIEW)
    if status not in QUEUE_STATUSES:
        status = Status.IN_REVIEW
    unit_pk = _int_or_none(request.GET.get("territorio"))
    proposals = scope.filter(status=status).select_related("unit__territory", "unit__municipality", "sector")
    if unit_pk is not None:
        proposals = proposals.filter(unit_id=unit_pk)
    proposals = proposals.order_by("unit__position", "unit_id", "submitted_at", "pk")
    page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("pagina"))

    context = {
        "cycle": cycle,
        "read_only": read_only,
        "review_open": capability_open(cycle, Capability.REVIEW, timezone.now()),
        "statuses": [(s, Status(s).label) for s in QUEUE_STATUSES],
        "rows": rows,
        "totals": totals,
        "units": units,
        "status": status,
        "status_label": Status(status).label,
        "unit_pk": unit_pk,
        "page": page,
        "may_key_paper": user.has_perm("cycles.record_assembly", cycle),
    }
    return render(request, "proposals/manage/review_queue.html", context)


# --- Reviewing one proposal ----------------------------------------------------------


@management_required
@GET_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    proposal = _proposal(
        request, pk, "proposals.review_proposal", _("Only the municipality's reviewers may review this proposal.")
    )
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review_services.review_record(
                actor=user,
                proposal=proposal,
                verdict=data["verdict"],
                reasons=data["reasons"],
                adjusted_cost=data["adjusted_cost"],
                responsible_office=data["responsible_office"],
                bpin=data["bpin"],
                now=timezone.now(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The review was recorded and the author will be told by e-mail."))
            return redirect("proposals-manage:review-queue", cycle_pk=proposal.cycle_id)
    context = {
        "proposal": proposal,
        "form": form,
        "awaiting": proposal.status == Status.IN_REVIEW,
        "review_open": capability_open(proposal.cycle, Capability.REVIEW, timezone.now(), proposal.unit),
        "reviews": list(proposal.reviews.order_by("-created_at", "-pk")),
        "history": list(proposal.history.order_by("at", "pk")),
        "attachments": list(proposal.attachments.all()),
        "merged": list(proposal.merged.order_by("pk").only("pk", "title", "support_count", "merged_into_id")),
        "may_merge": user.has_perm("proposals.merge_proposal", proposal),
    }
    return render(request, "proposals/manage/review.html", context)


# --- Merging duplicates --------------------------------------------------------------


def _candidates(target: Proposal, query: str) -> QuerySet[Proposal]:
    """Proposals of the target's territory that could be merged into it, matching ``query``."""
    candidates = (
        Proposal.objects.filter(cycle_id=target.cycle_id, unit_id=target.unit_id, status__in=review_services.MERGEABLE)
        .exclude(pk=target.pk)
        .select_related("sector")
    )
    query = query.strip().replace("\x00", "")
    if query.isascii() and query.isdigit():
        candidates = candidates.filter(pk=int(query[:12]))
    elif query:
        candidates = candidates.filter(search=SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch"))
    return candidates.order_by("-support_count", "pk")


@management_required
@GET_POST
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    target = _proposal(
        request, pk, "proposals.merge_proposal", _("Only the municipality's reviewers may merge these proposals.")
    )
    query = request.GET.get("q", "")[:200]
    form = MergeForm(request.POST or None, target=target)
    if request.method == "POST" and form.is_valid():
        duplicates = list(form.cleaned_data["duplicates"])
        if request.POST.get("confirm") == "yes":
            try:
                review_services.proposal_merge(
                    actor=user,
                    duplicates=duplicates,
                    into=target,
                    reason=form.cleaned_data["reason"],
                    now=timezone.now(),
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The proposals were merged; their authors will be told by e-mail."))
                return redirect("proposals-manage:review", pk=target.pk)
        elif request.POST.get("confirm") != "back":
            confirm = {"proposal": target, "form": form, "duplicates": duplicates, "query": query}
            return render(request, "proposals/manage/merge_confirm.html", confirm)
    chosen = {str(v) for v in (form["duplicates"].value() or [])} if form.is_bound else set()
    candidates = list(_candidates(target, query)[: CANDIDATES_SHOWN + 1])
    context: dict[str, Any] = {
        "proposal": target,
        "form": form,
        "query": query,
        "candidates": candidates[:CANDIDATES_SHOWN],
        "more": len(candidates) > CANDIDATES_SHOWN,
        "chosen": chosen,
    }
    return render(request, "proposals/manage/merge.html", context)


# --- Paper proposals -----------------------------------------------------------------


@management_required
@GET_POST
def paper_create(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    cycle = _cycle(cycle_pk)
    if not user.has_perm("cycles.record_assembly", cycle):
        raise PermissionDenied(_("Only the managers of this cycle key in paper proposals."))
    form = PaperProposalForm(request.POST or None, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = proposal_submit_on_paper(
                actor=user,
                cycle=cycle,
                unit=form.cleaned_data["unit"],
                data=form.to_input(),
                on_behalf_of=form.cleaned_data["on_behalf_of"],
                now=timezone.now(),
            )
        except ValidationError as error:
            add_service_error(form, error, {"propose_closed": "unit"})
        else:
            messages.success(
                request,
                _("“%(title)s” was recorded as a paper proposal. You can key in the next one.")
                % {"title": proposal.title},
            )
            return redirect("proposals-manage:paper-create", cycle_pk=cycle.pk)
    now = timezone.now()
    windows = cycle_windows(cycle) if cycle.is_published else []
    unit_field = form.fields["unit"]
    assert hasattr(unit_field, "queryset")
    open_units = [u for u in unit_field.queryset if Capability.PROPOSE in capabilities_at(windows, now, u.pk)]
    context = {
        "cycle": cycle,
        "form": form,
        "open_units": open_units,
        "recent": list(
            cycle.proposals.filter(on_paper=True)
            .select_related("unit__territory", "unit__municipality")
            .order_by("-created_at", "-pk")[:10]
        ),
    }
    return render(request, "proposals/manage/paper_create.html", context)
