from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts.audit import audit_head, audit_verify


class Command(BaseCommand):
    help = "Recompute the audit log's hash chain; exit with an error at the first entry that was altered."

    def handle(self, *args: Any, **options: Any) -> None:
        check = audit_verify()
        if not check.ok:
            raise CommandError(
                f"Audit chain BROKEN at entry #{check.broken_at}: {check.reason} "
                f"({check.checked} entries before it are intact)."
            )
        self.stdout.write(f"Audit chain intact: {check.checked} entries, head {audit_head()}.")
