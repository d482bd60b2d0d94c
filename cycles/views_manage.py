"""Configuring and running budget cycles (/gestion/ciclos/).

A manager goes through five steps (basics, territories and envelopes,
phases, voting, review and publish) and may come back to any of them later;
the services decide what a published cycle may still change, and these
views turn their refusals into messages next to the field concerned.

Each view: ``management_required`` (signed in, a role, two-factor set up),
``require_POST`` for actions, then the cycle's permission
(``cycles.change_cycle``, or ``cycles.add_cycle`` on the place for a new
cycle) before any form is shown; one service call per submitted form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import management_required, signed_in_user
from accounts.models import User
from cycles import allocation, lifecycle, services
from cycles.envelopes import Split
from cycles.forms import (
    CloneForm,
    CycleBasicsForm,
    CycleCreateForm,
    FixedEnvelopesForm,
    FormulaForm,
    UnitsForm,
)
from cycles.forms_settings import VOTING_FORM_FIELDS, VotingForm
from cycles.guards import pesos
from cycles.labels import CAPABILITY_LABELS, STEP_LABELS
from cycles.lifecycle import BLOCKER_MESSAGES
from cycles.methodologies import METHODOLOGIES
from cycles.models import Cycle, CycleTerritory, DevelopmentPlan, Phase
from cycles.phases import Capability, Step, capabilities_of
from cycles.selectors import (
    configures_cycles,
    creation_places,
    cycle_windows,
    cycles_managed_by,
    envelope_summary,
    organisations_near,
)
from nodes.models import Municipality
from nodes.selectors import reach_of, territory_flat
from redplypp.forms import add_service_error

GET_POST = require_http_methods(["GET", "POST"])
PAGE_SIZE = 50

# The wizard: (URL name, label).
WIZARD = (
    ("cycle-basics", gettext_lazy("Basics")),
    ("cycle-territories", gettext_lazy("Territories and envelopes")),
    ("cycle-phases", gettext_lazy("Phases")),
    ("cycle-voting", gettext_lazy("Voting")),
    ("cycle-review", gettext_lazy("Review and publish")),
)


def _require(user: User, perm: str, obj: Any, message: str) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(message)


def cycle_for_manager(request: HttpRequest, pk: int) -> Cycle:
    """The cycle, 404 if missing, 403 if this person may not configure it."""
    cycle = get_object_or_404(
        Cycle.objects.select_related(
            "municipality__department", "department", "convener_organisation", "plan", "voting"
        ),
        pk=pk,
    )
    _require(
        signed_in_user(request),
        "cycles.change_cycle",
        cycle,
        _("You may not configure this cycle: it is not of a municipality or organisation you manage."),
    )
    return cycle


def units_of(cycle: Cycle) -> list[CycleTerritory]:
    return list(cycle.units.select_related("territory", "municipality").order_by("position", "pk"))


# --- Service errors on forms -----------------------------------------------------


def _codes(error: ValidationError) -> set[str]:
    if hasattr(error, "error_dict"):
        return {e.code or "" for errors in error.error_dict.values() for e in errors}
    return {e.code or "" for e in error.error_list}


def wizard_context(cycle: Cycle, current: str, **extra: Any) -> dict[str, Any]:
    steps = [
        {
            "number": i,
            "url": reverse(f"cycles-manage:{name}", kwargs={"pk": cycle.pk}),
            "label": label,
            "current": name == current,
        }
        for i, (name, label) in enumerate(WIZARD, start=1)
    ]
    return {"cycle": cycle, "wizard": steps, **extra}


# --- List and creation ------------------------------------------------------------


@management_required
@require_http_methods(["GET"])
def cycle_list(request: HttpRequest) -> HttpResponse:
    reach = reach_of(signed_in_user(request))
    if not configures_cycles(reach):
        raise PermissionDenied(_("Your role does not configure budget cycles."))
    cycles = cycles_managed_by(reach).order_by("status", "-fiscal_year", "title", "pk")
    page = Paginator(cycles, PAGE_SIZE).get_page(request.GET.get("pagina"))
    context = {
        "page": page,
        "cycles": list(page),
        "can_create": reach.is_secretariat or bool(creation_places(reach)),
        "methodologies": {key: m.name for key, m in METHODOLOGIES.items()},
    }
    return render(request, "cycles/manage/cycle_list.html", context)


_CREATE_ERRORS = {"place": "place", "convener": "convener_kind", "no_territories": None}


@management_required
@GET_POST
def cycle_create(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    reach = reach_of(user)
    places = None if reach.is_secretariat else creation_places(reach)
    if places is not None and not places:
        raise PermissionDenied(_("Your role does not let you create budget cycles."))
    today = timezone.localdate()
    form = CycleCreateForm(
        request.POST or None,
        places=places,
        organisations=organisations_near(reach),
        initial={"fiscal_year": today.year + 1, "start_date": today},
    )
    missing_territories: Municipality | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        place = data["municipality"] or data["department"]
        _require(user, "cycles.add_cycle", place, _("You may not create cycles for %(place)s.") % {"place": place})
        probe = Cycle(
            municipality=data["municipality"],
            department=data["department"],
            convener_organisation=data["convener_organisation"],
        )
        if not user.has_perm("cycles.change_cycle", probe):
            # An organisation's manager may go on configuring only cycles their organisation convenes.
            form.add_error(
                "convener_organisation",
                _("Choose your organisation as the convener, so that you can go on configuring the cycle."),
            )
        else:
            try:
                cycle = services.cycle_create(
                    actor=user,
                    methodology=data["methodology"],
                    title=data["title"],
                    fiscal_year=data["fiscal_year"],
                    total_amount=data["total_amount"],
                    start_date=data["start_date"],
                    municipality=data["municipality"],
                    department=data["department"],
                    convener_kind=data["convener_kind"],
                    convener_organisation=data["convener_organisation"],
                )
            except ValidationError as error:
                add_service_error(form, error, _CREATE_ERRORS)
                if "no_territories" in _codes(error):
                    missing_territories = data["municipality"]
            else:
                messages.success(
                    request,
                    _("The cycle “%(title)s” was created as a draft. Now check which territories take part.")
                    % {"title": cycle.title},
                )
                return redirect("cycles-manage:cycle-territories", pk=cycle.pk)
    context = {"form": form, "missing_territories": missing_territories}
    return render(request, "cycles/manage/cycle_create.html", context)


@management_required
@GET_POST
def cycle_clone(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    cycle = cycle_for_manager(request, pk)
    initial = {
        "title": _("%(title)s (copy)") % {"title": cycle.title},
        "fiscal_year": min(cycle.fiscal_year + 1, 2100),
        "start_date": timezone.localdate(),
    }
    form = CloneForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            copy = services.cycle_clone(
                actor=user,
                cycle=cycle,
                title=data["title"],
                fiscal_year=data["fiscal_year"],
                start_date=data["start_date"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("“%(title)s” was created as a draft copy. Check its basics and dates.") % {"title": copy.title},
            )
            return redirect("cycles-manage:cycle-basics", pk=copy.pk)
    return render(request, "cycles/manage/cycle_clone.html", {"form": form, "cycle": cycle})


# --- 1. Basics --------------------------------------------------------------------


@management_required
@GET_POST
def cycle_basics(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    cycle = cycle_for_manager(request, pk)
    plans = (
        list(DevelopmentPlan.objects.filter(municipality_id=cycle.municipality_id)) if cycle.municipality_id else None
    )
    organisations = organisations_near(reach_of(user), cycle.place)
    if cycle.convener_organisation is not None and cycle.convener_organisation not in organisations:
        organisations.append(cycle.convener_organisation)
    initial = {
        "title": cycle.title,
        "fiscal_year": cycle.fiscal_year,
        "total_amount": cycle.total_amount,
        "funding_source": cycle.funding_source,
        "description": cycle.description,
        "convener_kind": cycle.convener_kind,
        "convener_organisation": cycle.convener_organisation_id,
        "plan": cycle.plan_id,
    }
    form = CycleBasicsForm(request.POST or None, initial=initial, organisations=organisations, plans=plans)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.cycle_update(
                actor=user,
                cycle=cycle,
                title=data["title"],
                fiscal_year=data["fiscal_year"],
                total_amount=data["total_amount"],
                convener_kind=data["convener_kind"],
                convener_organisation=data["convener_organisation"],
                description=data["description"],
                funding_source=data["funding_source"],
                plan=data["plan"] if "plan" in form.fields else services.KEEP,
            )
        except ValidationError as error:
            add_service_error(form, error, {"convener": "convener_kind"})
        else:
            messages.success(request, _("The basics of “%(title)s” were saved.") % {"title": data["title"]})
            return redirect("cycles-manage:cycle-territories", pk=cycle.pk)
    return render(request, "cycles/manage/cycle_basics.html", wizard_context(cycle, "cycle-basics", form=form))


# --- 2. Territories and envelopes ---------------------------------------------------


def _units_form(cycle: Cycle, units: list[CycleTerritory], data: Any) -> UnitsForm:
    initial = {
        "units": [
            str(u.territory_id) if u.territory_id else str(u.municipality_id) for u in units if not u.is_citywide
        ],
        "citywide": any(u.is_citywide for u in units),
    }
    if cycle.municipality is not None:
        return UnitsForm(data, initial=initial, branches=territory_flat(cycle.municipality))
    municipalities = list(Municipality.objects.filter(department_id=cycle.department_id).order_by("name"))
    return UnitsForm(data, initial=initial, municipalities=municipalities)


def split_message(split: Split, units: list[CycleTerritory], rounding_unit: int) -> str:
    """What the formula did, to the peso: who got an extra rounding unit, what stayed unassigned."""
    names: dict[int | str, str] = {u.pk: u.name for u in units}
    parts = [
        ngettext(
            "The formula assigned %(amount)s to %(count)d territory.",
            "The formula assigned %(amount)s among %(count)d territories.",
            len(split.amounts),
        )
        % {"amount": pesos(split.assigned), "count": len(split.amounts)}
    ]
    if split.extra_unit_to:
        parts.append(
            ngettext(
                "After rounding every envelope down to a multiple of %(unit)s, one unit of %(unit)s was left over "
                "and went to the territory closest to the next unit: %(names)s.",
                "After rounding every envelope down to a multiple of %(unit)s, %(count)d units of %(unit)s were "
                "left over and went, one each, to the territories closest to the next unit: %(names)s.",
                len(split.extra_unit_to),
            )
            % {
                "unit": pesos(rounding_unit),
                "count": len(split.extra_unit_to),
                "names": ", ".join(names.get(key, str(key)) for key in split.extra_unit_to),
            }
        )
    else:
        parts.append(_("The split came out exact: no territory needed an extra rounding unit."))
    if split.unassigned:
        parts.append(
            _("%(amount)s stayed unassigned: it is less than one rounding unit of %(unit)s.")
            % {"amount": pesos(split.unassigned), "unit": pesos(rounding_unit)}
        )
    else:
        parts.append(_("Nothing of the amount split stayed unassigned."))
    return " ".join(parts)


_ENVELOPE_ERRORS: dict[str, str | None] = {
    "over_total": None,
    "weights_not_100": None,
    "bad_unit": "rounding_unit",
    "no_citywide": None,
    "negative_amount": "citywide_amount",
}


@management_required
@GET_POST
def cycle_territories(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    cycle = cycle_for_manager(request, pk)
    units = units_of(cycle)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    units_form = _units_form(cycle, units, request.POST if action == "units" else None)
    fixed_form = FixedEnvelopesForm(request.POST if action == "fixed" else None, units=units)
    formula_form = FormulaForm(
        request.POST if action == "formula" else None,
        units=units,
        initial={
            "weight_equal": cycle.weight_equal,
            "weight_population": cycle.weight_population,
            "weight_need": cycle.weight_need,
            "rounding_unit": cycle.rounding_unit,
        },
    )
    if action == "units" and units_form.is_valid():
        try:
            allocation.cycle_units_set(
                actor=user,
                cycle=cycle,
                territories=units_form.chosen_territories(),
                municipalities=units_form.chosen_municipalities(),
                citywide=units_form.cleaned_data.get("citywide", False),
            )
        except ValidationError as error:
            add_service_error(units_form, error, {"no_units": "units", "other_municipality": "units"})
        else:
            messages.success(request, _("The territories taking part were saved. Now set their envelopes."))
            return redirect("cycles-manage:cycle-territories", pk=cycle.pk)
    elif action == "fixed" and fixed_form.is_valid():
        try:
            allocation.envelopes_set_fixed(actor=user, cycle=cycle, amounts=fixed_form.amounts())
        except ValidationError as error:
            add_service_error(fixed_form, error, _ENVELOPE_ERRORS)
        else:
            messages.success(request, _("The envelopes were saved."))
            return redirect("cycles-manage:cycle-territories", pk=cycle.pk)
    elif action == "formula" and formula_form.is_valid():
        data = formula_form.cleaned_data
        figures = {
            pk: allocation.Figures(population=population, need_index=need)
            for pk, (population, need) in formula_form.figures().items()
        }
        try:
            split = allocation.envelopes_apply_formula(
                actor=user,
                cycle=cycle,
                weights=(data["weight_equal"], data["weight_population"], data["weight_need"]),
                rounding_unit=data["rounding_unit"],
                figures=figures,
                citywide_amount=data.get("citywide_amount"),
            )
        except ValidationError as error:
            add_service_error(formula_form, error, _ENVELOPE_ERRORS)
        else:
            messages.success(request, split_message(split, units, data["rounding_unit"]))
            return redirect("cycles-manage:cycle-territories", pk=cycle.pk)
    context = wizard_context(
        cycle,
        "cycle-territories",
        units=units,
        summary=envelope_summary(cycle),
        units_form=units_form,
        fixed_form=fixed_form,
        formula_form=formula_form,
        envelopes_open=not cycle.steps.exists(),
        territories_url_code=cycle.municipality_id,
    )
    return render(request, "cycles/manage/cycle_territories.html", context)


# --- 3. Phases: see cycles.views_phases; rows shared with the review ----------------


def phase_rows(phases: list[Phase], now: Any) -> list[dict[str, Any]]:
    order = list(Capability)
    rows = []
    for phase in phases:
        capabilities = sorted(capabilities_of(phase.kind), key=order.index)
        rows.append(
            {
                "phase": phase,
                "capabilities": [CAPABILITY_LABELS[c] for c in capabilities],
                "units": [] if phase.for_all_units else [u.name for u in phase.units.all()],
                "state": "past" if phase.ends_at <= now else "running" if phase.starts_at <= now else "future",
            }
        )
    return rows


# --- 4. Voting --------------------------------------------------------------------


@management_required
@GET_POST
def cycle_voting(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    cycle = cycle_for_manager(request, pk)
    now = timezone.now()
    voting_started = any(Capability.VOTE in w.capabilities and w.starts_at <= now for w in cycle_windows(cycle))
    form = VotingForm(request.POST or None, initial=VotingForm.initial_for(cycle.voting))
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in VOTING_FORM_FIELDS}
        try:
            services.voting_update(actor=user, cycle=cycle, now=now, **values)
        except ValidationError as error:
            add_service_error(form, error, {"voting_started": None})
        else:
            messages.success(request, _("The voting settings were saved."))
            return redirect("cycles-manage:cycle-review", pk=cycle.pk)
    context = wizard_context(cycle, "cycle-voting", form=form, voting_started=voting_started)
    return render(request, "cycles/manage/cycle_voting.html", context)


# --- 5. Review and publish ----------------------------------------------------------


@management_required
@require_http_methods(["GET"])
def cycle_review(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = cycle_for_manager(request, pk)
    now = timezone.now()
    phases = list(cycle.phases.prefetch_related("units__territory", "units__municipality").order_by("starts_at", "pk"))
    context = wizard_context(
        cycle,
        "cycle-review",
        units=units_of(cycle),
        summary=envelope_summary(cycle),
        rows=phase_rows(phases, now),
        voting=cycle.voting,
        problems=services.cycle_problems(cycle),
        methodology=METHODOLOGIES.get(cycle.methodology),
    )
    return render(request, "cycles/manage/cycle_review.html", context)


@management_required
@require_POST
def cycle_publish(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    cycle = cycle_for_manager(request, pk)
    try:
        services.cycle_publish(actor=user, cycle=cycle)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("“%(title)s” is published: people can now see it.") % {"title": cycle.title})
    return redirect("cycles-manage:cycle-review", pk=cycle.pk)


# --- Irreversible steps -------------------------------------------------------------


@management_required
@require_http_methods(["GET"])
def cycle_steps(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = cycle_for_manager(request, pk)
    rows = [
        {
            "step": step,
            "label": STEP_LABELS[step],
            "record": record,
            "blocker": BLOCKER_MESSAGES[blocker]() if blocker and blocker != "done" else "",
        }
        for step, record, blocker in lifecycle.step_states(cycle, timezone.now())
    ]
    return render(request, "cycles/manage/cycle_steps.html", {"cycle": cycle, "rows": rows})


@management_required
@require_POST
def cycle_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    user = signed_in_user(request)
    cycle = cycle_for_manager(request, pk)
    try:
        chosen = Step(step)
    except ValueError as error:
        raise Http404(_("There is no such step.")) from error
    try:
        lifecycle.cycle_step(actor=user, cycle=cycle, step=chosen)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Done: %(step)s.") % {"step": STEP_LABELS[chosen]})
    return redirect("cycles-manage:cycle-steps", pk=cycle.pk)
