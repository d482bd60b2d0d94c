"""Forms of the citizen pages of proposals: the list's filters, and proposing
(territory declared once, the proposal's fields, optional files).

Forms check shape only; the rules (who, where, when, plausible amounts) are the
services'. Files are checked here by their content with the same check the
service runs again, so that a bad file is refused before anything is saved and
each file gets its own message.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cycles.forms import PesosField
from cycles.models import Cycle, CycleTerritory, PlanLine
from nodes.activities import attachment_check
from nodes.models import Organisation
from proposals.models import PUBLIC_STATUSES, Proposal, Sector, Status
from proposals.selectors import ProposalFilters
from proposals.services import MAX_ATTACHMENTS, MAX_DESCRIPTION, ProposalInput
from redplypp.forms import StyledForm

SORT_CHOICES = [
    ("supports", _("Most supported")),
    ("newest", _("Newest")),
    ("cost", _("Lowest cost")),
    ("cost_desc", _("Highest cost")),
]


def sector_name(sector: Sector) -> str:
    """The sector's name in the page's language (Spanish unless an English name exists)."""
    if (get_language() or "").startswith("en") and sector.name_en:
        return sector.name_en
    return sector.name


class SectorChoiceField(forms.ModelChoiceField[Sector]):
    def label_from_instance(self, obj: Sector) -> str:
        return sector_name(obj)


class UnitChoiceField(forms.ModelChoiceField[CycleTerritory]):
    def label_from_instance(self, obj: CycleTerritory) -> str:
        return str(obj.name)


def territories_of(cycle: Cycle) -> QuerySet[CycleTerritory]:
    """The territories of a cycle people take part from (not the city-wide envelope)."""
    return (
        CycleTerritory.objects.filter(cycle=cycle)
        .filter(Q(territory__isnull=False) | Q(municipality__isnull=False))
        .select_related("territory", "municipality")
        .order_by("position", "pk")
    )


def plan_lines_of(cycle: Cycle) -> QuerySet[PlanLine]:
    if cycle.plan_id is None:
        return PlanLine.objects.none()
    return PlanLine.objects.filter(plan_id=cycle.plan_id).order_by("code")


class ProposalFilterForm(StyledForm):
    """``?territorio=&sector=&estado=&linea=&q=&orden=``; a wrong value is ignored, never an error page."""

    territorio = UnitChoiceField(label=_("Territory"), queryset=CycleTerritory.objects.none(), required=False)
    sector = SectorChoiceField(label=_("Sector"), queryset=Sector.objects.none(), required=False)
    estado = forms.ChoiceField(label=_("Status"), required=False)
    linea = forms.ModelChoiceField(label=_("Development plan line"), queryset=PlanLine.objects.none(), required=False)
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    orden = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)

    def __init__(self, *args: Any, cycle: Cycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["territorio"].queryset = territories_of(cycle)  # type: ignore[attr-defined]
        self.fields["sector"].queryset = Sector.objects.filter(active=True)  # type: ignore[attr-defined]
        labels = dict(Status.choices)
        self.fields["estado"].choices = [("", _("Any status"))] + [(s, labels[s]) for s in PUBLIC_STATUSES]  # type: ignore[attr-defined]
        if cycle.plan_id is None:
            del self.fields["linea"]
        else:
            self.fields["linea"].queryset = plan_lines_of(cycle)  # type: ignore[attr-defined]
        self.fields["territorio"].empty_label = _("All territories")  # type: ignore[attr-defined]
        self.fields["sector"].empty_label = _("All sectors")  # type: ignore[attr-defined]
        if "linea" in self.fields:
            self.fields["linea"].empty_label = _("All lines")  # type: ignore[attr-defined]

    def filters(self) -> ProposalFilters:
        """The valid part of what was asked (an invalid field is simply not applied)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        unit, sector, line = data.get("territorio"), data.get("sector"), data.get("linea")
        return ProposalFilters(
            unit=unit.pk if unit is not None else None,
            sector=sector.pk if sector is not None else None,
            status=data.get("estado") or "",
            plan_line=line.pk if line is not None else None,
            query=data.get("q") or "",
            sort=data.get("orden") or "supports",
        )


# --- Proposing --------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files at once (``<input type="file" multiple>``): a list of uploads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(upload, initial) for upload in uploads]


class ProposalForm(StyledForm):
    """A proposal's fields (``ProposalInput``), the territory on first use, and files."""

    unit = UnitChoiceField(
        label=_("Your territory in this cycle"),
        queryset=CycleTerritory.objects.none(),
        help_text=_(
            "Where you live and take part from. You choose it once for the whole cycle: you propose and "
            "support in this territory only."
        ),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the proposal is, in a sentence or two."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The need it answers, who benefits, where exactly."),
    )
    sector = SectorChoiceField(label=_("Sector"), queryset=Sector.objects.none(), required=False)
    plan_line = forms.ModelChoiceField(
        label=_("Development plan line"), queryset=PlanLine.objects.none(), required=False
    )
    estimated_cost = PesosField(
        label=_("Estimated cost (pesos)"), help_text=_("Whole pesos. You may write dots: 1.250.000")
    )
    latitude = forms.DecimalField(
        label=_("Latitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=Decimal(-90),
        max_value=Decimal(90),
        help_text=_("Optional: where on the map, with a decimal point, for example 1.213600"),
        localize=False,
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=Decimal(-180),
        max_value=Decimal(180),
        help_text=_("With a decimal point, for example -77.281100"),
        localize=False,
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation it comes from"), queryset=Organisation.objects.none(), required=False
    )
    origin = forms.CharField(
        label=_("Organisation or JAC it comes from (if not in the list)"), max_length=200, required=False
    )
    documents = MultipleFileField(
        label=_("Images or PDF documents"),
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        cycle: Cycle,
        declared: CycleTerritory | None = None,
        attached: int = 0,
        with_unit: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.cycle, self.attached = cycle, attached
        if not with_unit:
            del self.fields["unit"]
        else:
            unit_field = self.fields["unit"]
            unit_field.queryset = territories_of(cycle)  # type: ignore[attr-defined]
            if declared is not None:
                # Fixed once declared: sent back as it is; the service refuses any other.
                unit_field.initial = declared.pk
                unit_field.widget = forms.HiddenInput()
            unit_field.empty_label = _("Choose your territory")  # type: ignore[attr-defined]
        self.fields["sector"].queryset = Sector.objects.filter(active=True)  # type: ignore[attr-defined]
        self.fields["sector"].empty_label = _("Choose a sector")  # type: ignore[attr-defined]
        if cycle.plan_id is None:
            del self.fields["plan_line"]
        else:
            self.fields["plan_line"].queryset = plan_lines_of(cycle)  # type: ignore[attr-defined]
            self.fields["plan_line"].empty_label = _("Choose a line of the plan")  # type: ignore[attr-defined]
        self.fields["organisation"].empty_label = _("None, or not in the list")  # type: ignore[attr-defined]
        place = (
            Q(municipality_id=cycle.municipality_id)
            if cycle.municipality_id
            else Q(municipality__department_id=cycle.department_id)
        )
        organisations = Organisation.objects.filter(place, active=True).order_by("name")
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["documents"].help_text = _(
            "Optional, at most %(count)d files. PDF, JPEG, PNG or WebP; photos lose their location data."
        ) % {"count": MAX_ATTACHMENTS}

    def clean_documents(self) -> list[Any]:
        uploads: list[Any] = self.cleaned_data.get("documents") or []
        if self.attached + len(uploads) > MAX_ATTACHMENTS:
            raise ValidationError(
                _("A proposal keeps at most %(count)d files.") % {"count": MAX_ATTACHMENTS}, code="too_many"
            )
        errors = []
        for upload in uploads:
            try:
                attachment_check(upload)
            except ValidationError as error:
                # The name is user text: the template escapes it like any other.
                errors.append(
                    ValidationError(
                        _("%(name)s: %(problem)s") % {"name": upload.name, "problem": " ".join(error.messages)},
                        code=error.code or "file",
                    )
                )
        if errors:
            raise ValidationError(errors)
        return uploads

    def proposal_input(self) -> ProposalInput:
        data = self.cleaned_data
        return ProposalInput(
            title=data["title"],
            summary=data["summary"],
            estimated_cost=data["estimated_cost"],
            description=data.get("description") or "",
            sector=data.get("sector"),
            plan_line=data.get("plan_line"),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            organisation=data.get("organisation"),
            origin=data.get("origin") or "",
        )

    @staticmethod
    def initial_from(proposal: Proposal) -> dict[str, Any]:
        return {
            "title": proposal.title,
            "summary": proposal.summary,
            "description": proposal.description,
            "sector": proposal.sector_id,
            "plan_line": proposal.plan_line_id,
            "estimated_cost": proposal.estimated_cost,
            "latitude": proposal.latitude,
            "longitude": proposal.longitude,
            "organisation": proposal.organisation_id,
            "origin": proposal.origin,
        }
