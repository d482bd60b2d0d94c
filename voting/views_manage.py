"""The vote of a cycle for the people who run it, under /gestion/votacion/
(namespace ``voting-manage``): live turnout, polling stations and their officers,
the census list, and reconciling paper records whose two entries differ.

Each view: ``management_required`` (signed in, a role, two-factor set up), then
``voting.manage_voting`` on the cycle (403 otherwise; the services check again);
one service call per submitted form, whose ``ValidationError`` becomes a form
error. Turnout comes from the roll only: the box's contents are never shown.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import management_required, signed_in_user
from accounts.models import User
from cycles.models import Cycle
from proposals.models import Proposal
from redplypp.forms import add_service_error
from voting import census, paper, selectors, stations
from voting.forms_manage import CensusForm, OfficerForm, ReconcileForm, StationForm
from voting.models import Channel, PaperRecord, Station

GET_POST = require_http_methods(["GET", "POST"])
CENSUS_ERRORS_SHOWN = 200


def _cycle(request: HttpRequest, pk: int) -> Cycle:
    cycle = get_object_or_404(Cycle.objects.select_related("municipality", "department", "voting"), pk=pk)
    if not signed_in_user(request).has_perm("voting.manage_voting", cycle):
        raise PermissionDenied(_("You may not run the vote of this cycle: it is not of your municipality."))
    return cycle


def _station(request: HttpRequest, pk: int) -> Station:
    station = get_object_or_404(
        Station.objects.select_related(
            "cycle__municipality", "cycle__department", "cycle__voting", "unit__territory", "unit__municipality"
        ),
        pk=pk,
    )
    if not signed_in_user(request).has_perm("voting.manage_voting", station.cycle):
        raise PermissionDenied(_("You may not run the vote of this cycle: it is not of your municipality."))
    return station


# --- Turnout -----------------------------------------------------------------------------


@management_required
@require_http_methods(["GET"])
def cycle_vote(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    """Live turnout by territory and channel, per station, the census size and the chain head."""
    cycle = _cycle(request, cycle_pk)
    context = {
        "cycle": cycle,
        "turnout": selectors.turnout(cycle),
        "channels": Channel.choices,
        "census_size": census.census_size(cycle),
        "head": selectors.chain_head(cycle),
        "now": timezone.now(),
    }
    if getattr(request, "htmx", False):
        return render(request, "voting/manage/_turnout.html", context)
    return render(request, "voting/manage/cycle_vote.html", context)


# --- Stations ----------------------------------------------------------------------------


@management_required
@require_http_methods(["GET"])
def station_list(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    cycle = _cycle(request, cycle_pk)
    return render(
        request, "voting/manage/station_list.html", {"cycle": cycle, "stations": list(selectors.stations_of(cycle))}
    )


@management_required
@GET_POST
def station_create(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    cycle = _cycle(request, cycle_pk)
    form = StationForm(request.POST or None, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        try:
            station = stations.station_create(actor=user, cycle=cycle, data=form.to_input(), now=timezone.now())
        except ValidationError as error:
            add_service_error(form, error, {"hours": "closes_at", "duplicate": "name"})
        else:
            messages.success(
                request, _("The station “%(name)s” was created. Now assign its officers.") % {"name": station.name}
            )
            return redirect("voting-manage:station-edit", pk=station.pk)
    return render(request, "voting/manage/station_form.html", {"cycle": cycle, "form": form, "station": None})


def _officers_context(station: Station, officer_form: OfficerForm | None = None) -> dict[str, Any]:
    candidates = stations.officer_candidates(station)
    assigned = list(station.assignments.select_related("user").order_by("user__name", "user__email"))
    taken = {assignment.user_id for assignment in assigned}
    free = [user for user in candidates if user.pk not in taken]
    return {
        "assigned": assigned,
        "officer_form": officer_form or OfficerForm(candidates=free),
        "has_candidates": bool(free),
    }


@management_required
@GET_POST
def station_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    station = _station(request, pk)
    form = StationForm(request.POST or None, cycle=station.cycle, station=station)
    if request.method == "POST" and form.is_valid():
        try:
            stations.station_update(actor=user, station=station, data=form.to_input(), now=timezone.now())
        except ValidationError as error:
            add_service_error(form, error, {"hours": "closes_at", "duplicate": "name", "in_use": None})
        else:
            messages.success(request, _("The station was saved."))
            return redirect("voting-manage:station-edit", pk=station.pk)
    context = {"cycle": station.cycle, "form": form, "station": station, **_officers_context(station)}
    return render(request, "voting/manage/station_form.html", context)


@management_required
@require_POST
def officer_assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    station = _station(request, pk)
    candidates = stations.officer_candidates(station)
    form = OfficerForm(request.POST, candidates=candidates)
    if form.is_valid():
        try:
            stations.officer_assign(actor=user, station=station, user=form.cleaned_data["user"], now=timezone.now())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The officer was assigned to the station."))
            return redirect("voting-manage:station-edit", pk=station.pk)
    context = {
        "cycle": station.cycle,
        "form": StationForm(cycle=station.cycle, station=station),
        "station": station,
        **_officers_context(station, form),
    }
    return render(request, "voting/manage/station_form.html", context, status=400)


@management_required
@require_POST
def officer_remove(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    station = _station(request, pk)
    officer = get_object_or_404(User, pk=user_pk, station_assignments__station=station)
    stations.officer_remove(actor=user, station=station, user=officer, now=timezone.now())
    messages.success(request, _("The officer no longer works at this station."))
    return redirect("voting-manage:station-edit", pk=station.pk)


# --- Census ------------------------------------------------------------------------------


class InMemoryCensusUpload(MemoryFileUploadHandler):
    """Keep the census file in memory whatever its size (up to the census limit): Django's
    default handlers would write one past FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file on disk."""

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: Any = None
    ) -> None:
        self.activated = content_length <= census.MAX_BYTES + UPLOAD_OVERHEAD


UPLOAD_OVERHEAD = 64 * 1024  # the form's other fields and the multipart boundaries


@csrf_exempt  # the upload handlers must be set before anything reads the body; CSRF is checked below
@management_required
@GET_POST
def census_upload(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    """Load a CSV of documents: read in memory (never saved), only keyed hashes are kept."""
    request.upload_handlers = [InMemoryCensusUpload(request)]
    return _census_upload(request, cycle_pk)


@csrf_protect
def _census_upload(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    cycle = _cycle(request, cycle_pk)
    form = CensusForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    too_big = int(request.META.get("CONTENT_LENGTH") or 0) > census.MAX_BYTES + UPLOAD_OVERHEAD
    if request.method == "POST" and too_big:
        form = CensusForm()
        form.add_error(None, _("The file is too big: at most 20 MB."))
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > census.MAX_BYTES:
            form.add_error("file", _("The file is too big: at most 20 MB."))
        else:
            try:
                report = census.census_import(
                    actor=user,
                    cycle=cycle,
                    data=upload.read(),
                    default_type=form.cleaned_data["default_type"],
                    replace=form.cleaned_data["replace"],
                    now=timezone.now(),
                )
            except ValidationError as error:
                codes = {"empty": "file", "too_big": "file", "not_csv": "file", "default_type": "default_type"}
                add_service_error(form, error, codes)
            finally:
                upload.close()
        if report is not None and report.saved:
            messages.success(request, _("The census list was updated."))
    if form.errors or (report is not None and not report.saved):
        status = 400
    context = {
        "cycle": cycle,
        "form": form,
        "report": report,
        "errors_shown": report.errors[:CENSUS_ERRORS_SHOWN] if report else [],
        "census_size": census.census_size(cycle),
    }
    return render(request, "voting/manage/census_upload.html", context, status=status)


# --- Reconciling paper records -----------------------------------------------------------


def _titles(cycle: Cycle, records: list[PaperRecord]) -> dict[int, str]:
    """Titles of the proposals named in these records' entries (one query)."""
    ids: set[int] = set()
    for record in records:
        for entry in record.entries.all():
            content = entry.content or {}
            for ballot in content.get("ballots", []):
                ids.update(int(choice[0]) for choice in ballot)
            ids.update(int(pk) for pk in content.get("votes", {}))
    return dict(Proposal.objects.filter(cycle=cycle, pk__in=ids).values_list("pk", "title"))


def _side(content: dict[str, Any], titles: dict[int, str], other: dict[str, Any] | None) -> dict[str, Any]:
    """One entry as rows to show, each marked when the other entry differs there."""
    other = other or {}
    rows: list[dict[str, Any]] = []
    if "ballots" in content:
        theirs = [tuple(map(tuple, b)) for b in other.get("ballots", [])]
        remaining = list(theirs)
        for ballot in content["ballots"]:
            key = tuple(map(tuple, ballot))
            matched = key in remaining
            if matched:
                remaining.remove(key)
            rows.append(
                {
                    "label": "; ".join(
                        titles.get(int(pk), f"#{pk}") + (f" ({value})" if value != 1 else "") for pk, value in ballot
                    ),
                    "differs": not matched,
                }
            )
        counts = [(_("Blank ballots"), "blank"), (_("Void ballots"), "void")]
    else:
        counts = [(_("Ballots in the box"), "in_box"), (_("Blank"), "blank"), (_("Void"), "void")]
        for pk, votes in content.get("votes", {}).items():
            rows.append(
                {
                    "label": f"{titles.get(int(pk), f'#{pk}')}: {votes}",
                    "differs": other.get("votes", {}).get(pk) != votes,
                }
            )
    numbers = [
        {"label": label, "value": content.get(key, 0), "differs": other.get(key) != content.get(key)}
        for label, key in counts
    ]
    officers = content.get("officers")
    return {
        "rows": rows,
        "numbers": numbers,
        "officers": ", ".join(officers) if officers else "",
        "officers_differ": officers is not None and officers != other.get("officers"),
    }


def _reconcile_items(
    cycle: Cycle, records: list[PaperRecord], forms_: dict[int, ReconcileForm] | None = None
) -> list[dict[str, Any]]:
    titles = _titles(cycle, records)
    items = []
    for record in records:
        entries = list(record.entries.all())
        sides = []
        for index, entry in enumerate(entries):
            other = entries[1 - index].content if len(entries) == 2 else None
            sides.append({"entry": entry, **_side(entry.content or {}, titles, other)})
        form = (forms_ or {}).get(record.pk) or ReconcileForm(record=record)
        items.append({"record": record, "sides": sides, "form": form})
    return items


@management_required
@require_http_methods(["GET"])
def reconcile_list(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    cycle = _cycle(request, cycle_pk)
    records = paper.mismatches(cycle.pk)
    return render(request, "voting/manage/reconcile.html", {"cycle": cycle, "items": _reconcile_items(cycle, records)})


@management_required
@require_POST
def reconcile(request: HttpRequest, pk: int) -> HttpResponse:
    """Settle one mismatching record with the entry that matches the paper and a reason."""
    user = signed_in_user(request)
    record = get_object_or_404(PaperRecord.objects.select_related("station__cycle"), pk=pk)
    cycle = _cycle(request, record.station.cycle_id)
    form = ReconcileForm(request.POST, record=record)
    if form.is_valid():
        try:
            paper.paper_reconcile(
                actor=user,
                record=record,
                entry=form.cleaned_data["entry"],
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(record)s was reconciled; its ballots count now.") % {"record": str(record)},
            )
            return redirect("voting-manage:reconcile-list", cycle_pk=cycle.pk)
    records = paper.mismatches(cycle.pk)
    if record.pk not in {r.pk for r in records}:
        messages.error(request, _("Only records whose two entries differ are reconciled."))
        return redirect("voting-manage:reconcile-list", cycle_pk=cycle.pk)
    context = {"cycle": cycle, "items": _reconcile_items(cycle, records, {record.pk: form})}
    return render(request, "voting/manage/reconcile.html", context, status=400)
