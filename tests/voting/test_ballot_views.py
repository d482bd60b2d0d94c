"""The citizen's online ballot pages: each ballot type cast end to end, each refusal a
readable page with its message (4xx on POST, never 500) and nothing written, a retry
answered with the same receipt, and a fixed number of queries for the ballot page.

Pages are read in English (/en/...), so the assertions do not wait for the Spanish
catalogue."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from proposals.models import Participation
from tests.proposals.factories import citizen, proposal_in, unit_of
from tests.voting.factories import on_ballot, submission, voter_in, voting_cycle
from voting.forms import voter_order
from voting.models import Ballot, BallotStart, VoterRollEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site_language():
    """Requests to /en/ leave English active in this thread: give the next test the site's language."""
    yield
    translation.deactivate()


RECEIPT = re.compile(r"[A-Z2-7]{4}(?:-[A-Z2-7]{4}){4}")


def en(name: str, **kwargs: Any) -> str:
    with translation.override("en"):
        return reverse(name, kwargs=kwargs)


def ballot_url(cycle) -> str:
    return en("voting:ballot", cycle_pk=cycle.pk)


def text(response) -> str:
    return html.unescape(response.content.decode())


def signed_in(client, person):
    client.force_login(person)
    return client


def post(client, cycle, action: str, marks: dict[str, Any], key: str | None = None, url: str | None = None):
    data = {"action": action, "submission": key or submission(), **marks}
    return client.post(url or ballot_url(cycle), data)


def nothing_cast() -> bool:
    return not VoterRollEntry.objects.exists() and not Ballot.objects.exists()


# Each ballot type: its settings and a valid set of marks on the first proposals.
KINDS: dict[str, tuple[dict[str, Any], Any, list[list[int]]]] = {
    "single": ({}, lambda ps: {"choice": [ps[0].pk]}, [[0, 1]]),
    "approval": ({}, lambda ps: {"choice": [ps[1].pk, ps[0].pk]}, [[0, 1], [1, 1]]),
    "knapsack": ({}, lambda ps: {"choice": [ps[0].pk, ps[2].pk]}, [[0, 1], [2, 1]]),
    "ranked": (
        {},
        lambda ps: {f"rank_{ps[0].pk}": "2", f"rank_{ps[1].pk}": "1", f"rank_{ps[2].pk}": ""},
        [[0, 2], [1, 1]],
    ),
    "wallet": (
        {"wallet_amount": 10, "wallet_block": 2},
        lambda ps: {f"amount_{ps[0].pk}": "6", f"amount_{ps[1].pk}": "4", f"amount_{ps[2].pk}": "0"},
        [[0, 6], [1, 4]],
    ),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_voter_reviews_then_casts_each_kind_of_ballot_and_sees_the_receipt(client, kind):
    settings_, marks, stored = KINDS[kind]
    cycle = voting_cycle(ballot_type=kind, **settings_)
    person = voter_in(cycle)
    proposals = on_ballot(cycle)
    signed_in(client, person)

    page = client.get(ballot_url(cycle))
    assert page.status_code == 200
    assert all(p.title in text(page) for p in proposals)
    assert re.search(r'name="submission" value="[0-9a-f]{32}"', text(page))
    assert BallotStart.objects.filter(cycle=cycle, user=person).exists()

    key = submission()
    review = post(client, cycle, "review", marks(proposals), key)
    assert review.status_code == 200
    assert "Review your ballot" in text(review)
    chosen = [proposals[index] for index, _ in stored]
    assert all(p.title in text(review) for p in chosen)
    assert f'value="{key}"' in text(review)
    assert nothing_cast()

    cast = post(client, cycle, "cast", marks(proposals), key)
    assert cast.status_code == 200
    assert "no-store" in cast["Cache-Control"]
    code = RECEIPT.search(text(cast))
    assert code is not None
    ballot = Ballot.objects.get()
    assert ballot.selections == sorted([proposals[index].pk, value] for index, value in stored)
    assert VoterRollEntry.objects.get().unit == unit_of(cycle)
    assert not BallotStart.objects.filter(cycle=cycle, user=person).exists()


def test_the_ballot_says_the_rules_in_plain_words(client):
    cycle = voting_cycle(ballot_type="wallet", wallet_amount=10, wallet_block=2, max_selections=3)
    signed_in(client, voter_in(cycle))
    page = text(client.get(ballot_url(cycle)))
    assert "in blocks of" in page and "Give to up to 3 proposals." in page
    assert 'name="amount_' in page and '<option value="10"' in page and '<option value="12"' not in page


def test_the_order_of_the_proposals_is_the_voters_own_and_stable(client):
    cycle = voting_cycle(proposals=8)
    person = voter_in(cycle)
    signed_in(client, person)
    first = text(client.get(ballot_url(cycle)))
    again = text(client.get(ballot_url(cycle)))
    shown = [int(pk) for pk in re.findall(r'data-proposal="(\d+)"', first)]
    assert shown == [int(pk) for pk in re.findall(r'data-proposal="(\d+)"', again)]
    assert shown == [p.pk for p in voter_order(on_ballot(cycle), cycle_id=cycle.pk, user_id=person.pk)]
    others = {
        tuple(p.pk for p in voter_order(on_ballot(cycle), cycle_id=cycle.pk, user_id=user_id))
        for user_id in range(person.pk + 1, person.pk + 6)
    }
    assert len(others | {tuple(shown)}) > 1  # another voter gets another order


# --- Bad ballots: the specific message, a 4xx, nothing cast -----------------------------------


@pytest.mark.parametrize("action", ["review", "cast"])
@pytest.mark.parametrize(
    ("settings_", "marks", "message"),
    [
        (
            {"ballot_type": "knapsack", "cost": 400_000_000},
            lambda ps, other: {"choice": [ps[0].pk, ps[1].pk, ps[2].pk]},
            "more than the",
        ),
        ({"ballot_type": "approval"}, lambda ps, other: {"choice": [p.pk for p in ps]}, "Choose at most 3 proposals."),
        (
            {"ballot_type": "approval", "min_selections": 2},
            lambda ps, other: {"choice": [ps[0].pk]},
            "Choose at least 2 proposals.",
        ),
        ({"ballot_type": "approval"}, lambda ps, other: {"choice": [ps[0].pk, ps[0].pk]}, "only once on the ballot"),
        ({"ballot_type": "approval"}, lambda ps, other: {"choice": [other.pk]}, "is not on your ballot"),
        ({"ballot_type": "approval"}, lambda ps, other: {}, "Choose at least 1 proposal"),
        (
            {"ballot_type": "ranked"},
            lambda ps, other: {f"rank_{ps[0].pk}": "1", f"rank_{ps[1].pk}": "3"},
            "without repeating or skipping",
        ),
        (
            {"ballot_type": "wallet", "wallet_amount": 10, "wallet_block": 2},
            lambda ps, other: {f"amount_{ps[0].pk}": "8", f"amount_{ps[1].pk}": "4"},
            "more than the",
        ),
        (
            {"ballot_type": "wallet", "wallet_amount": 10, "wallet_block": 2},
            lambda ps, other: {f"amount_{ps[0].pk}": "3"},
            "whole blocks of",
        ),
        ({"ballot_type": "single"}, lambda ps, other: {"choice": ["one"]}, "with the options of the ballot"),
    ],
    ids=[
        "over-envelope",
        "too-many",
        "too-few",
        "duplicated",
        "other-territory",
        "empty",
        "bad-rank",
        "over-wallet",
        "bad-block",
        "not-a-number",
    ],
)
def test_a_bad_ballot_is_refused_with_its_message_and_kept_on_the_page(client, action, settings_, marks, message):
    cycle = voting_cycle(**settings_)
    signed_in(client, voter_in(cycle))
    other = on_ballot(cycle, unit_of(cycle, 1))[0]
    response = post(client, cycle, action, marks(on_ballot(cycle), other))
    assert response.status_code == 422
    assert message in text(response)
    assert 'id="ballot-error"' in text(response) and 'id="ballot-form"' in text(response)
    assert nothing_cast()


def test_a_proposal_of_another_cycle_is_not_on_the_ballot(client):
    cycle = voting_cycle()
    elsewhere = voting_cycle("05001")
    signed_in(client, voter_in(cycle))
    response = post(client, cycle, "cast", {"choice": [on_ballot(elsewhere)[0].pk]})
    assert response.status_code == 422 and "is not on your ballot" in text(response)
    assert nothing_cast()


def test_the_choices_are_kept_when_a_ballot_is_refused_or_changed(client):
    cycle = voting_cycle(ballot_type="approval")
    a, b, c, d = on_ballot(cycle)
    signed_in(client, voter_in(cycle))
    refused = text(post(client, cycle, "review", {"choice": [a.pk, b.pk, c.pk, d.pk]}))
    assert refused.count("checked") == 4
    key = submission()
    changed = text(post(client, cycle, "change", {"choice": [b.pk]}, key))
    assert re.search(rf'value="{b.pk}" id="choice-{b.pk}" checked', changed)
    assert not re.search(rf'value="{a.pk}" id="choice-{a.pk}" checked', changed)
    assert f'name="submission" value="{key}"' in changed  # the same ballot, not a new one


def test_a_damaged_submission_id_is_refused(client):
    cycle = voting_cycle()
    signed_in(client, voter_in(cycle))
    response = post(client, cycle, "cast", {"choice": [on_ballot(cycle)[0].pk]}, key="../not-an-id")
    assert response.status_code == 422 and "damaged" in text(response)
    assert nothing_cast()


# --- Outside the vote, and people who may not vote ----------------------------------------


def test_before_the_vote_opens_the_page_says_when_and_a_cast_is_refused(client):
    cycle = voting_cycle(opened_days_ago=-1, closes_in_days=3)
    signed_in(client, voter_in(cycle))
    page = client.get(ballot_url(cycle))
    assert page.status_code == 200 and "It opens on" in text(page)
    assert 'id="ballot-form"' not in text(page)
    cast = post(client, cycle, "cast", {"choice": [on_ballot(cycle)[0].pk]})
    assert cast.status_code == 409 and "not open yet" in text(cast)
    assert nothing_cast()


def test_after_the_vote_closed_a_cast_is_refused(client):
    cycle = voting_cycle(opened_days_ago=5, closes_in_days=-1)
    signed_in(client, voter_in(cycle))
    assert "not open for this territory now" in text(client.get(ballot_url(cycle)))
    cast = post(client, cycle, "cast", {"choice": [on_ballot(cycle)[0].pk]})
    assert cast.status_code == 409 and "not open" in text(cast)
    assert nothing_cast()


@pytest.mark.parametrize(
    ("person", "message"),
    [
        (lambda cycle: voter_in(cycle, verified=False), "Confirm your e-mail address first"),
        (lambda cycle: voter_in(cycle, municipality_code="52001"), "for people who live in"),
        (lambda cycle: voter_in(cycle, identity=False), "Complete your citizen profile"),
    ],
    ids=["unverified", "lives-elsewhere", "no-identity"],
)
def test_someone_who_may_not_vote_sees_why_and_cannot_cast(client, person, message):
    cycle = voting_cycle()
    signed_in(client, person(cycle))
    page = client.get(ballot_url(cycle))
    assert page.status_code == 200 and message in text(page)
    assert 'id="ballot-form"' not in text(page) and f"/ciclos/{cycle.pk}/" in text(page)
    for action in ("review", "cast"):
        refused = post(client, cycle, action, {"choice": [on_ballot(cycle)[0].pk]})
        assert refused.status_code == 403 and message in text(refused)
    assert nothing_cast()


def test_a_cycle_that_votes_in_person_only_says_so(client):
    cycle = voting_cycle(online=False, in_person_days=["2027-01-01"])
    signed_in(client, voter_in(cycle))
    assert "polling station" in text(client.get(ballot_url(cycle)))
    assert post(client, cycle, "cast", {"choice": [on_ballot(cycle)[0].pk]}).status_code == 403
    assert nothing_cast()


def test_someone_without_a_territory_chooses_it_then_sees_its_ballot(client):
    cycle = voting_cycle()
    person = citizen("05001")
    signed_in(client, person)
    page = client.get(ballot_url(cycle))
    assert page.status_code == 200 and 'name="unit"' in text(page)
    second = unit_of(cycle, 1)
    declared = client.post(en("voting:territory-declare", cycle_pk=cycle.pk), {"unit": second.pk})
    assert declared.status_code == 302 and declared["Location"].endswith(f"/votar/{cycle.pk}/")
    assert Participation.objects.get(cycle=cycle, user=person).unit == second
    ballot = text(client.get(ballot_url(cycle)))
    assert all(p.title in ballot for p in on_ballot(cycle, second))
    assert not any(p.title in ballot for p in on_ballot(cycle))


def test_choosing_no_territory_or_one_of_another_cycle_is_refused(client):
    cycle = voting_cycle()
    signed_in(client, citizen("05001"))
    url = en("voting:territory-declare", cycle_pk=cycle.pk)
    assert client.post(url, {}).status_code == 422
    assert client.post(url, {"unit": unit_of(voting_cycle("05001")).pk}).status_code == 422
    assert not Participation.objects.exists()


def test_an_unpublished_or_missing_cycle_is_not_found(client):
    cycle = voting_cycle()
    signed_in(client, voter_in(cycle))
    assert client.get(en("voting:ballot", cycle_pk=cycle.pk + 1000)).status_code == 404
    cycle.status = "draft"
    cycle.save(update_fields=["status"])
    assert client.get(ballot_url(cycle)).status_code == 404


# --- Voting once ------------------------------------------------------------------------------


def test_a_retry_of_the_same_submission_shows_the_same_receipt_and_leaves_one_ballot(client):
    cycle = voting_cycle()
    a, b, *_ = on_ballot(cycle)
    signed_in(client, voter_in(cycle))
    key = submission()
    first = post(client, cycle, "cast", {"choice": [a.pk, b.pk]}, key)
    again = post(client, cycle, "cast", {"choice": [a.pk, b.pk]}, key)
    assert again.status_code == 200
    assert RECEIPT.search(text(first)).group() == RECEIPT.search(text(again)).group()  # type: ignore[union-attr]
    assert "already reached the box" in text(again)
    assert Ballot.objects.count() == 1 and VoterRollEntry.objects.count() == 1


def test_a_second_ballot_online_is_refused_with_a_clear_message(client):
    cycle = voting_cycle()
    a, b, *_ = on_ballot(cycle)
    signed_in(client, voter_in(cycle))
    post(client, cycle, "cast", {"choice": [a.pk]})
    second = post(client, cycle, "cast", {"choice": [b.pk]})
    assert second.status_code == 409
    assert "You have already voted online in this cycle" in text(second)
    assert RECEIPT.search(text(second)) is None
    assert Ballot.objects.count() == 1
    page = client.get(ballot_url(cycle))
    assert page.status_code == 200 and "You have already voted online" in text(page)
    assert en("voting:receipt-check") in text(page)
    assert en("voting:ballot-replace", cycle_pk=cycle.pk) not in text(page)  # not replaceable in this cycle
    assert post(client, cycle, "review", {"choice": [b.pk]}).status_code == 409


def test_the_page_offers_replacing_where_the_cycle_allows_it(client):
    cycle = voting_cycle(ballot_replaceable=True)
    signed_in(client, voter_in(cycle))
    cast = post(client, cycle, "cast", {"choice": [on_ballot(cycle)[0].pk]})
    replace = en("voting:ballot-replace", cycle_pk=cycle.pk)
    assert replace in text(cast)
    assert replace in text(client.get(ballot_url(cycle)))


# --- The basket --------------------------------------------------------------------------------


def test_the_basket_counts_the_choices_and_what_is_left_of_the_envelope(client):
    cycle = voting_cycle(ballot_type="knapsack", cost=400_000_000)
    a, b, c, _ = on_ballot(cycle)
    envelope = unit_of(cycle).amount
    signed_in(client, voter_in(cycle))
    url = en("voting:ballot-basket", cycle_pk=cycle.pk)
    two = text(client.post(url, {"choice": [a.pk, b.pk]}, HTTP_HX_REQUEST="true"))
    assert re.search(r'class="basket-count">2<', two)
    left = re.search(r'class="basket-remaining">([^<]+)<', two)
    assert left is not None and re.sub(r"\D", "", left.group(1)) == str(envelope - 800_000_000)
    assert "basket-problem" not in two
    three = text(client.post(url, {"choice": [a.pk, b.pk, c.pk]}))
    assert "more than the" in three and "<html" not in three  # a fragment, not a page
    assert client.get(url).status_code == 405
    assert nothing_cast()


def test_the_basket_of_a_wallet_shows_what_is_left_to_give(client):
    cycle = voting_cycle(ballot_type="wallet", wallet_amount=10, wallet_block=2)
    a, *_ = on_ballot(cycle)
    signed_in(client, voter_in(cycle))
    fragment = text(client.post(en("voting:ballot-basket", cycle_pk=cycle.pk), {f"amount_{a.pk}": "4"}))
    assert re.sub(r"\D", "", re.search(r'class="basket-remaining">([^<]+)<', fragment).group(1)) == "6"  # type: ignore[union-attr]


def test_the_basket_of_someone_who_may_not_vote_says_so(client):
    cycle = voting_cycle()
    signed_in(client, voter_in(cycle, verified=False))
    fragment = client.post(en("voting:ballot-basket", cycle_pk=cycle.pk), {"choice": [on_ballot(cycle)[0].pk]})
    assert fragment.status_code == 200 and "not available" in text(fragment)


# --- Queries -----------------------------------------------------------------------------------


def _ballot_queries(client, cycle) -> int:
    client.get(ballot_url(cycle))  # the first visit also records the start
    with CaptureQueriesContext(connection) as queries:
        assert client.get(ballot_url(cycle)).status_code == 200
    return len(queries)


def test_the_ballot_page_costs_the_same_queries_however_many_proposals(client, django_assert_num_queries):
    small = voting_cycle(proposals=2)
    big = voting_cycle("05001", proposals=15)
    signed_in(client, voter_in(small))
    small_count = _ballot_queries(client, small)
    signed_in(client, voter_in(big))
    assert _ballot_queries(client, big) == small_count
    with django_assert_num_queries(small_count):
        client.get(ballot_url(big))
    # session, user, cycle, e-mail, identity, territory declared, territory, costs, calendar (2),
    # roll, start, proposals (with sectors), and the menu's three permission reads
    assert small_count <= 16


def test_a_proposal_that_is_not_viable_is_not_on_the_ballot(client):
    cycle = voting_cycle()
    hidden = proposal_in(cycle, unit_of(cycle), title="Propuesta no viable", status="not_viable")
    signed_in(client, voter_in(cycle))
    page = text(client.get(ballot_url(cycle)))
    assert hidden.title not in page
