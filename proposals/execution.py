"""Execution follow-up of funded projects. (Being written: helper P4.)"""

from __future__ import annotations

from typing import Any

from proposals.models import Proposal


def execution_context(*, proposal: Proposal) -> dict[str, Any]:
    """What templates/proposals/_execution.html needs, for the proposal page."""
    return {}
