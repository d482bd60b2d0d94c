"""Writes of proposals and supports: one function per use case.

Contract: keyword-only arguments, one transaction, the acting person checked
here (``PermissionDenied``), broken rules raised as ``ValidationError`` with a
translatable message and a ``code``, nothing half-saved, an audit entry for
official acts (paper proposals, state changes by staff). Time is passed in
(``now``) so that phase windows are judged at one instant.

What may happen when is asked of the cycle's calendar
(``cycles.selectors.capability_open``), never of phase names.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import CharField, F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record, subject_of
from accounts.models import User
from cycles.guards import invalid, refuse
from cycles.models import Cycle, CycleTerritory, PlanLine
from cycles.phases import Capability
from cycles.selectors import capability_open, cycle_windows
from nodes.activities import attachment_check
from nodes.models import Organisation
from proposals.eligibility import refusal
from proposals.models import (
    MAX_COST,
    Participation,
    Proposal,
    ProposalAttachment,
    Sector,
    StateChange,
    Status,
    Support,
)
from redplypp.ratelimit import take_slot

SEARCH_CONFIG = "spanish_unaccent"
MAX_DESCRIPTION = 10_000  # characters; the search vector has a size limit too
# Generous for people, tight for scripts: per person.
PROPOSALS_PER_HOUR = 20
FILES_PER_HOUR = 40
SUPPORTS_PER_MINUTE = 30


def require_slot(action: str, actor: User, limit: int, window_seconds: int) -> None:
    if not take_slot(action, actor.pk, limit=limit, window_seconds=window_seconds):
        raise refuse(_("Too many at once: wait a moment and try again."), "rate_limited")


MAX_ATTACHMENTS = 5
# In review is editable while ``propose`` is open: without a support threshold a
# submitted proposal is in review at once, and its author may still correct it.
EDITABLE = (Status.DRAFT, Status.SUBMITTED, Status.IN_REVIEW, Status.NEEDS_CHANGES)


@dataclass(frozen=True)
class ProposalInput:
    title: str
    summary: str
    estimated_cost: int
    description: str = ""
    sector: Sector | None = None
    plan_line: PlanLine | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    organisation: Organisation | None = None
    origin: str = ""


# --- Taking part ---------------------------------------------------------------------


def require_eligible(actor: User, cycle: Cycle, now: datetime) -> None:
    reason = refusal(actor, cycle, timezone.localdate(now))
    if reason is not None:
        raise PermissionDenied(reason)


def require_open(cycle: Cycle, capability: Capability, unit: CycleTerritory, now: datetime, message: str) -> None:
    if not capability_open(cycle, capability, now, unit):
        raise refuse(message, f"{capability.value}_closed")


@transaction.atomic
def participation_declare(*, actor: User, cycle: Cycle, unit: CycleTerritory, now: datetime) -> Participation:
    """The territory ``actor`` takes part from in ``cycle``; declared once (the same
    answer again is fine, another territory is refused)."""
    require_eligible(actor, cycle, now)
    if unit.cycle_id != cycle.pk or unit.is_citywide:
        raise invalid("unit", _("Choose a territory of this cycle."), "unit")
    participation, _created = Participation.objects.get_or_create(
        cycle=cycle, user=actor, defaults={"unit": unit, "declared_at": now}
    )
    if participation.unit_id != unit.pk:
        raise refuse(
            _("You already take part from %(territory)s in this cycle.") % {"territory": participation.unit},
            "other_territory",
        )
    return participation


def participation_of(user: User, cycle: Cycle) -> Participation | None:
    return Participation.objects.filter(cycle=cycle, user_id=user.pk).select_related("unit").first()


# --- Proposals -----------------------------------------------------------------------


def _max_length(field: str) -> int:
    """A text column's limit: longer input is refused with a message, not left to the database."""
    column = Proposal._meta.get_field(field)
    assert isinstance(column, CharField) and column.max_length is not None
    return column.max_length


def _check(data: ProposalInput, cycle: Cycle) -> None:
    errors: dict[str, list[ValidationError]] = {}

    def add(field: str, message: str, code: str) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    if not data.title.strip():
        add("title", _("Give the proposal a title."), "title")
    if not data.summary.strip():
        add("summary", _("Say in a sentence or two what the proposal is."), "summary")
    for field in ("title", "summary", "origin"):
        limit = _max_length(field)
        if len(getattr(data, field).strip()) > limit:
            add(field, _("Use at most %(count)d characters.") % {"count": limit}, "too_long")
    if len(data.description) > MAX_DESCRIPTION:
        add("description", _("Use at most %(count)d characters.") % {"count": MAX_DESCRIPTION}, "too_long")
    if data.estimated_cost < 0:
        add("estimated_cost", _("A cost cannot be negative."), "negative_cost")
    elif data.estimated_cost > MAX_COST:
        add("estimated_cost", _("That cost is not plausible: check the number of zeros."), "absurd_cost")
    if (data.latitude is None) != (data.longitude is None):
        add("latitude", _("Give both the latitude and the longitude, or neither."), "point")
    elif (
        data.latitude is not None
        and data.longitude is not None
        and not (-90 <= data.latitude <= 90 and -180 <= data.longitude <= 180)
    ):
        add("latitude", _("That point is not on the map."), "point")
    if data.sector is not None and not data.sector.active:
        add("sector", _("Choose a sector from the list."), "sector")
    if data.plan_line is not None and (cycle.plan_id is None or data.plan_line.plan_id != cycle.plan_id):
        add("plan_line", _("Choose a line of the cycle's development plan."), "plan_line")
    if data.organisation is not None and not _organisation_of_place(data.organisation, cycle):
        add("organisation", _("Choose an active organisation of the cycle's municipality."), "organisation")
    if errors:
        raise ValidationError(errors)


def _organisation_of_place(organisation: Organisation, cycle: Cycle) -> bool:
    if not organisation.active:
        return False
    if organisation.municipality_id is None:
        return False
    if cycle.municipality_id is not None:
        return organisation.municipality_id == cycle.municipality_id
    return str(organisation.municipality_id).startswith(str(cycle.department_id))


def _apply(proposal: Proposal, data: ProposalInput) -> None:
    proposal.title, proposal.summary = data.title.strip(), data.summary.strip()
    proposal.description, proposal.estimated_cost = data.description, data.estimated_cost
    proposal.sector, proposal.plan_line = data.sector, data.plan_line
    proposal.latitude, proposal.longitude = data.latitude, data.longitude
    proposal.organisation, proposal.origin = data.organisation, data.origin.strip()


def index(proposal: Proposal) -> None:
    """Refresh the proposal's full-text search vector (Spanish, accents ignored)."""
    Proposal.objects.filter(pk=proposal.pk).update(
        search=SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("summary", weight="B", config=SEARCH_CONFIG)
        + SearchVector("description", weight="C", config=SEARCH_CONFIG)
    )


def set_status(proposal: Proposal, to: str, *, actor: User | None, now: datetime, note: str = "") -> None:
    """Move a (locked) proposal to ``to`` and keep the public history."""
    StateChange.objects.create(
        proposal=proposal, from_status=proposal.status, to_status=to, note=note, actor=actor, at=now
    )
    proposal.status = to
    if to == Status.SUBMITTED and proposal.submitted_at is None:
        proposal.submitted_at = now


@transaction.atomic
def proposal_create(
    *, actor: User, cycle: Cycle, unit: CycleTerritory, data: ProposalInput, submit: bool, now: datetime
) -> Proposal:
    """A proposal of ``actor`` for their territory, kept as a draft or submitted at once.
    Only while ``propose`` is open for that territory."""
    cycle = Cycle.objects.select_related("voting", "municipality", "department").get(pk=cycle.pk)
    require_eligible(actor, cycle, now)
    participation = participation_declare(actor=actor, cycle=cycle, unit=unit, now=now)
    require_open(cycle, Capability.PROPOSE, participation.unit, now, _("Proposals are not open in this territory now."))
    _check(data, cycle)
    require_slot("proposal", actor, PROPOSALS_PER_HOUR, 3600)
    proposal = Proposal(cycle=cycle, unit=participation.unit, author=actor, created_at=now, updated_at=now)
    _apply(proposal, data)
    if submit:
        proposal.status, proposal.submitted_at = Status.SUBMITTED, now
    proposal.save()
    StateChange.objects.create(proposal=proposal, to_status=proposal.status, actor=actor, at=now)
    index(proposal)
    send_to_review_if_due(proposal, actor=actor, now=now)  # as ``proposal_submit`` does
    return proposal


def _lock(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("cycle__voting", "cycle__municipality", "cycle__department", "unit")
        .get(pk=proposal.pk)
    )


def _require_author(actor: User, proposal: Proposal) -> None:
    if proposal.author_id != actor.pk or proposal.on_paper:
        raise PermissionDenied(_("Only the author may change this proposal."))


@transaction.atomic
def proposal_update(*, actor: User, proposal: Proposal, data: ProposalInput, now: datetime) -> Proposal:
    """The author edits while ``propose`` is open in the territory and the proposal is
    a draft, submitted, or sent back for changes."""
    proposal = _lock(proposal)
    _require_author(actor, proposal)
    require_eligible(actor, proposal.cycle, now)  # still of age, resident, with an accepted document
    if proposal.status not in EDITABLE:
        raise refuse(_("This proposal can no longer be edited."), "not_editable")
    if proposal.status != Status.NEEDS_CHANGES:
        closed = _("Proposals are closed: the proposal can no longer be edited.")
        require_open(proposal.cycle, Capability.PROPOSE, proposal.unit, now, closed)
    _check(data, proposal.cycle)
    _apply(proposal, data)
    proposal.updated_at = now
    proposal.save()
    index(proposal)
    return proposal


@transaction.atomic
def proposal_submit(*, actor: User, proposal: Proposal, now: datetime) -> Proposal:
    """A draft goes public; a proposal sent back for changes goes back to review."""
    proposal = _lock(proposal)
    _require_author(actor, proposal)
    if proposal.status == Status.DRAFT:
        require_eligible(actor, proposal.cycle, now)
        closed = _("Proposals are not open in this territory now.")
        require_open(proposal.cycle, Capability.PROPOSE, proposal.unit, now, closed)
        set_status(proposal, Status.SUBMITTED, actor=actor, now=now)
    elif proposal.status == Status.NEEDS_CHANGES:
        set_status(proposal, Status.IN_REVIEW, actor=actor, now=now, note=_("Changed by the author"))
    else:
        raise refuse(_("This proposal has already been submitted."), "already_submitted")
    proposal.updated_at = now
    proposal.save()
    send_to_review_if_due(proposal, actor=actor, now=now)
    return proposal


@transaction.atomic
def proposal_withdraw(*, actor: User, proposal: Proposal, now: datetime) -> Proposal:
    """The author takes a proposal back. A draft, never public, is deleted instead
    (``pk`` is None afterwards). A viable proposal stays once voting has opened in
    its territory: people may be choosing it on their ballots."""
    proposal = _lock(proposal)
    _require_author(actor, proposal)
    if proposal.status in (Status.WITHDRAWN, Status.MERGED, Status.SELECTED, Status.NOT_SELECTED):
        raise refuse(_("This proposal can no longer be withdrawn."), "not_withdrawable")
    if proposal.status == Status.DRAFT:
        files = [a.file.name for a in proposal.attachments.all() if a.file.name]
        storage = ProposalAttachment.file.field.storage
        proposal.delete()
        transaction.on_commit(partial(_delete_files, storage, files))
        return proposal
    if proposal.status == Status.VIABLE and _voting_has_opened(proposal, now):
        raise refuse(_("Voting has opened: a viable proposal stays on the ballot."), "voting_opened")
    set_status(proposal, Status.WITHDRAWN, actor=actor, now=now)
    proposal.updated_at = now
    proposal.save()
    return proposal


def _delete_files(storage: Any, names: list[str]) -> None:
    for name in names:
        storage.delete(name)


def _voting_has_opened(proposal: Proposal, now: datetime) -> bool:
    windows = cycle_windows(proposal.cycle)
    return any(
        Capability.VOTE in w.capabilities and w.starts_at <= now and w.applies_to(proposal.unit_id) for w in windows
    )


@transaction.atomic
def proposal_submit_on_paper(
    *,
    actor: User,
    cycle: Cycle,
    unit: CycleTerritory,
    data: ProposalInput,
    on_behalf_of: str,
    now: datetime,
) -> Proposal:
    """A manager keys in a proposal that came on paper at an assembly, for someone
    who wrote it there. Recorded as such, with who keyed it."""
    cycle = Cycle.objects.select_related("voting").get(pk=cycle.pk)
    if not actor.has_perm("cycles.record_assembly", cycle):
        raise PermissionDenied(_("Only the cycle's managers key in paper proposals."))
    if unit.cycle_id != cycle.pk or unit.is_citywide:
        raise invalid("unit", _("Choose a territory of this cycle."), "unit")
    if not on_behalf_of.strip():
        raise invalid("on_behalf_of", _("Write the name of the person who wrote it."), "on_behalf_of")
    limit = _max_length("on_behalf_of")
    if len(on_behalf_of.strip()) > limit:
        raise invalid("on_behalf_of", _("Use at most %(count)d characters.") % {"count": limit}, "too_long")
    require_open(cycle, Capability.PROPOSE, unit, now, _("Proposals are not open in this territory now."))
    _check(data, cycle)
    proposal = Proposal(
        cycle=cycle,
        unit=unit,
        on_paper=True,
        on_behalf_of=on_behalf_of.strip(),
        keyed_by=actor,
        status=Status.SUBMITTED,
        created_at=now,
        submitted_at=now,
        updated_at=now,
    )
    _apply(proposal, data)
    proposal.save()
    StateChange.objects.create(
        proposal=proposal, to_status=Status.SUBMITTED, actor=actor, at=now, note=_("Came on paper at an assembly")
    )
    index(proposal)
    send_to_review_if_due(proposal, actor=actor, now=now)
    audit_record(
        actor=actor, action="proposals.paper_proposal_keyed", subject=subject_of(proposal), data={"unit": unit.pk}
    )
    return proposal


@transaction.atomic
def proposal_attach(*, actor: User, proposal: Proposal, upload: Any, now: datetime) -> ProposalAttachment:
    """Check the file by its content (PDF, or an image re-encoded without metadata) and attach it."""
    proposal = _lock(proposal)
    if proposal.author_id != actor.pk and not (
        proposal.on_paper and actor.has_perm("cycles.record_assembly", proposal.cycle)
    ):
        raise PermissionDenied(_("Only the author may add files to this proposal."))
    if not proposal.on_paper:
        require_eligible(actor, proposal.cycle, now)
    if proposal.status not in EDITABLE:
        raise refuse(_("This proposal can no longer be edited."), "not_editable")
    if proposal.status != Status.NEEDS_CHANGES:
        closed = _("Proposals are closed: the proposal can no longer be edited.")
        require_open(proposal.cycle, Capability.PROPOSE, proposal.unit, now, closed)
    if proposal.attachments.count() >= MAX_ATTACHMENTS:
        raise refuse(_("A proposal keeps at most %(count)d files.") % {"count": MAX_ATTACHMENTS}, "too_many")
    require_slot("proposal_file", actor, FILES_PER_HOUR, 3600)
    checked = attachment_check(upload)
    attachment = ProposalAttachment(
        proposal=proposal,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=len(checked.content),
        sha256=hashlib.sha256(checked.content).hexdigest(),
        uploaded_at=now,
    )
    attachment.file.save("upload", ContentFile(checked.content), save=False)
    try:
        attachment.save()
    except BaseException:
        if attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


# --- Supports ------------------------------------------------------------------------


def send_to_review_if_due(proposal: Proposal, *, actor: User | None, now: datetime) -> None:
    """A submitted proposal goes to review once it has the cycle's supports (at once without a threshold)."""
    if proposal.status != Status.SUBMITTED:
        return
    threshold = proposal.cycle.support_threshold
    if threshold is None:
        set_status(proposal, Status.IN_REVIEW, actor=None, now=now, note=_("This cycle reviews every proposal"))
    elif proposal.support_count >= threshold:
        set_status(proposal, Status.IN_REVIEW, actor=None, now=now, note=_("Reached the supports needed"))
    else:
        return
    proposal.save(update_fields=["status", "submitted_at"])


@transaction.atomic
def support_add(*, actor: User, proposal: Proposal, now: datetime) -> Proposal:
    """One support per person per proposal, while ``support`` is open in its territory,
    from people of that territory. Two requests at once: the database keeps one and
    the other is told the support was already counted."""
    proposal = _lock(proposal)
    require_eligible(actor, proposal.cycle, now)
    if proposal.status not in (Status.SUBMITTED, Status.IN_REVIEW):
        raise refuse(_("This proposal does not take supports now."), "not_supportable")
    closed = _("Supports are not open in this territory now.")
    require_open(proposal.cycle, Capability.SUPPORT, proposal.unit, now, closed)
    participation_declare(actor=actor, cycle=proposal.cycle, unit=proposal.unit, now=now)  # own territory only
    require_slot("support", actor, SUPPORTS_PER_MINUTE, 60)
    try:
        with transaction.atomic():
            Support.objects.create(proposal=proposal, user=actor, created_at=now)
    except IntegrityError as error:
        raise refuse(_("You already support this proposal."), "already_supported") from error
    Proposal.objects.filter(pk=proposal.pk).update(support_count=F("support_count") + 1)
    proposal.refresh_from_db(fields=["support_count"])
    send_to_review_if_due(proposal, actor=actor, now=now)
    return proposal
