"""The Django admin, reachable only by support staff who use two-factor authentication.

Its own password form is bypassed: people sign in through the platform's
login (allauth), which asks for the second factor.
"""

from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from accounts.access import mfa_setup_redirect


class MFAAdminSite(admin.AdminSite):
    site_header = "Red PLyPP"
    site_title = "Red PLyPP"

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(super().has_permission(request) and is_mfa_enabled(request.user))

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        user: Any = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.GET.get("next", request.get_full_path()))
        if user.is_active and user.is_staff and not is_mfa_enabled(user):
            return mfa_setup_redirect(request)
        if self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        # Never the admin's own password form: it would skip the second factor.
        raise PermissionDenied
