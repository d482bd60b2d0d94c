"""Checking a receipt (anyone, by POST, rate-limited) and replacing a ballot with one's
receipt where the cycle allows it. Pages are read in English (/en/...)."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from tests.cache import clear_cache
from tests.proposals.factories import unit_of
from tests.voting.factories import approve, on_ballot, submission, voter_in, voter_of, voting_cycle
from voting.models import Ballot, BallotChain, VoterRollEntry
from voting.services import ballot_cast, ballot_chain_seal
from voting.templatetags.voting_tags import ballot_chain
from voting.views import RECEIPT_CHECKS_PER_MINUTE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site_language():
    """Requests to /en/ leave English active in this thread: give the next test the site's language."""
    yield
    translation.deactivate()


RECEIPT = re.compile(r"[A-Z2-7]{4}(?:-[A-Z2-7]{4}){4}")


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    clear_cache()
    yield
    clear_cache()


def en(name: str, **kwargs: Any) -> str:
    with translation.override("en"):
        return reverse(name, kwargs=kwargs)


def text(response) -> str:
    return html.unescape(response.content.decode())


def check(client, code: str):
    return client.post(en("voting:receipt-check"), {"code": code})


def cast(cycle, person, *proposals):
    unit = unit_of(cycle)
    return ballot_cast(
        cycle=cycle, unit=unit, voter=voter_of(person, unit), choices=approve(*proposals), submission=submission()
    )


# --- Checking --------------------------------------------------------------------------------------


def test_anyone_finds_a_ballot_by_its_receipt_waiting_then_sealed(client):
    cycle = voting_cycle()
    a, b, c, _ = on_ballot(cycle)
    receipt = cast(cycle, voter_in(cycle), a, c)
    form = client.get(en("voting:receipt-check"))
    assert form.status_code == 200 and 'method="post"' in text(form)

    waiting = check(client, receipt.code)
    assert waiting.status_code == 200 and "no-store" in waiting["Cache-Control"]
    page = text(waiting)
    assert cycle.title in page and unit_of(cycle).name in page
    assert a.title in page and c.title in page and b.title not in page
    assert "Waiting to be sealed" in page and "replaced" not in page

    ballot_chain_seal(cycle_id=cycle.pk)
    sealed = text(check(client, receipt.code.lower().replace("-", " ")))  # as someone may type it
    ballot = Ballot.objects.get()
    assert "Position 1" in sealed and ballot.ballot_hash in sealed


def test_an_unknown_receipt_is_not_found_and_a_malformed_one_is_explained(client):
    cycle = voting_cycle()
    receipt = cast(cycle, voter_in(cycle), on_ballot(cycle)[0])
    unknown = "AAAA-BBBB-CCCC-DDDD-EEEE" if receipt.code != "AAAA-BBBB-CCCC-DDDD-EEEE" else "AAAA-BBBB-CCCC-DDDD-FFFF"
    missing = check(client, unknown)
    assert missing.status_code == 404 and "No ballot has this receipt" in text(missing)
    malformed = check(client, "ABC-123")
    assert malformed.status_code == 400 and "A receipt code has 20 letters" in text(malformed)
    assert check(client, "").status_code == 400


def test_checking_receipts_is_limited_per_connection(client):
    for _ in range(RECEIPT_CHECKS_PER_MINUTE):
        assert check(client, "AAAA-BBBB-CCCC-DDDD-EEEE").status_code == 404
    limited = check(client, "AAAA-BBBB-CCCC-DDDD-EEEE")
    assert limited.status_code == 429 and "Too many checks" in text(limited)
    other = client.post(en("voting:receipt-check"), {"code": "AAAA-BBBB-CCCC-DDDD-EEEE"}, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 404  # another connection has its own count


# --- Replacing -------------------------------------------------------------------------------------


def replace(client, cycle, action: str, receipt: str, choices: list[int], key: str):
    data = {"action": action, "receipt": receipt, "submission": key, "choice": choices}
    return client.post(en("voting:ballot-replace", cycle_pk=cycle.pk), data)


def test_a_voter_replaces_their_ballot_with_the_receipt_and_the_old_one_shows_replaced(client):
    cycle = voting_cycle(ballot_replaceable=True)
    a, b, c, _ = on_ballot(cycle)
    person = voter_in(cycle)
    old = cast(cycle, person, a)
    client.force_login(person)
    form = client.get(en("voting:ballot-replace", cycle_pk=cycle.pk))
    assert form.status_code == 200 and 'name="receipt"' in text(form) and 'id="ballot-form"' in text(form)

    key = submission()
    review = replace(client, cycle, "review", old.code, [b.pk, c.pk], key)
    assert review.status_code == 200 and "will replace" in text(review)
    assert f'name="receipt" value="{old.code}"' in text(review)
    assert Ballot.objects.count() == 1

    done = replace(client, cycle, "cast", old.code, [b.pk, c.pk], key)
    assert done.status_code == 200 and "no-store" in done["Cache-Control"]
    new_code = RECEIPT.search(text(done)).group()  # type: ignore[union-attr]
    assert new_code != old.code and "replaced the previous one" in text(done)
    assert VoterRollEntry.objects.count() == 1
    assert Ballot.objects.count() == 2

    again = replace(client, cycle, "cast", old.code, [b.pk, c.pk], key)  # a retry of the same replacement
    assert RECEIPT.search(text(again)).group() == new_code  # type: ignore[union-attr]
    assert Ballot.objects.count() == 2

    assert "replaced by a later ballot" in text(check(client, old.code))
    fresh = text(check(client, new_code))
    assert "replaced by a later ballot" not in fresh and b.title in fresh and c.title in fresh


def test_replacing_with_a_wrong_receipt_is_refused_and_changes_nothing(client):
    cycle = voting_cycle(ballot_replaceable=True)
    a, b, *_ = on_ballot(cycle)
    person = voter_in(cycle)
    cast(cycle, person, a)
    other = cast(cycle, voter_in(cycle), b)  # someone else's receipt
    client.force_login(person)
    refused = replace(client, cycle, "cast", other.code, [b.pk], submission())
    assert refused.status_code == 404
    assert "not the receipt of your current ballot" in text(refused) and 'id="receipt-error"' in text(refused)
    assert Ballot.objects.count() == 2 and not Ballot.objects.filter(replaces_digest__isnull=False).exists()


def test_replacing_is_refused_where_the_cycle_does_not_allow_it(client):
    cycle = voting_cycle()
    a, b, *_ = on_ballot(cycle)
    person = voter_in(cycle)
    old = cast(cycle, person, a)
    client.force_login(person)
    page = client.get(en("voting:ballot-replace", cycle_pk=cycle.pk))
    assert page.status_code == 200 and "cannot be replaced once cast" in text(page)
    refused = replace(client, cycle, "cast", old.code, [b.pk], submission())
    assert refused.status_code == 403 and "cannot be replaced" in text(refused)
    assert Ballot.objects.count() == 1


def test_someone_who_has_not_voted_is_told_so_on_the_replace_page(client):
    cycle = voting_cycle(ballot_replaceable=True)
    client.force_login(voter_in(cycle))
    page = client.get(en("voting:ballot-replace", cycle_pk=cycle.pk))
    assert page.status_code == 200 and "not voted in this cycle yet" in text(page)
    assert (
        replace(client, cycle, "cast", "AAAA-BBBB-CCCC-DDDD-EEEE", [on_ballot(cycle)[0].pk], submission()).status_code
        == 404
    )
    assert not Ballot.objects.exists()


def test_a_bad_new_ballot_is_refused_on_the_replace_page_with_the_receipt_kept(client):
    cycle = voting_cycle(ballot_replaceable=True)
    a, *_ = on_ballot(cycle)
    person = voter_in(cycle)
    old = cast(cycle, person, a)
    client.force_login(person)
    refused = replace(client, cycle, "cast", old.code, [a.pk, a.pk], submission())
    assert refused.status_code == 422 and "only once" in text(refused)
    assert f'value="{old.code}"' in text(refused)
    assert Ballot.objects.count() == 1


# --- The chain's head on the cycle page ------------------------------------------------------------


def test_the_cycle_page_shows_the_head_of_the_chain_once_sealed(client):
    cycle = voting_cycle()
    cast(cycle, voter_in(cycle), on_ballot(cycle)[0])
    detail = en("cycles:cycle-detail", pk=cycle.pk)
    waiting = text(client.get(detail))  # nothing sealed yet: how many wait, no head
    assert re.search(r'class="col-sm-8 chain-waiting">1 ', waiting) and "chain-head" not in waiting
    ballot_chain_seal(cycle_id=cycle.pk)
    head = BallotChain.objects.get(cycle=cycle)
    page = text(client.get(detail))
    assert 'id="ballot-chain"' in page and head.head in page
    assert re.search(r'class="col-sm-8 chain-length">1<', page)
    assert en("voting:receipt-check") in page


def test_the_chain_tag_costs_two_queries_and_hides_before_the_first_ballot(django_assert_num_queries):
    cycle = voting_cycle()
    cast(cycle, voter_in(cycle), on_ballot(cycle)[0])
    ballot_chain_seal(cycle_id=cycle.pk)
    empty = voting_cycle("05001")
    with django_assert_num_queries(4):  # the chain and the ballots waiting, for each cycle
        assert ballot_chain(cycle)["chain"].length == 1
        assert not ballot_chain(empty)["shown"]
