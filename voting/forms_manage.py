"""Forms of the vote's management pages: stations, officers, the census list and
reconciling paper records. Shape only; the rules are ``voting.stations``,
``voting.census`` and ``voting.paper``."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import DocumentType, User
from cycles.models import Cycle, CycleTerritory
from redplypp.forms import StyledForm
from voting.models import PaperEntry, PaperRecord, Station
from voting.stations import StationInput

BOGOTA = ZoneInfo("America/Bogota")
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class BogotaDateTimeField(forms.DateTimeField):
    """A ``datetime-local`` input read and shown in Bogotá time, whatever the server's zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)

    def prepare_value(self, value: Any) -> Any:
        if hasattr(value, "tzinfo") and value.tzinfo is not None:
            return value.astimezone(BOGOTA).strftime(DATETIME_FORMAT)
        return value

    def to_python(self, value: Any) -> Any:
        with timezone.override(BOGOTA):
            return super().to_python(value)


class StationForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=120, help_text=_("For example “Mesa 1 · Escuela La Paz”."))
    unit = forms.ModelChoiceField(label=_("Territory"), queryset=CycleTerritory.objects.none())
    place = forms.CharField(label=_("Place"), max_length=200, help_text=_("Address or landmark people know."))
    opens_at = BogotaDateTimeField(label=_("Opens at"), help_text=_("Bogotá time."))
    closes_at = BogotaDateTimeField(label=_("Closes at"), help_text=_("Bogotá time."))
    counts_on_site = forms.BooleanField(
        label=_("The officers count the paper ballots at the station and key in the tally sheet (acta)"),
        required=False,
    )

    def __init__(self, *args: Any, cycle: Cycle, station: Station | None = None, **kwargs: Any) -> None:
        if station is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": station.name,
                "unit": station.unit_id,
                "place": station.place,
                "opens_at": station.opens_at,
                "closes_at": station.closes_at,
                "counts_on_site": station.counts_on_site,
            }
        super().__init__(*args, **kwargs)
        units = (
            cycle.units.exclude(territory__isnull=True, municipality__isnull=True)
            .select_related("territory", "municipality")
            .order_by("position", "pk")
        )
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units

    def to_input(self) -> StationInput:
        data = self.cleaned_data
        return StationInput(
            unit=data["unit"],
            name=data["name"],
            place=data["place"],
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            counts_on_site=data["counts_on_site"],
        )


class OfficerChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.email}" if obj.name else str(obj.email)


class OfficerForm(StyledForm):
    user = OfficerChoiceField(
        label=_("Officer"),
        queryset=User.objects.none(),
        empty_label=_("Choose…"),
        help_text=_("People with the polling-station officer role in this municipality."),
    )

    def __init__(self, *args: Any, candidates: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(pk__in=[user.pk for user in candidates]).order_by("name", "email")


class CensusForm(StyledForm):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One column of document numbers, or a header with a type column (tipo) and a number column (numero). "
            "The file is read and forgotten: only a keyed hash of each number is kept."
        ),
    )
    default_type = forms.ChoiceField(
        label=_("Document type of rows without one"), choices=DocumentType.choices, initial="CC"
    )
    replace = forms.BooleanField(
        label=_("Replace the current list (instead of adding to it)"),
        required=False,
    )


class ReconcileForm(StyledForm):
    entry = forms.ModelChoiceField(
        label=_("The entry that matches the paper"),
        queryset=PaperEntry.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    reason = forms.CharField(
        label=_("Why this entry is the right one"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the audit log, with your name."),
    )

    def __init__(self, *args: Any, record: PaperRecord, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"r{record.pk}")
        super().__init__(*args, **kwargs)
        field = self.fields["entry"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = PaperEntry.objects.filter(record=record)
