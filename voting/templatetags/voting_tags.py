"""``{% ballot_chain cycle %}``: the head of a cycle's ballot chain, for its public page."""

from __future__ import annotations

from typing import Any

from django import template

from cycles.models import Cycle
from voting.models import Ballot, BallotChain

register = template.Library()


@register.inclusion_tag("voting/_chain.html")
def ballot_chain(cycle: Cycle) -> dict[str, Any]:
    """How many ballots are sealed, the head hash, when it was last sealed and how many
    ballots wait to be sealed (they are sealed in batches, see ``voting.services``);
    nothing before the first ballot. Two queries."""
    chain = BallotChain.objects.filter(cycle=cycle).first()
    waiting = Ballot.objects.filter(cycle=cycle, position__isnull=True).count()
    return {"chain": chain, "waiting": waiting, "shown": chain is not None or waiting > 0}
