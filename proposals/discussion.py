"""Comments, flags, hiding with a public reason, following, and what the
proposal page shows of them. (Being written: helper P3.)"""

from __future__ import annotations

from typing import Any

from accounts.models import User
from proposals.models import Proposal


def discussion_context(*, proposal: Proposal, viewer: User | Any) -> dict[str, Any]:
    """What templates/proposals/_discussion.html needs, for the proposal page."""
    return {}
