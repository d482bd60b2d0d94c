"""Rows of tests/permission_matrix.py for the proposal URLs of this part: URL name ->
(kwargs or a function making them, {role: expected}); see that module for the cell values.

Public pages of a published cycle answer 200 to everybody (drafts, someone else's
draft and ineligible people are covered in tests/proposals/test_citizen_views.py).
The matrix's people are never the author: changing the proposal is refused (403).
Proposing answers 200 to every signed-in person: the form, or why they cannot yet.
"""

EVERYBODY = dict.fromkeys(["anonymous", "user", "citizen", "staff", "staff_mfa"], 200)
SIGNED_IN = {"anonymous": "login", **dict.fromkeys(["user", "citizen", "staff", "staff_mfa"], 200)}
NOT_THE_AUTHOR = {"anonymous": "login", **dict.fromkeys(["user", "citizen", "staff", "staff_mfa"], 403)}
POST_ONLY = dict.fromkeys(["anonymous", "user", "citizen", "staff", "staff_mfa"], 405)
POST_ONLY_SIGNED_IN = {"anonymous": "login", **dict.fromkeys(["user", "citizen", "staff", "staff_mfa"], 405)}


def _open_cycle():
    """A published cycle of Pasto (52001) with proposals open now."""
    from datetime import timedelta

    from django.utils import timezone

    from tests.cycles.factories import make_cycle

    return make_cycle("52001", methodology="bogota", published=True, start=timezone.localdate() - timedelta(days=5))


def _someones_proposal():
    from tests.proposals.factories import citizen, proposal_in

    return proposal_in(_open_cycle(), author=citizen(), latitude=1.2136, longitude=-77.2811)


def a_cycle():
    cycle = _open_cycle()
    from tests.proposals.factories import proposal_in

    proposal_in(cycle, latitude=1.2136, longitude=-77.2811)
    return {"cycle_pk": cycle.pk}


def a_proposal():
    return {"pk": _someones_proposal().pk}


def an_attachment():
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from proposals.services import proposal_attach
    from tests.nodes.test_activities import minimal_pdf

    proposal = _someones_proposal()
    upload = SimpleUploadedFile("estudio.pdf", minimal_pdf(), content_type="application/pdf")
    return {"pk": proposal_attach(actor=proposal.author, proposal=proposal, upload=upload, now=timezone.now()).pk}


ROWS: dict = {
    "proposals:proposal-list": (a_cycle, EVERYBODY),
    "proposals:proposal-map": (a_cycle, EVERYBODY),
    "proposals:proposal-detail": (a_proposal, EVERYBODY),
    "proposals:attachment": (an_attachment, EVERYBODY),
    "proposals:proposal-create": (a_cycle, SIGNED_IN),
    "proposals:proposal-edit": (a_proposal, NOT_THE_AUTHOR),
    "proposals:proposal-submit": (a_proposal, POST_ONLY_SIGNED_IN),
    "proposals:proposal-withdraw": (a_proposal, NOT_THE_AUTHOR),
    "proposals:proposal-support": (a_proposal, POST_ONLY),
    "proposals:my-proposals": ({}, SIGNED_IN),
}
