"""Record pages of budget cycles (/gestion/registros/): assemblies with their
attendance, minutes, scan and decisions; delegates; development plans.

Managers fill these on a phone during or after a meeting, so the forms are
short (details fold away), forgiving, and work without JavaScript. Each view:
``management_required``, then the object's permission (``cycles.record_assembly``
on the cycle, ``cycles.change_developmentplan`` on the municipality) → 403,
a form for the shape, one service call whose ``ValidationError`` becomes a form
error.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import management_required, signed_in_user
from accounts.models import User
from cycles import assemblies, plans
from cycles.forms_records import (
    BLANK_DECISION_ROWS,
    AssemblyForm,
    DelegateForm,
    PlanForm,
    PlanImportForm,
    ScanForm,
    decision_formset,
)
from cycles.models import Assembly, Cycle, Delegate, DevelopmentPlan
from nodes.models import Municipality
from redplypp.forms import add_service_error

GET_POST = require_http_methods(["GET", "POST"])

SAMPLE_PLAN_CSV = "\n".join(
    [
        "linea_codigo;linea;programa_codigo;programa",
        "1;Territorio seguro y en paz;1.1;Convivencia y seguridad ciudadana",
        "1;Territorio seguro y en paz;1.2;Atención a víctimas",
        "2;Desarrollo rural;2.1;Vías terciarias",
        "3;Ambiente y agua;;",
    ]
)


def _require(user: User, perm: str, obj: Model, message: str) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(message)


def _cycle(request: HttpRequest, pk: int) -> Cycle:
    cycle = get_object_or_404(
        Cycle.objects.select_related("municipality", "department", "convener_organisation"), pk=pk
    )
    _require(
        signed_in_user(request),
        "cycles.record_assembly",
        cycle,
        _("You may not record assemblies of this cycle: it is not of your municipality."),
    )
    return cycle


def _assembly(request: HttpRequest, pk: int) -> Assembly:
    assembly = get_object_or_404(
        Assembly.objects.select_related(
            "cycle__municipality", "cycle__department", "unit__territory", "unit__municipality", "phase"
        ),
        pk=pk,
    )
    _require(
        signed_in_user(request),
        "cycles.record_assembly",
        assembly.cycle,
        _("You may not record assemblies of this cycle: it is not of your municipality."),
    )
    return assembly


def _plan_municipality(request: HttpRequest, municipality: Municipality) -> None:
    _require(
        signed_in_user(request),
        "cycles.change_developmentplan",
        municipality,
        _("You may not change the development plans of %(municipality)s.") % {"municipality": municipality.name},
    )


def _plan(request: HttpRequest, pk: int) -> DevelopmentPlan:
    plan = get_object_or_404(DevelopmentPlan.objects.select_related("municipality__department"), pk=pk)
    _plan_municipality(request, plan.municipality)
    return plan


def _current_phase(cycle: Cycle) -> int | None:
    now = timezone.now()
    return (
        cycle.phases.filter(starts_at__lte=now, ends_at__gt=now)
        .order_by("starts_at")
        .values_list("pk", flat=True)
        .first()
    )


# --- Assemblies -------------------------------------------------------------------


@management_required
@require_http_methods(["GET"])
def assembly_list(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    cycle = _cycle(request, cycle_pk)
    records = (
        cycle.assemblies.select_related("unit__territory", "unit__municipality", "phase")
        .annotate(decision_count=Count("decisions", distinct=True), delegate_count=Count("delegates", distinct=True))
        .order_by("-held_at", "-pk")
    )
    context = {
        "cycle": cycle,
        "assemblies": list(records),
        "delegate_count": cycle.delegates.count(),
        "can_edit_plans": cycle.municipality is not None
        and signed_in_user(request).has_perm("cycles.change_developmentplan", cycle.municipality),
    }
    return render(request, "cycles/records/assembly_list.html", context)


@management_required
@GET_POST
def assembly_create(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    cycle = _cycle(request, cycle_pk)
    initial = {
        "held_at": timezone.localtime().replace(second=0, microsecond=0),
        "phase": _current_phase(cycle),
        "convener": cycle.convener_organisation.name if cycle.convener_organisation else "",
    }
    form = AssemblyForm(request.POST or None, initial=initial, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        try:
            assembly = assemblies.assembly_record(actor=user, cycle=cycle, data=form.to_input())
        except ValidationError as error:
            add_service_error(form, error, {})
        else:
            messages.success(
                request,
                _("The assembly was recorded. Now you can add what it decided and the scan of the signed minutes."),
            )
            return redirect("cycles-records:assembly-edit", pk=assembly.pk)
    return render(request, "cycles/records/assembly_form.html", {"form": form, "cycle": cycle, "assembly": None})


@management_required
@GET_POST
def assembly_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    assembly = _assembly(request, pk)
    cycle = assembly.cycle
    form = AssemblyForm(request.POST or None, initial=AssemblyForm.initial_for(assembly), cycle=cycle)
    if request.method == "POST" and form.is_valid():
        try:
            assemblies.assembly_update(actor=user, assembly=assembly, data=form.to_input())
        except ValidationError as error:
            add_service_error(form, error, {})
        else:
            messages.success(request, _("The assembly was saved."))
            return redirect("cycles-records:assembly-list", cycle_pk=cycle.pk)
    context = {
        "form": form,
        "cycle": cycle,
        "assembly": assembly,
        "decision_count": assembly.decisions.count(),
        "delegate_count": assembly.delegates.count(),
    }
    return render(request, "cycles/records/assembly_form.html", context)


@management_required
@GET_POST
def assembly_decisions(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    assembly = _assembly(request, pk)
    try:
        extra = min(max(int(request.GET.get("rows", BLANK_DECISION_ROWS)), 1), 50)
    except ValueError:
        extra = BLANK_DECISION_ROWS
    FormSet = decision_formset(extra)
    recorded = list(assembly.decisions.order_by("rank", "pk"))
    initial = [
        {"rank": d.rank, "item": d.item, "rating": d.rating, "votes": d.votes, "amount": d.amount, "note": d.note}
        for d in recorded
    ]
    formset = FormSet(request.POST or None, initial=initial, prefix="d")
    errors: list[str] = []
    if request.method == "POST" and formset.is_valid():
        try:
            saved = assemblies.assembly_decisions_set(actor=user, assembly=assembly, decisions=formset.decisions())
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("The decisions were saved (%(count)d lines).") % {"count": len(saved)})
            url = reverse("cycles-records:assembly-decisions", kwargs={"pk": assembly.pk})
            if "more" in request.POST:
                return redirect(f"{url}?rows={BLANK_DECISION_ROWS * 3}")
            return redirect("cycles-records:assembly-edit", pk=assembly.pk)
    context = {
        "assembly": assembly,
        "cycle": assembly.cycle,
        "formset": formset,
        "errors": errors,
        "recorded_total": sum(d.amount or 0 for d in recorded),
    }
    return render(request, "cycles/records/assembly_decisions.html", context)


@management_required
@GET_POST
def assembly_scan(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    assembly = _assembly(request, pk)
    form = ScanForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            assemblies.assembly_attach_scan(actor=user, assembly=assembly, upload=form.cleaned_data["file"])
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("The scan of the minutes was saved."))
            return redirect("cycles-records:assembly-edit", pk=assembly.pk)
    return render(
        request, "cycles/records/assembly_scan.html", {"form": form, "assembly": assembly, "cycle": assembly.cycle}
    )


# --- Delegates ---------------------------------------------------------------------


@management_required
@GET_POST
def delegate_list(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    cycle = _cycle(request, cycle_pk)
    initial = DelegateForm.initial_for(cycle, timezone.localdate(), request.GET)
    form = DelegateForm(request.POST or None, initial=initial, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assemblies.delegate_add(
                actor=user,
                cycle=cycle,
                unit=data["unit"],
                name=data["name"],
                organisation=data["organisation"],
                term_start=data["term_start"],
                term_end=data["term_end"],
                assembly=data["assembly"],
            )
        except ValidationError as error:
            add_service_error(form, error, {})
        else:
            messages.success(request, _("The delegate was added."))
            query = f"?unit={data['unit'].pk}" + (f"&assembly={data['assembly'].pk}" if data["assembly"] else "")
            return redirect(reverse("cycles-records:delegate-list", kwargs={"cycle_pk": cycle.pk}) + query)
    delegates = cycle.delegates.select_related("unit__territory", "unit__municipality", "assembly").order_by(
        "unit__position", "unit__pk", "name", "pk"
    )
    return render(request, "cycles/records/delegate_list.html", {"cycle": cycle, "form": form, "delegates": delegates})


@management_required
@GET_POST
def delegate_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    delegate = get_object_or_404(
        Delegate.objects.select_related("cycle__municipality", "unit__territory", "unit__municipality"), pk=pk
    )
    _require(user, "cycles.record_assembly", delegate.cycle, _("You may not change the delegates of this cycle."))
    errors: list[str] = []
    if request.method == "POST":
        try:
            assemblies.delegate_remove(actor=user, delegate=delegate)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("The delegate was removed."))
            return redirect("cycles-records:delegate-list", cycle_pk=delegate.cycle_id)
    return render(request, "cycles/records/delegate_confirm_remove.html", {"delegate": delegate, "errors": errors})


# --- Development plans -----------------------------------------------------------------


@management_required
@GET_POST
def plan_list(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in_user(request)
    municipality = get_object_or_404(Municipality.objects.select_related("department"), code=code)
    _plan_municipality(request, municipality)
    form = PlanForm(request.POST or None, initial=PlanForm.initial_for(timezone.now()))
    if request.method == "POST" and form.is_valid():
        try:
            plan = plans.plan_create(actor=user, municipality=municipality, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error, {})
        else:
            messages.success(request, _("The plan was created. Now import its lines and programmes."))
            return redirect("cycles-records:plan-detail", pk=plan.pk)
    context = {"municipality": municipality, "plans": list(plans.plan_list(municipality=municipality)), "form": form}
    return render(request, "cycles/records/plan_list.html", context)


@management_required
@require_http_methods(["GET"])
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    return render(request, "cycles/records/plan_detail.html", {"plan": plan, "lines": plans.plan_lines(plan)})


@management_required
@GET_POST
def plan_import(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    plan = _plan(request, pk)
    form = PlanImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        result = plans.plan_import_csv(actor=user, plan=plan, content=form.cleaned_data["file"])
        if result.ok:
            messages.success(
                request,
                _(
                    "Import done: %(lines)d lines and %(programmes)d programmes added, %(updated)d updated, "
                    "%(unchanged)d unchanged."
                )
                % {
                    "lines": result.lines_created,
                    "programmes": result.programmes_created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
            return redirect("cycles-records:plan-detail", pk=plan.pk)
        errors = result.errors
    context = {"plan": plan, "form": form, "errors": errors, "sample": SAMPLE_PLAN_CSV}
    return render(request, "cycles/records/plan_import.html", context)
