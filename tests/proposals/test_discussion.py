"""Deliberation services: who comments when, threads, flags, hiding by the cycle's
team (every role of the scene × own/other municipality), following, rate limit,
and a thread read in a constant number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from accounts.models import AuditEntry
from proposals.discussion import (
    COMMENTS_PER_MINUTE,
    MAX_BODY,
    comment_flag,
    comment_hide,
    comment_post,
    comment_thread,
    discussion_context,
    follow,
    unfollow,
)
from proposals.models import Comment, CommentFlag, Follower, Proposal, Status
from proposals.services import participation_declare
from tests.cache import clear_cache
from tests.cycles.factories import make_cycle
from tests.nodes.conftest import ACTOR_ROLES, make_actor, scene  # noqa: F401  (the fixture)
from tests.proposals.factories import citizen, proposal_in, unit_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    clear_cache()
    with translation.override("en"):
        yield
    clear_cache()


@pytest.fixture
def cycle():
    """Published, started 10 days ago: its local-planning phase opens ``deliberate``."""
    return make_cycle("52001", published=True)


@pytest.fixture
def proposal(cycle):
    return proposal_in(cycle, author=citizen())


def _say(actor, proposal, body="Me parece bien", parent=None):
    return comment_post(actor=actor, proposal=proposal, body=body, parent=parent, now=timezone.now())


def _refusal(callable_, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        callable_(*args, **kwargs)
    return caught.value


# --- Posting -------------------------------------------------------------------------


def test_comment_post_publishes_an_eligible_persons_comment_and_they_follow(proposal):
    person = citizen()
    comment = _say(person, proposal, "  Necesitamos este parque  ")
    assert comment.body == "Necesitamos este parque"
    assert comment.parent_id is None
    assert Follower.objects.filter(proposal=proposal, user=person).exists()


def test_comment_post_accepts_a_citizen_of_another_territory_of_the_cycle(cycle):
    proposal = proposal_in(cycle, unit=unit_of(cycle, 0))
    neighbour = citizen()  # takes part from another territory: commenting is open to the whole cycle
    participation_declare(actor=neighbour, cycle=cycle, unit=unit_of(cycle, 1), now=timezone.now())
    assert _say(neighbour, proposal).pk


def test_comment_post_refuses_when_deliberation_is_closed_for_the_territory():
    # Started 70 days ago: the Medellín template is in its feasibility phase (no deliberation).
    cycle = make_cycle("52001", published=True, start=timezone.localdate() - timedelta(days=70))
    proposal = proposal_in(cycle)
    error = _refusal(_say, citizen(), proposal)
    assert error.code == "closed"
    assert "not open" in error.messages[0]
    assert not Comment.objects.exists()


def test_comment_post_refuses_on_an_unpublished_cycle():
    proposal = proposal_in(make_cycle("52001", published=False))
    assert _refusal(_say, citizen(), proposal).code == "closed"


@pytest.mark.parametrize("status", [Status.WITHDRAWN, Status.DRAFT])
def test_comment_post_refuses_on_a_proposal_no_longer_standing(cycle, status):
    proposal = proposal_in(cycle, status=status)
    assert _refusal(_say, citizen(), proposal).code == "closed"


def test_comment_post_refuses_a_person_without_a_citizen_identity(proposal):
    with pytest.raises(PermissionDenied, match="citizen profile"):
        _say(citizen(identity=False), proposal)
    assert not Comment.objects.exists()


def test_comment_post_refuses_a_person_who_lives_elsewhere(proposal):
    with pytest.raises(PermissionDenied, match="live in"):
        _say(citizen("68081"), proposal)


@pytest.mark.parametrize(("body", "code"), [("", "empty"), ("   \n ", "empty"), ("x" * (MAX_BODY + 1), "too_long")])
def test_comment_post_refuses_an_empty_or_too_long_body(proposal, body, code):
    error = _refusal(_say, citizen(), proposal, body)
    assert error.error_dict["body"][0].code == code
    assert not Comment.objects.exists()


def test_comment_post_accepts_a_body_of_exactly_the_maximum(proposal):
    assert len(_say(citizen(), proposal, "x" * MAX_BODY).body) == MAX_BODY


def test_a_reply_to_a_reply_hangs_from_the_top_comment(proposal):
    top = _say(citizen(), proposal, "Arriba")
    reply = _say(citizen(), proposal, "Respuesta", parent=top)
    deeper = _say(citizen(), proposal, "Respuesta a la respuesta", parent=reply)
    assert reply.parent_id == top.pk and deeper.parent_id == top.pk


def test_comment_post_refuses_a_parent_of_another_proposal(cycle, proposal):
    elsewhere = _say(citizen(), proposal_in(cycle))
    assert _refusal(_say, citizen(), proposal, parent=elsewhere).code == "parent"


def test_comment_post_is_rate_limited_per_person(proposal):
    person = citizen()
    for number in range(COMMENTS_PER_MINUTE):
        _say(person, proposal, f"Comentario {number}")
    error = _refusal(_say, person, proposal, "Uno más")
    assert error.code == "rate_limited"
    assert "wait a moment" in error.messages[0]
    assert Comment.objects.count() == COMMENTS_PER_MINUTE
    _say(citizen(), proposal, "Otra persona sí puede")  # the limit is per person


def test_the_rate_limit_lifts_when_its_window_expires(proposal):
    person = citizen()
    for number in range(COMMENTS_PER_MINUTE):
        _say(person, proposal, f"Comentario {number}")
    cache.delete(f"ratelimit:comment:{person.pk}")  # what the cache does after RATE_WINDOW_SECONDS
    assert _say(person, proposal, "Ya pasó un minuto").pk


def test_commenting_again_does_not_follow_again_after_unfollowing(proposal):
    person = citizen()
    _say(person, proposal)
    unfollow(actor=person, proposal=proposal)
    _say(person, proposal, "Otra vez")
    assert not Follower.objects.filter(proposal=proposal, user=person).exists()


# --- Flags ---------------------------------------------------------------------------


def test_comment_flag_counts_each_person_once(proposal):
    comment = _say(citizen(), proposal)
    first, second = citizen(), citizen()
    comment_flag(actor=first, comment=comment, reason="Insulta", now=timezone.now())
    comment_flag(actor=second, comment=comment, reason="", now=timezone.now())
    error = _refusal(comment_flag, actor=first, comment=comment, reason="Otra vez", now=timezone.now())
    assert error.code == "already_flagged"
    comment.refresh_from_db()
    assert comment.flag_count == 2
    assert CommentFlag.objects.filter(comment=comment).count() == 2


def test_comment_flag_refuses_ones_own_comment(proposal):
    person = citizen()
    comment = _say(person, proposal)
    assert _refusal(comment_flag, actor=person, comment=comment, reason="", now=timezone.now()).code == "own"


def test_comment_flag_refuses_a_hidden_comment(proposal):
    comment = _say(citizen(), proposal)
    comment_hide(actor=make_cycle_runner(), comment=comment, reason="Ofensivo", now=timezone.now())
    assert _refusal(comment_flag, actor=citizen(), comment=comment, reason="", now=timezone.now()).code == "hidden"


def make_cycle_runner():
    from tests.cycles.factories import secretariat

    return secretariat()


# --- Hiding --------------------------------------------------------------------------

MODERATORS = {"secretariat", "coordinator", "manager"}


@pytest.mark.parametrize("role", ACTOR_ROLES)
@pytest.mark.parametrize("side", ["own", "other"])
def test_comment_hide_is_for_the_team_running_the_cycle(scene, role, side):  # noqa: F811  (the scene fixture)
    place = scene.own_municipality if side == "own" else scene.other_municipality
    cycle = make_cycle(place, published=True)
    comment = _say(citizen(place.code), proposal_in(cycle))
    actor = make_actor(role, scene)
    allowed = role == "secretariat" or (side == "own" and role in MODERATORS)
    if allowed:
        comment_hide(actor=actor, comment=comment, reason="Ataca a una persona", now=timezone.now())
        comment.refresh_from_db()
        assert comment.hidden_reason == "Ataca a una persona" and comment.hidden_by == actor
    else:
        with pytest.raises(PermissionDenied):
            comment_hide(actor=actor, comment=comment, reason="Ataca a una persona", now=timezone.now())
        comment.refresh_from_db()
        assert comment.hidden_at is None


def test_the_manager_of_the_convening_organisation_may_hide(scene):  # noqa: F811  (the scene fixture)
    cycle = make_cycle(scene.own_municipality, published=True, convener_organisation=scene.own_organisation)
    comment = _say(citizen(), proposal_in(cycle))
    comment_hide(actor=make_actor("organisation_manager", scene), comment=comment, reason="Spam", now=timezone.now())
    comment.refresh_from_db()
    assert comment.hidden_at is not None


@pytest.mark.parametrize("reason", ["", "   "])
def test_comment_hide_needs_a_public_reason(proposal, reason):
    comment = _say(citizen(), proposal)
    error = _refusal(comment_hide, actor=make_cycle_runner(), comment=comment, reason=reason, now=timezone.now())
    assert error.error_dict["reason"][0].code == "reason"
    comment.refresh_from_db()
    assert comment.hidden_at is None


def test_comment_hide_records_an_audit_entry_and_refuses_twice(proposal):
    comment = _say(citizen(), proposal)
    actor = make_cycle_runner()
    comment_hide(actor=actor, comment=comment, reason="Datos personales de un vecino", now=timezone.now())
    entry = AuditEntry.objects.get(action="proposals.comment_hidden")
    assert entry.actor_id == actor.pk and entry.subject == f"proposals.comment:{comment.pk}"
    again = _refusal(comment_hide, actor=actor, comment=comment, reason="Otra vez", now=timezone.now())
    assert again.code == "already_hidden"


# --- Following -----------------------------------------------------------------------


def test_follow_and_unfollow(proposal):
    person = citizen(identity=False)  # following needs no eligibility: only an account
    follow(actor=person, proposal=proposal)
    follow(actor=person, proposal=proposal)
    assert Follower.objects.filter(proposal=proposal, user=person).count() == 1
    unfollow(actor=person, proposal=proposal)
    assert not Follower.objects.filter(proposal=proposal, user=person).exists()


def test_the_author_cannot_unfollow_their_proposal(proposal):
    assert _refusal(unfollow, actor=proposal.author, proposal=proposal).code == "author"


def test_a_draft_cannot_be_followed(cycle):
    assert _refusal(follow, actor=citizen(), proposal=proposal_in(cycle, status=Status.DRAFT)).code == "draft"


# --- Reading -------------------------------------------------------------------------


def _thread_of(proposal, tops: int, replies_each: int) -> None:
    now = timezone.now()
    people = [citizen() for _ in range(3)]
    for number in range(tops):
        top = Comment.objects.create(proposal=proposal, author=people[number % 3], body=f"C{number}", created_at=now)
        for reply in range(replies_each):
            Comment.objects.create(
                proposal=proposal, parent=top, author=people[reply % 3], body=f"R{number}.{reply}", created_at=now
            )


def test_comment_thread_reads_30_comments_in_one_query(proposal, django_assert_num_queries):
    _thread_of(proposal, tops=10, replies_each=2)
    with django_assert_num_queries(1):
        thread = comment_thread(proposal)
        names = [c.author.name for c in thread] + [r.author.name for c in thread for r in c.thread_replies]
    assert len(thread) == 10 and len(names) == 30
    assert [r.body for r in thread[0].thread_replies] == ["R0.0", "R0.1"]


def test_comment_thread_attaches_stored_replies_to_replies_to_the_top(proposal):
    now = timezone.now()
    top = Comment.objects.create(proposal=proposal, author=citizen(), body="Top", created_at=now)
    reply = Comment.objects.create(proposal=proposal, parent=top, body="R", created_at=now)
    Comment.objects.create(proposal=proposal, parent=reply, body="RR", created_at=now)
    thread = comment_thread(proposal)
    assert [c.body for c in thread] == ["Top"]
    assert [r.body for r in thread[0].thread_replies] == ["R", "RR"]
    assert thread[0].thread_replies[0].author_label == "A former participant"


def test_discussion_context_runs_the_same_queries_for_3_or_30_comments(cycle):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small, large = proposal_in(cycle), proposal_in(cycle)
    _thread_of(small, tops=1, replies_each=2)
    _thread_of(large, tops=10, replies_each=2)
    viewer = citizen()
    counts = []
    for proposal in (small, large):
        proposal = Proposal.objects.get(pk=proposal.pk)  # nothing cached from setting the scene
        with CaptureQueriesContext(connection) as queries:
            context = discussion_context(proposal=proposal, viewer=viewer)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert context["discussion"].count == 30
    assert context["discussion"].refusal is None


def test_discussion_context_says_why_an_anonymous_visitor_cannot_comment(proposal):
    from django.contrib.auth.models import AnonymousUser

    context = discussion_context(proposal=proposal, viewer=AnonymousUser())["discussion"]
    assert context.refusal == "Sign in to take part." and context.needs_sign_in
