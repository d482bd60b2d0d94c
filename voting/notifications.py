"""E-mails to voters: the confirmation of a ballot cast or replaced, and one reminder
to people who opened their ballot and have not cast it before the close.

Called after commit with ids (and, for the confirmation, the receipt the voter
was just shown). Each goes to the person's verified address only. The
receipt code is written into the e-mail and nowhere else: never logged, not
even when the mail server fails. E-mail is best effort: the ballot stands.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from cycles.models import Cycle, CycleTerritory
from proposals.models import Proposal
from proposals.notifications import site_url
from voting.ballots import BallotKind, Choice
from voting.forms import chosen_rows

logger = logging.getLogger(__name__)


def verified_address(user_id: int) -> str:
    """The person's verified address (the primary one first), or '' when they have none."""
    address = (
        EmailAddress.objects.filter(user_id=user_id, user__is_active=True, verified=True)
        .order_by("-primary", "pk")
        .values_list("email", flat=True)
        .first()
    )
    return address or ""


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _send(to: str, template: str, context: dict[str, Any], language: str) -> bool:
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = _one_line(render_to_string(f"voting/email/{template}_subject.txt", context))
        body = render_to_string(f"voting/email/{template}.txt", context)
    message = EmailMessage(subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", body=body, to=[to])
    try:
        message.send()
    except Exception:  # the ballot is in the box; the e-mail is best effort (and the code is not logged)
        logger.exception("could not send the %s e-mail of cycle %s", template, context["cycle"].pk)
        return False
    return True


def notify_ballot_cast(
    *,
    user_id: int,
    cycle_id: int,
    unit_id: int,
    code: str,
    choices: Sequence[Choice],
    language: str,
    replaced: bool = False,
) -> None:
    """Confirm a ballot to the voter: the choices (titles), the territory, the receipt and how to check it.

    ``language``: the one the voter was using when they cast it."""
    to = verified_address(user_id)
    cycle = Cycle.objects.select_related("voting").filter(pk=cycle_id).first()
    if not to or cycle is None:
        return
    unit = CycleTerritory.objects.select_related("territory", "municipality").get(pk=unit_id)
    kind = BallotKind(cycle.voting.ballot_type)
    proposals = {p.pk: p for p in Proposal.objects.filter(pk__in=[choice.proposal for choice in choices])}
    with translation.override(language or settings.LANGUAGE_CODE):
        check_url = site_url() + reverse("voting:receipt-check")
        rows = chosen_rows(choices, kind, proposals)
    context = {
        "cycle": cycle,
        "unit": unit,
        "kind": kind,
        "rows": rows,
        "code": code,
        "check_url": check_url,
        "replaced": replaced,
    }
    _send(to, "ballot_cast", context, language)


def notify_ballot_reminder(*, user_id: int, cycle_id: int, closes_at: datetime) -> bool:
    """Remind someone who opened their ballot that the vote closes soon (in the site's language:
    no language is kept per person). True when an e-mail went out."""
    to = verified_address(user_id)
    cycle = Cycle.objects.filter(pk=cycle_id).first()
    if not to or cycle is None:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        ballot_url = site_url() + reverse("voting:ballot", kwargs={"cycle_pk": cycle.pk})
    context = {"cycle": cycle, "closes_at": timezone.localtime(closes_at), "ballot_url": ballot_url}
    return _send(to, "ballot_reminder", context, settings.LANGUAGE_CODE)
