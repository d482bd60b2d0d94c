"""Rows of tests/permission_matrix.py for the conversation URLs (proposals-talk): URL name ->
(kwargs or a function making them, {role: expected}); see that module for the cell values.

tests/permission_matrix.py imports this module, so the cells are written out here.
Commenting and following are POST-only behind the login: a GET is 405 for anybody
signed in. Reporting a comment is open to anybody signed in. Hiding is for the
cycle's team: nobody in that matrix holds a role, so "staff_mfa" passes the
management gate and is refused by ``proposals.moderate_comment`` (403); the role ×
scope cells are in tests/proposals/test_talk_views.py.
"""

SIGNED_IN_POST_ONLY = {"anonymous": "login", "user": 405, "citizen": 405, "staff": 405, "staff_mfa": 405}
SIGNED_IN = {"anonymous": "login", "user": 200, "citizen": 200, "staff": 200, "staff_mfa": 200}
MANAGE = {"anonymous": "login", "user": 403, "citizen": 403, "staff": "mfa", "staff_mfa": 403}


def a_proposal():
    from tests.cycles.factories import make_cycle
    from tests.proposals.factories import proposal_in

    return {"pk": proposal_in(make_cycle(published=True)).pk}


def a_comment():
    from django.utils import timezone

    from proposals.models import Comment
    from tests.cycles.factories import make_cycle
    from tests.proposals.factories import citizen, proposal_in

    proposal = proposal_in(make_cycle(published=True))
    comment = Comment.objects.create(proposal=proposal, author=citizen(), body="Buena idea", created_at=timezone.now())
    return {"pk": comment.pk}


ROWS: dict = {
    "proposals-talk:comment-post": (a_proposal, SIGNED_IN_POST_ONLY),
    "proposals-talk:follow": (a_proposal, SIGNED_IN_POST_ONLY),
    "proposals-talk:comment-flag": (a_comment, SIGNED_IN),
    "proposals-talk:comment-hide": (a_comment, MANAGE),
}
