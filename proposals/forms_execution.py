"""Forms of the execution follow-up: shape only, forgiving of how people type
on a phone ("$ 25.000.000" is a number of pesos). The rules (dates in order,
spent within committed, photos checked by content) are the services' job
(``proposals.execution``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cycles.forms_records import PesosField, date_field
from proposals.execution import MAX_REMARK, MAX_TEXT
from proposals.models import Execution, ExecutionMode, ExecutionStatus
from redplypp.forms import StyledForm


class ExecutionUpdateForm(StyledForm):
    happened_on = date_field(_("Date"), help_text=_("When it happened. Not in the future."))
    status = forms.ChoiceField(label=_("Status"), choices=ExecutionStatus.choices)
    progress = forms.IntegerField(
        label=_("Physical progress (%)"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "0", "max": "100", "class": "form-control-lg"}),
    )
    text = forms.CharField(
        label=_("What happened"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Shown to everybody on the project's page."),
    )
    committed = PesosField(label=_("Money committed so far (pesos)"))
    spent = PesosField(label=_("Money spent so far (pesos)"))
    mode = forms.ChoiceField(
        label=_("Execution mode"),
        choices=[("", _("Not decided yet")), *ExecutionMode.choices],
        required=False,
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("Optional. A JPEG, PNG or WebP image; its location and camera data are removed."),
    )

    @staticmethod
    def initial_for(execution: Execution, today: Any) -> dict[str, Any]:
        return {
            "happened_on": today,
            "status": execution.status,
            "progress": execution.progress,
            "committed": execution.committed,
            "spent": execution.spent,
            "mode": execution.mode,
        }

    def _amount(self, name: str) -> int:
        amount = self.cleaned_data.get(name)
        if amount is None:
            raise forms.ValidationError(_("Write the amount in whole pesos, for example 25.000.000."), code="pesos")
        return int(amount)

    def clean_committed(self) -> int:
        return self._amount("committed")

    def clean_spent(self) -> int:
        return self._amount("spent")

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "happened_on": data["happened_on"],
            "status": data["status"],
            "progress": data["progress"],
            "text": data["text"],
            "committed": data["committed"],
            "spent": data["spent"],
            "mode": data["mode"],
            "photo": data["photo"] or None,
        }


class RemarkForm(StyledForm):
    text = forms.CharField(
        label=_("Your remark"),
        max_length=MAX_REMARK,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Public, under the update, with your name."),
    )
