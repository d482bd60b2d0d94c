"""Rows of tests/permission_matrix.py for the proposal URLs of this part: URL name ->
(kwargs or a function making them, {role: expected}); see that module for the cell values.

The execution pages of a published cycle, a followed project and its photos answer
200 to everybody. Posting updates and remarks is for role holders: nobody in that
matrix holds a role, so "staff_mfa" passes the management gate and is refused by the
project's permission (403), except on the POST-only start, where ``require_POST``
sits right behind the gate and a GET is 405. Role × own/other municipality cells are
in tests/proposals/test_execution_views.py. Imports happen inside the functions: this
module is read before Django is set up.
"""

EVERYBODY = dict.fromkeys(["anonymous", "user", "citizen", "staff", "staff_mfa"], 200)
MANAGE = {"anonymous": "login", "user": 403, "citizen": 403, "staff": "mfa", "staff_mfa": 403}
POST_ONLY = {**MANAGE, "staff_mfa": 405}


def _followed_project():
    from django.utils import timezone

    from proposals.models import Execution, Status
    from tests.cycles.factories import make_cycle
    from tests.proposals.factories import proposal_in

    proposal = proposal_in(make_cycle(published=True), status=Status.SELECTED)
    return Execution.objects.create(proposal=proposal, updated_at=timezone.now())


def _an_update(*, with_photo: bool):
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from proposals.models import ExecutionUpdate
    from tests.nodes.test_activities import jpeg_with_exif

    execution = _followed_project()
    update = ExecutionUpdate(
        execution=execution,
        happened_on=timezone.localdate(),
        text="Obra contratada",
        status="contracted",
        progress=10,
        created_at=timezone.now(),
    )
    if with_photo:
        update.photo.save("photo.jpg", ContentFile(jpeg_with_exif()), save=False)
    update.save()
    return update


def a_published_cycle():
    from tests.cycles.factories import make_cycle

    return {"cycle_pk": make_cycle(published=True).pk}


def a_followed_project():
    return {"pk": _followed_project().proposal_id}


def a_selected_proposal():
    from proposals.models import Status
    from tests.cycles.factories import make_cycle
    from tests.proposals.factories import proposal_in

    return {"pk": proposal_in(make_cycle(published=True), status=Status.SELECTED).pk}


def an_update():
    return {"pk": _an_update(with_photo=False).pk}


def an_update_with_a_photo():
    return {"pk": _an_update(with_photo=True).pk}


ROWS: dict = {
    "execution:cycle-execution": (a_published_cycle, EVERYBODY),
    "execution:project": (a_followed_project, EVERYBODY),
    "execution:update-photo": (an_update_with_a_photo, EVERYBODY),
    "execution:update-create": (a_followed_project, MANAGE),
    "execution:execution-start": (a_selected_proposal, POST_ONLY),
    "execution:remark-create": (an_update, MANAGE),
}
