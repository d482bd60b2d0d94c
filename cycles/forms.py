"""Forms of the cycle configuration pages (/gestion/ciclos/): shape only.

Amounts are typed the way people write them ("1.250.000", "$ 1.250.000") and
become whole pesos; dates and times come from separate inputs that phones
show as pickers. Every domain rule (envelopes within the total, phases that
do not overlap, what a published cycle may still change) is the services'
job: views turn their errors into form errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cycles.methodologies import METHODOLOGIES
from cycles.models import (
    ConvenerKind,
    CycleTerritory,
    DevelopmentPlan,
)
from nodes.models import Department, Municipality, Organisation, Territory
from nodes.selectors import TerritoryBranch
from redplypp.forms import StyledForm, style_widgets

MAX_PESOS = 10**15  # the services refuse more: surely a typo in the number of zeros
MAX_ROUNDING_UNIT = 10**9
AMOUNT_PATTERNS = (re.compile(r"\d+"), re.compile(r"\d{1,3}(\.\d{3})+"), re.compile(r"\d{1,3}(,\d{3})+"))


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """A form's choice field, typed, to set its choices at run time."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


# --- Widgets and fields ------------------------------------------------------------


class ChoiceList(forms.RadioSelect):
    """Radio buttons as Bootstrap ``form-check`` rows (an option may be indented with ``depths``)."""

    template_name = "cycles/manage/widget_choices.html"
    option_template_name = "cycles/manage/widget_choice.html"

    def __init__(self, *args: Any, depths: dict[str, int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.depths = depths or {}

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        option["attrs"]["class"] = "form-check-input"
        option["depth"] = min(self.depths.get(str(value), 0), 3)
        return option


class CheckboxList(ChoiceList, forms.CheckboxSelectMultiple):
    """Checkboxes as Bootstrap ``form-check`` rows."""

    allow_multiple_selected = True
    input_type = "checkbox"


class PesosInput(forms.TextInput):
    """Shows a stored amount as people write it: 1.250.000."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}".replace(",", ".")
        formatted: str | None = super().format_value(value)
        return formatted


class PesosField(forms.CharField):
    """Whole pesos, typed with or without thousands separators (dots or commas) and a $ sign."""

    widget = PesosInput
    default_error_messages = {
        "invalid": _("Write a whole number of pesos, for example 1.250.000 (no cents)."),
        "negative": _("An amount cannot be negative."),
        "absurd": _("That amount is not plausible: check the number of zeros."),
    }

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = str(value) if isinstance(value, int) and not isinstance(value, bool) else super().to_python(value) or ""
        text = re.sub(r"[\s$\u00a0]", "", text)
        if not text:
            return None
        negative = text.startswith("-")
        digits = text.removeprefix("-")
        if not any(pattern.fullmatch(digits) for pattern in AMOUNT_PATTERNS):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if negative:
            raise ValidationError(self.error_messages["negative"], code="negative")
        amount = int(re.sub(r"[.,]", "", digits))
        if amount > MAX_PESOS:
            raise ValidationError(self.error_messages["absurd"], code="absurd")
        return amount


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def date_field(label: Any, help_text: Any = "") -> forms.DateField:
    """A day between 1990 and 2100: anything else is a typo (and would not fit the calendar)."""
    message = _("Check the year: write a date between 1990 and 2100.")
    return forms.DateField(
        label=label,
        widget=date_input(),
        help_text=help_text,
        validators=[
            MinValueValidator(date(1990, 1, 1), message=message),
            MaxValueValidator(date(2100, 12, 31), message=message),
        ],
    )


def time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def fiscal_year_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Fiscal year"),
        min_value=1990,
        max_value=2100,
        help_text=_("The year whose budget the cycle decides, for example 2027."),
    )


class CycleForm(StyledForm):
    """Radio buttons and checkboxes keep their ``form-check`` class after styling."""

    def full_clean(self) -> None:
        super().full_clean()
        self._restyle()

    def render(self, *args: Any, **kwargs: Any) -> Any:
        style_widgets(self)
        self._restyle()
        return forms.Form.render(self, *args, **kwargs)

    def _restyle(self) -> None:
        for field in self.fields.values():
            if isinstance(field.widget, ChoiceList):
                field.widget.attrs.pop("class", None)


# --- Step 1: the cycle -----------------------------------------------------------


def methodology_choices() -> list[tuple[str, Any]]:
    return [
        (m.key, format_html('<strong>{}</strong><br><span class="small">{}</span>', m.name, m.summary))
        for m in METHODOLOGIES.values()
    ]


def _municipality_from_text(text: str) -> Municipality:
    text = text.strip()
    if text.isdigit():
        found = list(Municipality.objects.filter(code=text).select_related("department"))
    else:
        found = list(Municipality.objects.filter(name__unaccent__iexact=text).select_related("department")[:10])
    if not found:
        raise ValidationError(
            _("No municipality is called or coded “%(text)s”. Check the spelling or write its DIVIPOLA code."),
            code="unknown",
            params={"text": text},
        )
    if len(found) > 1:
        raise ValidationError(
            _("Several municipalities are called “%(text)s”: write the DIVIPOLA code of yours (%(options)s)."),
            code="ambiguous",
            params={"text": text, "options": "; ".join(f"{m.code} {m.name}, {m.department.name}" for m in found)},
        )
    return found[0]


class CycleCreateForm(CycleForm):
    """Step 1. ``places`` (``"m:<code>"`` / ``"d:<code>"`` with labels) offers the places within the
    person's reach in a select; ``places=None`` (the Secretaría Técnica) asks for any municipality
    by name or code, or a department."""

    place = forms.ChoiceField(label=_("Where"), help_text=_("The municipality (or department) of the cycle."))
    municipality = forms.CharField(
        label=_("Municipality"),
        max_length=100,
        required=False,
        help_text=_("Its name or DIVIPOLA code, for example Pasto or 52001."),
    )
    department = forms.ModelChoiceField(
        label=_("Or a whole department"),
        queryset=Department.objects.order_by("name"),
        required=False,
        empty_label=_("— No, a municipality —"),
        help_text=_("Only for a cycle that splits a department's money among its municipalities."),
    )
    methodology = forms.ChoiceField(
        label=_("How the process works"),
        widget=ChoiceList,
        help_text=_("The phases and voting rules are copied from it; you can change everything afterwards."),
    )
    title = forms.CharField(
        label=_("Title"), max_length=200, help_text=_("For example “Presupuesto participativo 2027”.")
    )
    fiscal_year = fiscal_year_field()
    total_amount = PesosField(
        label=_("Total amount (pesos)"), help_text=_("Whole pesos. You may write dots: 1.250.000.000")
    )
    start_date = date_field(_("Start date"), _("The first phase starts that day; the others follow it."))
    convener_kind = forms.ChoiceField(
        label=_("Who convenes it"),
        required=False,
        help_text=_("Leave it as the methodology suggests if you are not sure."),
    )
    convener_organisation = forms.ModelChoiceField(
        label=_("Convening organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("— None —"),
        help_text=_("Only if a social organisation convenes it, alone or with the government."),
    )

    def __init__(
        self,
        *args: Any,
        places: Sequence[tuple[str, Any]] | None,
        organisations: Iterable[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "methodology").choices = methodology_choices()
        choice_field(self, "convener_kind").choices = [("", _("As the methodology suggests")), *ConvenerKind.choices]
        organisation_field = self.fields["convener_organisation"]
        assert isinstance(organisation_field, forms.ModelChoiceField)
        organisation_field.queryset = Organisation.objects.filter(
            pk__in=[o.pk for o in organisations], active=True
        ).order_by("name")
        if places is None:
            del self.fields["place"]
        else:
            del self.fields["municipality"], self.fields["department"]
            choice_field(self, "place").choices = [("", _("— Choose —")), *places]
            options = [value for _group, group_options in places for value, _label in group_options]
            if len(options) == 1:  # nothing to choose: a municipality's manager
                self.fields["place"].initial = options[0]

    def clean_municipality(self) -> Municipality | None:
        text = self.cleaned_data["municipality"].strip()
        return _municipality_from_text(text) if text else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "place" in self.fields:
            kind, _sep, code = (data.get("place") or "").partition(":")
            data["municipality"] = Municipality.objects.filter(code=code).first() if kind == "m" else None
            data["department"] = Department.objects.filter(code=code).first() if kind == "d" else None
            if "place" in data and data["municipality"] is None and data["department"] is None:
                self.add_error("place", _("Choose where the cycle takes place."))
        elif "municipality" in data and "department" in data:
            if data["municipality"] is None and data["department"] is None:
                self.add_error("municipality", _("Write the municipality of the cycle, or choose a department."))
            elif data["municipality"] is not None and data["department"] is not None:
                self.add_error("department", _("Choose a municipality or a department, not both."))
        return data


class CycleBasicsForm(CycleForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    fiscal_year = fiscal_year_field()
    total_amount = PesosField(
        label=_("Total amount (pesos)"),
        help_text=_("Whole pesos. It cannot be less than what the envelopes already assign."),
    )
    funding_source = forms.CharField(
        label=_("Where the money comes from"),
        max_length=200,
        required=False,
        help_text=_("For example “Recursos propios del municipio”."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What people should know about this cycle. Shown on the public page."),
    )
    convener_kind = forms.ChoiceField(label=_("Who convenes it"), choices=ConvenerKind.choices)
    convener_organisation = forms.ModelChoiceField(
        label=_("Convening organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("— None —"),
        help_text=_("Only if a social organisation convenes it, alone or with the government."),
    )
    plan = forms.ModelChoiceField(
        label=_("Development plan"),
        queryset=DevelopmentPlan.objects.none(),
        required=False,
        empty_label=_("— None —"),
        help_text=_("The municipal development plan the proposals will be tied to."),
    )

    def __init__(
        self, *args: Any, organisations: Iterable[Organisation], plans: Iterable[DevelopmentPlan] | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        organisation_field = self.fields["convener_organisation"]
        assert isinstance(organisation_field, forms.ModelChoiceField)
        organisation_field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations]).order_by("name")
        plan_field = self.fields["plan"]
        assert isinstance(plan_field, forms.ModelChoiceField)
        if plans is None:  # a department's cycle: plans are municipal
            del self.fields["plan"]
        else:
            plan_field.queryset = DevelopmentPlan.objects.filter(pk__in=[p.pk for p in plans])


# --- Step 2: territories and envelopes -----------------------------------------------


class UnitsForm(CycleForm):
    """Which territories (or, for a department, municipalities) take part."""

    units = forms.MultipleChoiceField(
        label=_("Territories taking part"),
        widget=CheckboxList,
        error_messages={"required": _("Choose at least one territory taking part.")},
    )
    citywide = forms.BooleanField(
        label=_("Also a city-wide envelope"),
        required=False,
        help_text=_("Money for projects of the whole municipality, alongside the territories' envelopes."),
    )

    def __init__(
        self,
        *args: Any,
        branches: Sequence[TerritoryBranch] = (),
        municipalities: Sequence[Municipality] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["units"]
        assert isinstance(field, forms.MultipleChoiceField)
        if municipalities:
            field.label = _("Municipalities taking part")
            field.choices = [(m.code, m.name) for m in municipalities]
            del self.fields["citywide"]
        else:
            field.choices = [
                (str(b.territory.pk), f"{b.territory.name} ({b.territory.get_kind_display()})") for b in branches
            ]
            field.help_text = _("Parts of a territory are indented below it. Usually only the first level takes part.")
            assert isinstance(field.widget, ChoiceList)
            field.widget.depths = {str(b.territory.pk): b.depth for b in branches}
        self.territories = {str(b.territory.pk): b.territory for b in branches}
        self.municipalities = {m.code: m for m in municipalities}

    def chosen_territories(self) -> list[Territory]:
        return [self.territories[key] for key in self.cleaned_data["units"] if key in self.territories]

    def chosen_municipalities(self) -> list[Municipality]:
        return [self.municipalities[key] for key in self.cleaned_data["units"] if key in self.municipalities]


def unit_field(unit: CycleTerritory, what: str) -> str:
    return f"{what}_{unit.pk}"


class FixedEnvelopesForm(CycleForm):
    """One amount per territory taking part."""

    def __init__(self, *args: Any, units: Sequence[CycleTerritory], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = list(units)
        for unit in self.units:
            self.fields[unit_field(unit, "amount")] = PesosField(
                label=_("%(name)s: envelope (pesos)") % {"name": unit.name}, initial=unit.amount
            )

    def amounts(self) -> dict[int, int]:
        return {unit.pk: self.cleaned_data[unit_field(unit, "amount")] for unit in self.units}


class FormulaForm(CycleForm):
    """The weights of the formula, the rounding unit and each territory's figures."""

    weight_equal = forms.IntegerField(
        label=_("Equal part (%)"),
        min_value=0,
        max_value=100,
        help_text=_("Share of the money every territory receives in the same amount."),
    )
    weight_population = forms.IntegerField(
        label=_("By population (%)"),
        min_value=0,
        max_value=100,
        help_text=_("Share of the money split by how many people live in each territory."),
    )
    weight_need = forms.IntegerField(
        label=_("By need (%)"),
        min_value=0,
        max_value=100,
        help_text=_(
            "Share split by a poverty or vulnerability index: the higher the index, the more money. "
            "The three parts must add up to 100."
        ),
    )
    rounding_unit = PesosField(
        label=_("Round each envelope to multiples of (pesos)"),
        help_text=_("1 for exact pesos; 1.000 or 1.000.000 for rounder figures. What is left over stays unassigned."),
    )

    def __init__(self, *args: Any, units: Sequence[CycleTerritory], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = [u for u in units if not u.is_citywide]
        self.citywide = next((u for u in units if u.is_citywide), None)
        if self.citywide is not None:
            self.fields["citywide_amount"] = PesosField(
                label=_("City-wide envelope (pesos)"),
                initial=self.citywide.amount,
                help_text=_("Set aside first; the formula splits the rest among the territories."),
            )
        for unit in self.units:
            self.fields[unit_field(unit, "population")] = forms.IntegerField(
                label=_("%(name)s: population") % {"name": unit.name},
                min_value=0,
                max_value=100_000_000,
                required=False,
                initial=unit.population,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
            self.fields[unit_field(unit, "need")] = forms.DecimalField(
                label=_("%(name)s: need index") % {"name": unit.name},
                min_value=Decimal(0),
                max_digits=12,
                decimal_places=4,
                required=False,
                initial=unit.need_index,
                localize=True,  # "45,5" in Spanish, "45.5" in English
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                help_text=_("For example the multidimensional poverty index of the territory."),
            )

    def clean_rounding_unit(self) -> int:
        unit: int = self.cleaned_data["rounding_unit"]
        if not unit or unit < 1:
            raise ValidationError(_("Round to a whole number of pesos, 1 or more."), code="bad_unit")
        if unit > MAX_ROUNDING_UNIT:
            raise ValidationError(_("Round to at most 1.000.000.000 pesos."), code="bad_unit")
        return unit

    def figures(self) -> dict[int, tuple[int | None, Decimal | None]]:
        return {
            unit.pk: (self.cleaned_data[unit_field(unit, "population")], self.cleaned_data[unit_field(unit, "need")])
            for unit in self.units
        }


# --- Copying ---------------------------------------------------------------------


class CloneForm(CycleForm):
    title = forms.CharField(label=_("Title of the new cycle"), max_length=200)
    fiscal_year = fiscal_year_field()
    start_date = date_field(_("Start date"), _("The phases move together so that the first one starts that day."))
