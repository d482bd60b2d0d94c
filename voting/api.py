"""The JSON API of voting: a ballot for the signed-in person, and casting it.

Used by station tablets, apps and the load test (docs/api-voting.md). Plain
Django views: the session cookie authenticates, Django's CSRF middleware
checks the ``X-CSRFToken`` header on every POST (the token comes with the
ballot, ``GET .../papeleta/``). The views check the shape of what arrives
and map ``voting.errors`` refusals to their HTTP status; eligibility and
every rule of the ballot are the services' (``voting.eligibility``,
``voting.services``).

Casting is the hot path: it costs the session and user lookups, the
cycle, the eligibility checks, the territory and the services' own
queries, nothing more (``tests/voting/test_api.py`` counts them).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cycles.models import Cycle
from voting.ballots import Choice
from voting.eligibility import online_voter
from voting.errors import VotingRefused
from voting.models import Channel, VoterRollEntry
from voting.services import ballot_cast, cached_context, cached_cycle, cached_titles, cached_unit

MAX_BODY_BYTES = 16 * 1024
MAX_CHOICES = 100
SUBMISSION_ID = re.compile(r"^[A-Za-z0-9_-]{32,64}$")  # as voting.services.check_submission
_FIELDS = {"submission_id", "choices"}
_CHOICE_FIELDS = {"proposal", "value"}

View = Callable[..., HttpResponse]


# What django.utils.cache.add_never_cache_headers writes, without working it out on
# every cast (and without Expires, which Cache-Control overrides).
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"


def _json(data: dict[str, Any], status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = NEVER_CACHE  # receipts and ballots are one person's
    return response


def _problem(status: int, code: str, message: str) -> JsonResponse:
    return _json({"error": code, "message": str(message)}, status=status)


def _language(request: HttpRequest) -> str:
    """The URL's language prefix (/en/...) if any, else the client's Accept-Language.

    Unprefixed URLs are Spanish for pages (i18n_patterns); an API client says
    what it reads in its Accept-Language header instead."""
    from_path = translation.get_language_from_path(request.path_info)
    return from_path or translation.get_language_from_request(request)


def api_view(method: str) -> Callable[[View], View]:
    """JSON in every case: 405 for another method, 401 when not signed in, the request's
    language for every message, and ``VotingRefused`` answered with its status."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            language = _language(request)
            with translation.override(language):
                if request.method != method:
                    response: HttpResponse = _problem(
                        405,
                        "method_not_allowed",
                        _("This address accepts %(method)s requests only.") % {"method": method},
                    )
                    response["Allow"] = method
                elif not request.user.is_authenticated:
                    response = _problem(401, "not_signed_in", _("Sign in to vote: this address needs your session."))
                else:
                    try:
                        response = view(request, *args, **kwargs)
                    except VotingRefused as refusal:
                        response = _problem(refusal.status, refusal.code, refusal.message)
            response["Content-Language"] = language
            return response

        return wrapper

    return decorate


def _published_cycle(cycle_pk: int) -> Cycle | None:
    return cached_cycle(cycle_pk)


def _not_found() -> JsonResponse:
    return _problem(404, "not_found", _("There is no published cycle with this number."))


# --- The ballot --------------------------------------------------------------------


def _shuffled(items: list[Any], *, cycle_pk: int, user_pk: int) -> list[Any]:
    """The same order for one person every time, a different one for each person
    (against position bias; not a secret, so a plain seeded shuffle)."""
    seed = hashlib.sha256(f"ballot-order:{cycle_pk}:{user_pk}".encode()).digest()
    shuffled = list(items)
    random.Random(seed).shuffle(shuffled)  # an order, not a secret
    return shuffled


@api_view("GET")
def ballot(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    """The signed-in person's ballot in a cycle, with the CSRF token to cast it."""
    now = timezone.now()
    cycle = _published_cycle(cycle_pk)
    if cycle is None or not cycle.is_published:
        return _not_found()
    voter = online_voter(request.user, cycle, now)  # type: ignore[arg-type]
    unit = cached_unit(cycle, voter.unit_id)
    context = cached_context(cycle, unit)
    rules = context.rules
    titles = cached_titles(context)
    proposals = [{"id": pk, "title": titles[pk], "cost": context.costs[pk]} for pk in sorted(context.costs)]
    return _json(
        {
            "csrf_token": get_token(request),
            "cycle": {"id": cycle.pk, "title": cycle.title},
            "territory": {"id": unit.pk, "name": unit.name},
            "open": context.vote_open(now),
            "rules": {
                "kind": str(rules.kind),
                "min_selections": rules.least,
                "max_selections": rules.most,
                "envelope": rules.envelope,
                "wallet_amount": rules.wallet_amount,
                "wallet_block": rules.wallet_block,
                "replaceable": context.replaceable,
            },
            "proposals": _shuffled(proposals, cycle_pk=cycle.pk, user_pk=voter.user_id or 0),
            "voted": VoterRollEntry.objects.filter(cycle_id=cycle.pk, voter_key=voter.key).exists(),
        }
    )


# --- Casting -----------------------------------------------------------------------


class BadRequest(Exception):
    """What arrived is not a ballot request: a 4xx with a sentence naming the field."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _read_body(request: HttpRequest) -> bytes:
    if request.content_type != "application/json":
        raise BadRequest(415, "unsupported_media_type", _("Send the ballot as JSON (Content-Type: application/json)."))
    too_big = BadRequest(
        413, "too_large", _("The request is larger than %(size)d KiB.") % {"size": MAX_BODY_BYTES // 1024}
    )
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        raise too_big
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        raise too_big
    return body


def _parse_cast(body: bytes) -> tuple[str, list[Choice]]:
    """``(submission_id, choices)`` from the body, or ``BadRequest`` naming what is wrong."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadRequest(400, "malformed_json", _("The body is not valid JSON.")) from error
    if not isinstance(data, dict):
        raise BadRequest(400, "bad_shape", _("The body must be a JSON object with submission_id and choices."))
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise BadRequest(400, "unknown_field", _("Unknown field: %(field)s.") % {"field": unknown[0]})
    for field in ("submission_id", "choices"):
        if field not in data:
            raise BadRequest(400, "missing_field", _("The field %(field)s is missing.") % {"field": field})
    submission = data["submission_id"]
    if not isinstance(submission, str) or not SUBMISSION_ID.match(submission):
        raise BadRequest(
            400,
            "bad_submission_id",
            _("submission_id must be 32 to 64 letters, digits, '-' or '_' (a random UUID is fine)."),
        )
    raw = data["choices"]
    if not isinstance(raw, list):
        raise BadRequest(400, "bad_choices", _("choices must be a list of {proposal, value} objects."))
    if len(raw) > MAX_CHOICES:
        raise BadRequest(400, "bad_choices", _("choices may hold at most %(count)d items.") % {"count": MAX_CHOICES})
    choices = []
    for index, item in enumerate(raw):
        where = f"choices[{index}]"
        if not isinstance(item, dict):
            raise BadRequest(400, "bad_choices", _("%(field)s must be an object.") % {"field": where})
        extra = sorted(set(item) - _CHOICE_FIELDS)
        if extra:
            raise BadRequest(400, "unknown_field", _("Unknown field: %(field)s.") % {"field": f"{where}.{extra[0]}"})
        if "proposal" not in item:
            raise BadRequest(
                400, "missing_field", _("The field %(field)s is missing.") % {"field": f"{where}.proposal"}
            )
        value = item.get("value", 1)
        for name, given in (("proposal", item["proposal"]), ("value", value)):
            if not _is_int(given):
                raise BadRequest(400, "bad_type", _("%(field)s must be a whole number.") % {"field": f"{where}.{name}"})
        choices.append(Choice(proposal=item["proposal"], value=value))
    return submission, choices


def _choices_json(choices: tuple[Choice, ...]) -> list[dict[str, int]]:
    return [{"proposal": choice.proposal, "value": choice.value} for choice in choices]


@api_view("POST")
def cast(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    """Cast the signed-in person's ballot; a retry of the same ``submission_id`` gets the
    first receipt again (200, ``repeated``) instead of a second ballot."""
    try:
        submission, choices = _parse_cast(_read_body(request))
    except BadRequest as bad:
        return _problem(bad.status, bad.code, bad.message)
    now = timezone.now()
    cycle = _published_cycle(cycle_pk)
    if cycle is None or not cycle.is_published:
        return _not_found()
    voter = online_voter(request.user, cycle, now)  # type: ignore[arg-type]
    unit = cached_unit(cycle, voter.unit_id)
    receipt = ballot_cast(
        cycle=cycle,
        unit=unit,
        voter=voter,
        choices=choices,
        submission=submission,
        channel=Channel.ONLINE,
        now=now,
    )
    return _json(
        {"receipt": receipt.code, "choices": _choices_json(receipt.choices), "repeated": receipt.repeated},
        status=200 if receipt.repeated else 201,
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A CSRF refusal as JSON for this API, Django's page for everything else
    (for ``CSRF_FAILURE_VIEW``; the settings module does not name it yet)."""
    from django.views.csrf import csrf_failure as page

    match = getattr(request, "resolver_match", None)
    if match is not None and match.namespace == "voting-api":
        with translation.override(_language(request)):
            response = _problem(
                403,
                "csrf",
                _("Send the CSRF token of your ballot in the X-CSRFToken header, with the session's cookies."),
            )
        return response
    return page(request, reason=reason)
