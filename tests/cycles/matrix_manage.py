"""Rows of tests/permission_matrix.py for the cycles URLs of this part: URL name ->
(kwargs or a function making them, {role: expected}); see that module for the cell values.

tests/permission_matrix.py imports this module, so the cells are written out
here rather than built with its helpers. Nobody in that matrix holds a role:
"staff_mfa" passes the management gate and is then refused by the cycle's
permission (403), except on the POST-only actions, where ``require_POST`` sits
right behind the gate (as in nodes) and a GET is 405. Role × scope cells are
in tests/cycles/test_manage_views.py.
"""

MANAGE = {"anonymous": "login", "user": 403, "citizen": 403, "staff": "mfa", "staff_mfa": 403}
POST_ONLY = {**MANAGE, "staff_mfa": 405}


def a_cycle():
    from tests.cycles.factories import make_cycle

    return {"pk": make_cycle().pk}


def a_phase():
    from tests.cycles.factories import make_cycle

    cycle = make_cycle()
    return {"pk": cycle.pk, "phase_pk": cycle.phases.order_by("starts_at").first().pk}


def a_step():
    return {**a_cycle(), "step": "close_proposals"}


ROWS: dict = {
    "cycles-manage:cycle-list": ({}, MANAGE),
    "cycles-manage:cycle-create": ({}, MANAGE),
    "cycles-manage:cycle-basics": (a_cycle, MANAGE),
    "cycles-manage:cycle-territories": (a_cycle, MANAGE),
    "cycles-manage:cycle-phases": (a_cycle, MANAGE),
    "cycles-manage:phase-edit": (a_phase, MANAGE),
    "cycles-manage:phase-delete": (a_phase, MANAGE),
    "cycles-manage:cycle-voting": (a_cycle, MANAGE),
    "cycles-manage:cycle-review": (a_cycle, MANAGE),
    "cycles-manage:cycle-publish": (a_cycle, POST_ONLY),
    "cycles-manage:cycle-steps": (a_cycle, MANAGE),
    "cycles-manage:cycle-step": (a_step, POST_ONLY),
    "cycles-manage:cycle-clone": (a_cycle, MANAGE),
}
