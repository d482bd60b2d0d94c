"""Execution follow-up of funded projects: where each selected proposal stands
(in the annual investment plan, contracted, in execution, delivered,
suspended), its physical progress, the money committed and spent, how it is
executed, dated updates with photos by the cycle's managers, and remarks by
the municipality's monitors (veeduría ciudadana).

Services follow the contract of ``proposals.services``: keyword-only
arguments, one transaction, the acting person checked here
(``PermissionDenied``: ``proposals.update_execution`` for the cycle's
managers and the Secretaría Técnica, ``proposals.remark_execution`` for the
monitors of the municipality), broken rules raised as ``ValidationError``
with a translatable message and a ``code`` (per field where there is one),
nothing half-saved, one audit entry per act. ``now`` is passed in.

Decisions:

- Follow-up starts only for proposals with status ``selected`` (funded by the
  vote or the assembly; the voting module selects them). Nothing else is
  followed: a viable proposal that was not selected has no project.
- Each update is the newest one: it may not be dated before the latest
  update, nor in the future. So the ``Execution`` row always mirrors the
  latest update (status and progress), and carries the current money
  committed and spent and the execution mode given with it.
- Money is whole pesos, never negative; more spent than committed is refused
  (commit the money first, then report it spent). A delivered project is at
  100 % physical progress.
- A photo is checked by its content (``nodes.activities.attachment_check``):
  images only (JPEG, PNG, WebP; no PDF, no SVG), decoded and encoded again
  from the pixels alone (no EXIF, no GPS position), then stored as a JPEG of
  at most ``PHOTO_MAX_SIDE`` pixels a side under a random name.

Selectors hand pages everything they show in a constant number of queries.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image

from accounts.audit import audit_record, subject_of
from accounts.models import User
from cycles.models import Cycle, CycleTerritory
from nodes.activities import attachment_check
from proposals.models import (
    MAX_COST,
    Execution,
    ExecutionMode,
    ExecutionStatus,
    ExecutionUpdate,
    MonitorRemark,
    Proposal,
    Status,
)

MAX_TEXT = 5000
MAX_REMARK = 3000
PHOTO_MAX_SIDE = 2560
RECENT_UPDATES = 3
NOT_STARTED = "not_started"
NOT_STARTED_LABEL = gettext_lazy("Follow-up not started")


def _field_errors(errors: dict[str, list[ValidationError]]) -> None:
    if errors:
        raise ValidationError(errors)


def _require(actor: User, perm: str, proposal: Proposal, message: str) -> None:
    if not actor.has_perm(perm, proposal):
        raise PermissionDenied(message)


def _may_update(actor: User, proposal: Proposal) -> None:
    _require(
        actor,
        "proposals.update_execution",
        proposal,
        _("Only the managers of this cycle may report on the execution of its projects."),
    )


# --- Starting the follow-up ---------------------------------------------------------


@transaction.atomic
def execution_start(*, actor: User, proposal: Proposal, now: datetime) -> Execution:
    """Open the follow-up of a selected proposal: in the annual investment plan, 0 %,
    no money yet. Once per proposal (the database refuses a second one even when two
    requests come at once)."""
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("cycle", "unit").get(pk=proposal.pk)
    _may_update(actor, proposal)
    if proposal.status != Status.SELECTED:
        raise ValidationError(
            _("Only proposals selected for funding have their execution followed."), code="not_selected"
        )
    already = ValidationError(_("The follow-up of this project has already started."), code="already_started")
    if Execution.objects.filter(proposal=proposal).exists():
        raise already
    try:
        with transaction.atomic():
            execution = Execution.objects.create(proposal=proposal, updated_at=now)
    except IntegrityError as error:
        raise already from error
    audit_record(
        actor=actor,
        action="proposals.execution_started",
        subject=subject_of(proposal),
        data={"execution": execution.pk, "cycle": proposal.cycle_id},
        now=now,
    )
    return execution


# --- Updates ------------------------------------------------------------------------


def _whole_pesos(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_update(
    *,
    happened_on: date,
    latest: date | None,
    today: date,
    text: str,
    status: str,
    progress: Any,
    committed: Any,
    spent: Any,
    mode: str,
) -> None:
    errors: dict[str, list[ValidationError]] = {}

    def add(name: str, message: str, code: str) -> None:
        errors.setdefault(name, []).append(ValidationError(message, code=code))

    if happened_on > today:
        add("happened_on", _("The date cannot be in the future."), "future_date")
    elif latest is not None and happened_on < latest:
        add(
            "happened_on",
            _("The latest update is dated %(date)s: a new one cannot be dated before it.")
            % {"date": latest.isoformat()},
            "before_latest",
        )
    if not text.strip():
        add("text", _("Say what happened."), "text_required")
    elif len(text) > MAX_TEXT:
        add("text", _("Use at most %(count)d characters.") % {"count": MAX_TEXT}, "text_too_long")
    if status not in ExecutionStatus.values:
        add("status", _("Choose a status from the list."), "status")
    if not _whole_pesos(progress) or not 0 <= progress <= 100:
        add("progress", _("Physical progress is a whole percentage from 0 to 100."), "progress")
    elif status == ExecutionStatus.DELIVERED and progress != 100:
        add("progress", _("A delivered project is at 100 % physical progress."), "delivered_not_complete")
    for name, amount in (("committed", committed), ("spent", spent)):
        if not _whole_pesos(amount):
            add(name, _("Write the amount in whole pesos."), "pesos")
        elif amount < 0:
            add(name, _("An amount of money cannot be negative."), "negative_money")
        elif amount > MAX_COST:
            add(name, _("That amount is not plausible: check the number of zeros."), "absurd_money")
    if "committed" not in errors and "spent" not in errors and spent > committed:
        add(
            "spent",
            _("More money spent than committed: record the money committed first, then what was spent of it."),
            "spent_over_committed",
        )
    if mode and mode not in ExecutionMode.values:
        add("mode", _("Choose an execution mode from the list."), "mode")
    _field_errors(errors)


def _photo_content(upload: Any) -> bytes:
    """The checked photo as a JPEG without metadata, or a ``ValidationError`` on ``photo``."""
    try:
        checked = attachment_check(upload)
    except ValidationError as error:
        raise ValidationError({"photo": [error]}) from error
    if not checked.content_type.startswith("image/"):
        raise ValidationError(
            {"photo": [ValidationError(_("The photo must be a JPEG, PNG or WebP image."), code="photo_not_image")]}
        )
    with Image.open(io.BytesIO(checked.content)) as opened:
        opened.load()
        image: Image.Image = opened
        if image.mode in ("RGBA", "LA", "P"):
            with_alpha = image.convert("RGBA")
            image = Image.new("RGB", image.size, (255, 255, 255))
            image.paste(with_alpha, mask=with_alpha.getchannel("A"))
        elif image.mode != "RGB":
            image = image.convert("RGB")
        image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
        output = io.BytesIO()
        image.save(output, format="JPEG", quality=85)
    return output.getvalue()


@transaction.atomic
def execution_update_post(
    *,
    actor: User,
    execution: Execution,
    happened_on: date,
    text: str,
    status: str,
    progress: int,
    committed: int,
    spent: int,
    mode: str,
    photo: Any = None,
    now: datetime,
) -> ExecutionUpdate:
    """A dated update by a manager of the cycle; the execution then mirrors it.

    Locks the execution (two managers posting at once are serialised); field
    errors come keyed by the argument's name (``photo`` included)."""
    execution = (
        Execution.objects.select_for_update(of=("self",))
        .select_related("proposal__cycle", "proposal__unit")
        .get(pk=execution.pk)
    )
    proposal = execution.proposal
    _may_update(actor, proposal)
    latest = execution.updates.order_by("-happened_on").values_list("happened_on", flat=True).first()
    _check_update(
        happened_on=happened_on,
        latest=latest,
        today=timezone.localdate(now),
        text=text,
        status=status,
        progress=progress,
        committed=committed,
        spent=spent,
        mode=mode,
    )
    update = ExecutionUpdate(
        execution=execution,
        author=actor,
        happened_on=happened_on,
        text=text.strip(),
        status=status,
        progress=progress,
        created_at=now,
    )
    if photo is not None:
        update.photo.save("photo.jpg", ContentFile(_photo_content(photo)), save=False)
    try:
        update.save()
        execution.status, execution.progress = status, progress
        execution.committed, execution.spent, execution.mode = committed, spent, mode
        execution.updated_at = now
        execution.save(update_fields=["status", "progress", "committed", "spent", "mode", "updated_at"])
        audit_record(
            actor=actor,
            action="proposals.execution_updated",
            subject=subject_of(proposal),
            data={
                "update": update.pk,
                "happened_on": happened_on.isoformat(),
                "status": status,
                "progress": progress,
                "committed": committed,
                "spent": spent,
                "mode": mode,
                "photo": bool(update.photo),
            },
            now=now,
        )
    except BaseException:
        if update.photo.name:
            update.photo.storage.delete(update.photo.name)
        raise
    return update


# --- Monitors' remarks --------------------------------------------------------------


@transaction.atomic
def monitor_remark(*, actor: User, update: ExecutionUpdate, text: str, now: datetime) -> MonitorRemark:
    """A monitor (veeduría) of the project's municipality remarks on an update, in public."""
    update = ExecutionUpdate.objects.select_related("execution__proposal__cycle", "execution__proposal__unit").get(
        pk=update.pk
    )
    proposal = update.execution.proposal
    _require(
        actor,
        "proposals.remark_execution",
        proposal,
        _("Only the monitors (veeduría) of this municipality may remark on the execution of its projects."),
    )
    if not text.strip():
        raise ValidationError({"text": [ValidationError(_("Write your remark."), code="text_required")]})
    if len(text) > MAX_REMARK:
        message = _("Use at most %(count)d characters.") % {"count": MAX_REMARK}
        raise ValidationError({"text": [ValidationError(message, code="text_too_long")]})
    remark = MonitorRemark.objects.create(update=update, monitor=actor, text=text.strip(), created_at=now)
    audit_record(
        actor=actor,
        action="proposals.monitor_remarked",
        subject=subject_of(proposal),
        data={"update": update.pk, "remark": remark.pk},
        now=now,
    )
    return remark


# --- Reading ------------------------------------------------------------------------


def execution_timeline(proposal: Proposal) -> list[ExecutionUpdate]:
    """The project's updates, newest first, each with its remarks (and their monitors)
    in ``remarks.all()``: two queries, whatever the number of updates and remarks."""
    remarks = MonitorRemark.objects.select_related("monitor").order_by("created_at", "pk")
    return list(
        ExecutionUpdate.objects.filter(execution__proposal_id=proposal.pk)
        .order_by("-happened_on", "-pk")
        .prefetch_related(Prefetch("remarks", queryset=remarks))
    )


@dataclass
class StatusCount:
    status: str
    label: str
    count: int


@dataclass
class Figures:
    """Counts and money of a set of funded projects."""

    funded: int = 0
    delivered: int = 0
    decided: int = 0  # what the selected proposals cost (after review, else as estimated)
    committed: int = 0
    spent: int = 0

    def add(self, proposal: Proposal, execution: Execution | None) -> None:
        self.funded += 1
        self.decided += proposal.cost
        if execution is not None:
            self.delivered += execution.status == ExecutionStatus.DELIVERED
            self.committed += execution.committed
            self.spent += execution.spent


@dataclass
class TerritoryFigures:
    unit: CycleTerritory
    figures: Figures = field(default_factory=Figures)


@dataclass
class Project:
    proposal: Proposal
    execution: Execution | None


@dataclass
class ExecutionSummary:
    cycle: Cycle
    totals: Figures
    by_status: list[StatusCount]
    territories: list[TerritoryFigures]
    projects: list[Project]


def execution_of(proposal: Proposal) -> Execution | None:
    try:
        return proposal.execution
    except Execution.DoesNotExist:
        return None


def cycle_execution_summary(cycle: Cycle) -> ExecutionSummary:
    """What became of a cycle's funded (selected) projects: how many, by status
    (those whose follow-up has not started included), delivered, money decided vs
    committed vs spent, the same per territory (every territory of the cycle, with
    or without projects), and the projects themselves. Two queries."""
    units = list(cycle.units.select_related("territory", "municipality").order_by("position", "pk"))
    proposals = list(
        Proposal.objects.filter(cycle=cycle, status=Status.SELECTED)
        .select_related("execution", "unit__territory", "unit__municipality")
        .order_by("unit__position", "unit_id", "title", "pk")
    )
    totals = Figures()
    per_unit = {unit.pk: TerritoryFigures(unit) for unit in units}
    statuses: Counter[str] = Counter()
    projects = []
    for proposal in proposals:
        execution = execution_of(proposal)
        totals.add(proposal, execution)
        per_unit[proposal.unit_id].figures.add(proposal, execution)
        statuses[execution.status if execution is not None else NOT_STARTED] += 1
        projects.append(Project(proposal, execution))
    by_status = [StatusCount(NOT_STARTED, str(NOT_STARTED_LABEL), statuses[NOT_STARTED])] + [
        StatusCount(value, str(label), statuses[value]) for value, label in ExecutionStatus.choices
    ]
    return ExecutionSummary(cycle, totals, by_status, list(per_unit.values()), projects)


def execution_context(*, proposal: Proposal) -> dict[str, Any]:
    """What templates/proposals/_execution.html needs, for the proposal page: the
    execution (None when the project is not followed) and its latest updates with
    the number of remarks on each. Two queries at most."""
    execution = Execution.objects.filter(proposal_id=proposal.pk).first()
    if execution is None:
        return {"execution": None, "execution_recent": []}
    recent = list(
        execution.updates.order_by("-happened_on", "-pk").annotate(remark_count=Count("remarks"))[:RECENT_UPDATES]
    )
    return {"execution": execution, "execution_recent": recent}
