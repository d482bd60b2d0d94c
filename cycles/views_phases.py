"""Step 3 of the cycle wizard: the phases of a cycle, added, moved and
deleted within the rules of ``cycles.schedule``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import management_required, signed_in_user
from cycles import schedule
from cycles.forms_settings import PhaseForm
from cycles.models import Cycle, Phase
from cycles.views_manage import GET_POST, cycle_for_manager, phase_rows, units_of, wizard_context
from redplypp.forms import add_service_error

# --- 3. Phases --------------------------------------------------------------------


_PHASE_ERRORS: dict[str, str | None] = {
    "overlap": None,
    "past": "start_date",
    "unit_of_other_cycle": "units",
    "running_phase": None,
    "past_phase": None,
}
_PHASE_FIELDS = {"starts_at": "start_date", "ends_at": "end_date"}


def _phase_input(data: dict[str, Any]) -> schedule.PhaseInput:
    return schedule.PhaseInput(
        kind=data["kind"],
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        title=data["title"],
        description=data["description"],
        units=data["chosen_units"],
    )


@management_required
@GET_POST
def cycle_phases(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    cycle = cycle_for_manager(request, pk)
    now = timezone.now()
    phases = list(cycle.phases.prefetch_related("units__territory", "units__municipality").order_by("starts_at", "pk"))
    last_end = timezone.localtime(phases[-1].ends_at) if phases else None
    initial = {"start_date": last_end.date(), "start_time": last_end.time()} if last_end else {}
    form = PhaseForm(request.POST or None, initial=initial, units=units_of(cycle), published=cycle.is_published)
    if request.method == "POST" and form.is_valid():
        try:
            phase = schedule.phase_add(
                actor=user,
                cycle=cycle,
                data=_phase_input(form.cleaned_data),
                reason=form.cleaned_data.get("reason", ""),
                now=now,
            )
        except ValidationError as error:
            add_service_error(form, error, _PHASE_ERRORS, _PHASE_FIELDS)
        else:
            messages.success(request, _("The phase “%(phase)s” was added.") % {"phase": phase})
            return redirect("cycles-manage:cycle-phases", pk=cycle.pk)
    context = wizard_context(cycle, "cycle-phases", rows=phase_rows(phases, now), form=form)
    return render(request, "cycles/manage/cycle_phases.html", context)


def _phase(cycle: Cycle, phase_pk: int) -> Phase:
    return get_object_or_404(
        Phase.objects.prefetch_related("units__territory", "units__municipality"), pk=phase_pk, cycle=cycle
    )


@management_required
@GET_POST
def phase_edit(request: HttpRequest, pk: int, phase_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    cycle = cycle_for_manager(request, pk)
    phase = _phase(cycle, phase_pk)
    now = timezone.now()
    context = wizard_context(cycle, "cycle-phases", phase=phase, row=phase_rows([phase], now)[0])
    if cycle.is_published and phase.ends_at <= now:
        # A past phase is history: shown, not edited (the service refuses too).
        errors = [_("This phase has ended: past phases cannot be rewritten.")] if request.method == "POST" else []
        return render(request, "cycles/manage/phase_edit.html", {**context, "form": None, "errors": errors})
    running = cycle.is_published and phase.starts_at <= now
    form = PhaseForm(
        request.POST or None,
        initial=PhaseForm.initial_for(phase),
        units=units_of(cycle),
        published=cycle.is_published,
        running=running,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if running:  # kept exactly as they are, to the second
            data["kind"], data["starts_at"] = phase.kind, phase.starts_at
            data["chosen_units"] = [] if phase.for_all_units else list(phase.units.all())
        try:
            schedule.phase_update(
                actor=user, phase=phase, data=_phase_input(data), reason=data.get("reason", ""), now=now
            )
        except ValidationError as error:
            add_service_error(form, error, _PHASE_ERRORS, _PHASE_FIELDS)
        else:
            messages.success(request, _("The phase “%(phase)s” was saved.") % {"phase": data["title"] or phase})
            return redirect("cycles-manage:cycle-phases", pk=cycle.pk)
    return render(request, "cycles/manage/phase_edit.html", {**context, "form": form, "errors": []})


@management_required
@GET_POST
def phase_delete(request: HttpRequest, pk: int, phase_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    cycle = cycle_for_manager(request, pk)
    phase = _phase(cycle, phase_pk)
    errors: list[str] = []
    if request.method == "POST":
        try:
            schedule.phase_delete(actor=user, phase=phase)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("The phase “%(phase)s” was deleted.") % {"phase": phase})
            return redirect("cycles-manage:cycle-phases", pk=cycle.pk)
    context = wizard_context(cycle, "cycle-phases", phase=phase, errors=errors)
    return render(request, "cycles/manage/phase_confirm_delete.html", context)
