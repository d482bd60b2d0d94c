"""The polling-station officer's pages, under /mesa/ (namespace ``voting-station``):
my stations, the console (look a person up, mark them in the roll for a paper
ballot or cast an assisted ballot on the tablet) and keying in paper records.

Each view: ``management_required`` (officers hold a membership, so they set up
two-factor authentication), then ``voting.work_station`` on the station (403
otherwise; the services check again). The document number typed in is never
stored or logged, never put in a URL, and not shown again once the person is
marked; the pages answer with ``Cache-Control: no-store``. The receipt of an
assisted ballot is shown once, in the answer to the POST that cast it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import management_required, signed_in_user
from voting import paper, selectors, stations
from voting.errors import VotingRefused
from voting.forms import BallotForm, ballot_rows, rules_sentences
from voting.forms_station import ActaForm, BatchForm, PersonForm, batch_rows, options_for
from voting.models import PaperEntry, PaperRecord, Station
from voting.services import ballot_context, ballot_proposals

GET_POST = require_http_methods(["GET", "POST"])


def _no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


def _station(request: HttpRequest, pk: int) -> Station:
    station = get_object_or_404(
        Station.objects.select_related(
            "cycle__voting", "cycle__municipality", "cycle__department", "unit__territory", "unit__municipality"
        ),
        pk=pk,
    )
    if not signed_in_user(request).has_perm("voting.work_station", station):
        raise PermissionDenied(_("You are not an officer of this polling station."))
    return station


@management_required
@require_http_methods(["GET"])
def my_stations(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    rows = list(selectors.stations_for_officer(user.pk))
    return render(request, "voting/station/my_stations.html", {"stations": rows, "now": timezone.now()})


# --- The console ---------------------------------------------------------------------------


def _console(
    request: HttpRequest,
    station: Station,
    form: PersonForm,
    *,
    check: stations.PersonCheck | None = None,
    refusal: str | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    context = {
        "station": station,
        "form": form,
        "check": check,
        "refusal": refusal,
        "open_now": station.opens_at <= now < station.closes_at,
    }
    return _no_store(render(request, "voting/station/console.html", context, status=status))


def _fresh(station: Station, form: PersonForm) -> PersonForm:
    """An empty form for the next person (the number just typed is not echoed back)."""
    return PersonForm(station=station, initial=form.cleared())


@management_required
@GET_POST
def console(request: HttpRequest, station_pk: int) -> HttpResponse:
    """Look a person up (``action=check``), then mark them for paper (``mark``) or open
    the assisted ballot (``assisted``)."""
    officer = signed_in_user(request)
    station = _station(request, station_pk)
    if request.method == "GET":
        return _console(request, station, PersonForm(station=station))
    form = PersonForm(request.POST, station=station)
    action = request.POST.get("action", "check")
    if not form.is_valid():
        return _console(request, station, form, status=400)
    person = form.to_person()
    now = timezone.now()
    if action == "mark":
        try:
            stations.roll_mark(officer=officer, station=station, person=person, now=now)
        except VotingRefused as refused:
            return _console(request, station, _fresh(station, form), refusal=refused.message, status=refused.status)
        messages.success(request, _("The person is marked in the roll: give them a paper ballot."))
        return redirect("voting-station:console", station_pk=station.pk)
    check = stations.person_check(officer=officer, station=station, person=person, now=now)
    if action == "assisted" and check.may_vote:
        kind = ballot_context(station.cycle, station.unit).rules.kind
        ballot = BallotForm(initial={"submission": BallotForm.new_submission()}, kind=kind)
        return _assisted_page(request, station, form, ballot)
    return _console(request, station, form, check=check)


def _assisted_page(
    request: HttpRequest, station: Station, person_form: PersonForm, form: BallotForm, *, status: int = 200
) -> HttpResponse:
    context_ = ballot_context(station.cycle, station.unit)
    proposals = ballot_proposals(station.cycle, station.unit)
    choices = form.cleaned_data.get("choices", []) if form.is_bound and hasattr(form, "cleaned_data") else []
    context = {
        "station": station,
        "person_form": person_form,
        "form": form,
        "kind": context_.rules.kind.value,
        "rows": ballot_rows(proposals, context_.costs, context_.rules, choices),
        "options": options_for(context_.rules, len(proposals)),
        "rules": rules_sentences(context_.rules, proposals=len(proposals)),
    }
    return _no_store(render(request, "voting/station/assisted.html", context, status=status))


@management_required
@require_POST
def assisted(request: HttpRequest, station_pk: int) -> HttpResponse:
    """Cast the ballot of a person who asked for help; answer with their receipt code (once)."""
    officer = signed_in_user(request)
    station = _station(request, station_pk)
    person_form = PersonForm(request.POST, station=station)
    if not person_form.is_valid():
        return _console(
            request, station, _fresh(station, person_form), refusal=_("Look the person up again."), status=400
        )
    kind = ballot_context(station.cycle, station.unit).rules.kind
    form = BallotForm(request.POST, kind=kind)
    if not form.is_valid():
        return _assisted_page(request, station, person_form, form, status=400)
    try:
        receipt = stations.assisted_cast(
            officer=officer,
            station=station,
            person=person_form.to_person(),
            choices=form.cleaned_data["choices"],
            submission=form.cleaned_data["submission"],
            now=timezone.now(),
        )
    except VotingRefused as refused:
        if refused.code in {"already_voted", "not_eligible", "station_closed", "closed", "other_territory"}:
            fresh = _fresh(station, person_form)
            return _console(request, station, fresh, refusal=refused.message, status=refused.status)
        form.add_error(None, refused.message)
        return _assisted_page(request, station, person_form, form, status=refused.status)
    proposals = {p.pk: p for p in ballot_proposals(station.cycle, station.unit)}
    chosen = [(proposals.get(choice.proposal), choice.value) for choice in receipt.choices]
    context = {"station": station, "receipt": receipt, "chosen": chosen, "kind": kind.value}
    return _no_store(render(request, "voting/station/assisted_receipt.html", context))


# --- Paper records -------------------------------------------------------------------------


def _record_rows(station: Station, officer_id: int) -> list[dict[str, Any]]:
    """The station's records with their status and whether this officer keyed them (never the content)."""
    records = list(PaperRecord.objects.filter(station=station).order_by("kind", "number"))
    mine = set(
        PaperEntry.objects.filter(record__station=station, officer_id=officer_id).values_list("record_id", flat=True)
    )
    return [{"record": record, "mine": record.pk in mine} for record in records]


def _result_message(status: str) -> tuple[str, str]:
    if status == PaperRecord.Status.WAITING:
        return "info", _("Saved. It waits for a second officer to key it in on their own.")
    if status == PaperRecord.Status.CONFIRMED:
        return "success", _("Both entries match: it is confirmed and counts.")
    return "warning", _("The two entries differ: a manager will compare them with the paper and reconcile them.")


@management_required
@GET_POST
def paper_key(request: HttpRequest, station_pk: int) -> HttpResponse:
    """Key in a batch of paper ballots (a station that sends them) or the tally sheet (counts on site)."""
    officer = signed_in_user(request)
    station = _station(request, station_pk)
    context_ = ballot_context(station.cycle, station.unit)
    proposals = ballot_proposals(station.cycle, station.unit)
    kind = context_.rules.kind
    data = request.POST if request.method == "POST" else None
    action = request.POST.get("action", "save") if data is not None else None
    form: BatchForm | ActaForm = (
        ActaForm(data, proposals=proposals) if station.counts_on_site else BatchForm(data, kind=kind)
    )
    status = 200
    if data is not None and action == "save":
        if form.is_valid():
            try:
                if isinstance(form, ActaForm):
                    content = paper.acta_content(
                        station,
                        in_box=form.cleaned_data["in_box"],
                        blank=form.cleaned_data["blank"],
                        void=form.cleaned_data["void"],
                        votes=form.votes(),
                        officers=form.officer_names(),
                    )
                    record_kind = PaperRecord.Kind.ACTA
                else:
                    content = paper.batch_content(
                        station, form.cleaned_data["ballots"], form.cleaned_data["blank"], form.cleaned_data["void"]
                    )
                    record_kind = PaperRecord.Kind.BATCH
                record = paper.paper_key(
                    officer=officer,
                    station=station,
                    kind=record_kind,
                    number=form.cleaned_data["number"],
                    content=content,
                    now=timezone.now(),
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                level, text = _result_message(record.status)
                getattr(messages, level)(request, f"{record}: {text}")
                return redirect("voting-station:paper-key", station_pk=station.pk)
        status = 400
    rows = 1
    if isinstance(form, BatchForm):
        rows = form.row_count()
        if action == "add":
            rows = min(rows + 1, 200)
        elif action == "remove" and rows > 1:
            rows -= 1
    context = {
        "station": station,
        "form": form,
        "acta": station.counts_on_site,
        "kind": kind.value,
        "rows": batch_rows(data, rows, kind, proposals) if not station.counts_on_site else [],
        "row_count": rows,
        "options": options_for(context_.rules, len(proposals)),
        "rules": rules_sentences(context_.rules, proposals=len(proposals)),
        "records": _record_rows(station, officer.pk),
    }
    return _no_store(render(request, "voting/station/paper_key.html", context, status=status))
