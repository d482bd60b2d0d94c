"""Many eligible voters at once, signed in, for the concurrency and load tests.

Rows are written with ``bulk_create`` (a few statements per thousand people)
instead of through the services, and each person gets a session written
straight into the session table, as a login would leave it: the tests drive
the cast endpoint, not the login form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from django.utils.crypto import get_random_string

from accounts.identity import document_hash
from accounts.models import CitizenIdentity, User
from cycles.models import Cycle, CycleTerritory
from proposals.models import Participation

BACKEND = "django.contrib.auth.backends.ModelBackend"


@dataclass(frozen=True, slots=True)
class SignedInVoter:
    user_id: int
    unit_id: int
    session_key: str


def signed_in_voters(
    cycle: Cycle, units: Sequence[CycleTerritory], count: int, *, first_document: int = 1_200_000_001
) -> list[SignedInVoter]:
    """``count`` adults of the cycle's municipality with a verified e-mail, a citizen
    identity, a territory declared in ``cycle`` (round robin over ``units``) and a
    live session each."""
    now = timezone.now()
    tag = get_random_string(6).lower()
    password = make_password(None)  # unusable: these people never sign in by form
    users = User.objects.bulk_create(
        [User(email=f"votante{n}.{tag}@carga.example", password=password) for n in range(count)], batch_size=2000
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users], batch_size=2000
    )
    CitizenIdentity.objects.bulk_create(
        [
            CitizenIdentity(
                user=user,
                document_type="CC",
                document_hash=document_hash("CC", str(first_document + n), key=settings.IDENTITY_HASH_KEY),
                birth_date=date(1990, 1, 1),
                municipality_code=cycle.municipality_id or "",
                data_consent_at=now,
            )
            for n, user in enumerate(users)
        ],
        batch_size=2000,
    )
    placed = [(user, units[n % len(units)]) for n, user in enumerate(users)]
    Participation.objects.bulk_create(
        [Participation(cycle=cycle, user=user, unit=unit, declared_at=now) for user, unit in placed], batch_size=2000
    )
    store = SessionStore()
    expires = now + timedelta(days=1)
    sessions = [
        Session(
            session_key=get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789"),
            session_data=store.encode(
                {
                    SESSION_KEY: str(user.pk),
                    BACKEND_SESSION_KEY: BACKEND,
                    HASH_SESSION_KEY: user.get_session_auth_hash(),
                }
            ),
            expire_date=expires,
        )
        for user, _unit in placed
    ]
    Session.objects.bulk_create(sessions, batch_size=2000)
    return [
        SignedInVoter(user_id=user.pk, unit_id=unit.pk, session_key=session.session_key)
        for (user, unit), session in zip(placed, sessions, strict=True)
    ]
