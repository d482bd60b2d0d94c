"""Services of polling stations, paper records and the census list, and the voting
selectors: every refusal (by code) and role, double keying, the roll shared by
every channel, census hashes and turnout."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from accounts.models import AuditEntry
from accounts.services import IdentityInput, identity_save
from cycles.models import Delegate
from nodes.models import Membership
from proposals.models import Participation
from tests.factories import UserFactory
from tests.nodes.factories import MembershipFactory
from tests.proposals.factories import unit_of
from tests.voting.factories import (
    approve,
    on_ballot,
    paper_voters,
    station_in,
    submission,
    voter_in,
    voter_of,
    voting_cycle,
)
from voting import census, paper, selectors, stations
from voting.ballots import Choice
from voting.eligibility import PersonAtStation, online_voter
from voting.errors import AlreadyVoted, BadBallot, NotEligible, VotingClosed
from voting.models import Ballot, CensusEntry, Channel, PaperRecord, StationOfficer, VoterRollEntry
from voting.services import ballot_cast, ballot_chain_seal

pytestmark = pytest.mark.django_db

NUMBER = "80123456"


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def now() -> Any:
    return timezone.now()


def manager_of(cycle, code: str | None = None) -> Any:
    return MembershipFactory(role="manager", municipality_id=code or cycle.municipality_id).user


def officer_of(station, code: str | None = None) -> Any:
    user = MembershipFactory(role="station_officer", municipality_id=code or station.cycle.municipality_id).user
    StationOfficer.objects.create(station=station, user=user, assigned_at=timezone.now())
    return user


def someone(number: str = NUMBER, **overrides: Any) -> PersonAtStation:
    values: dict[str, Any] = {
        "document_type": "CC",
        "document_number": number,
        "birth_date": date(1980, 1, 1),
        "lives_there": True,
    }
    values.update(overrides)
    return PersonAtStation(**values)


def code_of(error: ValidationError) -> str | None:
    if hasattr(error, "error_dict"):
        return next(iter(error.error_dict.values()))[0].code
    return error.error_list[0].code


def voter_with_number(cycle, number: str = NUMBER, document_type: str = "CC") -> Any:
    user = UserFactory()
    identity_save(
        user=user,
        now=now(),
        data=IdentityInput(
            document_type=document_type,
            document_number=number,
            birth_date=date(1980, 1, 1),
            municipality_code=cycle.municipality_id,
        ),
    )
    Participation.objects.create(cycle=cycle, user=user, unit=unit_of(cycle), declared_at=now())
    return user


# --- Setting stations up ------------------------------------------------------------------------


def station_input(cycle, **overrides: Any) -> stations.StationInput:
    start = now() + timedelta(hours=1)
    values: dict[str, Any] = {
        "unit": unit_of(cycle),
        "name": "Mesa 1",
        "place": "Escuela",
        "opens_at": start,
        "closes_at": start + timedelta(hours=8),
    }
    values.update(overrides)
    return stations.StationInput(**values)


def test_station_create_records_an_audit_entry():
    cycle = voting_cycle()
    station = stations.station_create(actor=manager_of(cycle), cycle=cycle, data=station_input(cycle), now=now())
    assert station.name == "Mesa 1"
    assert AuditEntry.objects.filter(action="voting.station_create", data__cycle=cycle.pk).count() == 1


def test_station_create_refuses_a_manager_of_another_municipality():
    cycle = voting_cycle()
    with pytest.raises(PermissionDenied):
        stations.station_create(actor=manager_of(cycle, "68081"), cycle=cycle, data=station_input(cycle), now=now())


@pytest.mark.parametrize("role", ["station_officer", "reviewer", "monitor"])
def test_station_create_refuses_roles_that_do_not_run_cycles(role):
    cycle = voting_cycle()
    actor = MembershipFactory(role=role, municipality_id=cycle.municipality_id).user
    with pytest.raises(PermissionDenied):
        stations.station_create(actor=actor, cycle=cycle, data=station_input(cycle), now=now())


def test_station_create_refuses_a_duplicate_name_whatever_the_case():
    cycle = voting_cycle()
    station_in(cycle, name="Mesa 1")
    with pytest.raises(ValidationError) as refused:
        stations.station_create(
            actor=manager_of(cycle), cycle=cycle, data=station_input(cycle, name="MESA 1"), now=now()
        )
    assert code_of(refused.value) == "duplicate"


def test_station_update_changes_the_station_and_keeps_its_name_free_for_itself():
    cycle = voting_cycle()
    station = station_in(cycle, name="Mesa 1")
    updated = stations.station_update(
        actor=manager_of(cycle), station=station, data=station_input(cycle, place="Parque"), now=now()
    )
    assert updated.place == "Parque" and AuditEntry.objects.filter(action="voting.station_update").exists()


@pytest.mark.parametrize("change", ["unit", "counts_on_site"])
def test_station_update_refuses_to_change_territory_or_counting_once_used(change):
    cycle = voting_cycle()
    station = station_in(cycle, name="Mesa 1")
    stations.roll_mark(officer=officer_of(station), station=station, person=someone(), now=now())
    overrides: dict[str, Any] = {"unit": unit_of(cycle, 1)} if change == "unit" else {"counts_on_site": True}
    with pytest.raises(ValidationError) as refused:
        stations.station_update(
            actor=manager_of(cycle), station=station, data=station_input(cycle, **overrides), now=now()
        )
    assert code_of(refused.value) == "in_use"


@pytest.mark.parametrize(("code", "field"), [("duplicate", "name"), ("unit", "unit"), ("hours", "closes_at")])
def test_station_update_refusals(code, field):
    cycle = voting_cycle()
    station = station_in(cycle, name="Mesa 1")
    station_in(cycle, name="Mesa 2")
    data = {
        "duplicate": station_input(cycle, name="mesa 2"),
        "unit": station_input(cycle, unit=unit_of(voting_cycle(proposals=0))),
        "hours": station_input(cycle, closes_at=now()),
    }[code]
    if code == "hours":
        data = station_input(cycle, opens_at=now(), closes_at=now() - timedelta(minutes=1))
    with pytest.raises(ValidationError) as refused:
        stations.station_update(actor=manager_of(cycle), station=station, data=data, now=now())
    assert code_of(refused.value) == code and field in refused.value.error_dict


def test_station_update_refuses_another_municipalitys_manager():
    cycle = voting_cycle()
    station = station_in(cycle)
    with pytest.raises(PermissionDenied):
        stations.station_update(actor=manager_of(cycle, "68081"), station=station, data=station_input(cycle), now=now())


# --- Officers -------------------------------------------------------------------------------------


def test_officer_candidates_are_the_active_station_officers_of_the_municipality():
    cycle = voting_cycle()
    station = station_in(cycle)
    here = MembershipFactory(role="station_officer", municipality_id=cycle.municipality_id).user
    MembershipFactory(role="station_officer", municipality_id="68081")
    MembershipFactory(role="reviewer", municipality_id=cycle.municipality_id)
    revoked = MembershipFactory(role="station_officer", municipality_id=cycle.municipality_id)
    Membership.objects.filter(pk=revoked.pk).update(revoked_at=now())
    assert stations.officer_candidates(station) == [here]


def test_officer_assign_is_idempotent_and_audited():
    cycle = voting_cycle()
    station = station_in(cycle)
    manager = manager_of(cycle)
    officer = MembershipFactory(role="station_officer", municipality_id=cycle.municipality_id).user
    stations.officer_assign(actor=manager, station=station, user=officer, now=now())
    stations.officer_assign(actor=manager, station=station, user=officer, now=now())
    assert station.assignments.count() == 1
    assert AuditEntry.objects.filter(action="voting.officer_assign").count() == 2


def test_officer_assign_refuses_someone_without_the_role_here():
    cycle = voting_cycle()
    station = station_in(cycle)
    elsewhere = MembershipFactory(role="station_officer", municipality_id="68081").user
    with pytest.raises(ValidationError) as refused:
        stations.officer_assign(actor=manager_of(cycle), station=station, user=elsewhere, now=now())
    assert code_of(refused.value) == "not_officer" and not station.assignments.exists()


def test_officer_assign_and_remove_refuse_another_municipalitys_manager():
    cycle = voting_cycle()
    station = station_in(cycle)
    officer = officer_of(station)
    other = manager_of(cycle, "68081")
    with pytest.raises(PermissionDenied):
        stations.officer_assign(actor=other, station=station, user=officer, now=now())
    with pytest.raises(PermissionDenied):
        stations.officer_remove(actor=other, station=station, user=officer, now=now())
    assert station.assignments.count() == 1


def test_a_removed_officer_can_no_longer_work_the_station():
    cycle = voting_cycle()
    station = station_in(cycle)
    officer = officer_of(station)
    stations.officer_remove(actor=manager_of(cycle), station=station, user=officer, now=now())
    with pytest.raises(PermissionDenied):
        stations.person_check(officer=officer, station=station, person=someone(), now=now())


def test_an_officer_whose_role_was_revoked_can_no_longer_work_the_station():
    station = station_in(voting_cycle())
    officer = officer_of(station)
    Membership.objects.filter(user=officer).update(revoked_at=now())
    with pytest.raises(PermissionDenied):
        stations.roll_mark(officer=officer, station=station, person=someone(), now=now())


@pytest.mark.parametrize("who", ["manager", "unassigned_officer", "citizen", "other_municipality_officer"])
def test_only_the_stations_officers_work_it(who):
    cycle = voting_cycle()
    station = station_in(cycle)
    if who == "manager":
        actor = manager_of(cycle)
    elif who == "unassigned_officer":
        actor = officer_of(station_in(cycle))
    elif who == "citizen":
        actor = voter_in(cycle)
    else:
        actor = officer_of(station, "68081")  # assigned by hand, but their role is elsewhere
    for call in (
        lambda: stations.person_check(officer=actor, station=station, person=someone(), now=now()),
        lambda: stations.roll_mark(officer=actor, station=station, person=someone(), now=now()),
        lambda: stations.assisted_cast(
            officer=actor,
            station=station,
            person=someone(),
            choices=approve(on_ballot(cycle)[0]),
            submission="s".ljust(32, "0"),
            now=now(),
        ),
        lambda: paper.paper_key(
            officer=actor, station=station, kind="batch", number=1, content={"ballots": []}, now=now()
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert not VoterRollEntry.objects.exists() and not PaperRecord.objects.exists()


# --- At the station ---------------------------------------------------------------------------


def test_person_check_writes_nothing_and_says_they_may_vote():
    station = station_in(voting_cycle())
    check = stations.person_check(officer=officer_of(station), station=station, person=someone(), now=now())
    assert check.may_vote and (check.refusal, check.voted) == (None, None)
    assert not VoterRollEntry.objects.exists()


@pytest.mark.parametrize(
    ("voting_settings", "person", "reason"),
    [
        ({"decided_by": "assembly"}, {}, "In this cycle the territorial assemblies decide: there is no ballot."),
        ({}, {"document_type": "PA"}, "This cycle does not accept this kind of document."),
        ({}, {"document_number": "12a"}, "Check the document number: it is not valid for this kind of document."),
        ({}, {"birth_date": date.today() - timedelta(days=365 * 10)}, "This cycle is for people aged 14 or more."),
        ({}, {"lives_there": False}, "This cycle is for people who live in"),
        ({"census_required": True}, {}, "The document is not on this cycle's census list."),
        ({"decided_by": "delegates"}, {}, "In this cycle only the elected delegates of the territory vote"),
    ],
)
def test_person_check_says_why_someone_may_not_vote_and_roll_mark_refuses_them(voting_settings, person, reason):
    cycle = voting_cycle(**voting_settings)
    station = station_in(cycle)
    officer = officer_of(station)
    check = stations.person_check(officer=officer, station=station, person=someone(**person), now=now())
    assert check.refusal is not None and check.refusal.startswith(reason) and not check.may_vote
    with pytest.raises(NotEligible) as refused:
        stations.roll_mark(officer=officer, station=station, person=someone(**person), now=now())
    assert refused.value.code == "not_eligible" and refused.value.message == check.refusal


def test_a_delegate_of_the_territory_is_marked_once():
    cycle = voting_cycle(decided_by="delegates")
    station = station_in(cycle)
    today = timezone.localdate()
    delegate = Delegate.objects.create(
        cycle=cycle,
        unit=station.unit,
        name="Ana",
        term_start=today - timedelta(days=1),
        term_end=today + timedelta(days=9),
    )
    officer = officer_of(station)
    stations.roll_mark(officer=officer, station=station, person=someone(delegate_id=delegate.pk), now=now())
    assert VoterRollEntry.objects.get().delegate == delegate
    with pytest.raises(AlreadyVoted):  # the same delegate with another document
        stations.roll_mark(
            officer=officer, station=station, person=someone("80999999", delegate_id=delegate.pk), now=now()
        )


def test_a_delegate_of_another_territory_is_refused():
    cycle = voting_cycle(decided_by="delegates")
    station = station_in(cycle)
    today = timezone.localdate()
    delegate = Delegate.objects.create(
        cycle=cycle, unit=unit_of(cycle, 1), name="Luis", term_start=today, term_end=today + timedelta(days=9)
    )
    check = stations.person_check(
        officer=officer_of(station), station=station, person=someone(delegate_id=delegate.pk), now=now()
    )
    assert check.refusal and "delegates of the territory" in check.refusal


def test_roll_mark_is_refused_after_an_online_vote_saying_online():
    cycle = voting_cycle()
    unit = unit_of(cycle)
    station = station_in(cycle, unit)
    online = voter_with_number(cycle)
    ballot_cast(
        cycle=cycle,
        unit=unit,
        voter=voter_of(online, unit),
        choices=approve(on_ballot(cycle)[0]),
        submission="s".ljust(32, "0"),
    )
    officer = officer_of(station)
    check = stations.person_check(officer=officer, station=station, person=someone(), now=now())
    assert check.voted == "This person has already voted online in this cycle. Each person votes once."
    with pytest.raises(AlreadyVoted) as refused:
        stations.roll_mark(officer=officer, station=station, person=someone(), now=now())
    assert refused.value.code == "already_voted" and "online" in refused.value.message
    assert VoterRollEntry.objects.count() == 1


def test_an_online_cast_is_refused_after_a_station_mark_saying_at_a_station():
    cycle = voting_cycle()
    unit = unit_of(cycle)
    station = station_in(cycle, unit)
    stations.roll_mark(officer=officer_of(station), station=station, person=someone(), now=now())
    online = voter_with_number(cycle)
    voter = online_voter(online, cycle, now())
    with pytest.raises(AlreadyVoted) as refused:
        ballot_cast(cycle=cycle, unit=unit, voter=voter, choices=approve(on_ballot(cycle)[0]), submission=submission())
    assert refused.value.message == "You have already voted at a polling station in this cycle. Each person votes once."
    assert not Ballot.objects.exists()


def test_a_ti_on_the_census_matches_the_cc_with_the_same_number():
    cycle = voting_cycle(census_required=True)
    station = station_in(cycle)
    census.census_import(actor=manager_of(cycle), cycle=cycle, data=b"tipo,numero\nTI,1000123456\n", now=now())
    check = stations.person_check(officer=officer_of(station), station=station, person=someone("1000123456"), now=now())
    assert check.may_vote


def test_a_person_marked_at_one_station_is_refused_at_another():
    cycle = voting_cycle()
    first, second = station_in(cycle), station_in(cycle)
    stations.roll_mark(officer=officer_of(first), station=first, person=someone(), now=now())
    with pytest.raises(AlreadyVoted) as refused:
        stations.roll_mark(officer=officer_of(second), station=second, person=someone(), now=now())
    assert "at a polling station" in refused.value.message
    assert not VoterRollEntry.objects.filter(station=second).exists()


def test_roll_mark_stores_only_the_keyed_hash_and_audits_without_the_number():
    station = station_in(voting_cycle())
    stations.roll_mark(officer=officer_of(station), station=station, person=someone(), now=now())
    entry = VoterRollEntry.objects.get()
    assert len(entry.voter_key) == 64 and NUMBER not in entry.voter_key
    assert (entry.channel, entry.station_id, entry.submission_digest) == (Channel.PAPER, station.pk, "")
    audit = AuditEntry.objects.get(action="voting.roll_mark")
    assert NUMBER not in str(audit.data) and NUMBER not in audit.subject


@pytest.mark.parametrize(("opens", "closes"), [(1, 5), (-5, -1)])
def test_roll_mark_outside_the_stations_hours_is_refused(opens, closes):
    station = station_in(
        voting_cycle(), opens_at=now() + timedelta(hours=opens), closes_at=now() + timedelta(hours=closes)
    )
    with pytest.raises(VotingClosed) as refused:
        stations.roll_mark(officer=officer_of(station), station=station, person=someone(), now=now())
    assert refused.value.code == "station_closed"


def test_roll_mark_when_the_vote_is_not_open_in_the_territory_is_refused():
    cycle = voting_cycle(opened_days_ago=3, closes_in_days=-1)  # the vote ended yesterday
    station = station_in(cycle)
    with pytest.raises(VotingClosed) as refused:
        stations.roll_mark(officer=officer_of(station), station=station, person=someone(), now=now())
    assert refused.value.code == "closed"


def test_assisted_cast_puts_the_ballot_in_the_box_and_repeats_the_receipt_on_retry():
    cycle = voting_cycle()
    station = station_in(cycle)
    officer = officer_of(station)
    a = on_ballot(cycle)[0]
    first = stations.assisted_cast(
        officer=officer,
        station=station,
        person=someone(),
        choices=approve(a),
        submission="abc".ljust(32, "0"),
        now=now(),
    )
    again = stations.assisted_cast(
        officer=officer,
        station=station,
        person=someone(),
        choices=approve(a),
        submission="abc".ljust(32, "0"),
        now=now(),
    )
    assert first.code == again.code and again.repeated
    # The roll says the person was helped; the box does not single out the few who were.
    assert Ballot.objects.get().channel == Channel.ONLINE
    assert VoterRollEntry.objects.get().channel == Channel.ASSISTED


def test_assisted_cast_refuses_a_bad_ballot_and_writes_nothing():
    cycle = voting_cycle(max_selections=1)
    station = station_in(cycle)
    a, b, *_ = on_ballot(cycle)
    with pytest.raises(BadBallot) as refused:
        stations.assisted_cast(
            officer=officer_of(station),
            station=station,
            person=someone(),
            choices=approve(a, b),
            submission="s".ljust(32, "0"),
            now=now(),
        )
    assert refused.value.code == "too_many"
    assert not VoterRollEntry.objects.exists() and not Ballot.objects.exists()


def test_assisted_cast_refuses_someone_already_marked():
    cycle = voting_cycle()
    station = station_in(cycle)
    officer = officer_of(station)
    stations.roll_mark(officer=officer, station=station, person=someone(), now=now())
    with pytest.raises(AlreadyVoted):
        stations.assisted_cast(
            officer=officer,
            station=station,
            person=someone(),
            choices=approve(on_ballot(cycle)[0]),
            submission="s".ljust(32, "0"),
            now=now(),
        )
    assert not Ballot.objects.exists()


# --- Paper records -----------------------------------------------------------------------------


def two_officers(station) -> tuple[Any, Any]:
    return officer_of(station), officer_of(station)


def test_batch_content_sorts_ballots_so_their_order_does_not_matter():
    cycle = voting_cycle()
    station = station_in(cycle)
    paper_voters(station)
    a, b, c, _d = on_ballot(cycle)
    one = paper.batch_content(station, [[Choice(a.pk)], [Choice(c.pk), Choice(b.pk)]], 1, 2)
    two = paper.batch_content(station, [[Choice(b.pk), Choice(c.pk)], [Choice(a.pk)]], 1, 2)
    assert one == two == {"ballots": sorted([[[a.pk, 1]], [[b.pk, 1], [c.pk, 1]]]), "blank": 1, "void": 2}


def test_batch_content_names_the_ballot_over_the_rules():
    cycle = voting_cycle(max_selections=1)
    station = station_in(cycle)
    paper_voters(station)
    a, b, *_ = on_ballot(cycle)
    with pytest.raises(ValidationError) as refused:
        paper.batch_content(station, [[Choice(a.pk)], [Choice(a.pk), Choice(b.pk)]], 0, 0)
    assert code_of(refused.value) == "bad_ballot"
    assert refused.value.messages == [
        "Ballot 2: Choose at most 1 proposals. If the paper ballot is like that, count it as void."
    ]


def test_batch_content_refuses_a_proposal_of_another_territory():
    cycle = voting_cycle()
    station = station_in(cycle, unit_of(cycle, 0))
    paper_voters(station)
    elsewhere = on_ballot(cycle, unit_of(cycle, 1))[0]
    with pytest.raises(ValidationError) as refused:
        paper.batch_content(station, [[Choice(elsewhere.pk)]], 0, 0)
    assert code_of(refused.value) == "bad_ballot"


@pytest.mark.parametrize(
    ("ballots", "blank", "void", "code"),
    [
        (0, 0, 0, "empty_batch"),
        (paper.MAX_BATCH + 1, 0, 0, "batch_too_big"),
        (2, -1, 0, "bad_number"),
        (1, 0, True, "bad_number"),
    ],
)
def test_batch_content_refusals(ballots, blank, void, code):
    cycle = voting_cycle()
    station = station_in(cycle)
    paper_voters(station)
    a = on_ballot(cycle)[0]
    with pytest.raises(ValidationError) as refused:
        paper.batch_content(station, [[Choice(a.pk)]] * ballots, blank, void)
    assert code_of(refused.value) == code


def acta(station, **overrides: Any) -> dict[str, Any]:
    proposals = on_ballot(station.cycle, station.unit)
    values: dict[str, Any] = {
        "in_box": 10,
        "blank": 1,
        "void": 1,
        "votes": {p.pk: 2 for p in proposals},
        "officers": [" Luis ", "Ana", ""],
    }
    values.update(overrides)
    return paper.acta_content(station, **values)


def test_acta_content_counts_every_proposal_and_sorts_the_names():
    station = station_in(voting_cycle(), counts_on_site=True)
    content = acta(station, votes={on_ballot(station.cycle)[0].pk: 5})
    assert content["officers"] == ["Ana", "Luis"]
    assert sorted(content["votes"].values()) == [0, 0, 0, 5] and content["in_box"] == 10


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"votes": "elsewhere"}, "not_on_ballot"),
        ({"in_box": -1}, "bad_number"),
        ({"blank": 6, "void": 5}, "acta_sum"),
        ({"votes": "too_many"}, "acta_sum"),
        ({"officers": [" ", ""]}, "officers"),
    ],
)
def test_acta_content_refusals(overrides, code):
    cycle = voting_cycle(max_selections=2)
    station = station_in(cycle, counts_on_site=True)
    if overrides.get("votes") == "elsewhere":
        overrides = {"votes": {on_ballot(cycle, unit_of(cycle, 1))[0].pk: 1}}
    elif overrides.get("votes") == "too_many":
        overrides = {"votes": {p.pk: 5 for p in on_ballot(cycle)}}  # 20 votes, 8 valid ballots × 2
    with pytest.raises(ValidationError) as refused:
        acta(station, **overrides)
    assert code_of(refused.value) == code


def test_acta_content_with_one_choice_per_ballot_must_add_up_to_the_valid_ballots():
    cycle = voting_cycle(ballot_type="single")
    station = station_in(cycle, counts_on_site=True)
    a, b, *_ = on_ballot(cycle)
    assert acta(station, votes={a.pk: 5, b.pk: 3})["votes"][str(a.pk)] == 5
    with pytest.raises(ValidationError) as refused:
        acta(station, votes={a.pk: 5, b.pk: 2})
    assert code_of(refused.value) == "acta_sum"


def test_double_keying_a_batch_confirms_it_and_puts_its_ballots_in_the_box():
    cycle = voting_cycle()
    station = station_in(cycle)
    paper_voters(station)
    first, second = two_officers(station)
    a, b, c, _d = on_ballot(cycle)
    one = paper.batch_content(station, [[Choice(a.pk)], [Choice(b.pk), Choice(c.pk)]], 1, 0)
    record = paper.paper_key(officer=first, station=station, kind="batch", number=1, content=one, now=now())
    assert record.status == PaperRecord.Status.WAITING and not Ballot.objects.exists()
    reordered = paper.batch_content(station, [[Choice(c.pk), Choice(b.pk)], [Choice(a.pk)]], 1, 0)
    record = paper.paper_key(officer=second, station=station, kind="batch", number=1, content=reordered, now=now())
    assert record.status == PaperRecord.Status.CONFIRMED and record.settled_at is not None
    ballots = Ballot.objects.filter(batch=record)
    assert sorted(b.selections for b in ballots) == one["ballots"]
    assert {b.channel for b in ballots} == {Channel.PAPER} and {b.receipt_digest for b in ballots} == {None}
    audit = list(AuditEntry.objects.filter(action="voting.paper_key").values_list("data__status", flat=True))
    assert audit == ["waiting", "confirmed"]


def test_the_same_officer_cannot_key_a_record_twice():
    cycle = voting_cycle()
    station = station_in(cycle)
    paper_voters(station)
    officer = officer_of(station)
    content = paper.batch_content(station, [approve(on_ballot(cycle)[0])], 0, 0)
    paper.paper_key(officer=officer, station=station, kind="batch", number=1, content=content, now=now())
    with pytest.raises(ValidationError) as refused:
        paper.paper_key(officer=officer, station=station, kind="batch", number=1, content=content, now=now())
    assert code_of(refused.value) == "same_officer"
    assert PaperRecord.objects.get().status == PaperRecord.Status.WAITING


def test_a_mismatch_waits_for_a_manager_and_refuses_more_keying():
    cycle = voting_cycle()
    station = station_in(cycle)
    paper_voters(station)
    first, second = two_officers(station)
    a, b, *_ = on_ballot(cycle)
    paper.paper_key(
        officer=first,
        station=station,
        kind="batch",
        number=1,
        content=paper.batch_content(station, [approve(a)], 0, 0),
        now=now(),
    )
    record = paper.paper_key(
        officer=second,
        station=station,
        kind="batch",
        number=1,
        content=paper.batch_content(station, [approve(b)], 0, 0),
        now=now(),
    )
    assert record.status == PaperRecord.Status.MISMATCH and record.settled_at is None
    assert not Ballot.objects.exists()
    assert paper.mismatches(cycle.pk) == [record]
    with pytest.raises(ValidationError) as refused:
        paper.paper_key(
            officer=officer_of(station),
            station=station,
            kind="batch",
            number=1,
            content=paper.batch_content(station, [approve(a)], 0, 0),
            now=now(),
        )
    assert code_of(refused.value) == "mismatch"


def test_a_confirmed_record_cannot_be_keyed_again():
    cycle = voting_cycle()
    station = station_in(cycle)
    paper_voters(station)
    content = paper.batch_content(station, [approve(on_ballot(cycle)[0])], 0, 0)
    for officer in two_officers(station):
        paper.paper_key(officer=officer, station=station, kind="batch", number=1, content=content, now=now())
    with pytest.raises(ValidationError) as refused:
        paper.paper_key(
            officer=officer_of(station), station=station, kind="batch", number=1, content=content, now=now()
        )
    assert code_of(refused.value) == "settled"
    assert Ballot.objects.count() == 1


@pytest.mark.parametrize(("counts_on_site", "kind"), [(False, "acta"), (True, "batch")])
def test_a_record_of_the_wrong_kind_is_refused(counts_on_site, kind):
    station = station_in(voting_cycle(), counts_on_site=counts_on_site)
    paper_voters(station)
    with pytest.raises(ValidationError) as refused:
        paper.paper_key(officer=officer_of(station), station=station, kind=kind, number=1, content={}, now=now())
    assert code_of(refused.value) == "wrong_kind" and not PaperRecord.objects.exists()


@pytest.mark.parametrize("number", [0, 100_001])
def test_a_record_number_out_of_range_is_refused(number):
    station = station_in(voting_cycle())
    paper_voters(station)
    with pytest.raises(ValidationError) as refused:
        paper.paper_key(
            officer=officer_of(station), station=station, kind="batch", number=number, content={}, now=now()
        )
    assert code_of(refused.value) == "number"


def test_a_tally_sheet_keyed_twice_is_confirmed_and_puts_no_ballot_in_the_box():
    cycle = voting_cycle()
    station = station_in(cycle, counts_on_site=True)
    paper_voters(station)
    first, second = two_officers(station)
    paper.paper_key(officer=first, station=station, kind="acta", number=1, content=acta(station), now=now())
    record = paper.paper_key(
        officer=second,
        station=station,
        kind="acta",
        number=1,
        content=acta(station, officers=["Luis", "Ana"]),
        now=now(),
    )
    assert record.status == PaperRecord.Status.CONFIRMED and record.accepted["in_box"] == 10
    assert not Ballot.objects.exists()


def mismatched(cycle):
    station = station_in(cycle)
    paper_voters(station)
    first, second = two_officers(station)
    a, b, *_ = on_ballot(cycle)
    paper.paper_key(
        officer=first,
        station=station,
        kind="batch",
        number=1,
        content=paper.batch_content(station, [approve(a)], 0, 0),
        now=now(),
    )
    return paper.paper_key(
        officer=second,
        station=station,
        kind="batch",
        number=1,
        content=paper.batch_content(station, [approve(b)], 0, 0),
        now=now(),
    )


def test_reconcile_accepts_the_chosen_entry_and_records_the_reason_in_the_audit_log():
    cycle = voting_cycle()
    record = mismatched(cycle)
    chosen = record.entries.order_by("pk")[1]
    settled = paper.paper_reconcile(
        actor=manager_of(cycle), record=record, entry=chosen, reason="  El papel dice la segunda  ", now=now()
    )
    assert settled.status == PaperRecord.Status.RECONCILED and settled.reason == "El papel dice la segunda"
    assert [b.selections for b in Ballot.objects.filter(batch=record)] == chosen.content["ballots"]
    audit = AuditEntry.objects.get(action="voting.paper_reconcile")
    assert audit.data == {"entry": chosen.pk, "officer": chosen.officer_id, "reason": "El papel dice la segunda"}
    assert paper.mismatches(cycle.pk) == []


def test_reconcile_refusals():
    cycle = voting_cycle()
    record, other = mismatched(cycle), mismatched(cycle)
    manager = manager_of(cycle)
    with pytest.raises(ValidationError) as refused:
        paper.paper_reconcile(actor=manager, record=record, entry=other.entries.first(), reason="x", now=now())
    assert code_of(refused.value) == "other_entry"
    with pytest.raises(ValidationError) as refused:
        paper.paper_reconcile(actor=manager, record=record, entry=record.entries.first(), reason="  ", now=now())
    assert code_of(refused.value) == "reason" and "reason" in refused.value.error_dict
    with pytest.raises(PermissionDenied):
        paper.paper_reconcile(
            actor=manager_of(cycle, "68081"), record=record, entry=record.entries.first(), reason="x", now=now()
        )
    paper.paper_reconcile(actor=manager, record=record, entry=record.entries.first(), reason="x", now=now())
    with pytest.raises(ValidationError) as refused:
        paper.paper_reconcile(actor=manager, record=record, entry=record.entries.first(), reason="x", now=now())
    assert code_of(refused.value) == "not_mismatch"
    assert Ballot.objects.filter(batch=record).count() == 1


# --- Census ------------------------------------------------------------------------------------


def test_census_import_keeps_only_keyed_hashes():
    cycle = voting_cycle()
    report = census.census_import(
        actor=manager_of(cycle), cycle=cycle, data="\ufefftipo;número\nCC;80.123.456\nTI;1000123\n".encode(), now=now()
    )
    assert (report.rows, report.added, report.already, report.errors) == (2, 2, 0, [])
    hashes = list(CensusEntry.objects.values_list("document_hash", flat=True))
    assert all(len(h) == 64 for h in hashes) and not any("80123456" in h or "1000123" in h for h in hashes)
    audit = AuditEntry.objects.get(action="voting.census_import")
    assert audit.data == {"rows": 2, "added": 2, "replace": False}


def test_census_import_is_idempotent_and_counts_documents_already_there():
    cycle = voting_cycle()
    manager = manager_of(cycle)
    census.census_import(actor=manager, cycle=cycle, data=b"80123456\n", now=now())
    report = census.census_import(actor=manager, cycle=cycle, data=b"80123456\n80123457\n", now=now())
    assert (report.added, report.already) == (1, 1) and census.census_size(cycle) == 2


def test_census_import_replaces_the_list_when_asked():
    cycle = voting_cycle()
    manager = manager_of(cycle)
    census.census_import(actor=manager, cycle=cycle, data=b"80123456\n80123457\n", now=now())
    census.census_import(actor=manager, cycle=cycle, data=b"80123458\n", replace=True, now=now())
    assert census.census_size(cycle) == 1


def test_census_import_reads_latin_1_and_a_default_type():
    cycle = voting_cycle()
    report = census.census_import(
        actor=manager_of(cycle),
        cycle=cycle,
        data="número\n1000123456\n".encode("latin-1"),
        default_type="TI",
        now=now(),
    )
    assert report.saved and report.added == 1


def test_a_census_with_bad_rows_saves_nothing_and_reports_each_line_without_the_number():
    cycle = voting_cycle()
    report = census.census_import(
        actor=manager_of(cycle), cycle=cycle, data=b"tipo,numero\nCC,80123456\nXX,80123457\n\nCC,12a\n", now=now()
    )
    assert not report.saved and [line for line, _m in report.errors] == [3, 5]
    assert "12a" not in str(report.errors) and "80123457" not in str(report.errors)
    assert not CensusEntry.objects.exists() and not AuditEntry.objects.filter(action="voting.census_import").exists()


@pytest.mark.parametrize(
    ("data", "default_type", "code"),
    [(b"numero\n", "CC", "empty"), (b"1\n", "XX", "default_type"), (b"x" * (census.MAX_BYTES + 1), "CC", "too_big")],
)
def test_census_import_refusals(data, default_type, code):
    cycle = voting_cycle()
    with pytest.raises(ValidationError) as refused:
        census.census_import(actor=manager_of(cycle), cycle=cycle, data=data, default_type=default_type, now=now())
    assert code_of(refused.value) == code and not CensusEntry.objects.exists()


def test_census_import_refuses_another_municipalitys_manager():
    cycle = voting_cycle()
    with pytest.raises(PermissionDenied):
        census.census_import(actor=manager_of(cycle, "68081"), cycle=cycle, data=b"80123456\n", now=now())


def test_a_census_cycle_refuses_online_someone_not_on_the_list_and_accepts_who_is():
    cycle = voting_cycle(census_required=True)
    census.census_import(actor=manager_of(cycle), cycle=cycle, data=b"tipo,numero\nTI,1000123456\n", now=now())
    with pytest.raises(NotEligible) as refused:
        online_voter(voter_with_number(cycle, "80123456"), cycle, now())
    assert refused.value.code == "not_on_census"
    assert online_voter(voter_with_number(cycle, "1000123456"), cycle, now()).unit_id == unit_of(cycle).pk


# --- Selectors ---------------------------------------------------------------------------------


def test_turnout_counts_the_roll_by_territory_and_channel_and_each_station(django_assert_num_queries):
    cycle = voting_cycle()
    first_unit, second_unit = unit_of(cycle, 0), unit_of(cycle, 1)
    ballot_cast(
        cycle=cycle,
        unit=first_unit,
        voter=voter_of(voter_in(cycle), first_unit),
        choices=approve(on_ballot(cycle)[0]),
        submission="s".ljust(32, "0"),
    )
    batches = station_in(cycle, second_unit)
    on_site = station_in(cycle, first_unit, counts_on_site=True)
    paper_voters(on_site, 10)  # the acta below counts 10 ballots in its box
    b_first, b_second = two_officers(batches)
    s_first, s_second = two_officers(on_site)
    for number in range(1, 7):
        stations.roll_mark(officer=b_first, station=batches, person=someone(f"8012345{number}"), now=now())
    stations.assisted_cast(
        officer=s_first,
        station=on_site,
        person=someone("80999999"),
        choices=approve(on_ballot(cycle)[0]),
        submission="a".ljust(32, "0"),
        now=now(),
    )
    a = on_ballot(cycle, second_unit)[0]
    content = paper.batch_content(batches, [approve(a), approve(a)], 1, 0)  # 3 paper ballots
    paper.paper_key(officer=b_first, station=batches, kind="batch", number=1, content=content, now=now())
    paper.paper_key(officer=b_second, station=batches, kind="batch", number=1, content=content, now=now())
    paper.paper_key(officer=b_first, station=batches, kind="batch", number=2, content=content, now=now())  # waiting
    paper.paper_key(officer=s_first, station=on_site, kind="acta", number=1, content=acta(on_site), now=now())
    paper.paper_key(officer=s_second, station=on_site, kind="acta", number=1, content=acta(on_site), now=now())
    with django_assert_num_queries(4):  # territories, roll counts, stations, their records
        result = selectors.turnout(cycle)
    by_unit = {row.unit.pk: row.by_channel for row in result.rows}
    assert by_unit[first_unit.pk] == {"online": 1, "assisted": 1, "paper": 10}
    assert by_unit[second_unit.pk] == {"online": 0, "assisted": 0, "paper": 6}
    assert result.totals == {"online": 1, "assisted": 1, "paper": 16} and result.total == 18
    rows = {row.station.pk: row for row in result.stations}
    assert (rows[batches.pk].marked, rows[batches.pk].paper_ballots, rows[batches.pk].records_waiting) == (6, 3, 1)
    assert rows[batches.pk].difference == -3  # batch 2 is not confirmed yet
    assert (rows[on_site.pk].marked, rows[on_site.pk].paper_ballots) == (10, 10)


def test_station_turnout_counts_mismatches():
    cycle = voting_cycle()
    record = mismatched(cycle)
    (row,) = selectors.station_turnout(cycle)
    assert row.station == record.station and (row.records_mismatch, row.records_waiting, row.paper_ballots) == (1, 0, 0)


def test_stations_of_lists_a_cycles_stations_with_their_officers(django_assert_num_queries):
    cycle = voting_cycle()
    later = station_in(cycle, name="B", opens_at=now() - timedelta(hours=1))
    sooner = station_in(cycle, name="A", opens_at=now() - timedelta(hours=2))
    officer_of(later)
    station_in(voting_cycle("68081"))
    with django_assert_num_queries(2):
        rows = list(selectors.stations_of(cycle))
        officers = [[a.user for a in row.assignments.all()] for row in rows]
    assert rows == [sooner, later] and len(officers[1]) == 1 and officers[0] == []


def test_stations_for_officer_lists_only_their_stations():
    cycle = voting_cycle()
    mine, _theirs = station_in(cycle), station_in(cycle)
    officer = officer_of(mine)
    assert list(selectors.stations_for_officer(officer.pk)) == [mine]


def test_chain_head_appears_once_ballots_are_sealed():
    cycle = voting_cycle()
    assert selectors.chain_head(cycle) is None
    unit = unit_of(cycle)
    ballot_cast(
        cycle=cycle,
        unit=unit,
        voter=voter_of(voter_in(cycle), unit),
        choices=approve(on_ballot(cycle)[0]),
        submission="s".ljust(32, "0"),
    )
    ballot_chain_seal(cycle_id=cycle.pk)
    head = selectors.chain_head(cycle)
    assert head is not None and head.length == 1 and len(head.head) == 64
