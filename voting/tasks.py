"""Tasks of the voting app: thin, idempotent, by id."""

from __future__ import annotations

from celery import shared_task

from voting.services import ballot_chain_seal, ballot_chain_seal_all


@shared_task(acks_late=True)
def ballot_chain_seal_task(*, cycle_id: int) -> int:
    """Seal what is waiting in one cycle's box (queued a few seconds after casts)."""
    return ballot_chain_seal(cycle_id=cycle_id)


@shared_task(acks_late=True)
def ballot_chain_seal_all_task() -> dict[str, int]:
    """Beat, every minute: seal whatever a lost message left unsealed."""
    return {str(cycle_id): count for cycle_id, count in ballot_chain_seal_all().items() if count}
