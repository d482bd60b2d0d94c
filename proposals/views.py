"""Citizen pages of proposals, under /propuestas/ (namespace ``proposals``):
a cycle's proposals as a list and as a map, a proposal's page, proposing,
editing, submitting, withdrawing, supporting, and one's own proposals.

Written for a cheap phone on a slow connection: small server-rendered pages
that work without JavaScript (htmx only spares a reload when supporting), and
a fixed number of queries whatever the size of a cycle. Each view reads a
form, calls one service or selector and renders; a service's
``ValidationError`` becomes a message on the form or the page, its
``PermissionDenied`` the 403 page. A draft exists only for its author.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import proposals.rules  # noqa: F401  (registers the proposal permissions)
from accounts.access import signed_in_user
from accounts.models import User
from cycles import selectors as cycle_selectors
from cycles.models import Cycle, CycleStatus, CycleTerritory
from cycles.phases import Capability, capabilities_at
from proposals import services
from proposals.discussion import discussion_context
from proposals.eligibility import refusal
from proposals.execution import execution_context
from proposals.forms import ProposalFilterForm, ProposalForm, territories_of
from proposals.models import Proposal, ProposalAttachment, Review, StateChange, Status, Support
from proposals.selectors import ProposalFilters, proposal_list
from redplypp.forms import add_service_error

PAGE_SIZE = 20
WITHDRAWN_OR_FINAL = (Status.WITHDRAWN, Status.MERGED, Status.SELECTED, Status.NOT_SELECTED)
MAP_LIMIT = 2000  # points on one map page; more would not help anyone on a phone

# Which form field a service's ValidationError belongs to, by its code.
_ERROR_FIELDS = {
    "negative_cost": "estimated_cost",
    "absurd_cost": "estimated_cost",
    "point": "latitude",
    "sector": "sector",
    "plan_line": "plan_line",
    "unit": "unit",
    "other_territory": "unit",
}


def _published_cycle(pk: int) -> Cycle:
    cycle = Cycle.objects.select_related("voting", "municipality", "department", "plan").filter(pk=pk).first()
    if cycle is None or cycle.status != CycleStatus.PUBLISHED:
        raise Http404
    return cycle


def _visible_proposal(request: HttpRequest, proposals: QuerySet[Proposal], pk: int) -> Proposal:
    """A proposal the viewer may see: public ones, and drafts to their author only; else 404."""
    proposal = proposals.filter(pk=pk).first()
    if proposal is None:
        raise Http404
    mine = request.user.is_authenticated and proposal.author_id == request.user.pk
    if not mine and (proposal.status == Status.DRAFT or proposal.cycle.status != CycleStatus.PUBLISHED):
        raise Http404
    return proposal


def _own_proposal(request: HttpRequest, pk: int) -> Proposal:
    """A proposal the signed-in person wrote: someone else's draft does not exist (404),
    someone else's public proposal is refused (403)."""
    proposal = _visible_proposal(
        request, Proposal.objects.select_related("cycle__voting", "cycle__plan", "unit__territory"), pk
    )
    if proposal.author_id != request.user.pk or proposal.on_paper:
        raise PermissionDenied(_("Only the author may change this proposal."))
    return proposal


# --- A cycle's proposals -------------------------------------------------------------------


@require_GET
def proposal_list_view(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    cycle = _published_cycle(cycle_pk)
    asked = {key: value for key, value in request.GET.items() if key != "pagina"}
    form = ProposalFilterForm(asked or None, cycle=cycle)
    filters = form.filters() if asked else ProposalFilters()
    page = Paginator(proposal_list(cycle=cycle, filters=filters), PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(
        request,
        "proposals/proposal_list.html",
        {"cycle": cycle, "form": form, "page": page, "filtered": bool(asked), "filters": filters},
    )


@require_GET
def proposal_map(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    """The located proposals: a list with their coordinates, which a map (Leaflet, tiles
    from ``settings.MAP_TILES_URL``) enhances when there are tiles and JavaScript."""
    cycle = _published_cycle(cycle_pk)
    located = list(
        proposal_list(cycle=cycle, filters=ProposalFilters(sort="newest")).filter(
            latitude__isnull=False, longitude__isnull=False
        )[:MAP_LIMIT]
    )
    points = [
        {
            "title": p.title,
            "url": p.get_absolute_url(),
            "lat": float(p.latitude),  # type: ignore[arg-type]
            "lng": float(p.longitude),  # type: ignore[arg-type]
            "status": p.get_status_display(),
        }
        for p in located
    ]
    return render(
        request,
        "proposals/proposal_map.html",
        {
            "cycle": cycle,
            "located": located,
            "points": points,
            "tiles_url": getattr(settings, "MAP_TILES_URL", ""),
            "tiles_attribution": getattr(settings, "MAP_TILES_ATTRIBUTION", ""),
            "limited": len(located) >= MAP_LIMIT,
        },
    )


# --- A proposal's page -------------------------------------------------------------------------


@dataclass(frozen=True)
class SupportBox:
    """What the support fragment shows: the count, and a button or why there is none."""

    proposal: Proposal
    supported: bool
    can_support: bool
    reason: str  # why this viewer cannot support (empty when they can or already did)
    message: str = ""  # the result of the last request (htmx)
    message_level: str = "success"


def _support_reason(viewer: Any, proposal: Proposal, now: datetime, opened: frozenset[Capability]) -> str:
    """Why ``viewer`` cannot support ``proposal`` now ("" if they can)."""
    if proposal.status not in (Status.SUBMITTED, Status.IN_REVIEW):
        return _("This proposal does not take supports now.")
    if Capability.SUPPORT not in opened:
        return _("Supports are not open in this territory now.")
    if not viewer.is_authenticated:
        return ""  # the fragment offers to sign in
    reason = refusal(viewer, proposal.cycle, timezone.localdate(now))
    if reason is not None:
        return reason
    participation = services.participation_of(viewer, proposal.cycle)
    if participation is not None and participation.unit_id != proposal.unit_id:
        return _("You take part from %(territory)s in this cycle: you support proposals of that territory only.") % {
            "territory": participation.unit
        }
    return ""


def _support_box(
    viewer: Any, proposal: Proposal, now: datetime, opened: frozenset[Capability] | None = None, **extra: Any
) -> SupportBox:
    """``opened``: the capabilities open now in the proposal's territory, when the caller has them."""
    if opened is None:
        opened = cycle_selectors.open_capabilities(proposal.cycle, now, proposal.unit)
    supported = viewer.is_authenticated and Support.objects.filter(proposal=proposal, user_id=viewer.pk).exists()
    reason = "" if supported else _support_reason(viewer, proposal, now, opened)
    return SupportBox(
        proposal=proposal,
        supported=supported,
        can_support=not supported and not reason,
        reason=reason,
        **extra,
    )


def _proposal_for_page(request: HttpRequest, pk: int) -> Proposal:
    proposals = Proposal.objects.select_related(
        "cycle__voting",
        "cycle__municipality",
        "cycle__department",
        "unit__territory",
        "unit__municipality",
        "sector",
        "plan_line",
        "organisation",
        "author",
        "merged_into",
    ).prefetch_related(
        "attachments",
        Prefetch("history", queryset=StateChange.objects.order_by("at", "pk")),
        Prefetch("reviews", queryset=Review.objects.order_by("-created_at", "-pk")),
    )
    return _visible_proposal(request, proposals, pk)


@require_GET
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal_for_page(request, pk)
    now = timezone.now()
    viewer = request.user
    mine = viewer.is_authenticated and proposal.author_id == viewer.pk and not proposal.on_paper
    opened = cycle_selectors.open_capabilities(proposal.cycle, now, proposal.unit)  # one read of the calendar
    open_to_propose = Capability.PROPOSE in opened
    context: dict[str, Any] = {
        "proposal": proposal,
        "cycle": proposal.cycle,
        "support": _support_box(viewer, proposal, now, opened),
        "mine": mine,
        "can_edit": mine
        and proposal.status in services.EDITABLE
        and (open_to_propose or proposal.status == Status.NEEDS_CHANGES),
        "can_submit": mine
        and ((proposal.status == Status.DRAFT and open_to_propose) or proposal.status == Status.NEEDS_CHANGES),
        "can_withdraw": mine and proposal.status not in WITHDRAWN_OR_FINAL,
        "history": list(proposal.history.all()),
        "reviews": list(proposal.reviews.all()),
        "attachments": list(proposal.attachments.all()),
    }
    context.update(discussion_context(proposal=proposal, viewer=viewer, opened=opened))
    context.update(execution_context(proposal=proposal))
    return render(request, "proposals/proposal_detail.html", context)


@require_GET
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """A proposal's file, if the viewer may see the proposal. PDFs are always a download;
    images (re-encoded when uploaded) may be shown in the page. The type is the one we
    checked, never one the browser guesses."""
    found = get_object_or_404(ProposalAttachment.objects.select_related("proposal__cycle"), pk=pk)
    _visible_proposal(request, Proposal.objects.select_related("cycle"), found.proposal_id)
    try:
        handle = found.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle, as_attachment=not found.is_image, filename=found.original_name, content_type=found.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- Supporting ----------------------------------------------------------------------------------


@require_POST
def proposal_support(request: HttpRequest, pk: int) -> HttpResponse:
    """With htmx: the support fragment again (count and result); without: back to the page with a message."""
    if not request.user.is_authenticated:
        if request.htmx:  # type: ignore[attr-defined]
            login = f"{reverse(settings.LOGIN_URL)}?next={reverse('proposals:proposal-detail', kwargs={'pk': pk})}"
            return HttpResponse(status=204, headers={"HX-Redirect": login})
        return redirect(f"{reverse(settings.LOGIN_URL)}?next={reverse('proposals:proposal-detail', kwargs={'pk': pk})}")
    proposal = _visible_proposal(request, Proposal.objects.select_related("cycle"), pk)
    actor = signed_in_user(request)
    now = timezone.now()
    level, message = "success", _("Thank you: your support has been counted.")
    try:
        proposal = services.support_add(actor=actor, proposal=proposal, now=now)
    except (ValidationError, PermissionDenied) as error:
        level = "warning"
        message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    if request.htmx:  # type: ignore[attr-defined]
        proposal = Proposal.objects.select_related("cycle__voting", "unit").get(pk=pk)
        box = _support_box(actor, proposal, now, message=message, message_level=level)
        return render(request, "proposals/_support.html", {"support": box, "proposal": proposal})
    (messages.success if level == "success" else messages.warning)(request, message)
    return redirect(proposal.get_absolute_url() + "#apoyos")


# --- Proposing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entrance:
    """Whether the form is shown, and if not, why (a sentence) and what to do next."""

    refusal: str = ""
    closed: str = ""

    @property
    def open(self) -> bool:
        return not self.refusal and not self.closed


def _windows_and_units(cycle: Cycle) -> tuple[list[Any], list[CycleTerritory]]:
    return cycle_selectors.cycle_windows(cycle), list(territories_of(cycle))


def _propose_closed(cycle: Cycle, declared: CycleTerritory | None, now: datetime) -> str:
    """Why proposing is closed for this person ("" if open): for their territory, or, before
    they declared one, in every territory of the cycle. Says when it opens, if it will."""
    windows, units = _windows_and_units(cycle)
    candidates = [declared.pk] if declared is not None else [None, *(u.pk for u in units)]
    if any(Capability.PROPOSE in capabilities_at(windows, now, unit) for unit in candidates):
        return ""
    openings = [
        action.opens_at
        for unit in candidates
        for action in cycle_selectors.citizen_actions(windows, now, unit)
        if action.capability == Capability.PROPOSE and action.opens_at is not None
    ]
    if openings:
        return _("Proposals are not open now. They open on %(day)s.") % {
            "day": date_format(timezone.localtime(min(openings)), "DATETIME_FORMAT")
        }
    return _("Proposals are closed in this cycle, and no new period to propose is planned.")


def _entrance(user: User, cycle: Cycle, declared: CycleTerritory | None, now: datetime) -> Entrance:
    reason = refusal(user, cycle, timezone.localdate(now))
    if reason is not None:
        return Entrance(refusal=reason)
    return Entrance(closed=_propose_closed(cycle, declared, now))


def _attach_all(actor: User, proposal: Proposal, uploads: list[Any], now: datetime) -> None:
    """Attach every file or none: the files already stored are removed if a later one fails."""
    stored: list[str] = []
    try:
        for upload in uploads:
            added = services.proposal_attach(actor=actor, proposal=proposal, upload=upload, now=now)
            stored.append(str(added.file.name))
    except BaseException:
        for name in stored:
            ProposalAttachment.file.field.storage.delete(name)
        raise


@login_required
@require_http_methods(["GET", "POST"])
def proposal_create(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    cycle = _published_cycle(cycle_pk)
    actor = signed_in_user(request)
    now = timezone.now()
    participation = services.participation_of(actor, cycle)
    declared = participation.unit if participation is not None else None
    entrance = _entrance(actor, cycle, declared, now)
    context: dict[str, Any] = {"cycle": cycle, "declared": declared, "entrance": entrance}
    if not entrance.open:
        return render(request, "proposals/proposal_form.html", context)
    if request.method == "POST":
        form = ProposalForm(request.POST, request.FILES, cycle=cycle, declared=declared)
        if form.is_valid():
            submit = "submit" in request.POST
            try:
                with transaction.atomic():
                    proposal = services.proposal_create(
                        actor=actor,
                        cycle=cycle,
                        unit=form.cleaned_data["unit"],
                        data=form.proposal_input(),
                        submit=submit,
                        now=now,
                    )
                    _attach_all(actor, proposal, form.cleaned_data["documents"], now)
            except ValidationError as error:
                if declared is None:
                    add_service_error(form, error, _ERROR_FIELDS)
                else:  # the territory is a hidden field now: its errors go above the form
                    codes = {code: name for code, name in _ERROR_FIELDS.items() if name != "unit"}
                    add_service_error(form, error, codes, renames={"unit": NON_FIELD_ERRORS})
            except PermissionDenied as error:
                context["entrance"] = Entrance(refusal=str(error))
                return render(request, "proposals/proposal_form.html", context)
            else:
                messages.success(
                    request,
                    _("Your proposal has been submitted.") if submit else _("Your draft has been saved."),
                )
                return redirect(proposal)
    else:
        form = ProposalForm(cycle=cycle, declared=declared)
    context["form"] = form
    return render(request, "proposals/proposal_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _own_proposal(request, pk)
    actor = signed_in_user(request)
    cycle = proposal.cycle
    now = timezone.now()
    context: dict[str, Any] = {"cycle": cycle, "proposal": proposal, "declared": proposal.unit}
    if proposal.status not in services.EDITABLE:
        context["entrance"] = Entrance(closed=_("This proposal can no longer be edited."))
        return render(request, "proposals/proposal_form.html", context)
    if proposal.status != Status.NEEDS_CHANGES:
        closed = _propose_closed(cycle, proposal.unit, now)
        if closed:
            context["entrance"] = Entrance(closed=closed)
            return render(request, "proposals/proposal_form.html", context)
    context["entrance"] = Entrance()
    attached = context["attachments_count"] = proposal.attachments.count()
    if request.method == "POST":
        form = ProposalForm(request.POST, request.FILES, cycle=cycle, attached=attached, with_unit=False)
        if form.is_valid():
            submit = "submit" in request.POST and proposal.status in (Status.DRAFT, Status.NEEDS_CHANGES)
            try:
                with transaction.atomic():
                    proposal = services.proposal_update(
                        actor=actor, proposal=proposal, data=form.proposal_input(), now=now
                    )
                    _attach_all(actor, proposal, form.cleaned_data["documents"], now)
                    if submit:
                        proposal = services.proposal_submit(actor=actor, proposal=proposal, now=now)
            except ValidationError as error:
                add_service_error(form, error, _ERROR_FIELDS)
            else:
                messages.success(
                    request, _("Your proposal has been submitted.") if submit else _("Your changes have been saved.")
                )
                return redirect(proposal)
    else:
        form = ProposalForm(
            initial=ProposalForm.initial_from(proposal), cycle=cycle, attached=attached, with_unit=False
        )
    context["form"] = form
    return render(request, "proposals/proposal_form.html", context)


@login_required
@require_POST
def proposal_submit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _own_proposal(request, pk)
    try:
        services.proposal_submit(actor=signed_in_user(request), proposal=proposal, now=timezone.now())
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your proposal has been submitted."))
    return redirect(proposal)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _own_proposal(request, pk)
    if request.method == "POST":
        try:
            services.proposal_withdraw(actor=signed_in_user(request), proposal=proposal, now=timezone.now())
        except ValidationError as error:
            messages.warning(request, " ".join(error.messages))
        else:
            if proposal.pk is None:  # a draft is deleted, not withdrawn
                messages.success(request, _("Your draft has been deleted."))
                return redirect("proposals:my-proposals")
            messages.success(request, _("Your proposal has been withdrawn."))
        return redirect(proposal)
    return render(
        request,
        "proposals/proposal_withdraw.html",
        {"proposal": proposal, "withdrawable": proposal.status not in WITHDRAWN_OR_FINAL},
    )


@login_required
@require_GET
def my_proposals(request: HttpRequest) -> HttpResponse:
    proposals = (
        Proposal.objects.filter(author_id=request.user.pk, on_paper=False)
        .select_related("cycle", "unit__territory", "unit__municipality", "sector")
        .order_by("-updated_at", "-pk")
    )
    page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(request, "proposals/my_proposals.html", {"page": page})
