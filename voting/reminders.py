"""One reminder to people who opened their ballot and have not cast it, in the last
day before their territory's vote closes.

``ballot_reminders_send`` is run hourly by beat (``voting.tasks.ballot_reminders_task``).
A reminder is claimed by stamping ``BallotStart.reminded_at`` (a conditional
update, so two runs at once claim it once) and sent after commit: running it
again sends nothing new. Someone already on the roll (online or at a station,
by their document) is not reminded. The e-mail is best effort: a claimed
reminder whose e-mail failed is not sent again.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from cycles.models import Cycle, CycleStatus, Delegate
from cycles.phases import Capability, open_until
from cycles.selectors import cycle_windows
from proposals.models import Participation
from voting.models import BallotStart, VoterRollEntry
from voting.notifications import notify_ballot_reminder

REMIND_BEFORE = timedelta(hours=24)


def _territories(cycle: Cycle, user_ids: list[int], now: datetime) -> dict[int, int]:
    """Where each person votes: their declared territory, else their delegation's (two queries)."""
    today = timezone.localdate(now)
    delegates = Delegate.objects.filter(
        cycle=cycle, user_id__in=user_ids, term_start__lte=today, term_end__gte=today
    ).values_list("user_id", "unit_id")
    declared = Participation.objects.filter(cycle=cycle, user_id__in=user_ids).values_list("user_id", "unit_id")
    return {**{user: unit for user, unit in delegates if user is not None}, **dict(declared)}


def _reminders_for(cycle: Cycle, starts: list[BallotStart], now: datetime) -> int:
    windows = cycle_windows(cycle)
    keys = {start.pk: getattr(getattr(start.user, "identity", None), "document_hash", "") for start in starts}
    voted = set(
        VoterRollEntry.objects.filter(cycle=cycle, voter_key__in=[key for key in keys.values() if key]).values_list(
            "voter_key", flat=True
        )
    )
    where = _territories(cycle, [start.user_id for start in starts], now)
    claimed = 0
    for start in starts:
        unit_id = where.get(start.user_id)
        if not start.user.is_active or keys[start.pk] in voted or unit_id is None:
            continue
        closes_at = open_until(windows, Capability.VOTE, now, unit_id)
        if closes_at is None or closes_at - now > REMIND_BEFORE:
            continue
        with transaction.atomic():
            if BallotStart.objects.filter(pk=start.pk, reminded_at__isnull=True).update(reminded_at=now):
                claimed += 1
                transaction.on_commit(
                    partial(notify_ballot_reminder, user_id=start.user_id, cycle_id=cycle.pk, closes_at=closes_at)
                )
    return claimed


def ballot_reminders_send(*, now: datetime) -> int:
    """Claim the due reminders, send them after commit, and return how many were claimed."""
    pending = (
        BallotStart.objects.filter(reminded_at__isnull=True, cycle__status=CycleStatus.PUBLISHED)
        .select_related("cycle", "user__identity")
        .order_by("cycle_id", "pk")
    )
    by_cycle: dict[int, list[BallotStart]] = defaultdict(list)
    for start in pending:
        by_cycle[start.cycle_id].append(start)
    return sum(_reminders_for(starts[0].cycle, starts, now) for starts in by_cycle.values())
