"""Polling stations in the browser, on phones in Spanish (issue 6): a manager creates a
station and assigns two officers; an officer looks up a person who already voted
online and is refused with the clear message, then marks another person; the officer
keys in a batch that a second officer (another phone) confirms; a batch keyed
differently by the two shows up side by side on the reconciliation page and the
manager reconciles it with a reason. axe on the console and the reconciliation page.

Assertions rest on values, ids and structure; messages are compared with the
code's own strings in the page's language."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from accounts.models import AuditEntry
from accounts.services import IdentityInput, identity_save
from proposals.models import Participation
from tests.e2e.conftest import assert_accessible, phone_page, sign_in, with_authenticator
from tests.factories import UserFactory
from tests.proposals.factories import unit_of
from tests.voting.factories import approve, on_ballot, paper_voters, voter_of, voting_cycle
from voting.eligibility import already_voted_message
from voting.models import Ballot, Channel, PaperRecord, Station, VoterRollEntry
from voting.services import ballot_cast

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VOTED_ONLINE = "80123456"
AT_THE_STATION = "80123457"


def in_spanish(text: Any) -> str:
    with translation.override("es-co"):
        return str(text)


def voted_online(cycle: Any) -> None:
    """A citizen whose document is ``VOTED_ONLINE`` has voted online."""
    user = UserFactory()
    identity_save(
        user=user,
        now=timezone.now(),
        data=IdentityInput(
            document_type="CC",
            document_number=VOTED_ONLINE,
            birth_date=date(1985, 5, 5),
            municipality_code=cycle.municipality_id,
        ),
    )
    unit = unit_of(cycle)
    Participation.objects.create(cycle=cycle, user=user, unit=unit, declared_at=timezone.now())
    ballot_cast(
        cycle=cycle,
        unit=unit,
        voter=voter_of(user, unit),
        choices=approve(on_ballot(cycle)[0]),
        submission="e2e".ljust(32, "0"),
    )


def send(page: Page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).click()


def look_up(page: Page, number: str) -> None:
    page.select_option("select[name=document_type]", "CC")
    page.fill("input[name=document_number]", number)
    page.fill("input[name=birth_date]", "1980-01-01")
    page.check("input[name=lives_there]")
    send(page, "button[value=check]")


def key_batch(page: Page, station: Station, number: int, ballots: list[list[int]]) -> None:
    """Key in a batch: one row per ballot, adding rows with the plain "add another ballot" button."""
    page.goto(f"/mesa/{station.pk}/papel/")
    page.fill("input[name=number]", str(number))
    for index, ballot in enumerate(ballots):
        if index:
            send(page, "#add-ballot")
        for proposal in ballot:
            page.check(f"#b{index}-p{proposal}")
    expect(page.locator("fieldset.ballot-row")).to_have_count(len(ballots))
    send(page, "#save-record")
    expect(page).to_have_url(re.compile(rf"/mesa/{station.pk}/papel/$"))


def test_a_station_is_set_up_and_worked_from_phones(page: Page, browser: Any, live_server: Any) -> None:
    cycle = voting_cycle("05001", proposals=3)
    unit = unit_of(cycle)
    a, b, c = on_ballot(cycle)
    voted_online(cycle)
    manager, manager_secret = with_authenticator(role="manager", municipality_id=cycle.municipality_id)
    first, first_secret = with_authenticator(role="station_officer", municipality_id=cycle.municipality_id)
    second, second_secret = with_authenticator(role="station_officer", municipality_id=cycle.municipality_id)
    contexts = []
    try:
        # --- 1. The manager creates a station (Bogotá time) and assigns two officers -----------
        sign_in(page, manager, manager_secret)
        page.goto(f"/gestion/votacion/{cycle.pk}/mesas/nueva/")
        opens = timezone.localtime() - timedelta(hours=1)
        page.fill("input[name=name]", "Mesa Escuela La Paz")
        page.select_option("select[name=unit]", str(unit.pk))
        page.fill("input[name=place]", "Carrera 10 # 5-20")
        page.fill("input[name=opens_at]", opens.strftime("%Y-%m-%dT%H:%M"))
        page.fill("input[name=closes_at]", (opens + timedelta(hours=9)).strftime("%Y-%m-%dT%H:%M"))
        send(page, "main form button[type=submit]")
        station = Station.objects.get(cycle=cycle)
        expect(page).to_have_url(re.compile(rf"/gestion/votacion/mesas/{station.pk}/$"))
        assert timezone.localtime(station.opens_at).strftime("%H:%M") == opens.strftime("%H:%M")
        for officer in (first, second):
            page.select_option("#assign-form select[name=user]", str(officer.pk))
            send(page, "#assign-form button[type=submit]")
        expect(page.locator("#officers li")).to_have_count(2)
        assert set(station.assignments.values_list("user_id", flat=True)) == {first.pk, second.pk}

        # --- 2. The first officer: a person who voted online is refused; another is marked -------
        context, officer_page = phone_page(browser, live_server)
        contexts.append(context)
        sign_in(officer_page, first, first_secret)
        officer_page.goto("/mesa/")
        send(officer_page, f"#my-stations a.btn[href='/mesa/{station.pk}/']")
        look_up(officer_page, VOTED_ONLINE)
        expect(officer_page.locator("#check-voted")).to_contain_text(
            in_spanish(already_voted_message(Channel.ONLINE, own=False))
        )
        expect(officer_page.locator("#mark")).to_have_count(0)
        assert_accessible(officer_page)
        look_up(officer_page, AT_THE_STATION)
        expect(officer_page.locator("#check-ok")).to_be_visible()
        send(officer_page, "#mark")
        expect(officer_page).to_have_url(re.compile(rf"/mesa/{station.pk}/$"))
        expect(officer_page.locator(".messages .alert-success")).to_be_visible()
        expect(officer_page.locator("input[name=document_number]")).to_have_value("")
        assert AT_THE_STATION not in officer_page.content()
        assert VoterRollEntry.objects.filter(channel=Channel.PAPER, station=station).count() == 1
        assert_accessible(officer_page)
        paper_voters(station, 3)  # the others who voted on paper there: the batches below hold 4 ballots

        # --- 3. A batch keyed by the first officer, confirmed by the second ---------------------
        key_batch(officer_page, station, 1, [[a.pk], [b.pk, c.pk]])
        expect(officer_page.locator("#records li[data-record='1']")).to_have_attribute("data-status", "waiting")
        second_context, second_page = phone_page(browser, live_server)
        contexts.append(second_context)
        sign_in(second_page, second, second_secret)
        second_page.goto(f"/mesa/{station.pk}/papel/")
        assert a.title not in second_page.locator("#records").inner_text()  # the first entry is not shown
        key_batch(second_page, station, 1, [[c.pk, b.pk], [a.pk]])  # the same ballots in another order
        expect(second_page.locator("#records li[data-record='1']")).to_have_attribute("data-status", "confirmed")
        assert Ballot.objects.filter(batch__number=1, channel=Channel.PAPER).count() == 2

        # --- 4. A batch they key differently waits for the manager -----------------------------
        key_batch(officer_page, station, 2, [[a.pk]])
        key_batch(second_page, station, 2, [[b.pk]])
        expect(second_page.locator("#records li[data-record='2']")).to_have_attribute("data-status", "mismatch")
        expect(second_page.locator(".messages .alert-warning")).to_be_visible()

        # --- 5. The manager compares the two entries and reconciles with a reason --------------
        page.goto(f"/gestion/votacion/{cycle.pk}/")
        expect(page.locator(f"#station-table tr[data-station='{station.pk}'] td").nth(3)).to_have_text("1")
        page.goto(f"/gestion/votacion/{cycle.pk}/conciliar/")
        record = PaperRecord.objects.get(number=2)
        box = page.locator(f"#record-box-{record.pk}")
        sides = box.locator(".entry-side")
        expect(sides).to_have_count(2)
        expect(sides.nth(0).locator("li.diff mark")).to_have_text(a.title)
        expect(sides.nth(1).locator("li.diff mark")).to_have_text(b.title)
        assert_accessible(page)
        chosen = record.entries.get(officer=second)
        box.locator(f"#entry-{chosen.pk}").check()
        box.locator("textarea").fill("La papeleta dice el segundo proyecto")
        send(page, f"#record-box-{record.pk} button[type=submit]")
        expect(page.locator("#nothing-to-reconcile")).to_be_visible()
        record.refresh_from_db()
        assert record.status == PaperRecord.Status.RECONCILED
        assert [ballot.selections for ballot in Ballot.objects.filter(batch=record)] == [[[b.pk, 1]]]
        assert AuditEntry.objects.get(action="voting.paper_reconcile").data["reason"] == (
            "La papeleta dice el segundo proyecto"
        )
    finally:
        for context in contexts:
            context.close()
