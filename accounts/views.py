from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.access import management_required, signed_in_user
from accounts.divipola import municipality_by_code
from accounts.forms import AccountDeleteForm, IdentityForm
from accounts.models import CitizenIdentity
from accounts.services import DocumentAlreadyRegistered, IdentityError, identity_save, user_data_export, user_delete

_IDENTITY_ERRORS = {
    "document_taken": (
        "document_number",
        gettext_lazy(
            "This document is already registered in another account. "
            "If it is yours, write to the Secretaría Técnica to recover it."
        ),
    ),
    "document_required": ("document_number", gettext_lazy("Write the document number.")),
    "guardian_required": (
        "guardian_authorises",
        gettext_lazy("People under 18 need the authorisation of their mother, father or guardian."),
    ),
    "birth_in_future": ("birth_date", gettext_lazy("The date of birth cannot be in the future.")),
}


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    identity = CitizenIdentity.objects.filter(user=signed_in_user(request)).first()
    municipality = municipality_by_code().get(identity.municipality_code) if identity else None
    return render(request, "accounts/user_profile.html", {"identity": identity, "municipality": municipality})


@login_required
@sensitive_post_parameters("document_number", "guardian_document_number")
@require_http_methods(["GET", "POST"])
def identity_edit(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    identity = CitizenIdentity.objects.filter(user=user).first()
    now = timezone.now()
    today = timezone.localdate(now)
    form = IdentityForm(request.POST or None, identity=identity, today=today)
    if request.method == "POST" and form.is_valid():
        try:
            identity_save(user=user, data=form.to_input(), now=now)
        except (DocumentAlreadyRegistered, IdentityError) as error:
            field, message = _IDENTITY_ERRORS[error.code]
            form.add_error(field, str(message))
        else:
            messages.success(request, _("Your identity details were saved."))
            return redirect("accounts:profile")
    return render(request, "accounts/identity_form.html", {"form": form, "identity": identity})


@login_required
def data_export(request: HttpRequest) -> HttpResponse:
    payload = json.dumps(user_data_export(user=signed_in_user(request)), ensure_ascii=False, indent=2)
    response = HttpResponse(payload, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mis-datos-redplypp.json"'
    return response


@login_required
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = signed_in_user(request)
        logout(request)
        user_delete(user=user, now=timezone.now())
        messages.success(request, _("Your account and your personal data were deleted."))
        return redirect("home")
    return render(request, "accounts/user_confirm_delete.html", {"form": form})


@management_required
def management_home(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/management_home.html")
