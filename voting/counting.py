"""Counting a closed vote: the box, territory by territory, through ``voting.tally``.

Runs after the cycle's COUNT step (``cycles.lifecycle``), in a task, and is
idempotent: it seals what is left, counts each territory's ballot from the
sealed box (replaced ballots skipped, paper batches included, actas added
as totals), stores a ``TerritoryResult`` per territory with the chain head
it read, and marks each viable proposal selected or not selected, with a
public note in its history.

Actas give totals per proposal, not ballots: they enter the count as one
single-proposal ballot per vote, which gives the same tally (so greedy and
one-winner counts are exact); a note says so, since Equal Shares would need
the ballots themselves.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from cycles.lifecycle import on_step
from cycles.models import CountingMethod, Cycle, CycleTerritory, DecidedBy
from cycles.phases import Step
from proposals.models import Proposal, Status
from proposals.services import set_status
from voting.ballots import BallotKind
from voting.models import Ballot, BallotChain, PaperRecord, TerritoryResult
from voting.services import ballot_chain_seal_everything, cost_of
from voting.tally import BallotKind as TallyKind
from voting.tally import (
    Completion,
    Election,
    Method,
    Outcome,
    Project,
    TieBreak,
    TieBreakRule,
    build_election,
    count,
    greedy_by_tally,
    plurality_by_territory,
)
from voting.tally.model import BallotInput

TALLY_KIND = {
    BallotKind.SINGLE: TallyKind.APPROVAL,
    BallotKind.APPROVAL: TallyKind.APPROVAL,
    BallotKind.KNAPSACK: TallyKind.APPROVAL,
    BallotKind.RANKED: TallyKind.ORDINAL,
    BallotKind.WALLET: TallyKind.CUMULATIVE,
}


def as_tally_ballot(kind: BallotKind, selections: Sequence[Sequence[int]]) -> BallotInput:
    """A stored ballot as the engine reads it: ids; in rank order; or points."""
    if kind == BallotKind.RANKED:
        return [str(proposal) for proposal, _rank in sorted(selections, key=lambda choice: choice[1])]
    if kind == BallotKind.WALLET:
        return {str(proposal): points for proposal, points in selections}
    return [str(proposal) for proposal, _value in selections]


def _acta_ballots(kind: BallotKind, votes: Mapping[str, int]) -> Iterator[BallotInput]:
    for proposal, number in votes.items():
        if number <= 0:
            continue
        if kind == BallotKind.WALLET:
            yield {proposal: number}
        else:
            yield from ([proposal] for _ in range(number))


def _counted_ballots(cycle: Cycle, unit: CycleTerritory) -> list[list[list[int]]]:
    """The selections of the ballots that count: sealed, of this territory, not replaced."""
    replaced = Ballot.objects.filter(cycle=cycle, replaces_digest__isnull=False).values("replaces_digest")
    ballots = (
        Ballot.objects.filter(cycle=cycle, unit=unit, position__isnull=False)
        .exclude(receipt_digest__in=replaced)
        .values_list("selections", flat=True)
    )
    return list(ballots.iterator(chunk_size=5000))


def _run(method: str, election: Election, tie_break: TieBreak) -> Outcome:
    if method == CountingMethod.ONE_WINNER:
        return plurality_by_territory(election, tie_break=tie_break)
    if method == CountingMethod.EQUAL_SHARES:
        return count(election, method=Method.MES, completion=Completion.GREEDY, tie_break=tie_break)
    return greedy_by_tally(election, tie_break=tie_break, threshold=1)  # a proposal nobody voted for is not funded


def territory_count(cycle: Cycle, unit: CycleTerritory, *, now: datetime) -> TerritoryResult:
    """Count one territory and store its result (replacing an earlier count)."""
    voting = cycle.voting
    kind = BallotKind(voting.ballot_type)
    proposals = list(Proposal.objects.filter(cycle=cycle, unit=unit, status__in=_ON_BALLOT).order_by("pk"))
    projects = [Project(id=str(p.pk), cost=cost_of(p), name=p.title) for p in proposals]
    stored = _counted_ballots(cycle, unit)
    ballots: list[BallotInput] = [as_tally_ballot(kind, selections) for selections in stored]
    notes: list[str] = []
    acta_ballots = blank = void = 0
    for record in PaperRecord.objects.filter(station__cycle=cycle, station__unit=unit).select_related("station"):
        if not record.counts or not record.accepted:
            continue
        content = record.accepted
        blank, void = blank + content["blank"], void + content["void"]
        if record.kind == PaperRecord.Kind.ACTA:
            acta_ballots += content["in_box"] - content["blank"] - content["void"]
            ballots.extend(_acta_ballots(kind, {k: v for k, v in content["votes"].items() if v}))
    if acta_ballots:
        notes.append("tally sheets (actas) are counted as one single-proposal ballot per vote")
    election = build_election(
        projects=projects,
        budget=unit.amount,
        ballots=ballots,
        kind=TALLY_KIND[kind],
        max_length=voting.max_selections if kind == BallotKind.RANKED else None,
        notes=notes,
    )
    outcome = _run(voting.counting_method, election, TieBreak(TieBreakRule(voting.tie_break)))
    head = BallotChain.objects.filter(cycle=cycle).first()
    result, _created = TerritoryResult.objects.update_or_create(
        cycle=cycle,
        unit=unit,
        defaults={
            "method": outcome.method,
            "ballots": len(stored) + acta_ballots,
            "acta_ballots": acta_ballots,
            "blank": blank,
            "void": void,
            "budget": unit.amount,
            "spent": outcome.spent,
            "chain_length": head.length if head else 0,
            "chain_head": head.head if head else "",
            "outcome": outcome.to_dict(),
            "counted_at": now,
        },
    )
    voted = {p["project_id"] for p in result.outcome["projects"] if p["score"] not in (0, "0")}
    selected = set(outcome.selected) & voted
    for proposal in Proposal.objects.select_for_update().filter(pk__in=[p.pk for p in proposals]):
        to = Status.SELECTED if str(proposal.pk) in selected else Status.NOT_SELECTED
        if proposal.status != to:
            set_status(proposal, to, actor=None, now=now, note="")
            proposal.save(update_fields=["status"])
    return result


_ON_BALLOT = (Status.VIABLE, Status.SELECTED, Status.NOT_SELECTED)


def cycle_count(*, cycle_id: int, now: datetime | None = None) -> list[TerritoryResult]:
    """Seal what is left and count every territory of a cycle decided by ballot (idempotent)."""
    now = now or timezone.now()
    cycle = Cycle.objects.select_related("voting").get(pk=cycle_id)
    if cycle.voting.decided_by == DecidedBy.ASSEMBLY:
        return []
    ballot_chain_seal_everything(cycle_id=cycle_id, now=now)
    units = cycle.units.exclude(territory__isnull=True, municipality__isnull=True).order_by("position", "pk")
    with transaction.atomic():
        return [territory_count(cycle, unit, now=now) for unit in units]


@on_step(Step.COUNT)
def _count_after_step(*, cycle_id: int) -> None:
    from voting.tasks import cycle_count_task, queue

    queue(cycle_count_task, cycle_id=cycle_id)
