"""Rows of tests/permission_matrix.py for the proposal URLs of this part: URL name ->
(kwargs or a function making them, {role: expected}); see that module for the cell values.

Nobody in that matrix holds a role: "staff_mfa" passes the management gate and is
then refused by the object's permission (403). Role × own/other municipality cells
are in tests/proposals/test_manage_views.py.
"""

MANAGE = {"anonymous": "login", "user": 403, "citizen": 403, "staff": "mfa", "staff_mfa": 403}


def a_cycle():
    from tests.cycles.factories import make_cycle

    return {"cycle_pk": make_cycle().pk}


def a_proposal():
    from proposals.models import Status
    from tests.cycles.factories import make_cycle
    from tests.proposals.factories import proposal_in

    return {"pk": proposal_in(make_cycle(), status=Status.IN_REVIEW).pk}


ROWS: dict = {
    "proposals-manage:review-queue": (a_cycle, MANAGE),
    "proposals-manage:review": (a_proposal, MANAGE),
    "proposals-manage:merge": (a_proposal, MANAGE),
    "proposals-manage:paper-create": (a_cycle, MANAGE),
}
