"""Pages of the conversation: commenting with and without JavaScript, reporting,
hiding (every role of the scene × own/other municipality), following, escaping of
everything people wrote, and the rate limit's message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from proposals.discussion import COMMENTS_PER_MINUTE, discussion_context
from proposals.models import Comment, CommentFlag, Follower, Status
from tests.cache import clear_cache
from tests.cycles.factories import make_cycle, secretariat
from tests.nodes.conftest import ACTOR_ROLES, make_actor, scene  # noqa: F401  (the fixture)
from tests.proposals.factories import citizen, proposal_in

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
XSS = '<script>alert("x")</script>'


@pytest.fixture(autouse=True)
def in_english():
    clear_cache()
    with translation.override("en"):
        yield
    clear_cache()


@pytest.fixture
def proposal():
    return proposal_in(make_cycle("52001", published=True), author=citizen())


def client_for(person, mfa: bool = False) -> Client:
    if mfa:
        TOTP.activate(person, generate_totp_secret())
    client = Client()
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    return client


def url(name: str, pk: int) -> str:
    return reverse(f"proposals-talk:{name}", kwargs={"pk": pk})


def page_of(proposal) -> str:
    """The proposal page (proposals:proposal-detail, another part of issue 5), in English."""
    from django.urls import NoReverseMatch

    try:
        return reverse("proposals:proposal-detail", kwargs={"pk": proposal.pk})
    except NoReverseMatch:
        return f"/en/propuestas/{proposal.pk}/"


def told(response) -> str:
    """The messages a redirect carries to the next page."""
    from django.contrib.messages import get_messages

    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def a_comment(proposal, body="Buena idea", author=None) -> Comment:
    return Comment.objects.create(proposal=proposal, author=author or citizen(), body=body, created_at=timezone.now())


# --- Commenting ----------------------------------------------------------------------


def test_posting_without_js_publishes_and_goes_back_to_the_proposal(proposal):
    response = client_for(citizen()).post(url("comment-post", proposal.pk), {"body": "Hace falta"})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{page_of(proposal)}#comment-{comment.pk}"


def test_posting_with_htmx_returns_the_updated_thread(proposal):
    response = client_for(citizen()).post(url("comment-post", proposal.pk), {"body": "Hace falta"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="discussion"') and "Hace falta" in html
    assert "Your comment is published." in html and "<html" not in html


def test_replying_with_htmx_nests_the_reply(proposal):
    top = a_comment(proposal)
    client_for(citizen()).post(url("comment-post", proposal.pk), {"body": "Respuesta", "parent": top.pk}, **HTMX)
    assert Comment.objects.get(body="Respuesta").parent_id == top.pk


@pytest.mark.parametrize(("body", "message"), [("   ", "Write your comment first."), ("x" * 3001, "at most 3000")])
def test_a_bad_body_shows_the_form_again_and_saves_nothing(proposal, body, message):
    client = client_for(citizen())
    page = client.post(url("comment-post", proposal.pk), {"body": body})
    fragment = client.post(url("comment-post", proposal.pk), {"body": body}, **HTMX)
    assert page.status_code == 200 and message in page.content.decode()
    assert fragment.status_code == 200 and message in fragment.content.decode()
    assert not Comment.objects.exists()


def test_commenting_when_deliberation_is_closed_says_so(proposal):
    closed = proposal_in(make_cycle("52001", published=True, start=timezone.localdate() - timedelta(days=70)))
    response = client_for(citizen()).post(url("comment-post", closed.pk), {"body": "Tarde"})
    assert response.status_code == 200
    assert "Comments are not open in this territory now." in response.content.decode()
    assert not Comment.objects.exists()


def test_an_ineligible_person_is_told_why_and_nothing_is_saved(proposal):
    response = client_for(citizen(identity=False)).post(url("comment-post", proposal.pk), {"body": "Hola"})
    assert response.status_code == 200
    assert "Complete your citizen profile" in response.content.decode()
    assert not Comment.objects.exists()


def test_a_parent_from_another_proposal_is_refused(proposal):
    elsewhere = a_comment(proposal_in(proposal.cycle))
    response = client_for(citizen()).post(url("comment-post", proposal.pk), {"body": "Hola", "parent": elsewhere.pk})
    assert response.status_code == 200
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("parent", ["abc", "-3", "99999999999999999999"])
def test_a_malformed_parent_is_a_form_error_not_a_500(proposal, parent):
    response = client_for(citizen()).post(url("comment-post", proposal.pk), {"body": "Hola", "parent": parent})
    assert response.status_code == 200
    assert not Comment.objects.exists()


def test_the_rate_limit_has_a_clear_message(proposal):
    client = client_for(citizen())
    for number in range(COMMENTS_PER_MINUTE):
        assert client.post(url("comment-post", proposal.pk), {"body": f"C{number}"}).status_code == 302
    response = client.post(url("comment-post", proposal.pk), {"body": "Uno más"}, **HTMX)
    assert "wait a moment and try again" in response.content.decode()
    assert Comment.objects.count() == COMMENTS_PER_MINUTE


def test_comment_pages_of_drafts_and_unpublished_cycles_are_404(proposal):
    client = client_for(citizen())
    draft = proposal_in(proposal.cycle, status=Status.DRAFT)
    hidden_cycle = proposal_in(make_cycle("52001", published=False))
    for target in (draft, hidden_cycle):
        assert client.post(url("comment-post", target.pk), {"body": "Hola"}).status_code == 404
        assert client.post(url("follow", target.pk)).status_code == 404
        assert client.get(url("comment-flag", a_comment(target).pk)).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(proposal):
    response = Client().post(url("comment-post", proposal.pk), {"body": "Hola"})
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert not Comment.objects.exists()


# --- What the thread shows -----------------------------------------------------------


def _fragment(proposal, viewer) -> str:
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get(page_of(proposal))
    request.user = viewer
    return render_to_string("proposals/_discussion.html", discussion_context(proposal=proposal, viewer=viewer), request)


def test_user_text_is_always_escaped(proposal):
    writer = citizen()
    writer.name = f"Ana {XSS}"
    writer.save()
    comment = a_comment(proposal, body=f"Mira {XSS}\nsegunda línea", author=writer)
    hidden = a_comment(proposal, body="Texto ofensivo")
    Comment.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now(), hidden_reason=f"Porque {XSS}")
    html = _fragment(proposal, citizen())
    assert XSS not in html
    assert "&lt;script&gt;" in html and "<br>" in html
    flag_page = client_for(citizen()).get(url("comment-flag", comment.pk)).content.decode()
    assert XSS not in flag_page and "&lt;script&gt;" in flag_page


def test_a_hidden_comment_shows_the_reason_in_place_of_its_text(proposal):
    comment = a_comment(proposal, body="Texto ofensivo")
    Comment.objects.filter(pk=comment.pk).update(hidden_at=timezone.now(), hidden_reason="Ataca a un vecino")
    html = _fragment(proposal, citizen())
    assert "Hidden by the cycle's team: Ataca a un vecino" in html
    assert "Texto ofensivo" not in html


def test_the_thread_never_shows_an_email_address(proposal):
    nameless = citizen()
    nameless.name = ""
    nameless.save()
    a_comment(proposal, author=nameless)
    html = _fragment(proposal, citizen())
    assert nameless.email not in html and "A participant" in html


def test_the_thread_tells_anonymous_visitors_to_sign_in_and_shows_no_form(proposal):
    from django.contrib.auth.models import AnonymousUser

    html = _fragment(proposal, AnonymousUser())
    assert "Sign in to take part." in html and 'name="body"' not in html


def test_moderators_see_hide_links_and_report_counts_others_do_not(proposal):
    comment = a_comment(proposal)
    Comment.objects.filter(pk=comment.pk).update(flag_count=2)
    hide = url("comment-hide", comment.pk)
    assert hide in _fragment(proposal, secretariat()) and "Reported 2 times" in _fragment(proposal, secretariat())
    assert hide not in _fragment(proposal, citizen())


# --- Reporting -----------------------------------------------------------------------


def test_reporting_a_comment_once_then_being_told_it_is_done(proposal):
    comment = a_comment(proposal)
    client = client_for(citizen())
    assert client.get(url("comment-flag", comment.pk)).status_code == 200
    first = client.post(url("comment-flag", comment.pk), {"reason": "Insulta"})
    second = client.post(url("comment-flag", comment.pk), {"reason": "Otra vez"})
    assert first.status_code == 302 and first["Location"] == f"{page_of(proposal)}#comment-{comment.pk}"
    assert second.status_code == 302
    assert "You have already reported this comment." in told(second)
    comment.refresh_from_db()
    assert comment.flag_count == 1 and CommentFlag.objects.count() == 1


def test_a_too_long_report_reason_is_a_form_error(proposal):
    comment = a_comment(proposal)
    response = client_for(citizen()).post(url("comment-flag", comment.pk), {"reason": "x" * 301})
    assert response.status_code == 200 and not CommentFlag.objects.exists()


def test_reporting_ones_own_comment_is_refused(proposal):
    person = citizen()
    comment = a_comment(proposal, author=person)
    response = client_for(person).post(url("comment-flag", comment.pk), {"reason": ""})
    assert response.status_code == 200 and "your own comment" in response.content.decode()


# --- Hiding --------------------------------------------------------------------------

MODERATORS = {"secretariat", "coordinator", "manager"}


@pytest.mark.parametrize("role", ["anonymous", *ACTOR_ROLES])
@pytest.mark.parametrize("side", ["own", "other"])
def test_hide_page_by_role_and_side(scene, role, side):  # noqa: F811  (the scene fixture)
    place = scene.own_municipality if side == "own" else scene.other_municipality
    comment = a_comment(proposal_in(make_cycle(place, published=True)))
    client = Client() if role == "anonymous" else client_for(make_actor(role, scene), mfa=role != "plain_user")
    allowed = role == "secretariat" or (side == "own" and role in MODERATORS)
    get = client.get(url("comment-hide", comment.pk))
    post = client.post(url("comment-hide", comment.pk), {"reason": "Ataca a una persona"})
    comment.refresh_from_db()
    if role == "anonymous":
        assert get.status_code == 302 and reverse("account_login") in get["Location"]
        assert comment.hidden_at is None
    elif allowed:
        assert get.status_code == 200 and post.status_code == 302
        assert comment.hidden_reason == "Ataca a una persona"
    else:
        assert get.status_code == 403 and post.status_code == 403
        assert comment.hidden_at is None


def test_hiding_without_a_reason_shows_the_form_again(proposal):
    comment = a_comment(proposal)
    response = client_for(secretariat(), mfa=True).post(url("comment-hide", comment.pk), {"reason": "  "})
    assert response.status_code == 200
    assert "Give the public reason for hiding this comment." in response.content.decode()
    comment.refresh_from_db()
    assert comment.hidden_at is None


# --- Following -----------------------------------------------------------------------


def test_follow_toggles_without_js(proposal):
    person = citizen()
    client = client_for(person)
    first = client.post(url("follow", proposal.pk))
    assert first.status_code == 302 and first["Location"] == f"{page_of(proposal)}#discussion"
    assert Follower.objects.filter(proposal=proposal, user=person).exists()
    client.post(url("follow", proposal.pk))
    assert not Follower.objects.filter(proposal=proposal, user=person).exists()


def test_follow_with_htmx_returns_the_thread_with_the_new_button(proposal):
    response = client_for(citizen()).post(url("follow", proposal.pk), **HTMX)
    assert response.status_code == 200 and "Stop following" in response.content.decode()


def test_the_author_stays_following_their_proposal(proposal):
    client = client_for(proposal.author)
    response = client.post(url("follow", proposal.pk))
    client.post(url("follow", proposal.pk))
    assert "As its author" in told(response)
    assert not Follower.objects.filter(proposal=proposal, user=proposal.author).exists()
    assert "As its author, you get e-mails" in _fragment(proposal, proposal.author)


def test_the_proposal_page_shows_the_thread_and_the_form(proposal):
    a_comment(proposal, body=f"En la página {XSS}")
    response = client_for(citizen()).get(page_of(proposal))
    if response.status_code == 404 and not hasattr(response, "context"):  # pragma: no cover (page not wired yet)
        pytest.skip("the proposal page is not wired yet")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="discussion"' in html and "En la página &lt;script&gt;" in html and XSS not in html
    assert url("comment-post", proposal.pk) in html
