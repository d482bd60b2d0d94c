"""Shared form rendering: Bootstrap classes and accessible error wiring for every form."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting


class PlatformFormRenderer(TemplatesSetting):
    """Renders ``{{ form }}`` and ``{{ field.as_field_group }}`` with the platform's templates."""

    form_template_name = "components/form.html"
    field_template_name = "components/field.html"


def style_widgets(form: forms.BaseForm) -> None:
    """Give each widget its Bootstrap class, and mark invalid ones for assistive technology.
    Safe to run again (after errors added from a service): classes are not repeated."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        classes = widget.attrs.get("class", "").split()
        wanted = [css, "is-invalid"] if form.is_bound and name in form.errors else [css]
        widget.attrs["class"] = " ".join([*classes, *(c for c in wanted if c not in classes)])
        if "is-invalid" in wanted:
            widget.attrs["aria-invalid"] = "true"


class StyledForm(forms.Form):
    """A form whose widgets carry Bootstrap classes and ``aria-invalid`` when wrong."""

    def full_clean(self) -> None:
        super().full_clean()
        style_widgets(self)

    def render(self, *args: Any, **kwargs: Any) -> Any:
        style_widgets(self)
        return super().render(*args, **kwargs)


def add_service_error(
    form: forms.BaseForm,
    error: ValidationError,
    codes: Mapping[str, str | None] | None = None,
    renames: Mapping[str, str] | None = None,
) -> None:
    """Put a service's ValidationError on the form: by field name (``renames`` maps a
    service's names to the form's), else by ``code`` (``codes``), else above the form."""
    renames = renames or {}
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            name = renames.get(name, name)
            form.add_error(name if name in form.fields else None, errors)
    else:
        for item in error.error_list:
            field = (codes or {}).get(item.code or "")
            form.add_error(field if field in form.fields else None, item)
    style_widgets(form)
