"""Refusals of the voting services: a code, a sentence in the user's language,
and the HTTP status the API answers with."""

from __future__ import annotations

from django.utils.translation import gettext as _

from cycles.guards import pesos
from voting.ballots import BallotProblem


class VotingRefused(Exception):
    """Base of every refusal; ``status`` is what the JSON API answers."""

    status = 400

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


class NotEligible(VotingRefused):
    """The person may not vote in this cycle (or not this way); the message says what to do."""

    status = 403


class NeedsTerritory(VotingRefused):
    """The person must first say which territory they vote in."""

    status = 409


class AlreadyVoted(VotingRefused):
    status = 409


class VotingClosed(VotingRefused):
    status = 409


class BadBallot(VotingRefused):
    status = 422

    def __init__(self, problem: BallotProblem) -> None:
        super().__init__(problem_message(problem), problem.code)
        self.problem = problem


class BadReceipt(VotingRefused):
    status = 404


class TooManyAttempts(VotingRefused):
    status = 429


class BadSubmission(VotingRefused):
    """The submission id is missing or too short to keep the receipt secret."""

    status = 400


def problem_message(problem: BallotProblem) -> str:
    params = problem.params
    if problem.code == "empty":
        return _("Choose at least %(count)d proposal before casting your ballot.") % {"count": params.get("least", 1)}
    if problem.code == "duplicate":
        return _("Each proposal can appear only once on the ballot.")
    if problem.code == "not_on_ballot":
        return _("One of the proposals chosen is not on your ballot: vote only for the proposals listed.")
    if problem.code == "bad_value":
        return _("Mark each proposal you choose once, without numbers.")
    if problem.code == "bad_rank":
        return _("Number your choices 1, 2, 3… without repeating or skipping a number.")
    if problem.code == "bad_block":
        return _("Give each proposal whole blocks of %(block)s.") % {"block": pesos(params.get("block", 1))}
    if problem.code == "too_few":
        return _("Choose at least %(count)d proposals.") % {"count": params.get("least", 1)}
    if problem.code == "too_many":
        return _("Choose at most %(count)d proposals.") % {"count": params.get("most", 1)}
    if problem.code == "over_envelope":
        return _("Your choices cost %(total)s, more than the %(envelope)s of your territory: remove one.") % {
            "total": pesos(params.get("total", 0)),
            "envelope": pesos(params.get("envelope", 0)),
        }
    if problem.code == "over_wallet":
        return _("You gave %(spent)s, more than the %(wallet)s you have: give less to one proposal.") % {
            "spent": pesos(params.get("spent", 0)),
            "wallet": pesos(params.get("wallet", 0)),
        }
    return _("This ballot is not valid.")
