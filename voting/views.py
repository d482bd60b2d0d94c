"""The citizen's online ballot, under /votar/ (namespace ``voting``).

One page per step, server-rendered and usable without JavaScript: the ballot
(htmx only refreshes the basket), the review, the receipt. Each view finds
the voter (``voting.eligibility.online_voter``), calls one service and renders;
a refusal (``voting.errors.VotingRefused``) becomes a readable page with its
message: 200 when someone only looks, the refusal's status on a POST.

The receipt is shown once, in the answer to the POST that cast the ballot:
never in a URL, a session or a log, and with ``Cache-Control: no-store``.
The order of the proposals is the voter's own (``voting.forms.voter_order``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import signed_in_user
from cycles.models import Cycle, CycleStatus, CycleTerritory
from cycles.phases import Capability, next_opening
from proposals import services as proposal_services
from proposals.models import Proposal
from redplypp.forms import add_service_error
from redplypp.ratelimit import client_address, take_slot
from voting import notifications
from voting.ballots import BallotKind, Choice, basket
from voting.eligibility import Voter, already_voted_message, online_voter
from voting.errors import BadBallot, BadReceipt, NeedsTerritory, NotEligible, VotingClosed, VotingRefused
from voting.forms import (
    BallotForm,
    ReceiptForm,
    TerritoryForm,
    ballot_rows,
    chosen_rows,
    hidden_fields,
    read_choices,
    rules_sentences,
    voter_order,
)
from voting.models import Channel, VoterRollEntry
from voting.services import (
    BallotContext,
    Receipt,
    ballot_cast,
    ballot_context,
    ballot_proposals,
    ballot_replace,
    ballot_start,
    ballot_validate,
    receipt_lookup,
)

RECEIPT_CHECKS_PER_MINUTE = 20


def _published_cycle(pk: int) -> Cycle:
    cycle = Cycle.objects.select_related("voting").filter(pk=pk).first()
    if cycle is None or cycle.status != CycleStatus.PUBLISHED:
        raise Http404
    return cycle


def _no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


# --- Who is voting, and where ------------------------------------------------------------


@dataclass(frozen=True)
class Seat:
    """A voter found eligible, their territory and its ballot."""

    voter: Voter
    unit: CycleTerritory
    context: BallotContext

    @property
    def kind(self) -> BallotKind:
        return self.context.rules.kind


def _status(request: HttpRequest, cycle: Cycle, *, message: str, status: int = 200, **extra: Any) -> HttpResponse:
    """A page that says why there is no ballot to fill in here, and where to go."""
    context = {"cycle": cycle, "message": message, **extra}
    return _no_store(render(request, "voting/ballot_status.html", context, status=status))


def _territory_page(
    request: HttpRequest, cycle: Cycle, form: TerritoryForm, message: str, status: int = 200
) -> HttpResponse:
    return render(
        request, "voting/ballot_territory.html", {"cycle": cycle, "form": form, "message": message}, status=status
    )


def _seat(request: HttpRequest, cycle: Cycle, now: datetime) -> Seat | HttpResponse:
    """The voter's seat, or the page saying why they have none (200 on GET, the refusal's status on POST)."""
    looking = request.method == "GET"
    try:
        voter = online_voter(signed_in_user(request), cycle, now)
    except NeedsTerritory as refusal:
        return _territory_page(
            request, cycle, TerritoryForm(cycle=cycle), refusal.message, status=200 if looking else refusal.status
        )
    except NotEligible as refusal:
        return _status(
            request, cycle, message=refusal.message, status=200 if looking else refusal.status, refusal=refusal.code
        )
    unit = CycleTerritory.objects.select_related("territory", "municipality").get(pk=voter.unit_id)
    return Seat(voter=voter, unit=unit, context=ballot_context(cycle, unit))


def _entry(cycle: Cycle, voter: Voter) -> VoterRollEntry | None:
    return VoterRollEntry.objects.filter(cycle=cycle, voter_key=voter.key).first()


def _can_replace(cycle: Cycle, entry: VoterRollEntry | None) -> bool:
    return entry is not None and entry.channel == Channel.ONLINE and cycle.voting.ballot_replaceable


def _already_voted(request: HttpRequest, cycle: Cycle, entry: VoterRollEntry, *, status: int) -> HttpResponse:
    return _status(
        request,
        cycle,
        message=already_voted_message(entry.channel, own=True),
        status=status,
        voted=True,
        can_replace=_can_replace(cycle, entry),
    )


def _closed_message(seat: Seat, now: datetime) -> str:
    windows = list(seat.context.windows)
    upcoming = next_opening(windows, Capability.VOTE, now, seat.unit.pk)
    if seat.context.published and upcoming is not None:
        return _("Voting is not open yet in your territory. It opens on %(day)s.") % {
            "day": date_format(timezone.localtime(upcoming.starts_at), "DATETIME_FORMAT")
        }
    return _("Voting is not open for this territory now. The cycle page says when it is.")


# --- The ballot ------------------------------------------------------------------------------


def _proposals(cycle: Cycle, seat: Seat, user_id: int) -> list[Proposal]:
    return voter_order(ballot_proposals(cycle, seat.unit), cycle_id=cycle.pk, user_id=user_id)


def _basket_context(seat: Seat, choices: Sequence[Choice]) -> dict[str, Any]:
    """The totals beside the ballot and the first rule the choices break, if any."""
    problem = ""
    try:
        ballot_validate(seat.context, choices)
    except BadBallot as refusal:
        problem = "" if refusal.code == "empty" else refusal.message
    return {"basket": basket(seat.context.rules, choices, seat.context.costs), "problem": problem, "kind": seat.kind}


def _ballot_page(
    request: HttpRequest,
    cycle: Cycle,
    seat: Seat,
    *,
    choices: Sequence[Choice] = (),
    submission: str = "",
    error: str = "",
    status: int = 200,
    replacing: bool = False,
    receipt: str = "",
    receipt_error: str = "",
) -> HttpResponse:
    proposals = _proposals(cycle, seat, signed_in_user(request).pk)
    context = {
        "cycle": cycle,
        "unit": seat.unit,
        "rules": seat.context.rules,
        "kind": seat.kind,
        "sentences": rules_sentences(seat.context.rules, proposals=len(proposals)),
        "rows": ballot_rows(proposals, seat.context.costs, seat.context.rules, choices),
        "submission": submission or BallotForm.new_submission(),
        "error": error,
        "replacing": replacing,
        "receipt": receipt,
        "receipt_error": receipt_error,
        "action": _action_url(cycle, replacing),
        **_basket_context(seat, choices),
    }
    return _no_store(render(request, "voting/ballot_form.html", context, status=status))


def _action_url(cycle: Cycle, replacing: bool) -> str:
    name = "voting:ballot-replace" if replacing else "voting:ballot"
    return reverse(name, kwargs={"cycle_pk": cycle.pk})


def _review_page(
    request: HttpRequest, cycle: Cycle, seat: Seat, choices: Sequence[Choice], submission: str, **extra: Any
) -> HttpResponse:
    proposals = {p.pk: p for p in ballot_proposals(cycle, seat.unit)}
    rows = chosen_rows(choices, seat.kind, proposals)
    context = {
        "cycle": cycle,
        "unit": seat.unit,
        "kind": seat.kind,
        "rows": rows,
        "hidden": hidden_fields(choices, seat.kind),
        "submission": submission,
        "action": _action_url(cycle, extra.get("replacing", False)),
        **_basket_context(seat, choices),
        **extra,
    }
    return _no_store(render(request, "voting/ballot_review.html", context))


def _receipt_page(
    request: HttpRequest, cycle: Cycle, seat: Seat, receipt: Receipt, *, replaced: bool = False
) -> HttpResponse:
    proposals = {p.pk: p for p in ballot_proposals(cycle, seat.unit)}
    entry = _entry(cycle, seat.voter)
    context = {
        "cycle": cycle,
        "unit": seat.unit,
        "kind": seat.kind,
        "code": receipt.code,
        "rows": chosen_rows(receipt.choices, seat.kind, proposals),
        "repeated": receipt.repeated,
        "replaced": replaced,
        "can_replace": _can_replace(cycle, entry),
    }
    return _no_store(render(request, "voting/ballot_receipt.html", context))


def _confirm_by_email(request: HttpRequest, cycle: Cycle, seat: Seat, receipt: Receipt, *, replaced: bool) -> None:
    if receipt.repeated:
        return  # the first answer already sent it
    send = partial(
        notifications.notify_ballot_cast,
        user_id=signed_in_user(request).pk,
        cycle_id=cycle.pk,
        unit_id=seat.unit.pk,
        code=receipt.code,
        choices=tuple(receipt.choices),
        language=translation.get_language() or "",
        replaced=replaced,
    )
    transaction.on_commit(send, robust=True)  # the ballot is in the box whatever happens to the e-mail


def _read(request: HttpRequest, seat: Seat) -> tuple[BallotForm, list[Choice], str]:
    """The posted form, its choices (as well as they could be read) and the first shape problem."""
    form = BallotForm(request.POST, kind=seat.kind)
    valid = form.is_valid()
    try:
        choices = read_choices(request.POST, seat.kind)
    except ValidationError:
        choices = []
    problem = "" if valid else " ".join(str(message) for messages in form.errors.values() for message in messages)
    return form, choices, problem


def _submission(form: BallotForm) -> str:
    return str(form.cleaned_data.get("submission", "")) if hasattr(form, "cleaned_data") else ""


@sensitive_post_parameters("submission")  # with the key it gives the receipt: kept out of error reports
@login_required
@require_http_methods(["GET", "POST"])
def ballot(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    """The ballot (GET); POST ``action``: ``review``, ``change`` (back with the choices) or ``cast``."""
    cycle = _published_cycle(cycle_pk)
    now = timezone.now()
    seat = _seat(request, cycle, now)
    if isinstance(seat, HttpResponse):
        return seat
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action != "cast":  # a cast goes to the service, which answers a retry with the first receipt
        entry = _entry(cycle, seat.voter)
        if entry is not None:
            return _already_voted(request, cycle, entry, status=200 if request.method == "GET" else 409)
    if not seat.context.vote_open(now):
        return _status(request, cycle, message=_closed_message(seat, now), status=200 if not action else 409)
    if request.method == "GET":
        ballot_start(cycle=cycle, user_id=signed_in_user(request).pk, now=now)
        return _ballot_page(request, cycle, seat)
    form, choices, problem = _read(request, seat)
    submission = _submission(form)
    if problem:
        return _ballot_page(request, cycle, seat, choices=choices, submission=submission, error=problem, status=422)
    if action == "change":
        return _ballot_page(request, cycle, seat, choices=choices, submission=submission)
    if action == "cast":
        return _cast(request, cycle, seat, choices, submission, now)
    try:
        valid = ballot_validate(seat.context, choices)
    except BadBallot as refusal:
        return _ballot_page(
            request, cycle, seat, choices=choices, submission=submission, error=refusal.message, status=refusal.status
        )
    return _review_page(request, cycle, seat, valid, submission)


def _cast(
    request: HttpRequest, cycle: Cycle, seat: Seat, choices: Sequence[Choice], submission: str, now: datetime
) -> HttpResponse:
    try:
        receipt = ballot_cast(
            cycle=cycle, unit=seat.unit, voter=seat.voter, choices=choices, submission=submission, now=now
        )
    except BadBallot as refusal:
        return _ballot_page(
            request, cycle, seat, choices=choices, submission=submission, error=refusal.message, status=refusal.status
        )
    except VotingRefused as refusal:
        entry = _entry(cycle, seat.voter)
        return _status(
            request,
            cycle,
            message=refusal.message,
            status=refusal.status,
            voted=entry is not None,
            can_replace=_can_replace(cycle, entry),
        )
    _confirm_by_email(request, cycle, seat, receipt, replaced=False)
    return _receipt_page(request, cycle, seat, receipt)


@login_required
@require_POST
def ballot_basket(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    """The basket beside the ballot, for htmx (count, cost, what remains, the first problem)."""
    cycle = _published_cycle(cycle_pk)
    seat = _seat(request, cycle, timezone.now())
    if isinstance(seat, HttpResponse):
        return render(request, "voting/_basket.html", {"problem": _("Your ballot is not available now.")})
    try:
        choices = read_choices(request.POST, seat.kind)
    except ValidationError as error:
        return render(request, "voting/_basket.html", {"problem": " ".join(error.messages), "kind": seat.kind})
    return render(request, "voting/_basket.html", _basket_context(seat, choices))


@login_required
@require_POST
def territory_declare(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    """The voter says which territory they live in, then goes to its ballot."""
    cycle = _published_cycle(cycle_pk)
    form = TerritoryForm(request.POST, cycle=cycle)
    if form.is_valid():
        try:
            proposal_services.participation_declare(
                actor=signed_in_user(request), cycle=cycle, unit=form.cleaned_data["unit"], now=timezone.now()
            )
        except ValidationError as error:
            add_service_error(form, error, {"unit": "unit"})
        except PermissionDenied as error:
            return _status(request, cycle, message=str(error), status=403)
        else:
            return redirect("voting:ballot", cycle_pk=cycle.pk)
    return _territory_page(request, cycle, form, "", status=422)


# --- Replacing --------------------------------------------------------------------------------


@sensitive_post_parameters("submission", "receipt")
@login_required
@require_http_methods(["GET", "POST"])
def ballot_replace_view(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    """A new ballot in place of the online one whose receipt the voter types (where the cycle allows)."""
    cycle = _published_cycle(cycle_pk)
    now = timezone.now()
    seat = _seat(request, cycle, now)
    if isinstance(seat, HttpResponse):
        return seat
    looking = request.method == "GET"
    entry = _entry(cycle, seat.voter)
    if entry is None:
        return _status(
            request, cycle, message=_("You have not voted in this cycle yet."), status=200 if looking else 404
        )
    if not cycle.voting.ballot_replaceable:
        return _status(
            request,
            cycle,
            message=_("In this cycle a ballot cannot be replaced once cast."),
            status=200 if looking else 403,
            voted=True,
        )
    if entry.channel != Channel.ONLINE:
        return _status(
            request,
            cycle,
            message=_("A ballot cast at a polling station cannot be replaced."),
            status=200 if looking else 403,
            voted=True,
        )
    if not seat.context.vote_open(now):
        return _status(request, cycle, message=_closed_message(seat, now), status=200 if looking else 409, voted=True)
    if looking:
        return _ballot_page(request, cycle, seat, replacing=True)
    action = request.POST.get("action", "")
    receipt = request.POST.get("receipt", "")[:64]
    form, choices, problem = _read(request, seat)
    submission = _submission(form)
    page = partial(_ballot_page, request, cycle, seat, choices=choices, submission=submission, replacing=True)
    if problem:
        return page(receipt=receipt, error=problem, status=422)
    if action == "change":
        return page(receipt=receipt)
    try:
        valid = ballot_validate(seat.context, choices)
    except BadBallot as refusal:
        return page(receipt=receipt, error=refusal.message, status=refusal.status)
    if action != "cast":
        return _review_page(request, cycle, seat, valid, submission, replacing=True, receipt=receipt)
    try:
        new = ballot_replace(
            cycle=cycle,
            unit=seat.unit,
            voter=seat.voter,
            receipt=receipt,
            choices=valid,
            submission=submission,
            now=now,
        )
    except BadReceipt as refusal:
        return page(receipt=receipt, receipt_error=refusal.message, status=refusal.status)
    except BadBallot as refusal:
        return page(receipt=receipt, error=refusal.message, status=refusal.status)
    except (NotEligible, VotingClosed) as refusal:
        return _status(request, cycle, message=refusal.message, status=refusal.status, voted=True)
    _confirm_by_email(request, cycle, seat, new, replaced=True)
    return _receipt_page(request, cycle, seat, new, replaced=True)


# --- Checking a receipt ------------------------------------------------------------------------


def _client_id(request: HttpRequest) -> int:
    """A number standing for the client's address, for the rate limit (the address is not kept)."""
    address = client_address(request)
    return int(hashlib.sha256(f"receipt-check\x1f{address}".encode()).hexdigest()[:15], 16)


@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def receipt_check(request: HttpRequest) -> HttpResponse:
    """Anyone types a receipt code and sees whether its ballot is in the box (POST only: no code in URLs)."""
    form = ReceiptForm(request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {"form": form}
    status = 200
    if request.method == "POST":
        if not take_slot(
            "voting-receipt-check", _client_id(request), limit=RECEIPT_CHECKS_PER_MINUTE, window_seconds=60
        ):
            context["limited"] = _("Too many checks from your connection. Wait a minute and try again.")
            return _no_store(render(request, "voting/receipt_check.html", context, status=429))
        if form.is_valid():
            try:
                found = receipt_lookup(form.cleaned_data["code"])
            except BadReceipt as refusal:
                form.add_error("code", refusal.message)
                status = 400 if refusal.code == "format" else refusal.status
            else:
                context.update(_found_context(found))
        else:
            status = 400
    return _no_store(render(request, "voting/receipt_check.html", context, status=status))


def _found_context(found: Any) -> dict[str, Any]:
    cycle = Cycle.objects.select_related("voting").get(pk=found.cycle_id)
    unit = CycleTerritory.objects.select_related("territory", "municipality").get(pk=found.unit_id)
    proposals = Proposal.objects.filter(pk__in=[choice.proposal for choice in found.choices])
    kind = BallotKind(cycle.voting.ballot_type)
    return {
        "found": found,
        "found_cycle": cycle,
        "found_unit": unit,
        "kind": kind,
        "rows": chosen_rows(found.choices, kind, {p.pk: p for p in proposals}),
    }
