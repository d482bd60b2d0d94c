"""Casting, replacing and sealing ballots.

``ballot_cast`` writes the roll entry and the ballot in one transaction. The
roll's unique index (cycle, voter) is the only judge of "already voted": the
insert is ``ON CONFLICT DO NOTHING``, so two requests at once wait for each
other in PostgreSQL and exactly one inserts. A retry of a submission that
already succeeded (same voter, same submission id) gets the same receipt,
since receipts are derived from the submission (see ``voting.chain``).

Ballots enter the hash chain later, in ``ballot_chain_seal``: a sealer takes
the unsealed ballots in the order of their random ids, so chain positions do
not follow the order people voted in, and rewriting the rows gives them a
transaction id of their own (the cast transaction's id, visible in
PostgreSQL's ``xmin``, would otherwise tie each ballot to its roll entry).
Sealing runs shortly after casts (a task) and every minute (beat) once at
least ``VOTING_SEAL_MINIMUM`` ballots wait, so no ballot is sealed alone in
a quiet hour, and for every ballot left when the vote closes.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from hashlib import sha256
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import cache as shared_cache
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cycles.lifecycle import on_step
from cycles.models import Cycle, CycleStep, CycleTerritory, VotingSettings
from cycles.phases import Capability, Step, Window, capabilities_at
from cycles.selectors import cycle_windows
from proposals.models import Proposal, Status
from redplypp.ratelimit import take_slot
from voting import chain
from voting.ballots import BallotKind, BallotProblem, BallotRules, Choice, ballot_check, canonical, from_canonical
from voting.eligibility import Voter, already_voted_message
from voting.errors import (
    AlreadyVoted,
    BadBallot,
    BadReceipt,
    BadSubmission,
    NotEligible,
    TooManyAttempts,
    VotingClosed,
)
from voting.models import Ballot, BallotChain, BallotStart, Channel, Station, VoterRollEntry

logger = logging.getLogger(__name__)
T = TypeVar("T")

SEAL_BATCH = 20_000  # ballots per transaction when sealing everything (the close, the sweeper)


@cache
def _key() -> bytes:
    """The key for receipts and roll digests, derived from the identity key (never stored)."""
    return hmac.new(settings.IDENTITY_HASH_KEY.encode(), b"voting receipts", sha256).digest()


def _digest(purpose: str, value: str) -> str:
    return chain.keyed_digest(_key(), purpose, value)


# --- What the ballot of a territory holds --------------------------------------------


@dataclass(frozen=True, slots=True)
class BallotContext:
    """Everything casting needs to know about one territory's ballot."""

    cycle_id: int
    unit_id: int
    published: bool
    windows: tuple[Window, ...]
    rules: BallotRules
    costs: dict[int, int]  # viable proposal id -> cost (after review when reviewed)
    online: bool
    replaceable: bool

    def vote_open(self, now: datetime) -> bool:
        return self.published and Capability.VOTE in capabilities_at(list(self.windows), now, self.unit_id)


def rules_for(voting: VotingSettings, unit: CycleTerritory) -> BallotRules:
    return BallotRules(
        kind=BallotKind(voting.ballot_type),
        min_selections=voting.min_selections,
        max_selections=voting.max_selections,
        envelope=unit.amount,
        wallet_amount=voting.wallet_amount,
        wallet_block=voting.wallet_block,
    )


def ballot_proposals(cycle: Cycle, unit: CycleTerritory) -> list[Proposal]:
    """The proposals on ``unit``'s ballot: viable ones of that territory, by code."""
    return list(
        Proposal.objects.filter(cycle=cycle, unit=unit, status=Status.VIABLE).select_related("sector").order_by("pk")
    )


def cost_of(proposal: Proposal) -> int:
    return proposal.adjusted_cost if proposal.adjusted_cost is not None else proposal.estimated_cost


_REMEMBERED: dict[tuple[str, int, int], tuple[float, Any]] = {}
_SEAL_ASKED: dict[int, float] = {}  # cycle id -> when this process last asked for a sealing


def _remembered(key: tuple[str, int, int], build: Callable[[], T]) -> T:
    """``build()`` kept in this process for ``VOTING_CONTEXT_SECONDS``: casting reads the
    cycle, the territory and its ballot on every request, and while a vote is open they
    hardly move (voting settings are frozen once it opens). What must be exact at the
    close is checked again inside the cast transaction."""
    ttl = settings.VOTING_CONTEXT_SECONDS
    now = time.monotonic()
    hit = _REMEMBERED.get(key)
    if ttl > 0 and hit is not None and now - hit[0] < ttl:
        return cast(T, hit[1])
    value = build()
    if ttl > 0:
        if len(_REMEMBERED) > 3000:
            _REMEMBERED.clear()
        _REMEMBERED[key] = (now, value)
    return value


def forget_remembered() -> None:
    """Drop what this process keeps (tests that change cycles between casts)."""
    _REMEMBERED.clear()
    _SEAL_ASKED.clear()


def cached_context(cycle: Cycle, unit: CycleTerritory) -> BallotContext:
    return _remembered(("context", cycle.pk, unit.pk), lambda: ballot_context(cycle, unit))


def cached_cycle(cycle_pk: int) -> Cycle | None:
    """The cycle with its voting settings and place, for casting."""
    cycles = Cycle.objects.select_related("voting", "municipality", "department")
    return _remembered(("cycle", cycle_pk, 0), lambda: cycles.filter(pk=cycle_pk).first())


def cached_unit(cycle: Cycle, unit_pk: int) -> CycleTerritory:
    """The territory with its name's rows (territory or municipality), for casting and the ballot."""
    units = CycleTerritory.objects.select_related("territory", "municipality")
    return _remembered(("unit", cycle.pk, unit_pk), lambda: units.get(pk=unit_pk, cycle=cycle))


def cached_titles(context: BallotContext) -> dict[int, str]:
    """The titles of the proposals on a ballot (for the JSON ballot), kept like the ballot."""
    return _remembered(
        ("titles", context.cycle_id, context.unit_id),
        lambda: dict(Proposal.objects.filter(pk__in=list(context.costs)).values_list("pk", "title")),
    )


def ballot_context(cycle: Cycle, unit: CycleTerritory) -> BallotContext:
    """The ballot of ``unit`` (three queries)."""
    rows = Proposal.objects.filter(cycle=cycle, unit=unit, status=Status.VIABLE).values_list(
        "pk", "estimated_cost", "adjusted_cost"
    )
    costs = {pk: estimated if adjusted is None else adjusted for pk, estimated, adjusted in rows}
    voting = cycle.voting
    return BallotContext(
        cycle_id=cycle.pk,
        unit_id=unit.pk,
        published=cycle.is_published,
        windows=tuple(cycle_windows(cycle)),
        rules=rules_for(voting, unit),
        costs=costs,
        online=voting.online,
        replaceable=voting.ballot_replaceable,
    )


# A receipt is HMAC(key, cycle, voter, submission): whoever holds the key and the roll
# could try submission ids, so they must be too many to try (128 bits and more).
_SUBMISSION = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def check_submission(submission: str) -> None:
    if not _SUBMISSION.match(submission or ""):
        raise BadSubmission(
            _("The ballot's submission id must be 32 to 64 letters, digits, '-' or '_' (e.g. a random UUID)."),
            "submission",
        )


def ballot_validate(context: BallotContext, choices: Sequence[Choice]) -> tuple[Choice, ...]:
    try:
        return ballot_check(context.rules, choices, context.costs)
    except BallotProblem as problem:
        raise BadBallot(problem) from problem


def _require_open(context: BallotContext, now: datetime) -> None:
    if not context.vote_open(now):
        raise VotingClosed(_("Voting is not open for this territory now. The cycle page says when it is."), "closed")


def refuse_if_closed(cycle_id: int) -> None:
    """Inside the cast transaction, after the roll insert has key-share locked the cycle
    row: a close-voting step that committed before us is seen here, and one that has not
    committed yet waits for us (it locks the cycle row for update)."""
    if CycleStep.objects.filter(cycle_id=cycle_id, step=Step.CLOSE_VOTING).exists():
        raise VotingClosed(_("Voting has closed in this cycle."), "closed")


# --- Casting -----------------------------------------------------------------------

CAST_ATTEMPTS_PER_MINUTE = 20


def _take_attempt(voter: Voter) -> None:
    """A person casting from their account tries at most 20 times a minute (a script
    trying proposals or receipts, not a person correcting a ballot)."""
    if voter.user_id is not None and not take_slot(
        "voting-cast", voter.user_id, limit=CAST_ATTEMPTS_PER_MINUTE, window_seconds=60
    ):
        raise TooManyAttempts(_("Too many attempts in a minute: wait a moment and try again."), "too_many")


@dataclass(frozen=True, slots=True)
class Receipt:
    code: str
    choices: tuple[Choice, ...]
    repeated: bool = False  # a retry of a submission already in the box


_ROLL_INSERT = """
    INSERT INTO voting_voterrollentry
        (id, cycle_id, voter_key, unit_id, channel, station_id, delegate_id, user_id, voted_on,
         submission_digest, receipt_token)
    VALUES (gen_random_uuid(), %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
    ON CONFLICT DO NOTHING
    RETURNING id
"""


def roll_insert(
    *, cycle_id: int, voter: Voter, channel: str, station_id: int | None, day: date, submission: str, token: str
) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            _ROLL_INSERT,
            [
                cycle_id,
                voter.key,
                voter.unit_id,
                channel,
                station_id,
                voter.delegate_id,
                voter.user_id,
                day,
                submission,
                token,
            ],
        )
        return cursor.fetchone() is not None


# The ballot, the end of the reminder marker and the close check in one round trip.
# It runs after the roll insert, whose foreign key took a key-share lock on the
# cycle row: this statement's snapshot sees a close-voting step that committed
# before, and one that has not committed yet waits for our commit (see
# ``refuse_if_closed``).
_BALLOT_INSERT = """
    WITH ballot AS (
        INSERT INTO voting_ballot
            (id, cycle_id, unit_id, channel, selections, receipt_digest, previous_hash, ballot_hash)
        VALUES (gen_random_uuid(), %s, %s, %s, %s::jsonb, %s, '', '')
        RETURNING 1
    ), started AS (
        DELETE FROM voting_ballotstart WHERE cycle_id = %s AND user_id = %s RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM cycles_cyclestep WHERE cycle_id = %s AND step = %s), (SELECT count(*) FROM ballot)
"""


def _ballot_insert(
    *, cycle_id: int, unit_id: int, channel: str, selections: list[list[int]], receipt: str, user_id: int | None
) -> bool:
    """Insert an electronic ballot; True when voting has closed (the caller rolls back)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _BALLOT_INSERT,
            [
                cycle_id,
                unit_id,
                channel,
                json.dumps(selections),
                receipt,
                cycle_id,
                user_id,
                cycle_id,
                Step.CLOSE_VOTING.value,
            ],
        )
        closed, inserted = cursor.fetchone()
    assert inserted == 1
    return bool(closed)


def _existing_entry(cycle_id: int, voter: Voter) -> VoterRollEntry | None:
    """The roll entry that stopped ``voter``: theirs by document, by delegation or by account."""
    same = Q(voter_key=voter.key)
    if voter.delegate_id is not None:
        same |= Q(delegate_id=voter.delegate_id)
    if voter.user_id is not None:
        same |= Q(user_id=voter.user_id)
    return VoterRollEntry.objects.filter(same, cycle_id=cycle_id).first()


def _repeat(code: str) -> Receipt:
    selections = Ballot.objects.filter(receipt_digest=chain.receipt_digest(code)).values_list("selections", flat=True)
    return Receipt(code=code, choices=from_canonical(selections.first() or []), repeated=True)


def ballot_cast(
    *,
    cycle: Cycle,
    unit: CycleTerritory,
    voter: Voter,
    choices: Sequence[Choice],
    submission: str,
    channel: str = Channel.ONLINE,
    station: Station | None = None,
    now: datetime | None = None,
    context: BallotContext | None = None,
) -> Receipt:
    """Put ``voter``'s ballot in the box and mark them in the roll, atomically.

    ``voter`` has been found eligible (``voting.eligibility``) for ``unit``;
    ``submission`` is the id the client generated for this ballot (a form's
    hidden field, the API's ``submission_id``). Raises ``VotingClosed``,
    ``NotEligible`` (online voting off), ``BadBallot`` or ``AlreadyVoted``;
    a retry of the same submission returns the first receipt with
    ``repeated=True``. Schedules the sealer and, online, clears the
    reminder marker.
    """
    now = now or timezone.now()
    if voter.unit_id != unit.pk or unit.cycle_id != cycle.pk:
        raise NotEligible(_("You vote in your own territory only."), "other_territory")
    _take_attempt(voter)
    context = context or cached_context(cycle, unit)
    _require_open(context, now)
    if channel == Channel.ONLINE and not context.online:
        raise NotEligible(_("This cycle votes in person only: go to a polling station."), "in_person_only")
    if channel != Channel.ONLINE and station is None:
        raise NotEligible(_("A ballot cast at a station names the station."), "no_station")
    check_submission(submission)
    ballot = ballot_validate(context, choices)
    code = chain.receipt_code(_key(), cycle=cycle.pk, voter=voter.key, submission=submission)
    submitted = _digest("submission", submission)
    with transaction.atomic():
        inserted = roll_insert(
            cycle_id=cycle.pk,
            voter=voter,
            channel=channel,
            station_id=station.pk if station else None,
            day=timezone.localdate(now),
            submission=submitted,
            token=_digest("replace", chain.normalise_receipt(code)),
        )
        if not inserted:
            entry = _existing_entry(cycle.pk, voter)
            if (
                entry is not None
                and entry.voter_key == voter.key
                and submitted
                and hmac.compare_digest(entry.submission_digest, submitted)
            ):
                return _repeat(code)
            raise AlreadyVoted(
                already_voted_message(entry.channel if entry else Channel.ONLINE, own=channel == Channel.ONLINE),
                "already_voted",
            )
        if _ballot_insert(
            cycle_id=cycle.pk,
            unit_id=unit.pk,
            channel=Channel.ONLINE,  # the box does not tell assisted ballots apart (see Channel)
            selections=canonical(ballot),
            receipt=chain.receipt_digest(code),
            user_id=voter.user_id,
        ):
            raise VotingClosed(_("Voting has closed in this cycle."), "closed")
        transaction.on_commit(lambda: seal_soon(cycle.pk), robust=True)
    return Receipt(code=code, choices=ballot)


def ballot_replace(
    *,
    cycle: Cycle,
    unit: CycleTerritory,
    voter: Voter,
    receipt: str,
    choices: Sequence[Choice],
    submission: str,
    now: datetime | None = None,
) -> Receipt:
    """Replace the online ballot whose receipt ``voter`` holds, before the close.

    The new ballot names the old one by receipt digest (counting skips the
    old one); nothing of the old row changes. Raises ``NotEligible`` when
    the cycle does not allow it or the ballot was cast at a station,
    ``BadReceipt`` when the receipt is not this voter's current one.
    """
    now = now or timezone.now()
    _take_attempt(voter)
    context = ballot_context(cycle, unit)
    if not context.replaceable:
        raise NotEligible(_("In this cycle a ballot cannot be replaced once cast."), "not_replaceable")
    _require_open(context, now)
    check_submission(submission)
    ballot = ballot_validate(context, choices)
    code = chain.receipt_code(_key(), cycle=cycle.pk, voter=voter.key, submission=submission)
    submitted = _digest("submission", submission)
    with transaction.atomic():
        mine = Q(voter_key=voter.key) | Q(user_id=voter.user_id) if voter.user_id else Q(voter_key=voter.key)
        entry = VoterRollEntry.objects.select_for_update().filter(mine, cycle_id=cycle.pk).first()
        if entry is None:
            raise BadReceipt(_("You have not voted in this cycle yet."), "not_voted")
        if hmac.compare_digest(entry.submission_digest, submitted):
            return _repeat(code)
        if entry.channel != Channel.ONLINE:
            raise NotEligible(_("A ballot cast at a polling station cannot be replaced."), "in_person")
        if not (unit.pk == entry.unit_id == voter.unit_id and unit.cycle_id == cycle.pk):
            raise NotEligible(_("You vote in your own territory only."), "other_territory")
        old = chain.normalise_receipt(receipt)
        if not old or not hmac.compare_digest(entry.receipt_token, _digest("replace", old)):
            raise BadReceipt(_("This is not the receipt of your current ballot. Check the code."), "wrong_receipt")
        Ballot.objects.create(
            cycle_id=cycle.pk,
            unit_id=entry.unit_id,
            channel=Channel.ONLINE,
            selections=canonical(ballot),
            receipt_digest=chain.receipt_digest(code),
            replaces_digest=chain.receipt_digest(old),
        )
        entry.submission_digest = submitted
        entry.receipt_token = _digest("replace", chain.normalise_receipt(code))
        entry.save(update_fields=["submission_digest", "receipt_token"])
        refuse_if_closed(cycle.pk)
        transaction.on_commit(lambda: seal_soon(cycle.pk), robust=True)
    return Receipt(code=code, choices=ballot)


def ballot_start(*, cycle: Cycle, user_id: int, now: datetime) -> None:
    """Remember that ``user_id`` opened their ballot (for one reminder before the close)."""
    BallotStart.objects.get_or_create(cycle=cycle, user_id=user_id, defaults={"started_at": now})


# --- Receipts ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReceiptStatus:
    cycle_id: int
    unit_id: int
    choices: tuple[Choice, ...]
    position: int | None  # None until sealed
    ballot_hash: str
    replaced: bool  # a later ballot of the same voter replaced this one


def receipt_lookup(code: str) -> ReceiptStatus:
    """The ballot a receipt stands for (``BadReceipt`` when there is none)."""
    if not chain.normalise_receipt(code):
        raise BadReceipt(_("A receipt code has 20 letters and digits, like ABCD-EFGH-IJKL-MNOP-QRST."), "format")
    digest = chain.receipt_digest(code)
    ballot = Ballot.objects.filter(receipt_digest=digest).first()
    if ballot is None:
        raise BadReceipt(_("No ballot has this receipt. Check the code as it was shown to you."), "unknown")
    return ReceiptStatus(
        cycle_id=ballot.cycle_id,
        unit_id=ballot.unit_id,
        choices=from_canonical(ballot.selections),
        position=ballot.position,
        ballot_hash=ballot.ballot_hash,
        replaced=Ballot.objects.filter(replaces_digest=digest).exists(),
    )


# --- The chain ---------------------------------------------------------------------


def _link(row: dict[str, object], position: int) -> chain.ChainLink:
    return chain.ChainLink(
        position=position,
        unit=int(row["unit_id"]),  # type: ignore[call-overload]
        channel=str(row["channel"]),
        selections=row["selections"],  # type: ignore[arg-type]
        receipt_digest=str(row["receipt_digest"] or ""),
        replaces_digest=str(row["replaces_digest"] or ""),
        batch=row["batch_id"],  # type: ignore[arg-type]
    )


_LINK_FIELDS = ("id", "unit_id", "channel", "selections", "receipt_digest", "replaces_digest", "batch_id")


def _chain_head_locked(cycle_id: int, *, wait: bool) -> BallotChain | None:
    """The cycle's chain row, locked for this transaction (created at the first sealing);
    None when ``wait`` is false and another sealer holds it."""
    locked = BallotChain.objects.select_for_update(skip_locked=not wait).filter(cycle_id=cycle_id)
    head = locked.first()
    if head is None and not BallotChain.objects.filter(cycle_id=cycle_id).exists():
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO voting_ballotchain (cycle_id, length, head) VALUES (%s, 0, %s) ON CONFLICT DO NOTHING",
                [cycle_id, chain.GENESIS],
            )
        head = locked.first()
    return head


def ballot_chain_seal(
    *, cycle_id: int, now: datetime | None = None, limit: int = SEAL_BATCH, minimum: int = 1, wait: bool = True
) -> int:
    """Give the unsealed ballots of a cycle their chain positions and hashes; return how many.

    Locks the cycle's ``BallotChain`` row (one sealer at a time), takes up to
    ``limit`` unsealed ballots in random-id order and chains them after the head;
    does nothing while fewer than ``minimum`` wait. The automatic sealers ask for
    ``VOTING_SEAL_MINIMUM``: a ballot sealed alone would take the position of its
    moment, which the roll's order could match; the close seals everything. They
    also pass ``wait=False``: when another sealer holds the chain, the ballots
    waiting are left to it or to the next one, instead of a web process (or a
    Celery worker) standing idle on the lock.
    """
    now = now or timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        head = _chain_head_locked(cycle_id, wait=wait)
        if head is None:
            return 0
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(_LINK_FIELDS)} FROM voting_ballot "  # noqa: S608 (column names of ours)
                "WHERE cycle_id = %s AND position IS NULL ORDER BY id LIMIT %s",
                [cycle_id, limit],
            )
            found = cursor.fetchall()
        if not found or len(found) < minimum:
            return 0
        rows = [dict(zip(_LINK_FIELDS, row, strict=True)) for row in found]
        ids: list[uuid.UUID] = []
        positions: list[int] = []
        previous_hashes: list[str] = []
        digests: list[str] = []
        previous, position = head.head, head.length
        for row in rows:
            position += 1
            if isinstance(row["selections"], str):  # Django reads jsonb as text, for JSONField to decode
                row["selections"] = json.loads(row["selections"])
            digest = chain.ballot_hash(previous, cycle_id, _link(row, position))
            ids.append(row["id"])
            positions.append(position)
            previous_hashes.append(previous)
            digests.append(digest)
            previous = digest
        with connection.cursor() as cursor:
            # Four arrays, one short statement: the same text every time (prepared once
            # per connection), where a VALUES list of thousands of placeholders was
            # parsed again by psycopg and by PostgreSQL at every sealing.
            cursor.execute(
                "UPDATE voting_ballot AS b SET position = v.position, previous_hash = v.previous, "
                "ballot_hash = v.digest FROM unnest(%s::uuid[], %s::bigint[], %s::text[], %s::text[]) "
                "AS v(id, position, previous, digest) WHERE b.id = v.id",
                [ids, positions, previous_hashes, digests],
            )
        head.length, head.head, head.sealed_at = position, previous, now
        head.save(update_fields=["length", "head", "sealed_at"])
    logger.info("sealed %d ballots of cycle %d in %.0f ms", len(rows), cycle_id, (time.perf_counter() - started) * 1000)
    return len(rows)


def seal_soon(cycle_id: int) -> None:
    """Queue one sealing of ``cycle_id`` in the next ``VOTING_SEAL_SECONDS`` (at most one
    pending per cycle).

    Sealing often keeps each sealing small: a few seconds of votes cost a few tens of
    milliseconds, where ten seconds of a busy vote held the chain (and, with tasks in
    process, the request that ran it) for most of a second. A process that asked in
    the last period does not ask the shared cache again: every cast ends here, and
    the answer would be "already queued"."""
    from voting.tasks import ballot_chain_seal_task, queue

    period = settings.VOTING_SEAL_SECONDS
    now = time.monotonic()
    asked = _SEAL_ASKED.get(cycle_id)
    if asked is not None and now - asked < period:
        return
    _SEAL_ASKED[cycle_id] = now
    if shared_cache.add(f"voting:seal:{cycle_id}", 1, max(1, round(period))):
        queue(ballot_chain_seal_task, cycle_id=cycle_id, countdown=period)


def ballot_chain_seal_all(*, now: datetime | None = None, minimum: int | None = None) -> dict[int, int]:
    """Seal every cycle that has enough unsealed ballots (the periodic sweeper)."""
    minimum = settings.VOTING_SEAL_MINIMUM if minimum is None else minimum
    cycle_ids = Ballot.objects.filter(position__isnull=True).values_list("cycle_id", flat=True).distinct()
    return {cycle_id: ballot_chain_seal(cycle_id=cycle_id, now=now, minimum=minimum) for cycle_id in list(cycle_ids)}


@dataclass(frozen=True, slots=True)
class ChainReport:
    cycle_id: int
    length: int
    head: str
    published_head: str
    unsealed: int
    faults: list[chain.ChainFault]

    @property
    def holds(self) -> bool:
        return not self.faults and self.head == self.published_head


def ballot_chain_verify(*, cycle_id: int) -> ChainReport:
    """Recompute the chain of a cycle from the box (streams ballots in position order)."""
    rows = (
        Ballot.objects.filter(cycle_id=cycle_id, position__isnull=False)
        .order_by("position")
        .values(*_LINK_FIELDS, "position", "previous_hash", "ballot_hash")
    )
    links = [
        (_link(row, int(row["position"])), str(row["previous_hash"]), str(row["ballot_hash"]))
        for row in rows.iterator(chunk_size=5000)
    ]
    head, faults = chain.chain_verify(cycle_id, links)
    stored = BallotChain.objects.filter(cycle_id=cycle_id).first()
    published = stored.head if stored else chain.GENESIS
    if stored is not None and stored.length != len(links):
        faults.append(chain.ChainFault(stored.length, "length"))
    return ChainReport(
        cycle_id=cycle_id,
        length=len(links),
        head=head,
        published_head=published,
        unsealed=Ballot.objects.filter(cycle_id=cycle_id, position__isnull=True).count(),
        faults=faults,
    )


def ballot_chain_seal_everything(*, cycle_id: int, now: datetime | None = None, limit: int = SEAL_BATCH) -> int:
    """Seal every ballot still waiting, batch after batch (at the close and before counting)."""
    sealed = total = ballot_chain_seal(cycle_id=cycle_id, now=now, limit=limit)
    while sealed:
        sealed = ballot_chain_seal(cycle_id=cycle_id, now=now, limit=limit)
        total += sealed
    return total


@on_step(Step.CLOSE_VOTING)
def _seal_at_close(*, cycle_id: int) -> None:
    """Every ballot is in the chain once voting closes (before counting)."""
    ballot_chain_seal_everything(cycle_id=cycle_id)
