"""Forms of the staff pages of proposals: the feasibility review, merging duplicates
and paper proposals. Shape only; the rules are ``proposals.review`` and
``proposals.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cycles.forms import CheckboxList, ChoiceList, PesosField
from cycles.models import Cycle, CycleTerritory, PlanLine
from proposals.models import Proposal, Sector, Status, Verdict
from proposals.services import ProposalInput
from redplypp.forms import StyledForm


class ReviewForm(StyledForm):
    verdict = forms.ChoiceField(label=_("Verdict"), choices=Verdict.choices, widget=ChoiceList)
    reasons = forms.CharField(
        label=_("Reasons"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Published with the verdict: write them so that the author and the neighbours understand."),
    )
    adjusted_cost = PesosField(
        label=_("Adjusted cost (pesos)"),
        required=False,
        help_text=_("If viable: what the proposal would really cost. Leave blank to keep the estimate."),
    )
    responsible_office = forms.CharField(
        label=_("Responsible office"),
        max_length=200,
        required=False,
        help_text=_("The secretariat or office that would carry it out."),
    )
    bpin = forms.CharField(
        label=_("BPIN code"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("If the project is registered in the bank of investment projects."),
    )


class MergeForm(StyledForm):
    """The duplicates chosen (any public proposal of the cycle: the service says which
    may not be merged and why) and the public reason."""

    duplicates = forms.ModelMultipleChoiceField(
        label=_("Proposals that repeat this one"),
        queryset=Proposal.objects.none(),
        widget=CheckboxList,
        error_messages={"required": _("Choose the proposals that repeat this one.")},
    )
    reason = forms.CharField(
        label=_("Why they are the same proposal"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Published in the history of each merged proposal."),
    )

    def __init__(self, *args: Any, target: Proposal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["duplicates"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = (
            Proposal.objects.filter(cycle_id=target.cycle_id).exclude(status=Status.DRAFT).exclude(pk=target.pk)
        )


class PaperProposalForm(StyledForm):
    """A proposal written on paper at an assembly, keyed in by a manager."""

    on_behalf_of = forms.CharField(
        label=_("Name of the person who wrote it"),
        max_length=200,
        help_text=_("As written on the paper form. It is shown with the proposal."),
    )
    unit = forms.ModelChoiceField(label=_("Territory"), queryset=CycleTerritory.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    description = forms.CharField(
        label=_("Description"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 5})
    )
    estimated_cost = PesosField(label=_("Estimated cost (pesos)"))
    sector = forms.ModelChoiceField(label=_("Sector"), queryset=Sector.objects.none(), required=False)
    plan_line = forms.ModelChoiceField(
        label=_("Development plan line"), queryset=PlanLine.objects.none(), required=False
    )
    origin = forms.CharField(
        label=_("Organisation or JAC it comes from"),
        max_length=200,
        required=False,
    )

    def __init__(self, *args: Any, cycle: Cycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        units = (
            cycle.units.exclude(territory__isnull=True, municipality__isnull=True)
            .select_related("territory", "municipality")
            .order_by("position", "pk")
        )
        self._set_queryset("unit", units)
        self._set_queryset("sector", Sector.objects.filter(active=True))
        lines = PlanLine.objects.filter(plan_id=cycle.plan_id) if cycle.plan_id else PlanLine.objects.none()
        self._set_queryset("plan_line", lines.order_by("code"))
        if cycle.plan_id is None:
            del self.fields["plan_line"]

    def _set_queryset(self, name: str, queryset: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset

    def to_input(self) -> ProposalInput:
        data = self.cleaned_data
        return ProposalInput(
            title=data["title"],
            summary=data["summary"],
            estimated_cost=data["estimated_cost"],
            description=data["description"],
            sector=data["sector"],
            plan_line=data.get("plan_line"),
            origin=data["origin"],
        )
