"""Pages of network activities: the public calendar, archive and activity page,
the attachment download, and their management (record, edit, attach, delete).

Each view reads a form, calls one service or selector of ``nodes.activities``
and renders. ``PermissionDenied`` from a service becomes the 403 page with
its message.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import nodes.rules_activities  # noqa: F401  (registers the activity permissions)
from accounts.access import management_required, signed_in_user
from nodes import activities
from nodes.forms_activities import ActivityForm, ArchiveFilterForm, AttachmentForm, CalendarFilterForm
from nodes.models import Activity, ActivityAttachment
from redplypp.forms import add_service_error

# Which form field a service's ValidationError belongs to, by its code.
_ERROR_FIELDS = {
    "invalid_kind": "kind",
    "title_required": "title",
    "ends_before_start": "ends_on",
}


def _month(query: Any, today: date) -> tuple[int, int]:
    """The month asked for in ``?year=&month=``, or the current one when missing or wrong."""
    try:
        year, month = int(query.get("year", today.year)), int(query.get("month", today.month))
    except (TypeError, ValueError):
        return today.year, today.month
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return today.year, today.month
    return year, month


# --- Public pages ---------------------------------------------------------------------


@require_GET
def activity_calendar(request: HttpRequest) -> HttpResponse:
    year, month = _month(request.GET, timezone.localdate())
    form = CalendarFilterForm(request.GET if "node" in request.GET else None)
    node = form.cleaned_data.get("node") if form.is_valid() else None
    month_view = activities.activity_calendar(year, month, node=node)
    node_query = {"node": node.slug} if node is not None else {}
    (previous_year, previous_month), (next_year, next_month) = month_view.previous, month_view.next
    return render(
        request,
        "nodes/activities/activity_calendar.html",
        {
            "month": month_view,
            "form": form,
            "node": node,
            "previous_query": urlencode({"year": previous_year, "month": previous_month, **node_query}),
            "next_query": urlencode({"year": next_year, "month": next_month, **node_query}),
        },
    )


@require_GET
def activity_archive(request: HttpRequest) -> HttpResponse:
    form = ArchiveFilterForm(request.GET if request.GET.keys() - {"page"} else None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = activities.ArchiveFilters(
        today=timezone.localdate(), node=data.get("node"), kind=data.get("kind") or "", year=data.get("year")
    )
    page = activities.activity_archive(filters, request.GET.get("page") or 1)
    query = {key: value for key, value in request.GET.items() if key != "page" and value}
    return render(
        request,
        "nodes/activities/activity_archive.html",
        {"page": page, "form": form, "filter_query": urlencode(query)},
    )


@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        activity = activities.activity_get(pk, viewer=request.user)
    except Activity.DoesNotExist as error:
        raise Http404 from error
    return render(
        request,
        "nodes/activities/activity_detail.html",
        {"activity": activity, "can_edit": request.user.has_perm("nodes.change_activity", activity)},
    )


@require_GET
def activity_attachment(request: HttpRequest, pk: int) -> FileResponse:
    """Always a download (never shown inline), with the type we checked, not one the browser guesses."""
    attachment = get_object_or_404(ActivityAttachment.objects.select_related("activity"), pk=pk)
    if not attachment.activity.published and not request.user.has_perm("nodes.change_activity", attachment.activity):
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- Management -------------------------------------------------------------------------


def _editable(request: HttpRequest, pk: int) -> Activity:
    activity = get_object_or_404(Activity, pk=pk)
    if not request.user.has_perm("nodes.change_activity", activity):
        raise PermissionDenied(
            _(
                "This activity belongs to a node you do not coordinate: only its coordinators and the "
                "Secretaría Técnica may change it."
            )
        )
    return activity


def _require_recorder(request: HttpRequest) -> None:
    if not request.user.has_perm("nodes.add_activity"):
        raise PermissionDenied(_("Network activities are recorded by the Secretaría Técnica and node coordinators."))


@management_required
@require_GET
def activity_manage_list(request: HttpRequest) -> HttpResponse:
    _require_recorder(request)
    listed = activities.activity_list_for_manager(actor=signed_in_user(request))
    return render(request, "nodes/activities/activity_manage_list.html", {"activities": listed})


@management_required
@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest) -> HttpResponse:
    _require_recorder(request)
    form = ActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            activity = activities.activity_create(actor=signed_in_user(request), **form.service_arguments())
        except ValidationError as error:
            add_service_error(form, error, _ERROR_FIELDS)
        else:
            messages.success(request, _("The activity was recorded. You can now add its files."))
            return redirect("network-manage:activity-attach", pk=activity.pk)
    return render(request, "nodes/activities/activity_form.html", {"form": form, "activity": None})


@management_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _editable(request, pk)
    form = ActivityForm(request.POST or None, activity=activity)
    if request.method == "POST" and form.is_valid():
        try:
            activities.activity_update(actor=signed_in_user(request), activity=activity, **form.service_arguments())
        except ValidationError as error:
            add_service_error(form, error, _ERROR_FIELDS)
        else:
            messages.success(request, _("The activity was saved."))
            return redirect("nodes:activity-detail", pk=activity.pk)
    return render(request, "nodes/activities/activity_form.html", {"form": form, "activity": activity})


@management_required
@require_http_methods(["GET", "POST"])
def activity_attach(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _editable(request, pk)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            activities.activity_attach(
                actor=signed_in_user(request), activity=activity, upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("The file was added."))
            return redirect("network-manage:activity-attach", pk=activity.pk)
    attachments = list(activity.attachments.all())
    return render(
        request,
        "nodes/activities/activity_attach.html",
        {"activity": activity, "form": form, "attachments": attachments},
    )


@management_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_object_or_404(ActivityAttachment.objects.select_related("activity"), pk=pk)
    _editable(request, attachment.activity_id)
    activities.attachment_delete(actor=signed_in_user(request), attachment=attachment)
    messages.success(request, _("The file was removed."))
    return redirect("network-manage:activity-attach", pk=attachment.activity_id)


@management_required
@require_http_methods(["GET", "POST"])
def activity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _editable(request, pk)
    if request.method == "POST":
        activities.activity_delete(actor=signed_in_user(request), activity=activity)
        messages.success(request, _("The activity was deleted."))
        return redirect("network-manage:activity-list")
    return render(request, "nodes/activities/activity_confirm_delete.html", {"activity": activity})
