"""Forms of the record pages (assemblies, decisions, delegates, development
plans): shape only, forgiving of how people type on a phone (blank means not
collected, "$ 1.200.000" is a number of pesos, "7,5" a rating). Rules are the
services' job (``cycles.assemblies``, ``cycles.plans``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cycles.assemblies import AGE_FIELDS, GENDER_FIELDS, AssemblyInput, DecisionInput
from cycles.models import Assembly, AssemblyKind, Cycle, CycleTerritory, Phase
from redplypp.forms import StyledForm

CSV_MAX_BYTES = 1024 * 1024
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d", "%d/%m/%Y"]
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]


def count_field(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "0", "class": "form-control-lg"}),
    )


def date_field(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control-lg"}, format="%Y-%m-%d"),
        **kwargs,
    )


class PesosField(forms.CharField):
    """Whole pesos, typed as people write them: "25000000", "25.000.000", "$ 25,000,000"."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
        super().__init__(max_length=30, **kwargs)

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        digits = "".join(c for c in text if c not in "$ .,'\u00a0")
        if not digits:
            return None
        if not (digits.isascii() and digits.isdigit()):
            raise ValidationError(_("Write the amount in whole pesos, for example 25.000.000."), code="pesos")
        if len(digits) > 15:
            raise ValidationError(_("That amount is not plausible: check the number of zeros."), code="absurd")
        return int(digits)


def sensible_moment(value: datetime) -> None:
    if not 1990 <= value.year <= 2100:
        raise ValidationError(_("Check the date: the year must be between 1990 and 2100."), code="year")


class RatingField(forms.DecimalField):
    """A rating such as 8, 7.5 or 7,5."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str) and "," in value and "." not in value:
            value = value.replace(",", ".")
        return super().to_python(value)


# --- Assemblies --------------------------------------------------------------------


class UnitChoiceField(forms.ModelChoiceField[CycleTerritory]):
    def label_from_instance(self, obj: CycleTerritory) -> str:
        return obj.name


class PhaseChoiceField(forms.ModelChoiceField[Phase]):
    def label_from_instance(self, obj: Phase) -> str:
        start = timezone.localtime(obj.starts_at)
        return f"{obj.title or obj.get_kind_display()} ({start:%Y-%m-%d})"


class AssemblyForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind of assembly"), choices=AssemblyKind.choices)
    unit = UnitChoiceField(
        label=_("Territory"),
        queryset=CycleTerritory.objects.none(),
        required=False,
        empty_label=_("The whole cycle (no single territory)"),
    )
    held_at = forms.DateTimeField(
        label=_("Date and time"),
        validators=[sensible_moment],
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "form-control-lg"}, format="%Y-%m-%dT%H:%M"
        ),
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control-lg"}),
        help_text=_("For example: Salón comunal del barrio Lorenzo."),
    )
    attendance = count_field(_("People attending"))
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What was said and agreed. You can also attach a scan of the signed minutes afterwards."),
    )
    women = count_field(_("Women"))
    men = count_field(_("Men"))
    other_gender = count_field(_("Other or not said"))
    age_14_17 = count_field(_("Aged 14–17"))
    age_18_28 = count_field(_("Aged 18–28"))
    age_29_59 = count_field(_("Aged 29–59"))
    age_60_plus = count_field(_("Aged 60 or more"))
    phase = PhaseChoiceField(
        label=_("Phase of the cycle"),
        queryset=Phase.objects.none(),
        required=False,
        empty_label=_("None in particular"),
    )
    convener = forms.CharField(label=_("Convened by"), max_length=200, required=False)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Only if the assembly had a name of its own."),
    )

    MAIN = ("kind", "unit", "held_at", "place", "attendance", "minutes")
    BREAKDOWN = (*GENDER_FIELDS, *AGE_FIELDS)
    MORE = ("phase", "convener", "title")

    def __init__(self, *args: Any, cycle: Cycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        unit = self.fields["unit"]
        phase = self.fields["phase"]
        assert isinstance(unit, forms.ModelChoiceField) and isinstance(phase, forms.ModelChoiceField)
        unit.queryset = cycle.units.select_related("territory", "municipality").order_by("position", "pk")
        phase.queryset = cycle.phases.order_by("starts_at", "pk")

    def _group(self, names: Sequence[str]) -> list[forms.BoundField]:
        return [self[name] for name in names]

    @property
    def main_fields(self) -> list[forms.BoundField]:
        return self._group(self.MAIN)

    @property
    def breakdown_fields(self) -> list[forms.BoundField]:
        return self._group(self.BREAKDOWN)

    @property
    def more_fields(self) -> list[forms.BoundField]:
        return self._group(self.MORE)

    @property
    def breakdown_open(self) -> bool:
        """Show the breakdown unfolded when it holds something or something in it is wrong."""
        return any(self[name].value() not in (None, "") or self[name].errors for name in self.BREAKDOWN)

    @property
    def more_open(self) -> bool:
        return any(self[name].errors for name in self.MORE)

    def to_input(self) -> AssemblyInput:
        data = self.cleaned_data
        return AssemblyInput(
            kind=data["kind"],
            held_at=data["held_at"],
            place=data["place"],
            convener=data["convener"],
            title=data["title"],
            phase=data["phase"],
            unit=data["unit"],
            minutes=data["minutes"],
            **{name: data[name] for name in ("attendance", *self.BREAKDOWN)},
        )

    @staticmethod
    def initial_for(assembly: Assembly) -> dict[str, Any]:
        fields = ("kind", "place", "convener", "title", "minutes", "attendance", *AssemblyForm.BREAKDOWN)
        return {
            **{name: getattr(assembly, name) for name in fields},
            "held_at": timezone.localtime(assembly.held_at),
            "unit": assembly.unit_id,
            "phase": assembly.phase_id,
        }


# --- Decisions ---------------------------------------------------------------------


class DecisionForm(StyledForm):
    """One line of the decision. Every field is optional here: a row left empty is
    not a line (that is how a line is removed); a row with anything in it needs its text."""

    rank = forms.IntegerField(
        label=_("Place"),
        min_value=1,
        max_value=999,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "1"}),
    )
    item = forms.CharField(label=_("Proposal or item"), max_length=300, required=False)
    rating = RatingField(
        label=_("Rating"),
        max_digits=7,
        decimal_places=2,
        min_value=0,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    votes = forms.IntegerField(
        label=_("Votes"),
        min_value=0,
        max_value=2_000_000_000,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "0"}),
    )
    amount = PesosField(label=_("Amount (pesos)"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    CONTENT = ("item", "rating", "votes", "amount", "note")

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", None) or {}
        return all(data.get(name) in (None, "") for name in self.CONTENT)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_content = any(data.get(name) not in (None, "") for name in self.CONTENT if name != "item")
        if has_content and not data.get("item"):
            self.add_error("item", _("Write the proposal or item, or empty the whole row."))
        return data


class BaseDecisionFormSet(forms.BaseFormSet[DecisionForm]):
    def decisions(self) -> list[DecisionInput]:
        """The filled rows as decisions. Rows without a place take the free places
        in order: first the gaps, then after the highest place given."""
        rows = [form.cleaned_data for form in self.forms if not form.is_blank]
        taken = {row["rank"] for row in rows if row.get("rank")}
        free = (n for n in range(1, len(rows) + len(taken) + 2) if n not in taken)
        result = []
        for row in rows:
            rank = row.get("rank") or next(free)
            result.append(
                DecisionInput(
                    rank=rank,
                    item=row["item"],
                    rating=row.get("rating"),
                    votes=row.get("votes"),
                    amount=row.get("amount"),
                    note=row.get("note") or "",
                )
            )
        return result


BLANK_DECISION_ROWS = 3
MAX_DECISION_ROWS = 300


def decision_formset(extra: int = BLANK_DECISION_ROWS) -> type[BaseDecisionFormSet]:
    """The decision rows with ``extra`` blank ones below the recorded lines."""
    formset = forms.formset_factory(
        DecisionForm, formset=BaseDecisionFormSet, extra=extra, max_num=MAX_DECISION_ROWS, validate_max=True
    )
    assert issubclass(formset, BaseDecisionFormSet)
    return formset


# --- Scan of the minutes -------------------------------------------------------------


class ScanForm(StyledForm):
    file = forms.FileField(
        label=_("Scan or photo of the signed minutes"),
        help_text=_("A PDF, or a photo (JPEG, PNG or WebP). Attaching a new one replaces the previous one."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"}),
    )


# --- Delegates ---------------------------------------------------------------------


class AssemblyChoiceField(forms.ModelChoiceField[Assembly]):
    def label_from_instance(self, obj: Assembly) -> str:
        held = timezone.localtime(obj.held_at)
        return f"{obj} · {held:%Y-%m-%d}"


class DelegateForm(StyledForm):
    unit = UnitChoiceField(label=_("Territory"), queryset=CycleTerritory.objects.none())
    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs={"class": "form-control-lg"}))
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        required=False,
        help_text=_("The community action board (JAC) or organisation they come from, if any."),
    )
    term_start = date_field(_("Term from"))
    term_end = date_field(_("Term until"))
    assembly = AssemblyChoiceField(
        label=_("Elected at"), queryset=Assembly.objects.none(), required=False, empty_label=_("Not recorded")
    )

    def __init__(self, *args: Any, cycle: Cycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assembly = self.fields["assembly"]
        assert isinstance(unit, forms.ModelChoiceField) and isinstance(assembly, forms.ModelChoiceField)
        unit.queryset = cycle.units.select_related("territory", "municipality").order_by("position", "pk")
        assembly.queryset = cycle.assemblies.order_by("held_at", "pk")

    @staticmethod
    def initial_for(cycle: Cycle, today: date, query: Any) -> dict[str, Any]:
        """Today to the end of the cycle's fiscal year; territory and assembly from the link followed."""
        end = date(cycle.fiscal_year, 12, 31)
        initial: dict[str, Any] = {"term_start": today, "term_end": end if end >= today else None}
        for name in ("unit", "assembly"):
            value = query.get(name, "")
            if value.isascii() and value.isdigit() and len(value) < 10:
                initial[name] = int(value)
        return initial


# --- Development plans -----------------------------------------------------------------


class PlanForm(StyledForm):
    name = forms.CharField(
        label=_("Name of the plan"),
        max_length=200,
        help_text=_("As the municipal council adopted it, for example “Pasto, la gran capital”."),
    )
    start_year = forms.IntegerField(
        label=_("From (year)"), min_value=1990, max_value=2100, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    end_year = forms.IntegerField(
        label=_("To (year)"), min_value=1990, max_value=2100, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )

    @staticmethod
    def initial_for(now: datetime) -> dict[str, Any]:
        year = timezone.localtime(now).year
        return {"start_year": year, "end_year": year + 3}


class PlanImportForm(StyledForm):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("At most 1 MB, saved from a spreadsheet as CSV (comma or semicolon separated)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > CSV_MAX_BYTES:
            raise ValidationError(_("The file is larger than 1 MB."), code="too_large")
        content: bytes = upload.read()
        if not content.strip():
            raise ValidationError(_("The file is empty."), code="empty")
        return content
