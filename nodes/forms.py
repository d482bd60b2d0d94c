"""Forms of the network registry's management pages: shape only.

Domain rules (who may do what, unique codes, trees without cycles, NIT check
digits) are the services' job; views turn their errors into form errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from nodes.models import (
    Municipality,
    MunicipalityCategory,
    Node,
    NodeKind,
    OrganisationKind,
    Role,
    Territory,
    TerritoryKind,
)
from nodes.selectors import TerritoryBranch
from redplypp.forms import StyledForm

CSV_MAX_BYTES = 1024 * 1024
TOP_LEVEL = ""


class NodeForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=NodeKind.choices,
        help_text=_("Territorial: a region. Thematic: a group such as youth or women."),
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, may_change_kind: bool = True, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            del self.fields["active"]
        if not may_change_kind:
            # Only the Secretaría Técnica changes the kind or deactivates a node:
            # the fields are shown, disabled, and keep their stored values.
            for name in ("kind", "active"):
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _("Only the Secretaría Técnica may change this.")


class MunicipalitySearchForm(StyledForm):
    q = forms.CharField(
        label=_("Municipality name or DIVIPOLA code"),
        max_length=100,
        required=False,
        help_text=_("For example “Pasto” or “52001”. Accents and capital letters do not matter."),
    )


class MunicipalityCodeForm(StyledForm):
    """The municipality an add or remove button acts on (a hidden field)."""

    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.all(),
        to_field_name="code",
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("That municipality does not exist.")},
    )


class OrganisationForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices)
    nit = forms.CharField(
        label=_("NIT"),
        max_length=20,
        required=False,
        help_text=_("With its check digit, for example 900123456-8. Dots and spaces are fine."),
    )
    municipality_code = forms.CharField(
        label=_("Municipality"),
        max_length=100,
        required=False,
        help_text=_(
            "Its name or DIVIPOLA code, for example Pasto or 52001. Leave empty if it works in several places."
        ),
    )
    nodes = forms.ModelMultipleChoiceField(
        label=_("Nodes it works in"),
        queryset=Node.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sits_on_secretariat = forms.BooleanField(label=_("Sits on the Secretaría Técnica"), required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(
        self,
        *args: Any,
        node_choices: Iterable[Node],
        is_secretariat: bool,
        creating: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        node_ids = [node.pk for node in node_choices]
        nodes_field = self.fields["nodes"]
        assert isinstance(nodes_field, forms.ModelMultipleChoiceField)
        nodes_field.queryset = Node.objects.filter(pk__in=node_ids).order_by("name")
        if not is_secretariat:
            del self.fields["sits_on_secretariat"]
            nodes_field.help_text = _("Only the nodes you coordinate are listed.")
            if creating:
                nodes_field.required = True
            if not node_ids:
                del self.fields["nodes"]
        if creating:
            del self.fields["active"]

    def clean_municipality_code(self) -> Municipality | None:
        text = self.cleaned_data["municipality_code"].strip()
        if not text:
            return None
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
                params={
                    "text": text,
                    "options": "; ".join(f"{m.code} {m.name}, {m.department.name}" for m in found),
                },
            )
        return found[0]


class MunicipalityForm(StyledForm):
    is_pdet = forms.BooleanField(
        label=_("PDET"),
        required=False,
        help_text=_("Development programme with a territorial focus (post-conflict)."),
    )
    is_zomac = forms.BooleanField(
        label=_("ZOMAC"), required=False, help_text=_("Area most affected by the armed conflict.")
    )
    category = forms.ChoiceField(
        label=_("Category (Ley 617 de 2000)"),
        choices=[("", _("Not known")), *MunicipalityCategory.choices],
        required=False,
    )
    population = forms.IntegerField(label=_("Population"), min_value=0, required=False)
    population_14_plus = forms.IntegerField(label=_("Population aged 14 or more"), min_value=0, required=False)


def territory_choices(branches: Sequence[TerritoryBranch], *, top_label: str) -> list[tuple[str, str]]:
    """Options for a "inside which territory" select, indented by depth."""
    choices = [(TOP_LEVEL, top_label)]
    for branch in branches:
        territory = branch.territory
        choices.append((str(territory.pk), f"{'— ' * branch.depth}{territory.name} ({territory.code})"))
    return choices


class TerritoryParentField(forms.ChoiceField):
    """A territory of one municipality (or none: the top of the tree), chosen
    among the branches given; cleans to a ``Territory`` or ``None``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.by_pk: dict[str, Territory] = {}
        super().__init__(*args, **kwargs)

    def set_branches(self, branches: Sequence[TerritoryBranch]) -> None:
        self.by_pk = {str(branch.territory.pk): branch.territory for branch in branches}
        self.choices = territory_choices(branches, top_label=str(_("At the top (not inside another territory)")))

    def clean(self, value: Any) -> Territory | None:
        chosen = super().clean(value)
        return self.by_pk.get(chosen) if chosen else None


class TerritoryForm(StyledForm):
    code = forms.CharField(
        label=_("Local code"), max_length=20, help_text=_("The municipality's own code, for example 01 for Comuna 1.")
    )
    name = forms.CharField(label=_("Name"), max_length=150)
    kind = forms.ChoiceField(label=_("Kind"), choices=TerritoryKind.choices)
    parent = TerritoryParentField(label=_("Inside"), required=False)

    def __init__(self, *args: Any, branches: Sequence[TerritoryBranch] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if branches is None:
            del self.fields["parent"]
        else:
            parent = self.fields["parent"]
            assert isinstance(parent, TerritoryParentField)
            parent.set_branches(branches)


class TerritoryMoveForm(StyledForm):
    parent = TerritoryParentField(label=_("Put it inside"), required=False)

    def __init__(self, *args: Any, branches: Sequence[TerritoryBranch], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent = self.fields["parent"]
        assert isinstance(parent, TerritoryParentField)
        parent.set_branches(branches)


def decode_csv(raw: bytes) -> str:
    """CSV bytes as text: UTF-8 (with or without a byte-order mark), else Latin-1."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class TerritoryImportForm(StyledForm):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("At most 1 MB. Saved from a spreadsheet as CSV (UTF-8 or Latin-1)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > CSV_MAX_BYTES:
            raise ValidationError(_("The file is larger than 1 MB."), code="too_large")
        text = decode_csv(upload.read())
        if not text.strip():
            raise ValidationError(_("The file is empty."), code="empty")
        return text


class MembershipGrantForm(StyledForm):
    email = forms.EmailField(
        label=_("E-mail address of the person"),
        help_text=_("The person must already have an account on the platform with this address."),
    )
    role = forms.ChoiceField(label=_("Role"))
    scope = forms.ChoiceField(
        label=_("Where"), help_text=_("The network, node, municipality or organisation where the role applies.")
    )

    def __init__(
        self,
        *args: Any,
        roles: Sequence[str],
        scope_choices: list[tuple[str, list[tuple[str, str]]]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        role_field = self.fields["role"]
        scope_field = self.fields["scope"]
        assert isinstance(role_field, forms.ChoiceField) and isinstance(scope_field, forms.ChoiceField)
        role_field.choices = [(role, Role(role).label) for role in roles]
        scope_field.choices = [("", _("Choose…")), *scope_choices]
