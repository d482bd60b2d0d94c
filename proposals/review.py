"""Staff acts on proposals: the feasibility review and merging duplicates.

Contract (as in ``proposals.services``): keyword-only arguments, one
transaction, the proposal rows locked (in ascending id order when there are
several, so two merges never deadlock), the actor checked here
(``PermissionDenied``), broken rules raised as ``ValidationError`` with a
translatable message and a ``code``, nothing half-saved, one audit entry per
act (ids and codes only), state changes through ``proposals.services.set_status``
so the public history is kept, and the authors' e-mails queued after commit.

Paper proposals keyed in at assemblies are ``proposals.services.proposal_submit_on_paper``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.audit import audit_record, subject_of
from accounts.models import User
from cycles.guards import invalid, refuse
from cycles.models import Cycle
from cycles.phases import Capability
from cycles.selectors import capability_open
from nodes.models import Membership, Role
from proposals.models import MAX_COST, Follower, Proposal, Review, Status, Support, Verdict
from proposals.notifications import notify_state_change
from proposals.services import send_to_review_if_due, set_status

# A BPIN (Banco de Programas y Proyectos de Inversión Nacional) code is a string of
# digits, 13 or 15 of them as issued today; older and territorial banks vary, so the
# check is loose: digits only once spaces and dashes are removed, 8 to 20 of them.
BPIN_SEPARATORS = re.compile(r"[\s\-.]")
BPIN_DIGITS = re.compile(r"\d{8,20}")

VERDICT_STATUS = {
    Verdict.VIABLE: Status.VIABLE,
    Verdict.NOT_VIABLE: Status.NOT_VIABLE,
    Verdict.NEEDS_CHANGES: Status.NEEDS_CHANGES,
}

# What may be merged, as a duplicate or as the proposal kept: public proposals
# whose fate is not sealed (withdrawn, already merged, or decided by the vote).
MERGEABLE = (Status.SUBMITTED, Status.IN_REVIEW, Status.NEEDS_CHANGES, Status.VIABLE, Status.NOT_VIABLE)


def _locked(pks: Sequence[int]) -> dict[int, Proposal]:
    """The proposals, locked in ascending id order (the fixed order avoids deadlocks)."""
    rows = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("cycle__voting", "cycle__municipality", "cycle__department", "unit")
        .filter(pk__in=pks)
        .order_by("pk")
    )
    return {p.pk: p for p in rows}


def _notify_after_commit(proposal_ids: Sequence[int]) -> None:
    for pk in proposal_ids:
        transaction.on_commit(partial(notify_state_change, proposal_id=pk))


def clean_bpin(value: str) -> str:
    """``value`` without spaces, dashes or dots; raises when it is not a plausible BPIN."""
    bpin = BPIN_SEPARATORS.sub("", value or "")
    if bpin and not (bpin.isascii() and BPIN_DIGITS.fullmatch(bpin)):
        raise invalid("bpin", _("A BPIN code is a number of 8 to 20 digits, e.g. 2027520010001."), "bpin")
    return bpin


# --- Who reviews what ------------------------------------------------------------------


def review_scope(user: User, cycle: Cycle) -> QuerySet[Proposal] | None:
    """The proposals of ``cycle`` that ``user`` reviews: all of them for the secretariat
    and the reviewers of the cycle's municipality; for a department's cycle, those of
    the municipalities where the user is a reviewer. None when the user reviews none."""
    proposals = Proposal.objects.filter(cycle=cycle)
    if not user.is_authenticated:
        return None
    memberships = Membership.objects.active().filter(user_id=user.pk)
    if memberships.filter(role=Role.SECRETARIAT).exists():
        return proposals
    codes = set(memberships.filter(role=Role.REVIEWER).values_list("municipality_id", flat=True))
    if cycle.municipality_id is not None:
        return proposals if cycle.municipality_id in codes else None
    if not codes or not cycle.units.filter(municipality_id__in=codes).exists():
        return None
    return proposals.filter(unit__municipality_id__in=codes)


# --- Feasibility review --------------------------------------------------------------


@transaction.atomic
def review_record(
    *,
    actor: User,
    proposal: Proposal,
    verdict: str,
    reasons: str,
    adjusted_cost: int | None = None,
    responsible_office: str = "",
    bpin: str = "",
    now: datetime,
) -> Review:
    """A reviewer of the municipality (or the secretariat) declares a proposal in review
    viable (with the adjusted cost, when given), not viable, or in need of changes (the
    author edits and resubmits, which sends it back to review), with public reasons,
    while the cycle's ``review`` is open in the proposal's territory.

    Locks the proposal; raises ``PermissionDenied`` for anyone else, ``ValidationError``
    when review is closed, the proposal is not in review, or the input is wrong.
    """
    proposal = _locked([proposal.pk])[proposal.pk]
    if not actor.has_perm("proposals.review_proposal", proposal):
        raise PermissionDenied(_("Only the municipality's reviewers may review this proposal."))
    if not capability_open(proposal.cycle, Capability.REVIEW, now, proposal.unit):
        raise refuse(_("The feasibility review is not open in this territory now."), "review_closed")
    if proposal.status != Status.IN_REVIEW:
        raise refuse(
            _("This proposal is not waiting for review (it is %(status)s).")
            % {"status": proposal.get_status_display().lower()},
            "not_in_review",
        )
    errors: dict[str, list[ValidationError]] = {}

    def add(field: str, message: str, code: str) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    if verdict not in VERDICT_STATUS:
        add("verdict", _("Choose viable, not viable or needs changes."), "verdict")
    reasons = (reasons or "").strip()
    if not reasons:
        add("reasons", _("Give the reasons: they are published with the verdict."), "reasons")
    if adjusted_cost is not None:
        if adjusted_cost < 0:
            add("adjusted_cost", _("A cost cannot be negative."), "negative_cost")
        elif adjusted_cost > MAX_COST:
            add("adjusted_cost", _("That cost is not plausible: check the number of zeros."), "absurd_cost")
    responsible_office = (responsible_office or "").strip()
    if len(responsible_office) > 200:
        add("responsible_office", _("Write the office's name in at most 200 characters."), "office")
    try:
        bpin = clean_bpin(bpin)
    except ValidationError as error:
        errors.setdefault("bpin", []).extend(error.error_dict["bpin"])
    if errors:
        raise ValidationError(errors)

    review = Review.objects.create(
        proposal=proposal,
        reviewer=actor,
        verdict=verdict,
        reasons=reasons,
        adjusted_cost=adjusted_cost,
        responsible_office=responsible_office,
        bpin=bpin,
        created_at=now,
    )
    set_status(proposal, VERDICT_STATUS[Verdict(verdict)], actor=actor, now=now, note=reasons)
    if verdict == Verdict.VIABLE and adjusted_cost is not None:
        proposal.adjusted_cost = adjusted_cost
    proposal.updated_at = now
    proposal.save(update_fields=["status", "adjusted_cost", "updated_at"])
    audit_record(
        actor=actor,
        action="proposals.proposal_reviewed",
        subject=subject_of(proposal),
        data={"review": review.pk, "verdict": verdict},
        now=now,
    )
    _notify_after_commit([proposal.pk])
    return review


# --- Merging duplicates --------------------------------------------------------------


@transaction.atomic
def proposal_merge(
    *, actor: User, duplicates: Sequence[Proposal], into: Proposal, reason: str, now: datetime
) -> Proposal:
    """Merge ``duplicates`` into ``into``, all of one cycle and territory: each becomes
    MERGED (``merged_into`` set, the reason in its public history); their supports and
    followers are copied to ``into`` (a person who supported both counts once, and the
    duplicates keep their own rows as the record of what they gathered), their authors
    follow ``into``, ``into.support_count`` is recounted (a submitted proposal that now
    has the supports needed goes to review), and the authors are e-mailed after commit.

    Locks every proposal involved; raises ``PermissionDenied`` unless the actor may
    merge each of them, ``ValidationError`` for merging into itself, a proposal
    withdrawn, already merged or decided, or another cycle or territory.
    """
    wanted = sorted({p.pk for p in duplicates})
    if not wanted:
        raise invalid("duplicates", _("Choose the proposals that repeat this one."), "no_duplicates")
    if into.pk in wanted:
        raise invalid("duplicates", _("A proposal cannot be merged into itself."), "merge_into_itself")
    reason = (reason or "").strip()
    if not reason:
        raise invalid("reason", _("Say why they are the same proposal: it is published."), "reason")
    locked = _locked([*wanted, into.pk])
    into = locked[into.pk]
    dups = [locked[pk] for pk in wanted if pk in locked]
    if len(dups) != len(wanted):
        raise invalid("duplicates", _("One of the proposals chosen no longer exists."), "missing")
    for proposal in [into, *dups]:
        if not actor.has_perm("proposals.merge_proposal", proposal):
            raise PermissionDenied(_("Only the municipality's reviewers may merge these proposals."))
    if not capability_open(into.cycle, Capability.REVIEW, now, into.unit):
        raise refuse(_("Proposals are merged during the feasibility review."), "review_closed")
    if into.status not in MERGEABLE:
        raise refuse(
            _("Proposals cannot be merged into one that is %(status)s.")
            % {"status": into.get_status_display().lower()},
            "target_not_mergeable",
        )
    for dup in dups:
        if dup.cycle_id != into.cycle_id or dup.unit_id != into.unit_id:
            raise invalid(
                "duplicates",
                _("“%(title)s” is of another cycle or territory: only proposals of one territory are merged.")
                % {"title": dup.title},
                "other_territory",
            )
        if dup.status not in MERGEABLE:
            raise invalid(
                "duplicates",
                _("“%(title)s” cannot be merged: it is %(status)s.")
                % {"title": dup.title, "status": dup.get_status_display().lower()},
                "not_mergeable",
            )

    Support.objects.bulk_create(
        [
            Support(proposal=into, user_id=user_id, created_at=created_at)
            for user_id, created_at in Support.objects.filter(proposal_id__in=wanted)
            .order_by("created_at", "pk")
            .values_list("user_id", "created_at")
        ],
        ignore_conflicts=True,  # the unique (proposal, user) keeps one support per person
    )
    followers = set(Follower.objects.filter(proposal_id__in=wanted).values_list("user_id", flat=True))
    followers |= {dup.author_id for dup in dups if dup.author_id is not None}
    followers.discard(into.author_id)
    Follower.objects.bulk_create(
        [Follower(proposal=into, user_id=user_id) for user_id in sorted(followers)], ignore_conflicts=True
    )
    into.support_count = Support.objects.filter(proposal=into).count()
    into.updated_at = now
    into.save(update_fields=["support_count", "updated_at"])
    status_before = into.status
    send_to_review_if_due(into, actor=actor, now=now)

    for dup in dups:
        set_status(dup, Status.MERGED, actor=actor, now=now, note=reason)
        dup.merged_into = into
        dup.updated_at = now
        dup.save(update_fields=["status", "merged_into", "updated_at"])
    audit_record(
        actor=actor,
        action="proposals.proposals_merged",
        subject=subject_of(into),
        data={"duplicates": wanted},
        now=now,
    )
    _notify_after_commit([*wanted, *([into.pk] if into.status != status_before else [])])
    return into
