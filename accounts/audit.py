"""The audit log of official acts: the one writer and the verifier.

Every entry's hash covers its content and the previous entry's hash, so
changing, removing or reordering any entry breaks the chain from there on.
Writers are serialised with a transaction-scoped advisory lock, so two
concurrent acts can never both chain onto the same predecessor.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import AuditEntry

GENESIS_HASH = "0" * 64
# Arbitrary constant naming the advisory lock that serialises audit writes.
_AUDIT_LOCK_KEY = 7_310_001


def subject_of(instance: models.Model) -> str:
    """A stable text name for what an act was about: ``"nodes.node:12"``."""
    return f"{instance._meta.label_lower}:{instance.pk}"


def entry_digest(
    *,
    previous_hash: str,
    created_at: datetime,
    actor_id: int | None,
    action: str,
    subject: str,
    data: Mapping[str, Any],
) -> str:
    """The hash of one entry: SHA-256 of a canonical JSON of its fields."""
    payload = json.dumps(
        {
            "previous": previous_hash,
            "time": created_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": actor_id,
            "action": action,
            "subject": subject,
            "data": data,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def audit_record(
    *,
    actor: Any | None,
    action: str,
    subject: str,
    data: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Append one entry for an official act and return it.

    ``actor`` is a user (or None for the system, e.g. a periodic task).
    Runs inside the caller's transaction when there is one, so the entry
    exists exactly when the act it records does.
    """
    details = json.loads(json.dumps(dict(data or {}), default=str))  # what the JSON column will give back
    created_at = now or timezone.now()
    actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_AUDIT_LOCK_KEY])
        previous = AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first() or GENESIS_HASH
        digest = entry_digest(
            previous_hash=previous,
            created_at=created_at,
            actor_id=actor_id,
            action=action,
            subject=subject,
            data=details,
        )
        return AuditEntry.objects.create(
            created_at=created_at,
            actor_id=actor_id,
            action=action,
            subject=subject,
            data=details,
            previous_hash=previous,
            entry_hash=digest,
        )


@dataclass(frozen=True, slots=True)
class ChainCheck:
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""


def _entries() -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("id").iterator(chunk_size=2000)


def audit_verify() -> ChainCheck:
    """Recompute the whole chain; report the first entry that does not match."""
    previous = GENESIS_HASH
    checked = 0
    for entry in _entries():
        if entry.previous_hash != previous:
            return ChainCheck(False, checked, entry.pk, "does not link to the entry before it")
        digest = entry_digest(
            previous_hash=entry.previous_hash,
            created_at=entry.created_at,
            actor_id=entry.actor_id,
            action=entry.action,
            subject=entry.subject,
            data=entry.data,
        )
        if digest != entry.entry_hash:
            return ChainCheck(False, checked, entry.pk, "its content does not match its hash")
        previous = entry.entry_hash
        checked += 1
    return ChainCheck(True, checked)


def audit_head() -> str:
    """The hash of the newest entry (the chain head), for publishing."""
    return AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first() or GENESIS_HASH
