"""Pages of the execution follow-up, under /ejecucion/ (namespace ``execution``).

Public: a cycle's execution page (how many delivered, money spent vs decided,
per territory, every funded project with its progress), a project's public
timeline (updates with photos, monitors' remarks) and the photos themselves.
Staff: start the follow-up of a selected proposal, post an update (managers of
the cycle, on a phone, with a photo); monitors remark on an update. Staff and
monitor views: ``management_required``, then the object permission → 403, a
form for the shape, one service call whose ``ValidationError`` becomes a form
error. Every page works without JavaScript.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import management_required, signed_in_user
from cycles.models import Cycle
from proposals import execution as services
from proposals.forms_execution import ExecutionUpdateForm, RemarkForm
from proposals.models import Execution, ExecutionUpdate, Proposal
from redplypp.forms import add_service_error

GET_POST = require_http_methods(["GET", "POST"])


def _project_url(proposal_pk: int) -> str:
    return reverse("execution:project", kwargs={"pk": proposal_pk})


def _public_proposal(pk: int) -> Proposal:
    """A public proposal whose follow-up has started (404 otherwise)."""
    proposal = get_object_or_404(
        Proposal.objects.public().select_related(
            "cycle__municipality", "cycle__department", "unit__territory", "unit__municipality", "execution"
        ),
        pk=pk,
    )
    if services.execution_of(proposal) is None:
        raise Http404
    return proposal


def _managed_proposal(request: HttpRequest, pk: int) -> Proposal:
    proposal = get_object_or_404(
        Proposal.objects.select_related(
            "cycle__municipality", "cycle__department", "unit__territory", "unit__municipality", "execution"
        ),
        pk=pk,
    )
    if not signed_in_user(request).has_perm("proposals.update_execution", proposal):
        raise PermissionDenied(_("Only the managers of this cycle may report on the execution of its projects."))
    return proposal


# --- Public pages -------------------------------------------------------------------


@require_GET
def cycle_execution(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle.objects.select_related("municipality", "department"), pk=cycle_pk)
    if not request.user.has_perm("cycles.view_cycle", cycle):
        raise Http404
    summary = services.cycle_execution_summary(cycle)
    may_manage = bool(summary.projects) and request.user.has_perm(
        "proposals.update_execution", summary.projects[0].proposal
    )
    return render(
        request,
        "proposals/execution/cycle.html",
        {"cycle": cycle, "summary": summary, "may_manage": may_manage},
    )


@require_GET
def project(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _public_proposal(pk)
    context = {
        "proposal": proposal,
        "execution": proposal.execution,
        "updates": services.execution_timeline(proposal),
        "may_update": request.user.has_perm("proposals.update_execution", proposal),
        "may_remark": request.user.has_perm("proposals.remark_execution", proposal),
    }
    return render(request, "proposals/execution/project.html", context)


@require_GET
def update_photo(request: HttpRequest, pk: int) -> FileResponse:
    """The photo of an update of a public project, as the JPEG it was stored as."""
    update = get_object_or_404(ExecutionUpdate.objects.select_related("execution"), pk=pk)
    _public_proposal(update.execution.proposal_id)
    if not update.photo:
        raise Http404
    try:
        handle = update.photo.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- Managers -----------------------------------------------------------------------


@management_required
@require_POST
def execution_start(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    proposal = _managed_proposal(request, pk)
    try:
        services.execution_start(actor=user, proposal=proposal, now=timezone.now())
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("execution:cycle-execution", cycle_pk=proposal.cycle_id)
    messages.success(request, _("The follow-up of the project started. Now post its first update."))
    return redirect("execution:update-create", pk=proposal.pk)


@management_required
@GET_POST
def update_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    proposal = _managed_proposal(request, pk)
    execution: Execution | None = services.execution_of(proposal)
    if execution is None:
        raise Http404
    now = timezone.now()
    form = ExecutionUpdateForm(
        request.POST or None,
        request.FILES or None,
        initial=ExecutionUpdateForm.initial_for(execution, timezone.localdate(now)),
    )
    if request.method == "POST" and form.is_valid():
        try:
            update = services.execution_update_post(actor=user, execution=execution, now=now, **form.values())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The update was published on the project's page."))
            return redirect(f"{_project_url(proposal.pk)}#update-{update.pk}")
    return render(
        request,
        "proposals/execution/update_form.html",
        {"form": form, "proposal": proposal, "execution": execution},
    )


# --- Monitors -----------------------------------------------------------------------


@management_required
@GET_POST
def remark_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    update = get_object_or_404(
        ExecutionUpdate.objects.select_related(
            "execution__proposal__cycle",
            "execution__proposal__unit__territory",
            "execution__proposal__unit__municipality",
        ),
        pk=pk,
    )
    proposal = update.execution.proposal
    if not user.has_perm("proposals.remark_execution", proposal):
        raise PermissionDenied(
            _("Only the monitors (veeduría) of this municipality may remark on the execution of its projects.")
        )
    form = RemarkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            remark = services.monitor_remark(
                actor=user, update=update, text=form.cleaned_data["text"], now=timezone.now()
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Your remark was published under the update."))
            return redirect(f"{_project_url(proposal.pk)}#remark-{remark.pk}")
    return render(
        request,
        "proposals/execution/remark_form.html",
        {"form": form, "update": update, "proposal": proposal},
    )
