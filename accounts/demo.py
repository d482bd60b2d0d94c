"""Demo accounts for ``manage.py loaddemo``. Idempotent: running it again changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from accounts.identity import ADULT_AGE, age_on
from accounts.models import CitizenIdentity, User
from accounts.services import IdentityInput, identity_save

DEMO_PASSWORD = "demo-redplypp-2026"  # noqa: S105 (demo accounts only, printed by loaddemo)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    description: str
    is_staff: bool = False
    document: str | None = None
    birth_date: date | None = None
    municipality_code: str = ""


ACCOUNTS = [
    DemoAccount(
        "ciudadana@demo.redplypp.co",
        "Ana Ciudadana",
        "verified citizen of Pasto",
        document="1085000001",
        birth_date=date(1990, 5, 17),
        municipality_code="52001",
    ),
    DemoAccount(
        "joven@demo.redplypp.co",
        "Juan Joven",
        "citizen aged 16 of Medellín, with guardian's authorisation",
        document="1001000002",
        birth_date=date(2010, 3, 2),
        municipality_code="05001",
    ),
    DemoAccount(
        "soporte@demo.redplypp.co",
        "Sofía Soporte",
        "support staff: asked to set up 2FA on entering management",
        is_staff=True,
    ),
]


@transaction.atomic
def load() -> list[tuple[str, str]]:
    """Create the demo accounts; return (e-mail, description) pairs to print."""
    now = timezone.now()
    for account in ACCOUNTS:
        user, created = User.objects.get_or_create(
            email=account.email, defaults={"name": account.name, "is_staff": account.is_staff}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=account.email, defaults={"verified": True, "primary": True}
        )
        if account.document and not CitizenIdentity.objects.filter(user=user).exists():
            assert account.birth_date is not None
            minor = age_on(account.birth_date, now.date()) < ADULT_AGE
            identity_save(
                user=user,
                now=now,
                data=IdentityInput(
                    document_type="TI" if minor else "CC",
                    document_number=account.document,
                    birth_date=account.birth_date,
                    municipality_code=account.municipality_code,
                    guardian_name="María Acudiente" if minor else "",
                    guardian_document_type="CC",
                    guardian_document_number="43000003" if minor else "",
                    guardian_authorises=minor,
                ),
            )
    return [(account.email, account.description) for account in ACCOUNTS]
