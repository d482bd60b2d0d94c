"""Polling stations (mesas): setting them up, marking voters, assisted ballots.

Managers create stations and assign officers (``voting.manage_voting``).
Officers (``voting.work_station``) look a person up by the document they
show, mark them in the roll for a paper ballot, or cast an assisted ballot
on the station's tablet. The roll is the same one online voting writes, so a
person who voted online (or at another station) is refused here, by the
same unique index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record, subject_of
from accounts.models import User
from cycles.guards import invalid, refuse
from cycles.models import Cycle, CycleTerritory
from nodes.models import Membership, Role
from voting.ballots import Choice
from voting.eligibility import PersonAtStation, Voter, already_voted_message, person_refusal, voter_key
from voting.errors import AlreadyVoted, NotEligible, VotingClosed
from voting.models import Channel, Station, StationOfficer, VoterRollEntry
from voting.rules import municipality_of
from voting.services import Receipt, ballot_cast, ballot_context, refuse_if_closed, roll_insert


def require_manager(actor: User, cycle: Cycle) -> None:
    if not actor.has_perm("voting.manage_voting", cycle):
        raise PermissionDenied(_("You may not run the vote of this cycle: it is not of your municipality."))


def require_officer(actor: User, station: Station) -> None:
    if not actor.has_perm("voting.work_station", station):
        raise PermissionDenied(_("You are not an officer of this polling station."))


# --- Setting up -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StationInput:
    unit: CycleTerritory
    name: str
    place: str
    opens_at: datetime
    closes_at: datetime
    counts_on_site: bool = False


def _check_station(cycle: Cycle, data: StationInput) -> None:
    if data.unit.cycle_id != cycle.pk or data.unit.is_citywide:
        raise invalid("unit", _("Choose a territory of this cycle."), "unit")
    if not data.name.strip():
        raise invalid("name", _("Give the station a name people will recognise."), "name")
    if len(data.name.strip()) > 120 or len(data.place.strip()) > 200:
        raise invalid("name", _("Use at most 120 characters for the name and 200 for the place."), "too_long")
    if not data.place.strip():
        raise invalid("place", _("Say where the station is."), "place")
    if data.closes_at <= data.opens_at:
        raise invalid("closes_at", _("The station must close after it opens."), "hours")
    if Station.objects.filter(cycle=cycle, name__iexact=data.name.strip()).exists():
        raise invalid("name", _("This cycle already has a station with that name."), "duplicate")


@transaction.atomic
def station_create(*, actor: User, cycle: Cycle, data: StationInput, now: datetime) -> Station:
    require_manager(actor, cycle)
    _check_station(cycle, data)
    station = Station.objects.create(
        cycle=cycle,
        unit=data.unit,
        name=data.name.strip(),
        place=data.place.strip(),
        opens_at=data.opens_at,
        closes_at=data.closes_at,
        counts_on_site=data.counts_on_site,
    )
    audit_record(
        actor=actor, action="voting.station_create", subject=subject_of(station), data={"cycle": cycle.pk}, now=now
    )
    return station


@transaction.atomic
def station_update(*, actor: User, station: Station, data: StationInput, now: datetime) -> Station:
    """Change a station; its territory and way of counting stay once anyone was marked or keyed there."""
    require_manager(actor, station.cycle)
    station = Station.objects.select_for_update().get(pk=station.pk)
    used = station.roll.exists() or station.paper_records.exists()
    if used and (data.unit.pk != station.unit_id or data.counts_on_site != station.counts_on_site):
        raise refuse(_("People have voted at this station: its territory and way of counting stay."), "in_use")
    others = Station.objects.filter(cycle=station.cycle, name__iexact=data.name.strip()).exclude(pk=station.pk)
    if others.exists():
        raise invalid("name", _("This cycle already has a station with that name."), "duplicate")
    if data.unit.cycle_id != station.cycle_id or data.unit.is_citywide:
        raise invalid("unit", _("Choose a territory of this cycle."), "unit")
    if data.closes_at <= data.opens_at:
        raise invalid("closes_at", _("The station must close after it opens."), "hours")
    station.unit = data.unit
    station.name, station.place = data.name.strip(), data.place.strip()
    station.opens_at, station.closes_at, station.counts_on_site = data.opens_at, data.closes_at, data.counts_on_site
    station.save()
    audit_record(actor=actor, action="voting.station_update", subject=subject_of(station), data={}, now=now)
    return station


def officer_candidates(station: Station) -> list[User]:
    """People holding an active station-officer role in the station's municipality."""
    ids = Membership.objects.active().filter(role=Role.STATION_OFFICER, municipality_id=municipality_of(station))
    return list(User.objects.filter(pk__in=ids.values("user_id")).order_by("name", "email"))


@transaction.atomic
def officer_assign(*, actor: User, station: Station, user: User, now: datetime) -> StationOfficer:
    require_manager(actor, station.cycle)
    if user not in officer_candidates(station):
        raise invalid(
            "user",
            _("Only people with the polling-station officer role in this municipality can be assigned."),
            "not_officer",
        )
    assignment, _created = StationOfficer.objects.get_or_create(
        station=station, user=user, defaults={"assigned_at": now}
    )
    audit_record(
        actor=actor, action="voting.officer_assign", subject=subject_of(station), data={"user": user.pk}, now=now
    )
    return assignment


@transaction.atomic
def officer_remove(*, actor: User, station: Station, user: User, now: datetime) -> None:
    require_manager(actor, station.cycle)
    StationOfficer.objects.filter(station=station, user=user).delete()
    audit_record(
        actor=actor, action="voting.officer_remove", subject=subject_of(station), data={"user": user.pk}, now=now
    )


# --- At the station ---------------------------------------------------------------------


def _require_station_open(station: Station, now: datetime) -> None:
    if not station.opens_at <= now < station.closes_at:
        raise VotingClosed(
            _("The station is closed now: it opens from %(start)s to %(end)s.")
            % {
                "start": timezone.localtime(station.opens_at).strftime("%Y-%m-%d %H:%M"),
                "end": timezone.localtime(station.closes_at).strftime("%Y-%m-%d %H:%M"),
            },
            "station_closed",
        )
    if not ballot_context(station.cycle, station.unit).vote_open(now):
        raise VotingClosed(_("Voting is not open in this territory now."), "closed")


@dataclass(frozen=True, slots=True)
class PersonCheck:
    """What the officer sees after looking a person up."""

    refusal: str | None  # why they may not vote here (None: they may)
    voted: str | None  # already in the roll: how (a sentence), else None

    @property
    def may_vote(self) -> bool:
        return self.refusal is None and self.voted is None


def person_check(*, officer: User, station: Station, person: PersonAtStation, now: datetime) -> PersonCheck:
    """Look a person up (nothing is written): may they vote here, have they voted?"""
    require_officer(officer, station)
    reason = person_refusal(station.cycle, station.unit, person, timezone.localdate(now))
    if reason is not None:
        return PersonCheck(refusal=reason, voted=None)
    key = voter_key(person.document_type, person.document_number)
    entry = VoterRollEntry.objects.filter(cycle=station.cycle, voter_key=key).only("channel").first()
    voted = already_voted_message(entry.channel, own=False) if entry else None
    return PersonCheck(refusal=None, voted=voted)


def _voter(station: Station, person: PersonAtStation, now: datetime) -> Voter:
    reason = person_refusal(station.cycle, station.unit, person, timezone.localdate(now))
    if reason is not None:
        raise NotEligible(reason, "not_eligible")
    return Voter(
        key=voter_key(person.document_type, person.document_number),
        unit_id=station.unit_id,
        delegate_id=person.delegate_id,
    )


def roll_mark(*, officer: User, station: Station, person: PersonAtStation, now: datetime) -> None:
    """Mark the person in the roll before they vote on paper here.

    Raises ``NotEligible`` (with the reason), ``AlreadyVoted`` (online or at a
    station, by the roll's unique index) or ``VotingClosed``.
    """
    require_officer(officer, station)
    _require_station_open(station, now)
    voter = _voter(station, person, now)
    with transaction.atomic():
        inserted = roll_insert(
            cycle_id=station.cycle_id,
            voter=voter,
            channel=Channel.PAPER,
            station_id=station.pk,
            day=timezone.localdate(now),
            submission="",
            token="",
        )
        if not inserted:
            entry = VoterRollEntry.objects.filter(cycle_id=station.cycle_id, voter_key=voter.key).first()
            raise AlreadyVoted(
                already_voted_message(entry.channel if entry else Channel.PAPER, own=False), "already_voted"
            )
        refuse_if_closed(station.cycle_id)
        audit_record(actor=officer, action="voting.roll_mark", subject=subject_of(station), data={}, now=now)


def assisted_cast(
    *,
    officer: User,
    station: Station,
    person: PersonAtStation,
    choices: list[Choice],
    submission: str,
    now: datetime,
) -> Receipt:
    """Cast the ballot of a person who asked for help, on the station's tablet.

    The same checks as ``roll_mark``, then ``ballot_cast`` with the assisted
    channel (roll entry and ballot in one transaction)."""
    require_officer(officer, station)
    _require_station_open(station, now)
    voter = _voter(station, person, now)
    return ballot_cast(
        cycle=station.cycle,
        unit=station.unit,
        voter=voter,
        choices=choices,
        submission=submission,
        channel=Channel.ASSISTED,
        station=station,
        now=now,
    )
