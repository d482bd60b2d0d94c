"""Forms of network activities: shape only; the rules live in ``nodes.activities``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from nodes.models import Activity, ActivityKind, Municipality, Node, Organisation
from redplypp.forms import StyledForm


class MunicipalityChoiceField(forms.ModelChoiceField[Municipality]):
    def label_from_instance(self, obj: Municipality) -> str:
        return f"{obj.name} ({obj.department.name})"


class ActivityForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind of activity"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    ends_on = forms.DateField(
        label=_("Last day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Only for activities of more than one day."),
    )
    municipality = MunicipalityChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.select_related("department").order_by("name", "code"),
        required=False,
        empty_label=_("None (online, or several places)"),
    )
    place_detail = forms.CharField(
        label=_("Place"), max_length=200, required=False, help_text=_("For example the venue or the address.")
    )
    nodes = forms.ModelMultipleChoiceField(
        label=_("Nodes"),
        queryset=Node.objects.filter(active=True).order_by("name"),
        required=False,
        help_text=_(
            "Coordinators record activities of their own nodes. Leave it empty for an activity of the whole network "
            "(Secretaría Técnica only)."
        ),
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Participating organisations"),
        queryset=Organisation.objects.filter(active=True).order_by("name"),
        required=False,
    )
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    published = forms.BooleanField(label=_("Show it in the public calendar and archive"), required=False, initial=True)

    def __init__(self, *args: Any, activity: Activity | None = None, **kwargs: Any) -> None:
        if activity is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": activity.kind,
                "title": activity.title,
                "starts_on": activity.starts_on,
                "ends_on": activity.ends_on,
                "municipality": activity.municipality_id,
                "place_detail": activity.place_detail,
                "nodes": [node.pk for node in activity.nodes.all()],
                "organisations": [organisation.pk for organisation in activity.organisations.all()],
                "summary": activity.summary,
                "published": activity.published,
            }
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The last day cannot be before the first day."))
        return data

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "title": data["title"],
            "starts_on": data["starts_on"],
            "ends_on": data.get("ends_on"),
            "municipality": data.get("municipality"),
            "place_detail": data.get("place_detail", ""),
            "nodes": list(data.get("nodes") or []),
            "organisations": list(data.get("organisations") or []),
            "summary": data.get("summary", ""),
            "published": bool(data.get("published")),
        }


class AttachmentForm(StyledForm):
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.webp"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "A PDF document or a JPEG, PNG or WebP image, up to %(size)d MB. Photos lose their metadata "
            "(such as the place where they were taken)."
        ) % {"size": settings.MAX_UPLOAD_SIZE // (1024 * 1024)}


class CalendarFilterForm(StyledForm):
    node = forms.ModelChoiceField(
        label=_("Node"),
        queryset=Node.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("All nodes"),
    )


class ArchiveFilterForm(CalendarFilterForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds")), *ActivityKind.choices], required=False)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
