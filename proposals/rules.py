"""Who may act on proposals besides their authors (django-rules).

Objects: the proposal, except ``remark_execution`` and ``update_execution``,
which also take the proposal. Reviewers, monitors and managers act only in
the municipality of the proposal's cycle (for a department's cycle: the
municipality of the proposal's territory).
"""

from __future__ import annotations

from typing import Any

import rules

from cycles.rules import may_run
from nodes.models import Membership, Role
from nodes.rules import is_secretariat
from proposals.models import Proposal


def _municipality_code(proposal: Any) -> str | None:
    if not isinstance(proposal, Proposal):
        return None
    return proposal.cycle.municipality_id or proposal.unit.municipality_id


def _holds(role: str) -> Any:
    def predicate(user: Any, proposal: Any) -> bool:
        code = _municipality_code(proposal)
        if user is None or not user.is_authenticated or code is None:
            return False
        return Membership.objects.active().filter(user_id=user.pk, role=role, municipality_id=code).exists()

    predicate.__name__ = f"holds_{role}"
    return rules.predicate(predicate)


@rules.predicate
def runs_the_cycle(user: Any, proposal: Any) -> bool:
    return isinstance(proposal, Proposal) and may_run.test(user, proposal.cycle)


is_reviewer = _holds(Role.REVIEWER)
is_monitor = _holds(Role.MONITOR)

rules.add_perm("proposals.review_proposal", is_secretariat | is_reviewer)
rules.add_perm("proposals.merge_proposal", is_secretariat | is_reviewer)
rules.add_perm("proposals.moderate_comment", is_secretariat | runs_the_cycle)
rules.add_perm("proposals.update_execution", is_secretariat | runs_the_cycle)
rules.add_perm("proposals.remark_execution", is_monitor)
