"""Feasibility review and merging duplicates (proposals.review): each success and
each refusal, nothing half-saved, one audit entry per act, the authors' e-mails
queued once after commit, and who may act (every role × a proposal of their own
municipality, Pasto 52001, vs one of another, Barrancabermeja 68081)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import AuditEntry
from proposals import review
from proposals.models import MAX_COST, Follower, Proposal, Review, StateChange, Status, Support, Verdict
from proposals.services import proposal_submit
from tests.cycles.factories import make_cycle
from tests.factories import UserFactory
from tests.nodes import conftest as nodes_conftest
from tests.nodes.conftest import ACTOR_ROLES, Scene, make_actor
from tests.proposals.factories import citizen, proposal_in, unit_of

pytestmark = pytest.mark.django_db

scene = nodes_conftest.scene  # the two-sided scene of the network tests, as a fixture here


def review_cycle(place="52001"):
    """A published Medellín cycle whose feasibility phase (``review``) runs today."""
    return make_cycle(place, methodology="medellin", published=True, start=timezone.localdate() - timedelta(days=65))


def in_review(cycle, **fields) -> Proposal:
    return proposal_in(cycle, status=Status.IN_REVIEW, **fields)


@pytest.fixture
def cycle(scene):
    return review_cycle(scene.own_municipality)


@pytest.fixture
def reviewer(scene):
    return make_actor("reviewer", scene)


@pytest.fixture
def notified(monkeypatch):
    """The proposal ids whose authors were told, in order."""
    calls: list[int] = []
    monkeypatch.setattr(review, "notify_state_change", lambda *, proposal_id: calls.append(proposal_id))
    return calls


def record(actor, proposal, verdict=Verdict.VIABLE, reasons="Cabe en el plan y en el techo.", **extra):
    return review.review_record(
        actor=actor, proposal=proposal, verdict=verdict, reasons=reasons, now=timezone.now(), **extra
    )


def nothing_reviewed(proposal: Proposal) -> None:
    proposal.refresh_from_db()
    assert proposal.status == Status.IN_REVIEW and proposal.adjusted_cost is None
    assert not Review.objects.filter(proposal=proposal).exists()
    assert not StateChange.objects.filter(proposal=proposal).exists()
    assert not AuditEntry.objects.filter(action="proposals.proposal_reviewed").exists()


# --- Feasibility review ----------------------------------------------------------------


def test_a_reviewer_declares_a_proposal_viable_with_an_adjusted_cost(cycle, reviewer):
    proposal = in_review(cycle, estimated_cost=90_000_000)
    result = record(
        reviewer,
        proposal,
        adjusted_cost=120_000_000,
        responsible_office="Secretaría de Infraestructura",
        bpin="2027 5200 10001",
    )
    proposal.refresh_from_db()
    assert proposal.status == Status.VIABLE
    assert proposal.adjusted_cost == 120_000_000 and proposal.estimated_cost == 90_000_000
    assert (result.verdict, result.reviewer, result.bpin) == (Verdict.VIABLE, reviewer, "2027520010001")
    assert result.responsible_office == "Secretaría de Infraestructura"
    change = StateChange.objects.get(proposal=proposal)
    assert (change.from_status, change.to_status, change.actor) == (Status.IN_REVIEW, Status.VIABLE, reviewer)
    assert change.note == "Cabe en el plan y en el techo."


def test_a_viable_verdict_without_a_cost_keeps_the_estimate(cycle, reviewer):
    proposal = in_review(cycle, estimated_cost=90_000_000)
    record(reviewer, proposal)
    proposal.refresh_from_db()
    assert proposal.status == Status.VIABLE and proposal.adjusted_cost is None and proposal.cost == 90_000_000


def test_a_not_viable_verdict_does_not_touch_the_cost(cycle, reviewer):
    proposal = in_review(cycle)
    record(reviewer, proposal, verdict=Verdict.NOT_VIABLE, reasons="El predio es privado.", adjusted_cost=5)
    proposal.refresh_from_db()
    assert proposal.status == Status.NOT_VIABLE and proposal.adjusted_cost is None


def test_needs_changes_goes_back_to_review_when_the_author_resubmits_and_is_reviewed_again(cycle, reviewer):
    author = citizen()
    proposal = in_review(cycle, author=author)
    record(reviewer, proposal, verdict=Verdict.NEEDS_CHANGES, reasons="Precise la ubicación.")
    proposal.refresh_from_db()
    assert proposal.status == Status.NEEDS_CHANGES
    with pytest.raises(ValidationError) as error:
        record(reviewer, proposal)  # not resubmitted yet
    assert error.value.code == "not_in_review"
    proposal_submit(actor=author, proposal=proposal, now=timezone.now())
    proposal.refresh_from_db()
    assert proposal.status == Status.IN_REVIEW
    record(reviewer, proposal, reasons="Ahora sí.")
    proposal.refresh_from_db()
    assert proposal.status == Status.VIABLE
    assert list(proposal.history.values_list("to_status", flat=True)) == [
        Status.NEEDS_CHANGES,
        Status.IN_REVIEW,
        Status.VIABLE,
    ]
    assert proposal.reviews.count() == 2


def test_each_review_is_audited_with_ids_only(cycle, reviewer):
    proposal = in_review(cycle)
    result = record(reviewer, proposal, responsible_office="Secretaría de Salud")
    entry = AuditEntry.objects.get(action="proposals.proposal_reviewed")
    assert entry.subject == f"proposals.proposal:{proposal.pk}"
    assert entry.actor_id == reviewer.pk
    assert entry.data == {"review": result.pk, "verdict": "viable"}


def test_the_author_is_notified_once_after_commit(cycle, reviewer, notified, django_capture_on_commit_callbacks):
    proposal = in_review(cycle)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        record(reviewer, proposal)
        assert notified == []  # not before the commit
    assert len(callbacks) == 1 and notified == [proposal.pk]


def test_a_refused_review_notifies_nobody(cycle, reviewer, notified, django_capture_on_commit_callbacks):
    proposal = in_review(cycle)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationError):
        record(reviewer, proposal, reasons="")
    assert callbacks == [] and notified == []


def test_review_is_refused_outside_the_review_phase(scene, reviewer):
    during_proposals = make_cycle(scene.own_municipality, published=True)  # started 10 days ago: local planning
    proposal = in_review(during_proposals)
    with pytest.raises(ValidationError) as error:
        record(reviewer, proposal)
    assert error.value.code == "review_closed"
    nothing_reviewed(proposal)


def test_review_is_refused_in_a_cycle_not_published(scene, reviewer):
    draft_cycle = make_cycle(scene.own_municipality, start=timezone.localdate() - timedelta(days=65))
    proposal = in_review(draft_cycle)
    with pytest.raises(ValidationError) as error:
        record(reviewer, proposal)
    assert error.value.code == "review_closed"


@pytest.mark.parametrize(
    "status",
    [Status.SUBMITTED, Status.NEEDS_CHANGES, Status.VIABLE, Status.NOT_VIABLE, Status.WITHDRAWN, Status.SELECTED],
)
def test_only_proposals_in_review_are_reviewed(cycle, reviewer, status):
    proposal = proposal_in(cycle, status=status)
    with pytest.raises(ValidationError) as error:
        record(reviewer, proposal)
    assert error.value.code == "not_in_review"
    proposal.refresh_from_db()
    assert proposal.status == status and not proposal.reviews.exists()


@pytest.mark.parametrize(
    ("extra", "field", "code"),
    [
        ({"reasons": ""}, "reasons", "reasons"),
        ({"reasons": "   \n "}, "reasons", "reasons"),
        ({"verdict": "maybe"}, "verdict", "verdict"),
        ({"adjusted_cost": -1}, "adjusted_cost", "negative_cost"),
        ({"adjusted_cost": MAX_COST + 1}, "adjusted_cost", "absurd_cost"),
        ({"bpin": "BPIN-12ab"}, "bpin", "bpin"),
        ({"bpin": "1234"}, "bpin", "bpin"),
        ({"bpin": "１２３４５６７８９"}, "bpin", "bpin"),  # full-width digits are not ASCII digits
        ({"responsible_office": "x" * 201}, "responsible_office", "office"),
    ],
)
def test_bad_review_input_is_refused_and_nothing_is_saved(cycle, reviewer, extra, field, code):
    proposal = in_review(cycle)
    values = {"verdict": Verdict.VIABLE, "reasons": "Razones.", **extra}
    with pytest.raises(ValidationError) as error:
        review.review_record(actor=reviewer, proposal=proposal, now=timezone.now(), **values)
    assert [e.code for e in error.value.error_dict[field]] == [code]
    nothing_reviewed(proposal)


def test_a_zero_adjusted_cost_is_accepted(cycle, reviewer):
    proposal = in_review(cycle)
    record(reviewer, proposal, adjusted_cost=0)
    proposal.refresh_from_db()
    assert proposal.adjusted_cost == 0


ROLE_SIDES = [(role, side) for role in ACTOR_ROLES for side in ("own", "other")]


@pytest.mark.parametrize(("role", "side"), ROLE_SIDES, ids=[f"{r}-{s}" for r, s in ROLE_SIDES])
def test_who_may_review(scene: Scene, role, side):
    place = scene.own_municipality if side == "own" else scene.other_municipality
    proposal = in_review(review_cycle(place))
    actor = make_actor(role, scene)
    if role == "secretariat" or (role == "reviewer" and side == "own"):
        record(actor, proposal)
        proposal.refresh_from_db()
        assert proposal.status == Status.VIABLE
    else:
        with pytest.raises(PermissionDenied):
            record(actor, proposal)
        nothing_reviewed(proposal)


# --- Merging duplicates ----------------------------------------------------------------


def supported_by(proposal: Proposal, *people) -> Proposal:
    now = timezone.now()
    for person in people:
        Support.objects.create(proposal=proposal, user=person, created_at=now)
    Proposal.objects.filter(pk=proposal.pk).update(support_count=len(people))
    proposal.refresh_from_db()
    return proposal


def merge(actor, duplicates, into, reason="Piden el mismo parque."):
    return review.proposal_merge(actor=actor, duplicates=duplicates, into=into, reason=reason, now=timezone.now())


def nothing_merged(*proposals: Proposal) -> None:
    for proposal in proposals:
        before = proposal.status
        proposal.refresh_from_db()
        assert proposal.status == before and proposal.merged_into_id is None
    assert not StateChange.objects.filter(to_status=Status.MERGED).exists()
    assert not AuditEntry.objects.filter(action="proposals.proposals_merged").exists()


def test_merging_carries_supports_over_without_counting_anyone_twice(cycle, reviewer):
    a, b, c, d = (UserFactory() for _ in range(4))
    target = supported_by(in_review(cycle), a, b)
    first = supported_by(in_review(cycle), b, c)
    second = supported_by(proposal_in(cycle, status=Status.SUBMITTED), c, d)
    result = merge(reviewer, [first, second], target)
    assert result.support_count == 4
    target.refresh_from_db()
    assert target.support_count == 4
    assert set(target.supports.values_list("user_id", flat=True)) == {a.pk, b.pk, c.pk, d.pk}
    for duplicate in (first, second):
        duplicate.refresh_from_db()
        assert duplicate.status == Status.MERGED and duplicate.merged_into_id == target.pk
        change = duplicate.history.get()
        assert (change.to_status, change.note, change.actor) == (Status.MERGED, "Piden el mismo parque.", reviewer)
        assert duplicate.supports.count() == 2  # the duplicate keeps the record of what it gathered
    assert target.status == Status.IN_REVIEW and not target.history.exists()


def test_merging_carries_followers_over_and_the_duplicates_authors_follow_the_target(cycle, reviewer):
    target_author, dup_author, follower, both = (UserFactory() for _ in range(4))
    target = in_review(cycle, author=target_author)
    duplicate = in_review(cycle, author=dup_author)
    Follower.objects.create(proposal=target, user=both)
    Follower.objects.create(proposal=duplicate, user=both)
    Follower.objects.create(proposal=duplicate, user=follower)
    Follower.objects.create(proposal=duplicate, user=target_author)
    merge(reviewer, [duplicate], target)
    assert sorted(target.followers.values_list("user_id", flat=True)) == sorted([both.pk, follower.pk, dup_author.pk])


def test_a_merge_is_audited_once_with_ids_only(cycle, reviewer):
    target, first, second = in_review(cycle), in_review(cycle), in_review(cycle)
    merge(reviewer, [second, first, first], target)
    entry = AuditEntry.objects.get(action="proposals.proposals_merged")
    assert entry.subject == f"proposals.proposal:{target.pk}"
    assert entry.data == {"duplicates": sorted([first.pk, second.pk])}


def test_the_duplicates_authors_are_notified_once_after_commit(
    cycle, reviewer, notified, django_capture_on_commit_callbacks
):
    target, first, second = in_review(cycle), in_review(cycle), in_review(cycle)
    with django_capture_on_commit_callbacks(execute=True):
        merge(reviewer, [first, second], target)
        assert notified == []
    assert sorted(notified) == sorted([first.pk, second.pk])


def test_a_submitted_target_that_reaches_the_threshold_goes_to_review(cycle, reviewer, notified):
    type(cycle).objects.filter(pk=cycle.pk).update(support_threshold=3)
    a, b, c = (UserFactory() for _ in range(3))
    target = supported_by(proposal_in(cycle, status=Status.SUBMITTED), a)
    duplicate = supported_by(proposal_in(cycle, status=Status.SUBMITTED), b, c)
    merge(reviewer, [duplicate], target)
    target.refresh_from_db()
    assert target.support_count == 3 and target.status == Status.IN_REVIEW
    assert target.history.get().to_status == Status.IN_REVIEW


def test_merging_into_itself_is_refused(cycle, reviewer):
    target, other = in_review(cycle), in_review(cycle)
    with pytest.raises(ValidationError) as error:
        merge(reviewer, [other, target], target)
    assert error.value.error_dict["duplicates"][0].code == "merge_into_itself"
    nothing_merged(target, other)


@pytest.mark.parametrize("status", [Status.WITHDRAWN, Status.MERGED, Status.SELECTED, Status.NOT_SELECTED])
def test_a_withdrawn_merged_or_decided_duplicate_is_not_merged(cycle, reviewer, status):
    target, fine = in_review(cycle), in_review(cycle)
    extra = {"merged_into": in_review(cycle)} if status == Status.MERGED else {}
    sealed = proposal_in(cycle, status=status, **extra)
    with pytest.raises(ValidationError) as error:
        merge(reviewer, [fine, sealed], target)
    assert error.value.error_dict["duplicates"][0].code == "not_mergeable"
    fine.refresh_from_db()
    assert fine.status == Status.IN_REVIEW and not target.supports.exists()
    assert not AuditEntry.objects.filter(action="proposals.proposals_merged").exists()


@pytest.mark.parametrize("status", [Status.WITHDRAWN, Status.MERGED])
def test_nothing_is_merged_into_a_withdrawn_or_merged_proposal(cycle, reviewer, status):
    extra = {"merged_into": in_review(cycle)} if status == Status.MERGED else {}
    target = proposal_in(cycle, status=status, **extra)
    duplicate = supported_by(in_review(cycle), UserFactory())
    with pytest.raises(ValidationError) as error:
        merge(reviewer, [duplicate], target)
    assert error.value.code == "target_not_mergeable"
    nothing_merged(duplicate)
    assert not target.supports.exists()


def test_proposals_of_another_territory_or_cycle_are_not_merged(scene, cycle, reviewer):
    target = in_review(cycle, unit=unit_of(cycle, 0))
    neighbour = supported_by(in_review(cycle, unit=unit_of(cycle, 1)), UserFactory())
    other_cycle = review_cycle(scene.own_municipality)
    elsewhere = in_review(other_cycle)
    for duplicate in (neighbour, elsewhere):
        with pytest.raises(ValidationError) as error:
            merge(reviewer, [duplicate], target)
        assert error.value.error_dict["duplicates"][0].code == "other_territory"
    nothing_merged(neighbour, elsewhere)
    assert not target.supports.exists()


def test_a_merge_needs_duplicates_and_a_reason(cycle, reviewer):
    target, duplicate = in_review(cycle), in_review(cycle)
    with pytest.raises(ValidationError) as error:
        merge(reviewer, [], target)
    assert error.value.error_dict["duplicates"][0].code == "no_duplicates"
    with pytest.raises(ValidationError) as error:
        merge(reviewer, [duplicate], target, reason="  ")
    assert error.value.error_dict["reason"][0].code == "reason"
    nothing_merged(target, duplicate)


@pytest.mark.parametrize(("role", "side"), ROLE_SIDES, ids=[f"{r}-{s}" for r, s in ROLE_SIDES])
def test_who_may_merge(scene: Scene, role, side):
    place = scene.own_municipality if side == "own" else scene.other_municipality
    cycle = review_cycle(place)
    target, duplicate = in_review(cycle), supported_by(in_review(cycle), UserFactory())
    actor = make_actor(role, scene)
    if role == "secretariat" or (role == "reviewer" and side == "own"):
        merge(actor, [duplicate], target)
        duplicate.refresh_from_db()
        assert duplicate.status == Status.MERGED
    else:
        with pytest.raises(PermissionDenied):
            merge(actor, [duplicate], target)
        nothing_merged(duplicate)
        assert not target.supports.exists()


# --- Who reviews what ------------------------------------------------------------------


def test_the_review_scope_of_each_role(scene, cycle):
    assert review.review_scope(make_actor("reviewer", scene), cycle) is not None
    assert review.review_scope(make_actor("secretariat", scene), cycle) is not None
    for role in ("coordinator", "manager", "organisation_manager", "station_officer", "monitor", "plain_user"):
        assert review.review_scope(make_actor(role, scene), cycle) is None, role
    other = review_cycle(scene.other_municipality)
    assert review.review_scope(make_actor("reviewer", scene), other) is None
