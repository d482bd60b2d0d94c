"""Deliberation on proposals: comments in threads of two levels, flags,
hiding with a public reason, following, and what the proposal page shows of them.

Decisions (issue 5):

- Who comments: anyone eligible for the proposal's cycle
  (``proposals.eligibility.refusal`` is None), from any territory of the
  cycle: deliberation is open to the whole process, unlike supports, which
  count only from the proposal's territory. When: while ``deliberate`` is open
  for the proposal's territory, on a public proposal that is still standing
  (not withdrawn, not merged into another).
- Threads have two levels: a reply to a reply hangs from the top comment.
- Anyone signed in may flag a comment of someone else, once (a database
  constraint); ``flag_count`` is kept with ``F()`` so that concurrent flags
  are all counted.
- The cycle's team (``proposals.moderate_comment``) hides a comment with a
  public reason, shown in place of its text; an audit entry records it.
- Following: the author of a proposal always gets its e-mails (they cannot
  unfollow their own proposal); anyone signed in may follow or unfollow;
  commenting makes the commenter follow the proposal (once: unfollowing later
  is respected, since the row is only created on their first comment).
- Rate limit: at most ``COMMENTS_PER_MINUTE`` comments per person in a
  minute, counted in the cache (as allauth counts its rate limits).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record, subject_of
from accounts.models import User
from cycles.phases import Capability
from cycles.selectors import open_capabilities
from proposals.eligibility import refusal
from proposals.models import Comment, CommentFlag, Follower, Proposal, Status
from redplypp.ratelimit import take_slot

MAX_BODY = 3000
MAX_REASON = 300
COMMENTS_PER_MINUTE = 5
RATE_WINDOW_SECONDS = 60
# Statuses of a proposal that still takes part in the conversation.
OPEN_STATUSES = frozenset(Status.values) - {Status.DRAFT, Status.WITHDRAWN, Status.MERGED}


def _signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def proposal_path(proposal: Proposal) -> str:
    """The proposal page's path, in the active language."""
    try:
        return reverse("proposals:proposal-detail", kwargs={"pk": proposal.pk})
    except NoReverseMatch:  # the proposal pages are wired by another part of issue 5
        return f"/propuestas/{proposal.pk}/"


def public_name(user: User | None) -> str:
    """How a person is shown next to what they wrote: their name, never their e-mail."""
    if user is None:
        return _("A former participant")
    return user.name.strip() or _("A participant")


# --- Who may comment -----------------------------------------------------------------


def closed_reason(proposal: Proposal, now: datetime, opened: frozenset[Capability] | None = None) -> str | None:
    """Why nobody may comment on ``proposal`` at ``now`` (None: the conversation is open).
    ``opened``: what is open now in its territory, when the caller has read it already."""
    if proposal.status not in OPEN_STATUSES:
        return _("This proposal no longer takes comments.")
    if opened is None:
        opened = open_capabilities(proposal.cycle, now, proposal.unit)
    if Capability.DELIBERATE not in opened:
        return _("Comments are not open in this territory now.")
    return None


def comment_refusal(viewer: Any, proposal: Proposal, now: datetime) -> str | None:
    """Why ``viewer`` may not comment on ``proposal`` at ``now`` (None: they may)."""
    closed = closed_reason(proposal, now)
    if closed is not None:
        return closed
    if not _signed_in(viewer):
        return _("Sign in to take part.")
    return refusal(viewer, proposal.cycle, timezone.localdate(now))


def _take_rate_slot(user: User) -> bool:
    """Count one comment of ``user`` in the current window; False when over the limit."""
    return take_slot("comment", user.pk, limit=COMMENTS_PER_MINUTE, window_seconds=RATE_WINDOW_SECONDS)


# --- Services ------------------------------------------------------------------------


@transaction.atomic
def comment_post(
    *, actor: User, proposal: Proposal, body: str, parent: Comment | None = None, now: datetime
) -> Comment:
    """A comment of ``actor`` on ``proposal`` (a reply when ``parent`` is given; a
    reply to a reply hangs from the top comment). Raises ``PermissionDenied`` when
    the person may not comment and ``ValidationError`` (codes ``closed``, ``empty``,
    ``too_long``, ``parent``, ``rate_limited``) for the rest. The proposal's author and
    followers are e-mailed after commit; the commenter follows from their first comment."""
    proposal = Proposal.objects.select_related("cycle__voting", "cycle__municipality", "cycle__department", "unit").get(
        pk=proposal.pk
    )
    if not _signed_in(actor):
        raise PermissionDenied(_("Sign in to take part."))
    closed = closed_reason(proposal, now)
    if closed is not None:
        raise ValidationError(closed, code="closed")
    reason = refusal(actor, proposal.cycle, timezone.localdate(now))
    if reason is not None:
        raise PermissionDenied(reason)
    body = body.strip()
    if not body:
        raise ValidationError({"body": ValidationError(_("Write your comment first."), code="empty")})
    if len(body) > MAX_BODY:
        message = _("A comment has at most %(max)d characters (this one has %(count)d).") % {
            "max": MAX_BODY,
            "count": len(body),
        }
        raise ValidationError({"body": ValidationError(message, code="too_long")})
    parent_id = None
    if parent is not None:
        if parent.proposal_id != proposal.pk:
            raise ValidationError(_("You can only reply to a comment on this proposal."), code="parent")
        parent_id = parent.parent_id or parent.pk
    if not _take_rate_slot(actor):
        message = _("You have written %(count)d comments in the last minute: wait a moment and try again.") % {
            "count": COMMENTS_PER_MINUTE
        }
        raise ValidationError(message, code="rate_limited")
    comment = Comment.objects.create(proposal=proposal, parent_id=parent_id, author=actor, body=body, created_at=now)
    if not Comment.objects.filter(proposal=proposal, author=actor).exclude(pk=comment.pk).exists():
        Follower.objects.get_or_create(proposal=proposal, user=actor)
    from proposals.notifications import notify_comment

    transaction.on_commit(partial(notify_comment, comment_id=comment.pk))
    return comment


def _visible_comment(comment: Comment) -> Comment:
    return Comment.objects.select_for_update(of=("self",)).select_related("proposal__cycle").get(pk=comment.pk)


@transaction.atomic
def comment_flag(*, actor: User, comment: Comment, reason: str, now: datetime) -> CommentFlag:
    """``actor`` reports ``comment`` to the cycle's team, once. Raises ``ValidationError``
    (codes ``own``, ``hidden``, ``too_long``, ``already_flagged``)."""
    if not _signed_in(actor):
        raise PermissionDenied(_("Sign in to take part."))
    comment = Comment.objects.select_related("proposal").get(pk=comment.pk)
    if comment.author_id == actor.pk:
        raise ValidationError(_("You cannot report your own comment."), code="own")
    if comment.hidden_at is not None:
        raise ValidationError(_("This comment has already been hidden."), code="hidden")
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        message = _("Say why in at most %(max)d characters.") % {"max": MAX_REASON}
        raise ValidationError({"reason": ValidationError(message, code="too_long")})
    try:
        with transaction.atomic():
            flag = CommentFlag.objects.create(comment=comment, user=actor, reason=reason, created_at=now)
    except IntegrityError as error:
        raise ValidationError(_("You have already reported this comment."), code="already_flagged") from error
    Comment.objects.filter(pk=comment.pk).update(flag_count=F("flag_count") + 1)
    return flag


@transaction.atomic
def comment_hide(*, actor: User, comment: Comment, reason: str, now: datetime) -> Comment:
    """The cycle's team hides ``comment``; ``reason`` is shown publicly in its place.
    Raises ``PermissionDenied`` without ``proposals.moderate_comment`` on the proposal,
    ``ValidationError`` (codes ``reason``, ``too_long``, ``already_hidden``)."""
    comment = _visible_comment(comment)
    if not _signed_in(actor) or not actor.has_perm("proposals.moderate_comment", comment.proposal):
        raise PermissionDenied(_("Only the cycle's team may hide comments."))
    reason = reason.strip()
    if not reason:
        message = _("Give the public reason for hiding this comment.")
        raise ValidationError({"reason": ValidationError(message, code="reason")})
    if len(reason) > MAX_REASON:
        message = _("Say why in at most %(max)d characters.") % {"max": MAX_REASON}
        raise ValidationError({"reason": ValidationError(message, code="too_long")})
    if comment.hidden_at is not None:
        raise ValidationError(_("This comment has already been hidden."), code="already_hidden")
    comment.hidden_at, comment.hidden_reason, comment.hidden_by = now, reason, actor
    comment.save(update_fields=["hidden_at", "hidden_reason", "hidden_by"])
    audit_record(
        actor=actor,
        action="proposals.comment_hidden",
        subject=subject_of(comment),
        data={"proposal": comment.proposal_id, "reason": reason},
    )
    return comment


def _require_followable(actor: User, proposal: Proposal) -> None:
    if not _signed_in(actor):
        raise PermissionDenied(_("Sign in to take part."))
    if proposal.status == Status.DRAFT:
        raise ValidationError(_("Drafts cannot be followed."), code="draft")


def follow(*, actor: User, proposal: Proposal) -> Follower:
    """``actor`` gets e-mails about ``proposal`` (idempotent)."""
    _require_followable(actor, proposal)
    follower, _created = Follower.objects.get_or_create(proposal=proposal, user=actor)
    return follower


def unfollow(*, actor: User, proposal: Proposal) -> None:
    """``actor`` no longer gets e-mails about ``proposal`` (its author always does)."""
    _require_followable(actor, proposal)
    if proposal.author_id == actor.pk:
        raise ValidationError(_("As its author you always get e-mails about your proposal."), code="author")
    Follower.objects.filter(proposal=proposal, user=actor).delete()


# --- Reading -------------------------------------------------------------------------


def comment_thread(proposal: Proposal) -> list[Comment]:
    """The top comments of ``proposal``, oldest first, each with ``thread_replies``
    (a list, oldest first) and its author loaded: one query whatever the size."""
    comments = list(Comment.objects.filter(proposal=proposal).select_related("author").order_by("created_at", "pk"))
    by_pk = {comment.pk: comment for comment in comments}
    top: list[Comment] = []
    for comment in comments:
        comment.thread_replies = []  # type: ignore[attr-defined]
        comment.author_label = public_name(comment.author)  # type: ignore[attr-defined]
    for comment in comments:
        root = comment
        seen = 0
        while root.parent_id is not None and root.parent_id in by_pk and seen < len(comments):
            root, seen = by_pk[root.parent_id], seen + 1
        if root is comment:
            top.append(comment)
        else:
            root.thread_replies.append(comment)  # type: ignore[attr-defined]
    return top


@dataclass
class Discussion:
    """What templates/proposals/_discussion.html shows."""

    proposal: Proposal
    comments: list[Comment]
    count: int
    refusal: str | None
    can_moderate: bool
    is_author: bool
    is_following: bool
    signed_in: bool
    needs_sign_in: bool
    flagged: set[int] = field(default_factory=set)
    form: Any = None  # the comment form: blank, or with errors after a refused htmx post
    notice: str = ""  # what just happened, after an htmx post
    url: str = ""
    max_body: int = MAX_BODY


def discussion_context(
    *, proposal: Proposal, viewer: User | Any, opened: frozenset[Capability] | None = None
) -> dict[str, Any]:
    """What templates/proposals/_discussion.html needs, for the proposal page: one key,
    ``discussion`` (a :class:`Discussion`), in a constant number of queries."""
    from proposals.forms_talk import CommentForm  # the forms module imports this one

    now = timezone.now()
    closed = closed_reason(proposal, now, opened)
    comments = comment_thread(proposal)
    count = len(comments) + sum(len(getattr(c, "thread_replies", ())) for c in comments)
    signed_in = _signed_in(viewer)
    flagged: set[int] = set()
    following = False
    can_moderate = False
    if signed_in:
        flagged = set(
            CommentFlag.objects.filter(comment__proposal=proposal, user=viewer).values_list("comment_id", flat=True)
        )
        following = Follower.objects.filter(proposal=proposal, user=viewer).exists()
        can_moderate = viewer.has_perm("proposals.moderate_comment", proposal)
    is_author = bool(signed_in and proposal.author_id == viewer.pk)
    return {
        "discussion": Discussion(
            proposal=proposal,
            comments=comments,
            count=count,
            refusal=closed
            or (refusal(viewer, proposal.cycle, timezone.localdate(now)) if signed_in else _("Sign in to take part.")),
            needs_sign_in=closed is None and not signed_in,
            can_moderate=can_moderate,
            is_author=is_author,
            is_following=following or is_author,
            signed_in=signed_in,
            flagged=flagged,
            form=CommentForm(),
            url=proposal_path(proposal),
        )
    }
