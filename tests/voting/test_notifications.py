"""E-mails to voters: the confirmation of a ballot (choices, territory, receipt, how to
check it; in the language the voter used; never logged) and the one reminder before
the close (not to people who voted, not when the close is far, once)."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone, translation

from tests.proposals.factories import unit_of
from tests.voting.factories import approve, on_ballot, submission, voter_in, voter_of, voting_cycle
from voting.models import BallotStart
from voting.reminders import ballot_reminders_send
from voting.services import ballot_cast, ballot_start
from voting.tasks import ballot_reminders_task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site_language():
    """Requests to /en/ leave English active in this thread: give the next test the site's language."""
    yield
    translation.deactivate()


RECEIPT = re.compile(r"[A-Z2-7]{4}(?:-[A-Z2-7]{4}){4}")


def url(name: str, language: str, **kwargs: Any) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def cast_through_the_page(client, cycle, person, choices: list[int], language: str = "en"):
    client.force_login(person)
    data = {"action": "cast", "submission": submission(), "choice": choices}
    return client.post(url("voting:ballot", language, cycle_pk=cycle.pk), data)


# --- The confirmation ----------------------------------------------------------------------------


def test_the_confirmation_lists_the_choices_territory_and_receipt_in_the_voters_language(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    cycle = voting_cycle()
    a, b, c, _ = on_ballot(cycle)
    person = voter_in(cycle)
    with django_capture_on_commit_callbacks(execute=True):
        page = cast_through_the_page(client, cycle, person, [a.pk, c.pk])
    code = RECEIPT.search(page.content.decode()).group()  # type: ignore[union-attr]
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [person.email]
    assert cycle.title in message.subject
    body = message.body
    assert code in body and a.title in body and c.title in body and b.title not in body
    assert unit_of(cycle).name in body
    assert "/en/votar/recibo/" in body and "Your receipt code" in body


def test_the_confirmation_is_in_spanish_for_someone_voting_in_spanish(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    cycle = voting_cycle()
    person = voter_in(cycle)
    with django_capture_on_commit_callbacks(execute=True):
        cast_through_the_page(client, cycle, person, [on_ballot(cycle)[0].pk], language="es-co")
    body = mailoutbox[0].body
    assert body.startswith("Hola") and "/votar/recibo/" in body and "/en/" not in body


def test_a_retry_of_the_same_ballot_sends_no_second_email(client, mailoutbox, django_capture_on_commit_callbacks):
    cycle = voting_cycle()
    person = voter_in(cycle)
    client.force_login(person)
    data = {"action": "cast", "submission": submission(), "choice": [on_ballot(cycle)[0].pk]}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("voting:ballot", "en", cycle_pk=cycle.pk), data)
        client.post(url("voting:ballot", "en", cycle_pk=cycle.pk), data)
    assert len(mailoutbox) == 1


def test_the_confirmation_goes_to_a_verified_address_only(client, mailoutbox, django_capture_on_commit_callbacks):
    from voting.notifications import notify_ballot_cast

    cycle = voting_cycle()
    person = voter_in(cycle)
    EmailAddress.objects.filter(user=person).update(verified=False)
    notify_ballot_cast(
        user_id=person.pk,
        cycle_id=cycle.pk,
        unit_id=unit_of(cycle).pk,
        code="AAAA-BBBB-CCCC-DDDD-EEEE",
        choices=approve(on_ballot(cycle)[0]),
        language="en",
    )
    assert mailoutbox == []


def test_a_failing_mail_server_keeps_the_ballot_and_does_not_log_the_code(
    client, caplog, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise OSError("mail server away")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    cycle = voting_cycle()
    with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=True):
        page = cast_through_the_page(client, cycle, voter_in(cycle), [on_ballot(cycle)[0].pk])
    assert page.status_code == 200
    code = RECEIPT.search(page.content.decode()).group()  # type: ignore[union-attr]
    assert "could not send" in caplog.text
    assert code not in caplog.text and code.replace("-", "") not in caplog.text


# --- The reminder ---------------------------------------------------------------------------------


def opened(cycle, person, now=None) -> None:
    ballot_start(cycle=cycle, user_id=person.pk, now=now or timezone.now())


def test_someone_who_opened_their_ballot_is_reminded_once_in_the_last_day(
    mailoutbox, django_capture_on_commit_callbacks
):
    cycle = voting_cycle(closes_in_days=0.5)  # closes in 12 hours
    person = voter_in(cycle)
    opened(cycle, person)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert ballot_reminders_send(now=now) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert ballot_reminders_send(now=now + timedelta(minutes=5)) == 0
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [person.email]
    assert cycle.title in message.subject
    assert f"/votar/{cycle.pk}/" in message.body
    assert BallotStart.objects.get().reminded_at == now


def test_nobody_who_voted_or_whose_close_is_far_is_reminded(mailoutbox, django_capture_on_commit_callbacks):
    soon = voting_cycle(closes_in_days=0.5)
    unit = unit_of(soon)
    voted = voter_in(soon)
    opened(soon, voted)
    ballot_cast(
        cycle=soon, unit=unit, voter=voter_of(voted, unit), choices=approve(on_ballot(soon)[0]), submission=submission()
    )
    BallotStart.objects.create(cycle=soon, user=voted, started_at=timezone.now())  # as if reopened after voting
    far = voting_cycle("05001", closes_in_days=3)
    opened(far, voter_in(far))
    with django_capture_on_commit_callbacks(execute=True):
        assert ballot_reminders_send(now=timezone.now()) == 0
    assert mailoutbox == []
    assert not BallotStart.objects.filter(reminded_at__isnull=False).exists()


def test_a_closed_vote_sends_no_reminder(mailoutbox, django_capture_on_commit_callbacks):
    cycle = voting_cycle(opened_days_ago=3, closes_in_days=-1)
    opened(cycle, voter_in(cycle))
    with django_capture_on_commit_callbacks(execute=True):
        assert ballot_reminders_send(now=timezone.now()) == 0
    assert mailoutbox == []


def test_the_reminder_task_sends_the_due_reminders(mailoutbox, django_capture_on_commit_callbacks):
    cycle = voting_cycle(closes_in_days=0.5)
    opened(cycle, voter_in(cycle))
    with django_capture_on_commit_callbacks(execute=True):
        assert ballot_reminders_task() == 1
    assert len(mailoutbox) == 1
