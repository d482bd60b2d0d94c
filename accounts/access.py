"""The one gate in front of every management page: signed in, holding a
management role, and with two-factor authentication set up.

A person with a role but no authenticator is sent to set one up and comes
back to the page they asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User


def signed_in_user(request: HttpRequest) -> User:
    """The account behind a request that ``login_required`` already let through."""
    user = request.user
    assert isinstance(user, User), "use behind login_required"
    return user


def mfa_setup_redirect(request: HttpRequest) -> HttpResponseRedirect:
    messages.warning(
        request,
        _(
            "Your role lets you manage processes of the network. "
            "To protect them, set up two-factor authentication first."
        ),
    )
    return HttpResponseRedirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")


def management_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a management view: 302 to login, 403 without a role, 302 to MFA set-up without MFA."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm("accounts.access_management"):
            raise PermissionDenied(_("This page is for people with a management role in the network."))
        if not is_mfa_enabled(request.user):
            return mfa_setup_redirect(request)
        return view(request, *args, **kwargs)

    return wrapped
