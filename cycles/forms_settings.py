"""Forms of steps 3 and 4 of the cycle wizard: a phase, and the voting settings."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import DocumentType
from cycles.forms import CheckboxList, ChoiceList, CycleForm, PesosField, choice_field, date_field, time_input
from cycles.labels import phase_kind_choices
from cycles.models import (
    BallotType,
    CountingMethod,
    CycleTerritory,
    DecidedBy,
    Residence,
    TieBreakChoice,
)

# --- Step 3: phases --------------------------------------------------------------


class PhaseForm(CycleForm):
    kind = forms.ChoiceField(label=_("Kind of phase"), help_text=_("It decides what people can do during the phase."))
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Optional: the name your process uses, for example “Pre-cabildos”."),
    )
    description = forms.CharField(label=_("What happens"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    start_date = date_field(_("Starts on"))
    start_time = forms.TimeField(label=_("at"), initial=time(0, 0), widget=time_input())
    end_date = date_field(_("Ends on"), _("The phase closes at this moment: choose the hour too."))
    end_time = forms.TimeField(label=_("at"), initial=time(0, 0), widget=time_input())
    units = forms.MultipleChoiceField(
        label=_("Only in these territories"),
        widget=CheckboxList,
        required=False,
        help_text=_("Leave all unticked for a phase of every territory."),
    )
    reason = forms.CharField(
        label=_("Why the calendar changes"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("The cycle is published: the reason is shown on its public page."),
    )

    def __init__(
        self,
        *args: Any,
        units: Sequence[CycleTerritory],
        published: bool,
        running: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "kind").choices = phase_kind_choices()
        self.unit_by_key = {str(u.pk): u for u in units}
        choice_field(self, "units").choices = [(key, unit.name) for key, unit in self.unit_by_key.items()]
        if not published:
            del self.fields["reason"]
        else:
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = _("Say why the calendar changes: it is shown publicly.")
        if running:
            # A running phase of a published cycle keeps its kind, start and territories.
            for name in ("kind", "start_date", "start_time", "units"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("This phase is running: only its end can move.")

    @staticmethod
    def initial_for(phase: Any) -> dict[str, Any]:
        starts, ends = timezone.localtime(phase.starts_at), timezone.localtime(phase.ends_at)
        return {
            "kind": phase.kind,
            "title": phase.title,
            "description": phase.description,
            "start_date": starts.date(),
            "start_time": starts.time().replace(second=0, microsecond=0),
            "end_date": ends.date(),
            "end_time": ends.time().replace(second=0, microsecond=0),
            "units": [] if phase.for_all_units else [str(u.pk) for u in phase.units.all()],
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for edge in ("start", "end"):
            day, moment = data.get(f"{edge}_date"), data.get(f"{edge}_time")
            if day is not None and moment is not None:
                data[f"{edge}s_at"] = timezone.make_aware(datetime.combine(day, moment))
        data["chosen_units"] = [self.unit_by_key[key] for key in data.get("units") or [] if key in self.unit_by_key]
        return data


# --- Step 4: voting --------------------------------------------------------------


def parse_days(text: str) -> list[date]:
    """Dates separated by commas, semicolons or new lines: 2027-06-14 or 14/06/2027."""
    days: list[date] = []
    for item in re.split(r"[,;\n]+", text):
        item = item.strip()
        if not item:
            continue
        for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
            try:
                days.append(datetime.strptime(item, pattern).date())
                break
            except ValueError:
                continue
        else:
            raise ValidationError(
                _("“%(item)s” is not a date: write it as 14/06/2027 or 2027-06-14."),
                code="bad_date",
                params={"item": item},
            )
    if any(not 1990 <= day.year <= 2100 for day in days):
        raise ValidationError(_("Check the dates: the year must be between 1990 and 2100."), code="bad_date")
    return sorted(set(days))


class VotingForm(CycleForm):
    decided_by = forms.ChoiceField(
        label=_("Who decides"),
        choices=DecidedBy.choices,
        widget=ChoiceList,
        help_text=_("Everyone who may vote, the elected delegates, or an assembly whose decision you record."),
    )
    ballot_type = forms.ChoiceField(
        label=_("What the ballot looks like"),
        choices=BallotType.choices,
        widget=ChoiceList,
        help_text=_("K is the most proposals a person may choose, set below."),
    )
    min_selections = forms.IntegerField(
        label=_("Fewest proposals a person must choose"), min_value=0, max_value=1000, initial=1
    )
    max_selections = forms.IntegerField(
        label=_("Most proposals a person may choose"),
        min_value=1,
        max_value=1000,
        required=False,
        help_text=_("Leave empty for no limit. A single-choice ballot has exactly 1."),
    )
    wallet_amount = PesosField(
        label=_("Wallet for each voter"),
        required=False,
        help_text=_("Only for a wallet ballot: for example 1.000.000 pesos or points to spend."),
    )
    wallet_block = PesosField(
        label=_("Spent in blocks of"),
        required=False,
        help_text=_("Only for a wallet ballot: for example 100.000. The wallet must be a whole number of blocks."),
    )
    counting_method = forms.ChoiceField(
        label=_("How votes are counted"),
        choices=CountingMethod.choices,
        widget=ChoiceList,
        help_text=_(
            "Most votes first: proposals are funded in order of votes until the territory's envelope runs out. "
            "One winner: the proposal with most votes in each territory. Equal Shares: each voter's share of "
            "the envelope goes to the proposals they chose, so more groups see something funded."
        ),
    )
    tie_break = forms.ChoiceField(label=_("If two proposals tie"), choices=TieBreakChoice.choices)
    min_age = forms.IntegerField(
        label=_("Minimum age on the voting day"),
        min_value=7,
        max_value=120,
        help_text=_("14 in most Colombian processes."),
    )
    residence = forms.ChoiceField(label=_("Where voters must live"), choices=Residence.choices)
    accepted_documents = forms.MultipleChoiceField(
        label=_("Identity documents accepted"), choices=DocumentType.choices, widget=CheckboxList
    )
    census_required = forms.BooleanField(
        label=_("Only people on a census list may vote"),
        required=False,
        help_text=_("Tick it if the process uses a list of residents prepared beforehand."),
    )
    online = forms.BooleanField(label=_("Voting online"), required=False)
    in_person_days = forms.CharField(
        label=_("In-person voting days"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One date per line or separated by commas, for example 14/06/2027. Leave empty for none."),
    )
    ballot_replaceable = forms.BooleanField(
        label=_("A person may change their ballot until voting closes"), required=False
    )

    @staticmethod
    def initial_for(voting: Any) -> dict[str, Any]:
        initial = {name: getattr(voting, name) for name in VOTING_FORM_FIELDS}
        initial["in_person_days"] = "\n".join(date_format(day, "d/m/Y") for day in voting.in_person_days)
        return initial

    def clean_in_person_days(self) -> list[date]:
        return parse_days(self.cleaned_data["in_person_days"])


VOTING_FORM_FIELDS = tuple(VotingForm.base_fields)
