"""Who may vote (voting.eligibility): online from the account, at a station from the document."""

from datetime import date, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone, translation

from accounts.identity import document_hash
from cycles.models import Delegate
from proposals.models import Participation
from tests.proposals.factories import citizen, unit_of
from tests.voting.factories import voter_in, voting_cycle
from voting.eligibility import PersonAtStation, online_voter, person_refusal, voter_key
from voting.errors import NeedsTerritory, NotEligible
from voting.models import CensusEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def refused_code(user, cycle):
    with pytest.raises(NotEligible) as caught:
        online_voter(user, cycle, timezone.now())
    return caught.value.code, caught.value.message


def test_an_eligible_resident_votes_in_the_territory_they_declared():
    cycle = voting_cycle()
    unit = unit_of(cycle, 1)
    person = voter_in(cycle, unit)
    voter = online_voter(person, cycle, timezone.now())
    assert voter.unit_id == unit.pk and voter.key == person.identity.document_hash and voter.user_id == person.pk


def test_without_a_declared_territory_the_person_is_asked_to_choose():
    cycle = voting_cycle()
    with pytest.raises(NeedsTerritory):
        online_voter(citizen(municipality_code="05001"), cycle, timezone.now())


def test_unverified_email_is_refused_with_what_to_do():
    cycle = voting_cycle()
    person = voter_in(cycle)
    EmailAddress.objects.filter(user=person).update(verified=False)
    code, message = refused_code(person, cycle)
    assert code == "not_eligible" and "e-mail" in message


def test_someone_too_young_on_the_voting_day_is_refused():
    cycle = voting_cycle()
    today = timezone.localdate()
    person = voter_in(cycle, birth_date=today.replace(year=today.year - 14) + timedelta(days=1))
    _code, message = refused_code(person, cycle)
    assert "14" in message


def test_a_fourteen_year_old_on_the_day_may_vote():
    cycle = voting_cycle()
    today = timezone.localdate()
    person = voter_in(cycle, birth_date=today.replace(year=today.year - 14), document_type="TI")
    assert online_voter(person, cycle, timezone.now())


def test_a_resident_of_another_municipality_is_refused():
    cycle = voting_cycle()
    person = voter_in(cycle, municipality_code="52001")
    assert "Medellín" in refused_code(person, cycle)[1]


def test_census_list_admits_only_listed_documents():
    cycle = voting_cycle(census_required=True)
    person = voter_in(cycle)
    assert refused_code(person, cycle)[0] == "not_on_census"
    CensusEntry.objects.create(cycle=cycle, document_hash=person.identity.document_hash)
    assert online_voter(person, cycle, timezone.now())


def test_in_person_only_cycles_send_people_to_a_station():
    cycle = voting_cycle(online=False, in_person_days=[timezone.localdate()])
    assert refused_code(voter_in(cycle), cycle)[0] == "in_person_only"


def test_where_an_assembly_decides_there_is_no_ballot():
    cycle = voting_cycle(decided_by="assembly")
    assert refused_code(voter_in(cycle), cycle)[0] == "assembly_decides"


def test_where_delegates_decide_only_a_delegate_in_term_votes_for_their_territory():
    cycle = voting_cycle(decided_by="delegates")
    person = voter_in(cycle)
    assert refused_code(person, cycle)[0] == "delegates_only"
    today = timezone.localdate()
    unit = unit_of(cycle, 2)
    delegate = Delegate.objects.create(
        cycle=cycle, unit=unit, name="Delegada", user=person, term_start=today - timedelta(days=30), term_end=today
    )
    voter = online_voter(person, cycle, timezone.now())
    assert voter.unit_id == unit.pk and voter.delegate_id == delegate.pk  # not the declared territory
    Delegate.objects.filter(pk=delegate.pk).update(term_end=today - timedelta(days=1))
    assert refused_code(person, cycle)[0] == "delegates_only"


def at_station(**fields):
    values = {"document_type": "CC", "document_number": "71234567", "birth_date": date(1980, 1, 1), "lives_there": True}
    values.update(fields)
    return PersonAtStation(**values)


def test_person_at_station_checks_document_age_residence_and_census():
    cycle = voting_cycle(census_required=True)
    unit = unit_of(cycle)
    today = timezone.localdate()
    assert "kind of document" in person_refusal(cycle, unit, at_station(document_type="PA"), today)
    assert "valid" in person_refusal(cycle, unit, at_station(document_number="12ab"), today)
    assert "14" in person_refusal(cycle, unit, at_station(birth_date=today - timedelta(days=365 * 10)), today)
    assert "live" in person_refusal(cycle, unit, at_station(lives_there=False), today)
    assert "census" in person_refusal(cycle, unit, at_station(), today)
    CensusEntry.objects.create(cycle=cycle, document_hash=voter_key("TI", "71.234.567"))  # same family as the CC
    assert person_refusal(cycle, unit, at_station(), today) is None


def test_the_station_key_is_the_identity_hash_of_the_same_document():
    from django.conf import settings

    assert voter_key("CC", "1.097.000.123") == document_hash("CC", "1097000123", key=settings.IDENTITY_HASH_KEY)


def test_delegates_only_at_a_station_needs_a_delegate_of_that_territory():
    cycle = voting_cycle(decided_by="delegates")
    unit, other = unit_of(cycle), unit_of(cycle, 1)
    today = timezone.localdate()
    delegate = Delegate.objects.create(
        cycle=cycle, unit=other, name="Delegado", term_start=today, term_end=today + timedelta(days=300)
    )
    assert "delegate" in person_refusal(cycle, unit, at_station(), today)
    assert "delegate" in person_refusal(cycle, unit, at_station(delegate_id=delegate.pk), today)
    assert person_refusal(cycle, other, at_station(delegate_id=delegate.pk), today) is None


def test_participation_is_not_needed_at_a_station():
    cycle = voting_cycle()
    assert not Participation.objects.exists()
    assert person_refusal(cycle, unit_of(cycle), at_station(), timezone.localdate()) is None
