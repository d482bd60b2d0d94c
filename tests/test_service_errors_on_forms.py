"""A service's refusal lands on the form field it concerns, styled as invalid once."""

from django import forms
from django.core.exceptions import ValidationError

from redplypp.forms import StyledForm, add_service_error


class AmountForm(StyledForm):
    amount = forms.IntegerField()
    note = forms.CharField(required=False)


def test_a_field_error_from_a_service_marks_the_field_invalid_without_repeating_classes():
    form = AmountForm({"amount": "5"})
    assert form.is_valid()
    add_service_error(form, ValidationError({"amount": ValidationError("Too much.", code="over_total")}))
    widget = form.fields["amount"].widget
    assert form.errors["amount"] == ["Too much."]
    assert widget.attrs["class"].split() == ["form-control", "is-invalid"]
    assert widget.attrs["aria-invalid"] == "true"
    form.render()  # rendering styles again: nothing repeated
    assert widget.attrs["class"].split() == ["form-control", "is-invalid"]
    assert "is-invalid" not in form.fields["note"].widget.attrs["class"]


def test_an_error_without_a_field_goes_to_the_field_its_code_names_or_above_the_form():
    form = AmountForm({"amount": "5"})
    form.is_valid()
    add_service_error(form, ValidationError("Over the total.", code="over_total"), {"over_total": "amount"})
    add_service_error(form, ValidationError("Closed.", code="closed"))
    assert form.errors["amount"] == ["Over the total."]
    assert form.non_field_errors() == ["Closed."]
