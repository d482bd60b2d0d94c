"""Use cases that write accounts and identity data.

Callers pass the acting user and the time; nothing here reads a request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from accounts.audit import audit_record, subject_of
from accounts.identity import ADULT_AGE, age_on, document_hash
from accounts.models import CitizenIdentity, User


class IdentityError(Exception):
    """A rule of identity was broken; ``code`` names which, for the form to explain."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class DocumentAlreadyRegistered(IdentityError):
    def __init__(self) -> None:
        super().__init__("document_taken")


@dataclass(frozen=True, slots=True)
class IdentityInput:
    """What the identity form collects. Plain numbers live only here, in memory."""

    document_type: str
    document_number: str | None  # None keeps the number already registered
    birth_date: date
    municipality_code: str
    guardian_name: str = ""
    guardian_document_type: str = ""
    guardian_document_number: str = ""
    guardian_authorises: bool = False
    sensitive_consent: bool = False
    gender: str = ""
    ethnic_group: str = ""


def _hash(kind: str, number: str) -> str:
    return document_hash(kind, number, key=settings.IDENTITY_HASH_KEY)


@transaction.atomic
def identity_save(*, user: User, data: IdentityInput, now: datetime) -> CitizenIdentity:
    """Create or update the citizen identity of ``user``.

    Raises ``DocumentAlreadyRegistered`` when another account holds the same
    document (the unique index decides, so two racing sign-ups cannot both
    win), and ``IdentityError`` for a minor without a guardian's
    authorisation, a birth date in the future, or a first identity without a
    document number. Withdrawing the sensitive-data consent erases that data.
    """
    if data.birth_date > now.date():
        raise IdentityError("birth_in_future")
    identity = CitizenIdentity.objects.select_for_update().filter(user=user).first()
    if identity is None:
        if not data.document_number:
            raise IdentityError("document_required")
        identity = CitizenIdentity(user=user, data_consent_at=now)
    if data.document_number:
        identity.document_hash = _hash(data.document_type, data.document_number)
        identity.document_type = data.document_type
    elif identity.document_type != data.document_type:
        raise IdentityError("document_required")  # a new type needs its number again
    identity.birth_date = data.birth_date
    identity.municipality_code = data.municipality_code

    if age_on(data.birth_date, now.date()) < ADULT_AGE:
        already_authorised = identity.guardian_authorised_at is not None
        if data.guardian_authorises and data.guardian_name and data.guardian_document_number:
            identity.guardian_name = data.guardian_name
            identity.guardian_document_hash = _hash(data.guardian_document_type, data.guardian_document_number)
            identity.guardian_authorised_at = now
        elif not already_authorised:
            raise IdentityError("guardian_required")
    else:
        identity.guardian_name = ""
        identity.guardian_document_hash = ""
        identity.guardian_authorised_at = None

    if data.sensitive_consent:
        identity.sensitive_consent_at = identity.sensitive_consent_at or now
        identity.gender = data.gender
        identity.ethnic_group = data.ethnic_group
    else:
        identity.sensitive_consent_at = None
        identity.gender = ""
        identity.ethnic_group = ""

    try:
        with transaction.atomic():
            identity.save()
    except IntegrityError as error:
        if "document_hash" in str(error):
            raise DocumentAlreadyRegistered() from error
        raise
    return identity


def user_data_export(*, user: User) -> dict[str, Any]:
    """Everything the platform holds about ``user``, as JSON-ready data (Ley 1581 access right)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    identity = CitizenIdentity.objects.filter(user=user).first()
    export: dict[str, Any] = {
        "account": {
            "id": user.pk,
            "email": user.email,
            "name": user.name,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "support_staff": user.is_staff,
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "two_factor_methods": sorted(Authenticator.objects.filter(user=user).values_list("type", flat=True)),
        "identity": None,
    }
    if identity is not None:
        export["identity"] = {
            "document_type": identity.document_type,
            "document_number": "not stored: only a keyed hash of it is kept",
            "document_hash": identity.document_hash,
            "birth_date": identity.birth_date.isoformat(),
            "municipality_code": identity.municipality_code,
            "data_consent_at": identity.data_consent_at.isoformat(),
            "guardian_name": identity.guardian_name or None,
            "guardian_authorised_at": identity.guardian_authorised_at.isoformat()
            if identity.guardian_authorised_at
            else None,
            "sensitive_consent_at": identity.sensitive_consent_at.isoformat()
            if identity.sensitive_consent_at
            else None,
            "gender": identity.gender or None,
            "ethnic_group": identity.ethnic_group or None,
        }
    return export


@transaction.atomic
def user_delete(*, user: User, now: datetime) -> None:
    """Delete the account and every personal datum tied to it.

    The audit log keeps an entry saying that account id N was deleted, with
    no personal data: official acts the person performed stay verifiable.
    """
    audit_record(actor=user, action="accounts.account_deleted", subject=subject_of(user), now=now)
    user.delete()
