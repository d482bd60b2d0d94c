"""E-mails to a proposal's author and followers: who gets them, once each, never the
person who acted, in Spanish whatever the actor's language, after commit only, and
with no personal data."""

from __future__ import annotations

from functools import partial

import pytest
from django.db import transaction
from django.utils import timezone, translation

from accounts.models import User
from proposals.discussion import comment_post, follow
from proposals.models import Review, Status, Verdict
from proposals.notifications import notify_state_change, recipients
from proposals.services import set_status
from tests.cache import clear_cache
from tests.cycles.factories import make_cycle, secretariat
from tests.proposals.factories import citizen, proposal_in

pytestmark = pytest.mark.django_db

SPANISH_FOOTER = "Presupuesto participativo · Red PLyPP"  # in the Spanish catalogue already


@pytest.fixture(autouse=True)
def fresh_cache():
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def scene():
    author, follower, other = citizen(), citizen(), citizen()
    proposal = proposal_in(make_cycle("52001", published=True), author=author, title="Parque & biblioteca")
    follow(actor=follower, proposal=proposal)
    return proposal, author, follower, other


def _comment(actor, proposal, capture, **kwargs):
    with capture(execute=True):
        return comment_post(actor=actor, proposal=proposal, body="¿Y el mantenimiento?", now=timezone.now(), **kwargs)


def _to(mailoutbox) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


# --- New comments --------------------------------------------------------------------


def test_a_new_comment_emails_author_and_followers_once_each_but_not_its_writer(
    scene, mailoutbox, django_capture_on_commit_callbacks
):
    proposal, author, follower, other = scene
    _comment(other, proposal, django_capture_on_commit_callbacks)
    assert _to(mailoutbox) == sorted([author.email, follower.email])
    assert all(len(message.to) == 1 and not message.cc and not message.bcc for message in mailoutbox)


def test_a_comment_by_the_author_does_not_email_the_author(scene, mailoutbox, django_capture_on_commit_callbacks):
    proposal, author, follower, _other = scene
    _comment(author, proposal, django_capture_on_commit_callbacks)
    assert _to(mailoutbox) == [follower.email]


def test_a_follower_who_is_also_the_author_gets_one_email(scene, mailoutbox, django_capture_on_commit_callbacks):
    proposal, author, _follower, other = scene
    follow(actor=author, proposal=proposal)
    _comment(other, proposal, django_capture_on_commit_callbacks)
    assert _to(mailoutbox).count(author.email) == 1


def test_commenters_are_told_of_later_comments_and_that_it_is_a_reply(
    scene, mailoutbox, settings, django_capture_on_commit_callbacks
):
    proposal, author, follower, other = scene
    first = _comment(other, proposal, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    settings.LANGUAGE_CODE = "en"  # to read the source strings
    _comment(citizen(), proposal, django_capture_on_commit_callbacks, parent=first)
    assert _to(mailoutbox) == sorted([author.email, follower.email, other.email])
    assert all("Someone answered" in message.body for message in mailoutbox)


def test_comment_emails_are_in_spanish_whatever_the_writers_language(
    scene, mailoutbox, django_capture_on_commit_callbacks
):
    proposal, _author, _follower, other = scene
    with translation.override("en"):
        _comment(other, proposal, django_capture_on_commit_callbacks)
    assert mailoutbox and all(SPANISH_FOOTER in message.body for message in mailoutbox)
    assert all(message.subject.startswith("[Red PLyPP] ") for message in mailoutbox)
    assert all(f"/propuestas/{proposal.pk}/" in message.body for message in mailoutbox)
    assert not any("/en/" in message.body for message in mailoutbox)


def test_comment_emails_carry_no_personal_data_and_keep_titles_as_written(
    scene, mailoutbox, django_capture_on_commit_callbacks
):
    proposal, author, follower, other = scene
    _comment(other, proposal, django_capture_on_commit_callbacks)
    document = other.identity.document_hash
    for message in mailoutbox:
        text = message.subject + message.body
        for person in (author, follower, other):
            assert person.email not in message.body
            assert person.name not in text
        assert document not in text
        assert "Parque & biblioteca" in text and "&amp;" not in text  # plain text: no HTML escaping


def test_no_email_is_sent_when_the_comment_is_rolled_back(scene, mailoutbox, django_capture_on_commit_callbacks):
    proposal, _author, _follower, other = scene
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        comment_post(actor=other, proposal=proposal, body="Se deshace", now=timezone.now())
        raise RuntimeError
    assert mailoutbox == []


def test_inactive_accounts_get_no_email(scene):
    proposal, author, follower, _other = scene
    User.objects.filter(pk=follower.pk).update(is_active=False)
    assert [person.pk for person in recipients(proposal, actor_id=None)] == [author.pk]


def test_a_failing_mail_server_does_not_undo_the_comment(scene, settings, django_capture_on_commit_callbacks):
    proposal, _author, _follower, other = scene
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    comment = _comment(other, proposal, django_capture_on_commit_callbacks)
    assert comment.pk


# --- State changes -------------------------------------------------------------------


def _change(proposal, to, actor, capture):
    with capture(execute=True), transaction.atomic():
        set_status(proposal, to, actor=actor, now=timezone.now())
        proposal.save()
        transaction.on_commit(partial(notify_state_change, proposal_id=proposal.pk))


def test_a_state_change_emails_author_and_followers_with_the_latest_reviews_reasons(
    scene, mailoutbox, django_capture_on_commit_callbacks
):
    proposal, author, follower, _other = scene
    reviewer = secretariat()
    Review.objects.create(
        proposal=proposal,
        reviewer=reviewer,
        verdict=Verdict.NOT_VIABLE,
        reasons="Ya existe un proyecto igual",
        created_at=timezone.now(),
    )
    Review.objects.create(
        proposal=proposal,
        reviewer=reviewer,
        verdict=Verdict.VIABLE,
        reasons="El lote es municipal",
        adjusted_cost=80_000_000,
        created_at=timezone.now(),
    )
    _change(proposal, Status.VIABLE, reviewer, django_capture_on_commit_callbacks)
    assert _to(mailoutbox) == sorted([author.email, follower.email])
    for message in mailoutbox:
        assert "El lote es municipal" in message.body
        assert "Ya existe un proyecto igual" not in message.body
        assert "80.000.000" in message.body or "80,000,000" in message.body
        assert "Parque & biblioteca" in message.subject
        assert SPANISH_FOOTER in message.body
        assert reviewer.email not in message.body and reviewer.name not in message.body


def test_a_state_change_without_a_review_names_the_new_state(
    scene, mailoutbox, settings, django_capture_on_commit_callbacks
):
    proposal, author, _follower, _other = scene
    settings.LANGUAGE_CODE = "en"  # to read the source strings
    _change(proposal, Status.IN_REVIEW, secretariat(), django_capture_on_commit_callbacks)
    message = next(m for m in mailoutbox if m.to == [author.email])
    assert "In feasibility review" in message.subject
    assert "review" not in message.body.split("In feasibility review")[1].split("See the proposal")[0].lower()
    assert "because you wrote this proposal" in message.body


def test_the_person_who_changed_the_state_is_not_emailed(scene, mailoutbox, django_capture_on_commit_callbacks):
    proposal, author, follower, _other = scene
    _change(proposal, Status.WITHDRAWN, author, django_capture_on_commit_callbacks)
    assert _to(mailoutbox) == [follower.email]


def test_notify_state_change_of_a_missing_proposal_sends_nothing(mailoutbox):
    notify_state_change(proposal_id=987654321)
    assert mailoutbox == []
