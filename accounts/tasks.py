import logging
from typing import Any

from celery import shared_task

from accounts.audit import audit_verify

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def audit_verify_task() -> dict[str, Any]:
    """Recompute the audit chain (nightly, from beat); log loudly if it is broken. Read-only, so safe to retry."""
    check = audit_verify()
    if not check.ok:
        logger.error("Audit chain broken at entry #%s: %s", check.broken_at, check.reason)
    return {"ok": check.ok, "checked": check.checked, "broken_at": check.broken_at}
