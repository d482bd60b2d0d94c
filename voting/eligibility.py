"""Who may vote in a cycle, online or at a station, and why not.

Online: everything ``proposals.eligibility.refusal`` asks (verified e-mail,
citizen identity, accepted document, age on the voting day, residence), then
the cycle's census list when it has one, then who decides: delegates vote
for their own territory; where an assembly decides there is no ballot. The
territory is the one the person declared for the cycle (``Participation``);
without one they are asked to choose (``NeedsTerritory``).

At a station the officer has the person's document in hand: the same rules
are checked from what they key in (``person_refusal``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.identity import InvalidDocument, document_hash
from accounts.models import CitizenIdentity, User
from cycles.models import Cycle, CycleTerritory, DecidedBy, Delegate, Residence
from proposals.eligibility import age_on, refusal, refusal_for
from proposals.models import Participation
from voting.errors import NeedsTerritory, NotEligible
from voting.models import CensusEntry, Channel


@dataclass(frozen=True, slots=True)
class Voter:
    """A person about to vote, already found eligible."""

    key: str  # keyed hash of the document (the roll's ``voter_key``)
    unit_id: int
    delegate_id: int | None = None
    user_id: int | None = None  # the account, when voting online


def voter_key(document_type: str, number: str) -> str:
    """The roll's key for a document typed at a station (``InvalidDocument`` when implausible)."""
    return document_hash(document_type, number, key=settings.IDENTITY_HASH_KEY)


def _no_ballot(cycle: Cycle) -> None:
    if cycle.voting.decided_by == DecidedBy.ASSEMBLY:
        raise NotEligible(
            _("In this cycle the territorial assemblies decide: there is no ballot. See the cycle page for them."),
            "assembly_decides",
        )


def _delegate_of(cycle: Cycle, today: date, *, user: User | None = None, pk: int | None = None) -> Delegate | None:
    delegates = Delegate.objects.filter(cycle=cycle, term_start__lte=today, term_end__gte=today)
    return (delegates.filter(user_id=user.pk) if user is not None else delegates.filter(pk=pk or 0)).first()


_FACTS_SQL = """
SELECT ci.document_type, ci.document_hash, ci.birth_date, ci.municipality_code,
  EXISTS (SELECT 1 FROM {email} e WHERE e.user_id = ci.user_id AND e.verified) AS verified,
  (SELECT p.unit_id FROM {participation} p WHERE p.cycle_id = %(cycle)s AND p.user_id = ci.user_id LIMIT 1)
    AS declared_unit,
  (NOT %(census)s OR EXISTS (
    SELECT 1 FROM {census} c WHERE c.cycle_id = %(cycle)s AND c.document_hash = ci.document_hash
  )) AS listed
FROM {identity} ci WHERE ci.user_id = %(user)s LIMIT 1
"""
_IDENTITY_FIELDS = ["document_type", "document_hash", "birth_date", "municipality_code"]


@cache
def _facts_sql() -> str:
    return _FACTS_SQL.format(
        email=EmailAddress._meta.db_table,
        participation=Participation._meta.db_table,
        census=CensusEntry._meta.db_table,
        identity=CitizenIdentity._meta.db_table,
    )


@dataclass(frozen=True, slots=True)
class _Facts:
    identity: CitizenIdentity  # the fields eligibility reads; the others deferred
    verified: bool
    declared_unit: int | None
    listed: bool  # on the cycle's census list, or the cycle has none


def _facts(user: User, cycle: Cycle) -> _Facts | None:
    """The person's identity with what voting asks of it, in one query: whether the
    e-mail is verified, the territory declared for the cycle, whether the document
    is on the cycle's census list; None without an identity.

    Written as SQL on a cursor: every cast and ballot asks it, and building the
    annotated queryset with its three subqueries cost 1.5-1.8 ms of CPU each time
    (a raw queryset still about 0.3 ms)."""
    params = {"cycle": cycle.pk, "user": user.pk, "census": bool(cycle.voting.census_required)}
    with connection.cursor() as cursor:
        cursor.execute(_facts_sql(), params)
        row = cursor.fetchone()
    if row is None:
        return None
    *fields, verified, declared_unit, listed = row
    identity = CitizenIdentity.from_db(connection.alias, _IDENTITY_FIELDS, fields)
    identity.user_id = user.pk
    return _Facts(identity, bool(verified), declared_unit, bool(listed))


def online_voter(user: User, cycle: Cycle, now: datetime) -> Voter:
    """The voter ``user`` is in ``cycle``, or ``NotEligible`` / ``NeedsTerritory`` saying why not
    (one query when the person may vote; ``cycle.voting`` must be loaded)."""
    today = timezone.localdate(now)
    _no_ballot(cycle)
    if not user.is_authenticated or not user.is_active:
        raise NotEligible(_("Sign in to take part."), "not_eligible")
    facts = _facts(user, cycle)
    reason = refusal_for(facts.identity, facts.verified, cycle, today) if facts else refusal(user, cycle, today)
    if reason is not None:
        raise NotEligible(reason, "not_eligible")
    assert facts is not None
    if not cycle.voting.online:
        raise NotEligible(
            _("This cycle votes in person only: go to a polling station with your document."), "in_person_only"
        )
    if not facts.listed:
        raise NotEligible(
            _("Your document is not on this cycle's census list. Ask the organisers of the cycle to check it."),
            "not_on_census",
        )
    if cycle.voting.decided_by == DecidedBy.DELEGATES:
        delegate = _delegate_of(cycle, today, user=user)
        if delegate is None:
            raise NotEligible(
                _(
                    "In this cycle the elected delegates of each territory vote. "
                    "If you are one, ask the organisers to link your delegation to your account."
                ),
                "delegates_only",
            )
        return Voter(
            key=facts.identity.document_hash, unit_id=delegate.unit_id, delegate_id=delegate.pk, user_id=user.pk
        )
    unit_id = facts.declared_unit
    if unit_id is None:
        raise NeedsTerritory(_("Choose the territory where you live to see its ballot."), "choose_territory")
    return Voter(key=facts.identity.document_hash, unit_id=unit_id, user_id=user.pk)


def on_census(cycle: Cycle, document_hash_: str) -> bool:
    return CensusEntry.objects.filter(cycle=cycle, document_hash=document_hash_).exists()


@dataclass(frozen=True, slots=True)
class PersonAtStation:
    """What an officer keys in from the document the person shows."""

    document_type: str
    document_number: str
    birth_date: date
    lives_there: bool  # the person says they live in the municipality / territory
    delegate_id: int | None = None


def person_refusal(cycle: Cycle, unit: CycleTerritory, person: PersonAtStation, today: date) -> str | None:
    """Why the person at a station may not vote in ``unit`` (None: they may)."""
    voting = cycle.voting
    if voting.decided_by == DecidedBy.ASSEMBLY:
        return _("In this cycle the territorial assemblies decide: there is no ballot.")
    if person.document_type not in voting.accepted_documents:
        return _("This cycle does not accept this kind of document.")
    try:
        key = voter_key(person.document_type, person.document_number)
    except InvalidDocument:
        return _("Check the document number: it is not valid for this kind of document.")
    if age_on(person.birth_date, today) < voting.min_age:
        return _("This cycle is for people aged %(age)d or more.") % {"age": voting.min_age}
    if voting.residence != Residence.NONE and not person.lives_there:
        return _("This cycle is for people who live in %(place)s.") % {
            "place": unit if voting.residence == Residence.TERRITORY else (cycle.municipality or cycle.department)
        }
    if voting.census_required and not on_census(cycle, key):
        return _("The document is not on this cycle's census list.")
    if voting.decided_by == DecidedBy.DELEGATES:
        delegate = _delegate_of(cycle, today, pk=person.delegate_id) if person.delegate_id else None
        if delegate is None or delegate.unit_id != unit.pk:
            return _(
                "In this cycle only the elected delegates of the territory vote: choose the delegate from the list."
            )
        if not _document_fits_delegate(delegate, key):
            return _(
                "This document is not the one on the chosen delegate's account. Check the document, "
                "or choose the delegate this person is."
            )
    return None


def _document_fits_delegate(delegate: Delegate, key: str) -> bool:
    """Whether the document keyed at a station can be ``delegate``'s: it must be the one on
    the delegate's account when the account has a citizen identity (a delegate without
    an account, or whose account has none, is recognised by the officer alone)."""
    if delegate.user_id is None:
        return True
    on_account = CitizenIdentity.objects.filter(user_id=delegate.user_id).values_list("document_hash", flat=True)
    hashes = list(on_account)
    return not hashes or hashes[0] == key


def already_voted_message(channel: str, *, own: bool) -> str:
    """What to say when the roll already has the person (``own``: to the voter themself)."""
    if own:
        if channel == Channel.ONLINE:
            return _("You have already voted online in this cycle. Each person votes once.")
        return _("You have already voted at a polling station in this cycle. Each person votes once.")
    if channel == Channel.ONLINE:
        return _("This person has already voted online in this cycle. Each person votes once.")
    return _("This person has already voted at a polling station in this cycle. Each person votes once.")
