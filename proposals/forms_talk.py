"""Forms of the conversation on a proposal: the shape only; the rules are in
``proposals.discussion``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from proposals.discussion import MAX_BODY, MAX_REASON
from redplypp.forms import StyledForm


class CommentForm(StyledForm):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write your comment first.")},
        help_text=_("Be respectful: the cycle's team may hide comments that attack people."),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class FlagForm(StyledForm):
    reason = forms.CharField(
        label=_("Why should the team look at this comment? (optional)"),
        max_length=MAX_REASON,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HideForm(StyledForm):
    reason = forms.CharField(
        label=_("Public reason"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the public reason for hiding this comment.")},
        help_text=_("Everybody will read it in place of the comment."),
    )
