"""E-mails to a proposal's author and followers: a new comment, a change of state.

Called after commit (``transaction.on_commit``) with ids, so that nobody is told
of something that was rolled back. Rules: one e-mail per recipient per event
(each to one address: nobody sees who else follows), never to the person who
acted, in the site's language (we keep no language per person), plain text,
and no personal data: no names, documents or addresses of anyone, only the
proposal's public title, its state, the public reasons of its latest review and
a link. E-mail is best effort: a failing mail server is logged, the act stands.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import User
from proposals.discussion import proposal_path
from proposals.models import Comment, Proposal, Review, StateChange

logger = logging.getLogger(__name__)


def site_url() -> str:
    """The public address of the site for links in e-mails: ``settings.SITE_URL``,
    else the first allowed host over HTTPS."""
    configured = getattr(settings, "SITE_URL", "")
    if configured:
        return str(configured).rstrip("/")
    hosts = [host for host in settings.ALLOWED_HOSTS if host and "*" not in host and not host.startswith(".")]
    return f"https://{hosts[0] if hosts else 'localhost'}"


def recipients(proposal: Proposal, *, actor_id: int | None) -> list[User]:
    """The author and followers of ``proposal`` with an active account, once each, without the actor."""
    people = (
        User.objects.filter(Q(pk=proposal.author_id) | Q(followed_proposals__proposal=proposal), is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    if actor_id is not None:
        people = people.exclude(pk=actor_id)
    return list(people)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _send(proposal: Proposal, people: Iterable[User], template: str, context: dict[str, Any]) -> None:
    """Render one plain-text e-mail per person in the site's language and send them together."""
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        url = site_url() + proposal_path(proposal)
        for person in people:
            body_context = {**context, "proposal": proposal, "url": url, "is_author": person.pk == proposal.author_id}
            subject = _one_line(render_to_string(f"proposals/email/{template}_subject.txt", body_context))
            body = render_to_string(f"proposals/email/{template}.txt", body_context)
            prefixed = f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}"
            messages.append(EmailMessage(subject=prefixed, body=body, to=[person.email]))
    if not messages:
        return
    try:
        get_connection().send_messages(messages)
    except Exception:  # the comment or state change is saved; the e-mail is best effort
        logger.exception("could not send %s e-mails for proposal %s", template, proposal.pk)


def notify_comment(*, comment_id: int) -> None:
    """E-mail the proposal's author and followers about a new comment (not its writer)."""
    comment = Comment.objects.select_related("proposal__cycle").filter(pk=comment_id).first()
    if comment is None or comment.hidden_at is not None:
        return
    proposal = comment.proposal
    people = recipients(proposal, actor_id=comment.author_id)
    _send(proposal, people, "new_comment", {"is_reply": comment.parent_id is not None})


def notify_state_change(*, proposal_id: int) -> None:
    """E-mail the author and followers that the proposal's state changed (call after commit):
    the new state and, when the proposal has been reviewed, the latest review's public reasons.
    The person who made the change (the latest history entry's actor) is not told."""
    proposal = Proposal.objects.select_related("cycle", "merged_into").filter(pk=proposal_id).first()
    if proposal is None:
        return
    change = StateChange.objects.filter(proposal=proposal).order_by("-at", "-pk").first()
    review = Review.objects.filter(proposal=proposal).order_by("-created_at", "-pk").first()
    people = recipients(proposal, actor_id=change.actor_id if change else None)
    merged_url = ""
    if proposal.merged_into is not None:
        with translation.override(settings.LANGUAGE_CODE):
            merged_url = site_url() + proposal_path(proposal.merged_into)
    # Labels (state, verdict) are rendered by the template, in the site's language.
    _send(proposal, people, "state_change", {"review": review, "merged_url": merged_url})
