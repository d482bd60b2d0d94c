"""E-mails to a proposal's author and followers. (Being written: helper P3.)"""

from __future__ import annotations


def notify_state_change(*, proposal_id: int) -> None:
    """E-mail the author and followers that the proposal's state changed (call after commit)."""
