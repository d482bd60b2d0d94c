"""Citizen proposals of a cycle: the proposal and its history, supports,
comments and flags, attachments, feasibility reviews, and the execution
follow-up of what won.

One-row invariants are database constraints; the rest (who may propose where
and when, one support per person even under concurrent requests, merging
duplicates) is enforced in ``proposals.services`` and friends.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cycles.models import Cycle, CycleTerritory, PlanLine
from nodes.models import ATTACHMENT_EXTENSIONS, Organisation

MAX_COST = 10**15  # pesos; more is a typo in the number of zeros


class Sector(models.Model):
    """An editable list: education, health, roads and mobility, ..."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name (Spanish)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Participation(models.Model):
    """The territory a person takes part from in a cycle, declared once: a
    person proposes and supports in their own territory only."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations")
    unit = models.ForeignKey(CycleTerritory, on_delete=models.PROTECT, related_name="participations")
    declared_at = models.DateTimeField(_("declared at"))

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [models.UniqueConstraint(fields=["cycle", "user"], name="participation_once_per_cycle")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.unit}"


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In feasibility review")
    NEEDS_CHANGES = "needs_changes", _("Needs changes")
    VIABLE = "viable", _("Viable")
    NOT_VIABLE = "not_viable", _("Not viable")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    MERGED = "merged", _("Merged into another proposal")
    SELECTED = "selected", _("Selected")
    NOT_SELECTED = "not_selected", _("Not selected")


PUBLIC_STATUSES = [s for s in Status.values if s not in (Status.DRAFT,)]


class ProposalQuerySet(models.QuerySet["Proposal"]):
    def public(self) -> ProposalQuerySet:
        return self.exclude(status=Status.DRAFT).filter(cycle__status="published")


class Proposal(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("cycle"))
    unit = models.ForeignKey(
        CycleTerritory, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("territory")
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, null=True, blank=True, related_name="proposals", verbose_name=_("sector")
    )
    plan_line = models.ForeignKey(
        PlanLine,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("development plan line"),
    )
    estimated_cost = models.BigIntegerField(_("estimated cost (pesos)"))
    adjusted_cost = models.BigIntegerField(_("cost after review (pesos)"), null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("author"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("organisation"),
    )
    origin = models.CharField(_("organisation or JAC it comes from"), max_length=200, blank=True)
    # Paper proposals keyed in by a manager at an assembly.
    on_paper = models.BooleanField(_("came on paper"), default=False)
    on_behalf_of = models.CharField(_("on behalf of"), max_length=200, blank=True)
    keyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged", verbose_name=_("merged into")
    )
    support_count = models.PositiveIntegerField(_("supports"), default=0)  # kept by the support services
    created_at = models.DateTimeField(_("created at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"))
    search = SearchVectorField(null=True, editable=False)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            GinIndex(fields=["search"], name="proposal_search"),
            models.Index(fields=["cycle", "status", "-support_count"], name="proposal_by_supports"),
            # The default list: every status but drafts, most supported first (index-only, no sort).
            models.Index(
                fields=["cycle", "-support_count", "-submitted_at", "-id"],
                condition=~Q(status="draft"),
                name="proposal_listed_by_supports",
            ),
            models.Index(fields=["cycle", "status", "-submitted_at"], name="proposal_by_date"),
            models.Index(fields=["cycle", "status", "estimated_cost"], name="proposal_by_cost"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_cost__gte=0) & Q(estimated_cost__lte=MAX_COST), name="proposal_cost_sensible"
            ),
            models.CheckConstraint(
                condition=Q(adjusted_cost__isnull=True) | (Q(adjusted_cost__gte=0) & Q(adjusted_cost__lte=MAX_COST)),
                name="proposal_adjusted_cost_sensible",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="proposal_has_title"),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (Q(latitude__gte=-90) & Q(latitude__lte=90) & Q(longitude__gte=-180) & Q(longitude__lte=180)),
                name="proposal_point_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=Status.DRAFT) | Q(submitted_at__isnull=False), name="proposal_submitted_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.MERGED) | Q(merged_into__isnull=False), name="proposal_merged_has_target"
            ),
            models.CheckConstraint(condition=~Q(merged_into=F("pk")), name="proposal_not_merged_into_itself"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("proposals:proposal-detail", kwargs={"pk": self.pk})

    @property
    def cost(self) -> int:
        """What the proposal costs as far as anyone knows: after review, else as estimated."""
        return self.adjusted_cost if self.adjusted_cost is not None else self.estimated_cost


class StateChange(models.Model):
    """The public history of a proposal's states."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("state change")
        verbose_name_plural = _("state changes")
        ordering = ["proposal", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.from_status} → {self.to_status}"


def attachment_path(instance: ProposalAttachment, filename: str) -> str:
    extension = ATTACHMENT_EXTENSIONS.get(instance.content_type, "")
    return f"proposals/{instance.uploaded_at:%Y}/{uuid.uuid4().hex}{extension}"


class ProposalAttachment(models.Model):
    """A checked file (PDF, or an image re-encoded without metadata) under a random name."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("original name"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("proposal attachment")
        verbose_name_plural = _("proposal attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Support(models.Model):
    """One person's support. When the account is deleted the support stays, without
    the person, so that ``Proposal.support_count`` remains the number of rows."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="supports"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="support_once_per_person")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.proposal_id}"


class Follower(models.Model):
    """Gets an e-mail when the proposal changes state or is commented on."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_proposals")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="follow_once")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.proposal_id}"


class Comment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("comment"), max_length=3000)
    created_at = models.DateTimeField()
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    flag_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["proposal", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="comment_not_empty"),
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""), name="comment_hidden_with_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} · {self.pk}"


class CommentFlag(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "user"], name="flag_once_per_person")]

    def __str__(self) -> str:
        return f"{self.user_id} flags {self.comment_id}"


class Verdict(models.TextChoices):
    VIABLE = "viable", _("Viable")
    NOT_VIABLE = "not_viable", _("Not viable")
    NEEDS_CHANGES = "needs_changes", _("Needs changes")


class Review(models.Model):
    """A feasibility review by a reviewer of the municipality; reasons are public."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices)
    reasons = models.TextField(_("public reasons"))
    adjusted_cost = models.BigIntegerField(_("adjusted cost (pesos)"), null=True, blank=True)
    responsible_office = models.CharField(_("responsible office"), max_length=200, blank=True)
    bpin = models.CharField(_("BPIN code"), max_length=30, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("feasibility review")
        verbose_name_plural = _("feasibility reviews")
        ordering = ["proposal", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reasons=""), name="review_has_reasons"),
            models.CheckConstraint(
                condition=Q(adjusted_cost__isnull=True) | (Q(adjusted_cost__gte=0) & Q(adjusted_cost__lte=MAX_COST)),
                name="review_cost_sensible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.verdict}"


# --- Execution follow-up -------------------------------------------------------------


class ExecutionStatus(models.TextChoices):
    IN_PLAN = "in_plan", _("In the annual investment plan")
    CONTRACTED = "contracted", _("Contracted")
    IN_EXECUTION = "in_execution", _("In execution")
    DELIVERED = "delivered", _("Delivered")
    SUSPENDED = "suspended", _("Suspended")


class ExecutionMode(models.TextChoices):
    SECRETARIAT = "secretariat", _("By a secretariat of the administration")
    CONTRACTOR = "contractor", _("By a contractor")
    CONVENIO_SOLIDARIO = "convenio_solidario", _("Convenio solidario with a JAC")


class Execution(models.Model):
    """Where a funded project stands: one per selected proposal."""

    proposal = models.OneToOneField(Proposal, on_delete=models.CASCADE, related_name="execution")
    status = models.CharField(
        _("status"), max_length=20, choices=ExecutionStatus.choices, default=ExecutionStatus.IN_PLAN
    )
    progress = models.PositiveSmallIntegerField(_("physical progress (%)"), default=0)
    committed = models.BigIntegerField(_("money committed (pesos)"), default=0)
    spent = models.BigIntegerField(_("money spent (pesos)"), default=0)
    mode = models.CharField(_("execution mode"), max_length=20, choices=ExecutionMode.choices, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("execution")
        verbose_name_plural = _("executions")
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="execution_progress_percent"),
            models.CheckConstraint(
                condition=Q(committed__gte=0) & Q(spent__gte=0) & Q(committed__lte=MAX_COST) & Q(spent__lte=MAX_COST),
                name="execution_money_sensible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.status}"


def update_photo_path(instance: ExecutionUpdate, filename: str) -> str:
    return f"execution/{instance.created_at:%Y}/{uuid.uuid4().hex}.jpg"


class ExecutionUpdate(models.Model):
    """A dated update by a manager, with an optional photo (re-encoded)."""

    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    happened_on = models.DateField(_("date"))
    text = models.TextField(_("what happened"))
    status = models.CharField(_("status"), max_length=20, choices=ExecutionStatus.choices)
    progress = models.PositiveSmallIntegerField(_("physical progress (%)"))
    photo = models.ImageField(_("photo"), upload_to=update_photo_path, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("execution update")
        verbose_name_plural = _("execution updates")
        ordering = ["execution", "-happened_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="update_progress_percent")]

    def __str__(self) -> str:
        return f"{self.execution_id} · {self.happened_on}"


class MonitorRemark(models.Model):
    """A remark by a monitor (veeduría) on an execution update."""

    update = models.ForeignKey(ExecutionUpdate, on_delete=models.CASCADE, related_name="remarks")
    monitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(_("remark"))
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("monitor's remark")
        verbose_name_plural = _("monitors' remarks")
        ordering = ["update", "created_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="remark_not_empty")]

    def __str__(self) -> str:
        return f"{self.update_id} · {self.pk}"
