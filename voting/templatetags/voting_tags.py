"""``{% ballot_chain cycle %}``: the head of a cycle's ballot chain, for its public page."""

from __future__ import annotations

from typing import Any

from django import template

from cycles.models import Cycle
from voting.models import BallotChain

register = template.Library()


@register.inclusion_tag("voting/_chain.html")
def ballot_chain(cycle: Cycle) -> dict[str, Any]:
    """How many ballots are sealed, the head hash and when it was last sealed; nothing
    before the first ballot is sealed. No query when the cycle was read with
    ``select_related("ballot_chain")``, one otherwise."""
    try:
        chain: BallotChain | None = cycle.ballot_chain
    except BallotChain.DoesNotExist:
        chain = None
    return {"chain": chain}
