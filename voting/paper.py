"""Paper ballots and tally sheets (actas), keyed in twice.

A station that does not count on site sends its paper ballots in numbered
batches; one officer keys a batch in, a second officer keys it in again
without seeing the first entry. When both entries are the same the record
is ``confirmed`` and its ballots go into the box (channel paper, sealed into
the chain like the rest). When they differ, the record waits as
``mismatch`` until a manager picks the right entry, with a reason kept in
the audit log (``reconciled``). A station that counts on site keys its
acta (ballots in the box, blank, void, votes per proposal, officers) the
same way; an acta counts as totals.

Entries are compared in canonical form: the order in which ballots of a
batch were keyed does not matter.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import audit_record, subject_of
from accounts.models import User
from cycles.guards import refuse
from cycles.models import CycleStep
from cycles.phases import Step
from voting.ballots import BallotKind, BallotProblem, Choice, ballot_check, canonical
from voting.errors import problem_message
from voting.models import Ballot, Channel, PaperEntry, PaperRecord, Station, VoterRollEntry
from voting.services import ballot_context, seal_soon
from voting.stations import require_manager, require_officer

MAX_BATCH = 1_000
MAX_COUNT = 1_000_000


def _count(value: Any, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise refuse(_("%(what)s must be a whole number, 0 or more.") % {"what": label}, "bad_number")
    return int(value)


def batch_content(station: Station, ballots: list[list[Choice]], blank: int, void: int) -> dict[str, Any]:
    """A batch as stored and compared: each ballot checked against the ballot's rules, sorted."""
    blank, void = _count(blank, _("Blank ballots")), _count(void, _("Void ballots"))
    if len(ballots) + blank + void == 0:
        raise refuse(_("A batch holds at least one ballot (valid, blank or void)."), "empty_batch")
    if len(ballots) > MAX_BATCH:
        raise refuse(_("Key at most %(count)d ballots per batch.") % {"count": MAX_BATCH}, "batch_too_big")
    context = ballot_context(station.cycle, station.unit)
    checked = []
    for number, choices in enumerate(ballots, start=1):
        try:
            checked.append(canonical(ballot_check(context.rules, choices, context.costs)))
        except BallotProblem as problem:
            raise refuse(
                _("Ballot %(number)d: %(problem)s If the paper ballot is like that, count it as void.")
                % {"number": number, "problem": problem_message(problem)},
                "bad_ballot",
            ) from problem
    return {
        "ballots": sorted(checked),
        "blank": blank,
        "void": void,
    }


def acta_content(
    station: Station, *, in_box: int, blank: int, void: int, votes: Mapping[int, int], officers: list[str]
) -> dict[str, Any]:
    """A tally sheet as stored and compared; votes only for proposals on the station's ballot."""
    context = ballot_context(station.cycle, station.unit)
    if set(votes) - set(context.costs):
        raise refuse(_("Key votes only for the proposals on this station's ballot."), "not_on_ballot")
    counted = {str(proposal): _count(votes.get(proposal, 0), _("Votes")) for proposal in sorted(context.costs)}
    in_box, blank, void = _count(in_box, _("Ballots in the box")), _count(blank, _("Blank")), _count(void, _("Void"))
    if blank + void > in_box:
        raise refuse(_("Blank and void ballots cannot be more than the ballots in the box."), "acta_sum")
    valid = in_box - blank - void
    most = context.rules.most or len(context.costs)
    if context.rules.kind == BallotKind.SINGLE and sum(counted.values()) != valid:
        raise refuse(
            _("With one choice per ballot the votes must add up to the valid ballots (%(valid)d).") % {"valid": valid},
            "acta_sum",
        )
    if context.rules.kind != BallotKind.WALLET and sum(counted.values()) > valid * most:
        raise refuse(_("There are more votes than the valid ballots allow: check the numbers."), "acta_sum")
    names = sorted(name.strip() for name in officers if name.strip())
    if not names:
        raise refuse(_("Write the names of the officers who signed the tally sheet."), "officers")
    return {"in_box": in_box, "blank": blank, "void": void, "votes": counted, "officers": names}


def _ballots_in(content: dict[str, Any], kind: str) -> int:
    if kind == PaperRecord.Kind.BATCH:
        return len(content["ballots"]) + int(content["blank"]) + int(content["void"])
    return int(content["in_box"])


def _check_against_roll(station: Station, record: PaperRecord, content: dict[str, Any]) -> None:
    """Paper ballots counted at a station never exceed the people marked there for paper,
    and nothing is keyed once the cycle has been counted."""
    if CycleStep.objects.filter(cycle_id=station.cycle_id, step=Step.COUNT).exists():
        raise refuse(_("This cycle has been counted: paper records can no longer be keyed."), "counted")
    marked = VoterRollEntry.objects.filter(station=station, channel=Channel.PAPER).count()
    settled = PaperRecord.objects.filter(
        station=station, status__in=[PaperRecord.Status.CONFIRMED, PaperRecord.Status.RECONCILED]
    ).exclude(pk=record.pk)
    counted = sum(_ballots_in(other.accepted, other.kind) for other in settled if other.accepted)
    here = _ballots_in(content, record.kind)
    if counted + here > marked:
        raise refuse(
            _(
                "This station has %(marked)d people marked for a paper ballot and %(counted)d paper ballots "
                "already counted: %(here)d more would be too many. Check the ballots and the roll."
            )
            % {"marked": marked, "counted": counted, "here": here},
            "more_than_marked",
        )


def _record(station: Station, kind: str, number: int) -> PaperRecord:
    record, _created = PaperRecord.objects.get_or_create(station=station, kind=kind, number=number)
    return PaperRecord.objects.select_for_update().get(pk=record.pk)


def _accept(record: PaperRecord, content: dict[str, Any]) -> None:
    record.accepted = content
    if record.kind == PaperRecord.Kind.BATCH:
        Ballot.objects.bulk_create(
            Ballot(
                cycle_id=record.station.cycle_id,
                unit_id=record.station.unit_id,
                channel=Channel.PAPER,
                selections=selections,
                batch=record,
            )
            for selections in content["ballots"]
        )
        transaction.on_commit(lambda: seal_soon(record.station.cycle_id), robust=True)


@transaction.atomic
def paper_key(
    *, officer: User, station: Station, kind: str, number: int, content: dict[str, Any], now: datetime
) -> PaperRecord:
    """Record one officer's entry of a batch or acta (``content`` from ``batch_content``/``acta_content``).

    The first entry waits; a second by another officer confirms or marks a
    mismatch. The same officer cannot key a record twice, nor anyone a
    record that is settled or waiting for a manager.
    """
    require_officer(officer, station)
    expected = PaperRecord.Kind.ACTA if station.counts_on_site else PaperRecord.Kind.BATCH
    if kind != expected:
        raise refuse(
            _("This station counts on site: key its tally sheet.")
            if station.counts_on_site
            else _("This station sends its ballots in batches: key them batch by batch."),
            "wrong_kind",
        )
    if not 1 <= number <= 100_000:
        raise refuse(_("Give the batch number written on the batch (1 or more)."), "number")
    record = _record(station, kind, number)
    if record.status == PaperRecord.Status.MISMATCH:
        raise refuse(_("The two entries of this record differ: a manager has to reconcile them."), "mismatch")
    if record.counts:
        raise refuse(_("This record has already been confirmed."), "settled")
    entries = list(record.entries.all())
    if any(entry.officer_id == officer.pk for entry in entries):
        raise refuse(
            _("You already keyed this record: a second officer has to key it again, on their own."), "same_officer"
        )
    _check_against_roll(station, record, content)
    PaperEntry.objects.create(record=record, officer=officer, entered_at=now, content=content)
    if entries:
        if entries[0].content == content:
            record.status = PaperRecord.Status.CONFIRMED
            _accept(record, content)
        else:
            record.status = PaperRecord.Status.MISMATCH
        record.settled_at = now if record.counts else None
        record.save()
    audit_record(
        actor=officer,
        action="voting.paper_key",
        subject=subject_of(record),
        data={"kind": kind, "number": number, "status": record.status},
        now=now,
    )
    return record


@transaction.atomic
def paper_reconcile(*, actor: User, record: PaperRecord, entry: PaperEntry, reason: str, now: datetime) -> PaperRecord:
    """A manager settles a mismatch by choosing the entry that matches the paper, saying why."""
    require_manager(actor, record.station.cycle)
    record = PaperRecord.objects.select_for_update().select_related("station").get(pk=record.pk)
    if record.status != PaperRecord.Status.MISMATCH:
        raise refuse(_("Only records whose two entries differ are reconciled."), "not_mismatch")
    if entry.record_id != record.pk:
        raise refuse(_("Choose one of the entries of this record."), "other_entry")
    if not reason.strip():
        raise ValidationError({"reason": ValidationError(_("Say why this entry is the right one."), code="reason")})
    _check_against_roll(record.station, record, entry.content)
    record.status = PaperRecord.Status.RECONCILED
    record.reason = reason.strip()[:2000]
    record.settled_at = now
    _accept(record, entry.content)
    record.save()
    audit_record(
        actor=actor,
        action="voting.paper_reconcile",
        subject=subject_of(record),
        data={"entry": entry.pk, "officer": entry.officer_id, "reason": record.reason},
        now=now,
    )
    return record


def mismatches(cycle_id: int) -> list[PaperRecord]:
    """Records waiting for a manager, with both entries, for the side-by-side page."""
    return list(
        PaperRecord.objects.filter(station__cycle_id=cycle_id, status=PaperRecord.Status.MISMATCH)
        .select_related("station")
        .prefetch_related("entries__officer")
        .order_by("station__name", "kind", "number")
    )
