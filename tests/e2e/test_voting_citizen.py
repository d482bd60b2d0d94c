"""The citizen's online ballot in the browser, on a phone in Spanish (issue 6): a citizen
votes with each of the five ballot types (the basket follows their choices without a
page load, they review, cast, get the receipt and the e-mail), checks the receipt,
replaces the ballot where the cycle allows it and sees the old receipt marked replaced;
a second ballot from a page opened before is refused; the same person casting from two
phones at once leaves one ballot.

Assertions rest on values, ids and structure, not on wording (the Spanish catalogue is
filled in parallel)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from tests.cache import clear_cache
from tests.e2e.conftest import assert_accessible, phone_page
from tests.voting.factories import on_ballot, voter_in, voting_cycle
from voting.models import Ballot, VoterRollEntry

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RECEIPT = re.compile(r"^[A-Z2-7]{4}(?:-[A-Z2-7]{4}){4}$")


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    clear_cache()


def sign_in_citizen(page: Page, person: Any, live_server: Any) -> None:
    """The person's session cookie in the phone's browser (signing in through the login page
    is covered by the account journeys; this keeps the file fast)."""
    client = Client()
    client.force_login(person)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def press(page: Page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).click()


# For each ballot type: its settings, how a person marks two proposals, the basket count.
def mark(page: Page, kind: str, first: Any, second: Any) -> int:
    if kind == "single":
        page.locator(f"#choice-{first.pk}").check()
        return 1
    if kind in ("approval", "knapsack"):
        page.locator(f"#choice-{first.pk}").check()
        page.locator(f"#choice-{second.pk}").check()
        return 2
    if kind == "ranked":
        page.select_option(f"#rank-{first.pk}", "1")
        page.select_option(f"#rank-{second.pk}", "2")
        return 2
    page.select_option(f"#amount-{first.pk}", "6")
    page.select_option(f"#amount-{second.pk}", "4")
    return 2


# The review and receipt pages look alike for every type: axe checks them where they differ most.
AXE_EVERY_PAGE = {"approval", "ranked", "wallet"}

SETTINGS: dict[str, dict[str, Any]] = {
    "single": {},
    "approval": {"ballot_replaceable": True},
    "knapsack": {},
    "ranked": {},
    "wallet": {"wallet_amount": 10, "wallet_block": 2},
}


def check_receipt(page: Page, code: str) -> None:
    page.goto("/votar/recibo/")
    page.fill("input[name=code]", code)
    press(page, "main form button[type=submit]")
    expect(page.locator("#receipt-found")).to_be_visible()


@pytest.mark.parametrize("kind", list(SETTINGS))
def test_a_citizen_votes_on_a_phone_checks_the_receipt_and_cannot_vote_twice(
    page: Page, live_server: Any, mailoutbox: Any, kind: str
) -> None:
    cycle = voting_cycle(ballot_type=kind, **SETTINGS[kind])
    person = voter_in(cycle)
    first, second, third, _ = on_ballot(cycle)
    sign_in_citizen(page, person, live_server)

    # The ballot: every proposal of the territory, the basket empty.
    page.goto(f"/votar/{cycle.pk}/")
    expect(page.locator("#ballot-form .ballot-option")).to_have_count(4)
    expect(page.locator("#basket .basket-count")).to_have_text("0")
    assert_accessible(page)
    stale = page.context.new_page()  # the same ballot, opened in another tab before voting
    stale.goto(f"/votar/{cycle.pk}/")

    # Choosing updates the basket in place (htmx), without a page load.
    page.evaluate("window.samePage = true")
    count = mark(page, kind, first, second)
    expect(page.locator("#basket .basket-count")).to_have_text(str(count))
    if kind == "wallet":
        expect(page.locator("#basket .basket-remaining")).to_have_text(re.compile(r"\b0$"))
    assert page.evaluate("window.samePage === true")

    # Review, then cast: the receipt is on the answer itself.
    press(page, "#ballot-form button[value=review]")
    expect(page.locator("#review-form")).to_be_visible()
    titles = page.locator("ul.chosen .chosen-title").all_inner_texts()
    assert sorted(titles) == sorted([first.title, second.title][:count])
    if kind in AXE_EVERY_PAGE:
        assert_accessible(page)
    press(page, "#review-form button[value=cast]")
    code = page.locator("#receipt-code").inner_text().strip()
    assert RECEIPT.match(code)
    if kind in AXE_EVERY_PAGE:
        assert_accessible(page)
    assert Ballot.objects.filter(cycle=cycle).count() == 1

    # The confirmation e-mail, in Spanish, with the choices and the code.
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [person.email] and code in message.body
    assert first.title in message.body and message.body.startswith("Hola")

    # The receipt finds the ballot, with its choices.
    check_receipt(page, code)
    expect(page.locator("#receipt-found ul.chosen .chosen-title")).to_have_count(count)

    # Voting again from the page opened before is refused with a message; still one ballot.
    mark(stale, kind, third, second)
    press(stale, "#ballot-form button[value=review]")
    expect(stale.locator("#voting-message")).to_be_visible()
    expect(stale.locator("#ballot-form, #review-form")).to_have_count(0)
    assert Ballot.objects.filter(cycle=cycle).count() == 1

    if not SETTINGS[kind].get("ballot_replaceable"):
        return
    # Where the cycle allows it: replace the ballot with the receipt; the old one shows replaced.
    page.goto(f"/votar/{cycle.pk}/")
    press(page, f"main a[href$='/votar/{cycle.pk}/cambiar/']")
    page.fill("#receipt", code)
    page.locator(f"#choice-{third.pk}").check()
    expect(page.locator("#basket .basket-count")).to_have_text("1")
    press(page, "#ballot-form button[value=review]")
    press(page, "#review-form button[value=cast]")
    new_code = page.locator("#receipt-code").inner_text().strip()
    assert RECEIPT.match(new_code) and new_code != code
    assert len(mailoutbox) == 2 and new_code in mailoutbox[1].body
    check_receipt(page, code)
    expect(page.locator("#receipt-replaced")).to_be_visible()
    check_receipt(page, new_code)
    expect(page.locator("#receipt-replaced")).to_have_count(0)
    expect(page.locator("#receipt-found ul.chosen .chosen-title")).to_have_text([third.title])


def test_the_same_person_casting_from_two_phones_at_once_leaves_one_ballot(
    page: Page, browser: Any, live_server: Any
) -> None:
    cycle = voting_cycle(ballot_type="approval")
    person = voter_in(cycle)
    first, second, *_ = on_ballot(cycle)
    context, other = phone_page(browser, live_server)
    try:
        for phone, choice in ((page, first), (other, second)):
            sign_in_citizen(phone, person, live_server)
            phone.goto(f"/votar/{cycle.pk}/")
            phone.locator(f"#choice-{choice.pk}").check()
            press(phone, "#ballot-form button[value=review]")
        with page.expect_navigation(), other.expect_navigation():
            page.locator("#review-form button[value=cast]").click(no_wait_after=True)
            other.locator("#review-form button[value=cast]").click(no_wait_after=True)
        receipts = [phone.locator("#receipt-code").count() for phone in (page, other)]
        refusals = [phone.locator("#voting-message").count() for phone in (page, other)]
        assert sorted(receipts) == [0, 1] and sorted(refusals) == [0, 1]
        assert Ballot.objects.filter(cycle=cycle).count() == 1
        assert VoterRollEntry.objects.filter(cycle=cycle).count() == 1
    finally:
        context.close()
