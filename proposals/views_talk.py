"""The conversation on a proposal (/propuestas/conversacion/): comment, report a
comment, hide it (the cycle's team), follow.

Every action works without JavaScript (a POST, then back to the proposal page
with a message, or a page with the form and its errors) and with htmx (the
thread fragment, ``proposals/_discussion.html``, comes back in place). Rules
live in ``proposals.discussion``; a view checks the shape, calls one service
and turns its refusals into messages or form errors.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import management_required, signed_in_user
from proposals import discussion
from proposals.discussion import proposal_path
from proposals.forms_talk import CommentForm, FlagForm, HideForm
from proposals.models import Comment, Proposal
from redplypp.forms import add_service_error

GET_POST = require_http_methods(["GET", "POST"])


def _proposal(pk: int) -> Proposal:
    """A public proposal (not a draft, of a published cycle), or 404."""
    return get_object_or_404(
        Proposal.objects.public().select_related("cycle__voting", "cycle__municipality", "cycle__department", "unit"),
        pk=pk,
    )


def _comment(pk: int) -> Comment:
    """A comment on a public proposal, or 404."""
    return get_object_or_404(
        Comment.objects.select_related("author", "proposal__cycle", "proposal__unit").filter(
            proposal__in=Proposal.objects.public()
        ),
        pk=pk,
    )


def _thread(
    request: HttpRequest, proposal: Proposal, form: CommentForm | None = None, notice: str = ""
) -> HttpResponse:
    """The thread fragment, for htmx requests."""
    context = discussion.discussion_context(proposal=proposal, viewer=request.user)
    if form is not None:
        context["discussion"].form = form
    context["discussion"].notice = notice
    return render(request, "proposals/_discussion.html", context)


def _back(proposal: Proposal, anchor: str = "discussion") -> HttpResponse:
    return redirect(f"{proposal_path(proposal)}#{anchor}")


@login_required
@require_POST
def comment_post(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(pk)
    user = signed_in_user(request)
    form = CommentForm(request.POST)
    comment = None
    if form.is_valid():
        parent = None
        if form.cleaned_data["parent"]:
            parent = Comment.objects.filter(pk=form.cleaned_data["parent"], proposal=proposal).first()
            if parent is None:
                form.add_error(None, _("The comment you answered is not on this proposal."))
        if not form.errors:
            try:
                comment = discussion.comment_post(
                    actor=user, proposal=proposal, body=form.cleaned_data["body"], parent=parent, now=timezone.now()
                )
            except ValidationError as error:
                add_service_error(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error) or _("You may not comment on this proposal."))
    if request.htmx:  # type: ignore[attr-defined]
        if comment is None:
            return _thread(request, proposal, form)
        return _thread(request, proposal, notice=_("Your comment is published."))
    if comment is None:
        return render(
            request,
            "proposals/talk/comment_form.html",
            {"proposal": proposal, "proposal_url": proposal_path(proposal), "form": form},
        )
    messages.success(request, _("Your comment is published."))
    return _back(proposal, f"comment-{comment.pk}")


@login_required
@GET_POST
def comment_flag(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(pk)
    user = signed_in_user(request)
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            discussion.comment_flag(actor=user, comment=comment, reason=form.cleaned_data["reason"], now=timezone.now())
        except ValidationError as error:
            if getattr(error, "code", None) in ("already_flagged", "hidden"):
                messages.info(request, error.messages[0])
                return _back(comment.proposal, f"comment-{comment.pk}")
            add_service_error(form, error)
        else:
            messages.success(request, _("Thank you: the cycle's team will look at this comment."))
            return _back(comment.proposal, f"comment-{comment.pk}")
    return render(
        request,
        "proposals/talk/comment_flag.html",
        {
            "comment": comment,
            "proposal": comment.proposal,
            "proposal_url": proposal_path(comment.proposal),
            "form": form,
            "author": discussion.public_name(comment.author),
        },
    )


@management_required
@GET_POST
def comment_hide(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(pk)
    user = signed_in_user(request)
    if not user.has_perm("proposals.moderate_comment", comment.proposal):
        raise PermissionDenied(_("Only the cycle's team may hide comments."))
    form = HideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            discussion.comment_hide(actor=user, comment=comment, reason=form.cleaned_data["reason"], now=timezone.now())
        except ValidationError as error:
            if getattr(error, "code", None) == "already_hidden":
                messages.info(request, error.messages[0])
                return _back(comment.proposal, f"comment-{comment.pk}")
            add_service_error(form, error)
        else:
            messages.success(request, _("The comment is hidden; the reason is shown in its place."))
            return _back(comment.proposal, f"comment-{comment.pk}")
    return render(
        request,
        "proposals/talk/comment_hide.html",
        {
            "comment": comment,
            "proposal": comment.proposal,
            "proposal_url": proposal_path(comment.proposal),
            "form": form,
            "author": discussion.public_name(comment.author),
        },
    )


@login_required
@require_POST
def follow(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow the proposal, or stop following it if already following."""
    proposal = _proposal(pk)
    user = signed_in_user(request)
    following = proposal.author_id == user.pk or proposal.followers.filter(user=user).exists()
    try:
        if following:
            discussion.unfollow(actor=user, proposal=proposal)
            notice = _("You no longer get e-mails about this proposal.")
        else:
            discussion.follow(actor=user, proposal=proposal)
            notice = _("You will get an e-mail when this proposal changes state or gets a comment.")
    except ValidationError as error:
        notice = error.messages[0]
    if request.htmx:  # type: ignore[attr-defined]
        return _thread(request, proposal, notice=notice)
    messages.info(request, notice)
    return _back(proposal)
