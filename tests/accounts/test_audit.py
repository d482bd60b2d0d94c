"""The audit log: chained, append-only, and a tampered entry is detected."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from accounts.audit import GENESIS_HASH, audit_head, audit_record, audit_verify
from accounts.models import AuditEntry
from tests.factories import UserFactory

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("America/Bogota"))
pytestmark = pytest.mark.django_db


def record_three(actor=None) -> list[AuditEntry]:
    return [
        audit_record(actor=actor, action="nodes.node_created", subject=f"nodes.node:{n}", data={"n": n}, now=NOW)
        for n in range(3)
    ]


def test_audit_entries_chain_each_onto_the_previous():
    first, second, third = record_three()
    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.entry_hash
    assert third.previous_hash == second.entry_hash
    assert audit_head() == third.entry_hash


def test_audit_verify_accepts_an_intact_chain():
    record_three(actor=UserFactory())
    check = audit_verify()
    assert check.ok
    assert check.checked == 3


def test_audit_entries_cannot_be_updated_or_deleted():
    entry = record_three()[1]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="something.else")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "nodes.node_created"


def _tamper(sql: str, params: list) -> None:
    """What an attacker with direct database access would do: switch the trigger off and edit."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE accounts_auditentry DISABLE TRIGGER accounts_auditentry_append_only")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE accounts_auditentry ENABLE TRIGGER accounts_auditentry_append_only")


def test_audit_verify_detects_an_edited_entry():
    entries = record_three()
    _tamper("UPDATE accounts_auditentry SET data = '{\"n\": 99}' WHERE id = %s", [entries[1].pk])
    check = audit_verify()
    assert not check.ok
    assert check.broken_at == entries[1].pk
    assert check.checked == 1


def test_audit_verify_detects_a_removed_entry():
    entries = record_three()
    _tamper("DELETE FROM accounts_auditentry WHERE id = %s", [entries[1].pk])
    check = audit_verify()
    assert not check.ok
    assert check.broken_at == entries[2].pk


def test_audit_verify_command_fails_loudly_on_tampering():
    entries = record_three()
    call_command("audit_verify")  # intact: no error
    _tamper("UPDATE accounts_auditentry SET actor_id = 7 WHERE id = %s", [entries[0].pk])
    with pytest.raises(CommandError, match=f"#{entries[0].pk}"):
        call_command("audit_verify")
