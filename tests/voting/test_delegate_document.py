"""Where delegates decide, the document keyed at a station must be the one on the chosen
delegate's account (when that account has a citizen identity)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from accounts.models import CitizenIdentity
from cycles.models import Delegate
from tests.factories import UserFactory
from tests.proposals.factories import unit_of
from tests.voting.factories import voter_in, voting_cycle
from voting.eligibility import PersonAtStation, person_refusal, voter_key

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """Refusals in English, so that the tests read the source strings (the site speaks Spanish)."""
    with translation.override("en"):
        yield


def at_station(number: str, delegate: Delegate) -> PersonAtStation:
    return PersonAtStation(
        document_type="CC",
        document_number=number,
        birth_date=date(1980, 1, 1),
        lives_there=True,
        delegate_id=delegate.pk,
    )


def delegate_of(cycle, unit, **fields) -> Delegate:
    today = timezone.localdate()
    return Delegate.objects.create(
        cycle=cycle, unit=unit, name="Delegada", term_start=today, term_end=today + timedelta(days=300), **fields
    )


def test_the_document_on_the_delegates_account_is_accepted_and_another_refused():
    cycle = voting_cycle(decided_by="delegates")
    unit = unit_of(cycle)
    person = voter_in(cycle, unit)
    CitizenIdentity.objects.filter(user=person).update(document_hash=voter_key("CC", "43111222"))
    delegate = delegate_of(cycle, unit, user=person)
    today = timezone.localdate()
    assert person_refusal(cycle, unit, at_station("43.111.222", delegate), today) is None
    with translation.override("en"):
        refusal = person_refusal(cycle, unit, at_station("43111999", delegate), today)
    assert refusal is not None and "not the one on the chosen delegate's account" in refusal
    with translation.override("es-co"):
        refusal = person_refusal(cycle, unit, at_station("43111999", delegate), today)
    assert refusal is not None and "no es el de la cuenta de la persona delegada" in refusal


def test_a_delegate_without_an_account_or_identity_is_recognised_by_the_officer():
    cycle = voting_cycle(decided_by="delegates")
    unit = unit_of(cycle)
    today = timezone.localdate()
    assert person_refusal(cycle, unit, at_station("43111999", delegate_of(cycle, unit)), today) is None
    no_identity = delegate_of(cycle, unit, user=UserFactory())
    assert person_refusal(cycle, unit, at_station("43111999", no_identity), today) is None
