"""Staff pages of proposals (/gestion/propuestas/): who may open each page (every
role × a cycle or proposal of their own municipality, Pasto 52001, vs one of
another, Barrancabermeja 68081), the review, merge and paper-proposal forms
through POSTs, and bad input answered with a clear message, nothing saved and
never a 500.

The organisation manager of the scene manages an organisation that convenes no
cycle, so it runs no cycle and reviews nothing: refused on both sides.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import AuditEntry
from proposals.models import Proposal, Review, Status, Support
from tests.cycles.factories import make_cycle
from tests.factories import UserFactory
from tests.nodes import conftest as nodes_conftest
from tests.nodes.conftest import Scene, make_actor
from tests.nodes.test_manage_views import client_of, sides_with_people
from tests.proposals.factories import proposal_in, unit_of

pytestmark = pytest.mark.django_db

scene = nodes_conftest.scene  # the two-sided scene of the network tests, as a fixture here


@pytest.fixture(autouse=True)
def in_english():
    """Pages in English (/en/...), so that tests read the source strings."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


ROLES = [
    "anonymous",
    "plain_user",
    "secretariat",
    "coordinator",
    "manager",
    "organisation_manager",
    "reviewer",
    "station_officer",
    "monitor",
]
SEC = {"secretariat"}
REVIEWERS = {"secretariat", "reviewer"}
RUNNERS = {"secretariat", "coordinator", "manager"}


def login(person) -> Client:
    TOTP.activate(person, generate_totp_secret())
    client = Client()
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    return client


def client_as(role: str, scene: Scene) -> Client:
    if role == "anonymous":
        return Client()
    person = make_actor(role, scene)
    if role == "plain_user":
        client = Client()
        client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
        return client
    return login(person)


def review_cycle(place):
    """A published Medellín cycle whose feasibility phase (``review``) runs today."""
    return make_cycle(place, methodology="medellin", published=True, start=timezone.localdate() - timedelta(days=65))


def proposing_cycle(place):
    """A published Medellín cycle whose proposals phase (``propose``) runs today."""
    return make_cycle(place, methodology="medellin", published=True, start=timezone.localdate() - timedelta(days=45))


def _place(scene: Scene, side: str):
    return scene.own_municipality if side == "own" else scene.other_municipality


class Sides:
    """The scene, and on each side a cycle under review with a proposal in review, made on first use."""

    def __init__(self, scene: Scene) -> None:
        self.scene = scene
        self.cycles: dict[str, Any] = {}
        self.proposals: dict[str, Proposal] = {}

    def cycle(self, side: str) -> Any:
        if side not in self.cycles:
            self.cycles[side] = review_cycle(_place(self.scene, side))
        return self.cycles[side]

    def proposal(self, side: str) -> Proposal:
        if side not in self.proposals:
            self.proposals[side] = proposal_in(self.cycle(side), status=Status.IN_REVIEW)
        return self.proposals[side]


def _cycle(sides: Sides, side: str) -> dict[str, Any]:
    return {"cycle_pk": sides.cycle(side).pk}


def _proposal(sides: Sides, side: str) -> dict[str, Any]:
    return {"pk": sides.proposal(side).pk}


# URL name (namespace proposals-manage) -> (kwargs for a side; roles allowed on their own
# side; roles allowed on the other side; what an allowed person gets on GET).
PAGES: dict[str, tuple[Callable[[Sides, str], dict[str, Any]], set[str], set[str], int]] = {
    "review-queue": (_cycle, REVIEWERS | RUNNERS, SEC, 200),  # the cycle's managers read-only
    "review": (_proposal, REVIEWERS, SEC, 200),
    "merge": (_proposal, REVIEWERS, SEC, 200),
    "paper-create": (_cycle, RUNNERS, SEC, 200),
}

CELLS = [(name, role, side) for name in PAGES for role in ROLES for side in ("own", "other")]


def test_every_url_of_the_namespace_is_in_the_matrix():
    from proposals.urls_manage import urlpatterns

    assert {p.name for p in urlpatterns} == set(PAGES)


@pytest.fixture(scope="class")
def sides_and_people(shared_rows) -> tuple[Sides, dict[str, Any]]:
    """A cycle under review with a proposal in review on each side and one person per role,
    written once for the whole matrix (see ``shared_rows``)."""

    def make() -> Sides:
        sides = Sides(nodes_conftest.make_scene())
        for side in ("own", "other"):
            sides.proposal(side)
        return sides

    return sides_with_people(shared_rows, make, ROLES)


class TestEveryRoleOnEachSide:
    @pytest.mark.parametrize(("name", "role", "side"), CELLS, ids=[f"{n}-{r}-{s}" for n, r, s in CELLS])
    def test_who_may_open_each_page(self, sides_and_people, name, role, side):
        sides, people = sides_and_people
        kwargs, own, other, ok = PAGES[name]
        url = reverse(f"proposals-manage:{name}", kwargs=kwargs(sides, side))
        response = client_of(people[role]).get(url)
        if role == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
        elif role in (own if side == "own" else other):
            assert response.status_code == ok
        else:
            assert response.status_code == 403
            assert "Red PLyPP" in response.content.decode()  # the site's own 403 page


POSTS = [(name, role) for name in PAGES for role in sorted(set(ROLES) - {"anonymous", "plain_user"})]


@pytest.mark.parametrize(("name", "role"), POSTS, ids=[f"{n}-{r}" for n, r in POSTS])
def test_a_refused_person_cannot_post_on_the_other_side_and_nothing_changes(scene, name, role):
    cycle = review_cycle(scene.other_municipality)
    target = proposal_in(cycle, status=Status.IN_REVIEW)
    duplicate = proposal_in(cycle, status=Status.IN_REVIEW)
    kwargs = {"cycle_pk": cycle.pk} if name in ("review-queue", "paper-create") else {"pk": target.pk}
    data = {
        "verdict": "viable",
        "reasons": "Sí.",
        "duplicates": [str(duplicate.pk)],
        "reason": "Igual.",
        "confirm": "yes",
        "on_behalf_of": "Doña Rosa",
        "unit": str(unit_of(cycle).pk),
        "title": "Parque",
        "summary": "Un parque",
        "estimated_cost": "1.000",
    }
    response = client_as(role, scene).post(reverse(f"proposals-manage:{name}", kwargs=kwargs), data)
    if role == "secretariat":
        assert response.status_code != 403
        return
    assert response.status_code in (403, 405)
    assert not Review.objects.exists()
    assert set(Proposal.objects.filter(cycle=cycle).values_list("status", flat=True)) == {Status.IN_REVIEW}
    assert not AuditEntry.objects.filter(action__startswith="proposals.").exists()


def test_missing_and_draft_proposals_and_missing_cycles_are_404(scene):
    client = client_as("secretariat", scene)
    cycle = review_cycle(scene.own_municipality)
    draft = proposal_in(cycle, status=Status.DRAFT)
    for name in ("review", "merge"):
        assert client.get(reverse(f"proposals-manage:{name}", kwargs={"pk": 999999})).status_code == 404
        assert client.get(reverse(f"proposals-manage:{name}", kwargs={"pk": draft.pk})).status_code == 404
    for name in ("review-queue", "paper-create"):
        assert client.get(reverse(f"proposals-manage:{name}", kwargs={"cycle_pk": 999999})).status_code == 404


# --- The review queue ------------------------------------------------------------------


def test_the_queue_counts_by_territory_and_status_and_lists_what_waits_for_review(scene):
    cycle = review_cycle(scene.own_municipality)
    first, second = unit_of(cycle, 0), unit_of(cycle, 1)
    waiting = proposal_in(cycle, first, status=Status.IN_REVIEW, title="Parque de la comuna uno")
    proposal_in(cycle, first, status=Status.IN_REVIEW)
    proposal_in(cycle, second, status=Status.VIABLE, title="Ya revisada")
    proposal_in(cycle, second, status=Status.DRAFT, title="Borrador secreto")
    client = client_as("reviewer", scene)
    page = client.get(reverse("proposals-manage:review-queue", kwargs={"cycle_pk": cycle.pk})).content.decode()
    assert "Parque de la comuna uno" in page and "Ya revisada" not in page and "Borrador secreto" not in page
    assert reverse("proposals-manage:review", kwargs={"pk": waiting.pk}) in page
    assert f'?estado=in_review&amp;territorio={first.pk}">2</a>' in page
    assert f'?estado=viable&amp;territorio={second.pk}">1</a>' in page
    viable = client.get(
        reverse("proposals-manage:review-queue", kwargs={"cycle_pk": cycle.pk}),
        {"estado": "viable", "territorio": second.pk},
    ).content.decode()
    assert "Ya revisada" in viable and "Parque de la comuna uno" not in viable


def test_the_cycles_managers_see_the_queue_read_only(scene):
    cycle = review_cycle(scene.own_municipality)
    waiting = proposal_in(cycle, status=Status.IN_REVIEW, title="Parque")
    page = client_as("manager", scene).get(reverse("proposals-manage:review-queue", kwargs={"cycle_pk": cycle.pk}))
    text = page.content.decode()
    assert page.status_code == 200 and 'id="read-only"' in text and "Parque" in text
    assert reverse("proposals-manage:review", kwargs={"pk": waiting.pk}) not in text


@pytest.mark.parametrize(
    "query",
    [{"estado": "nonsense"}, {"territorio": "abc"}, {"pagina": "zzz"}, {"pagina": "99999"}, {"territorio": "-1"}],
)
def test_junk_in_the_queue_filters_is_ignored(scene, query):
    cycle = review_cycle(scene.own_municipality)
    proposal_in(cycle, status=Status.IN_REVIEW, title="Parque")
    response = client_as("reviewer", scene).get(
        reverse("proposals-manage:review-queue", kwargs={"cycle_pk": cycle.pk}), query
    )
    assert response.status_code == 200


def test_the_queue_warns_when_review_is_not_open(scene):
    cycle = make_cycle(scene.own_municipality, published=True)  # local planning now
    page = client_as("reviewer", scene).get(reverse("proposals-manage:review-queue", kwargs={"cycle_pk": cycle.pk}))
    assert 'id="review-closed"' in page.content.decode()


# --- Reviewing ---------------------------------------------------------------------


def review_url(proposal: Proposal) -> str:
    return reverse("proposals-manage:review", kwargs={"pk": proposal.pk})


def test_a_reviewer_declares_a_proposal_viable_with_an_adjusted_cost(scene):
    cycle = review_cycle(scene.own_municipality)
    proposal = proposal_in(cycle, status=Status.IN_REVIEW, estimated_cost=80_000_000)
    client = client_as("reviewer", scene)
    page = client.get(review_url(proposal)).content.decode()
    assert proposal.title in page and "Record the verdict" in page
    response = client.post(
        review_url(proposal),
        {
            "verdict": "viable",
            "reasons": "Cabe en el techo de la comuna.",
            "adjusted_cost": "$ 95.000.000",
            "responsible_office": "Secretaría de Infraestructura",
            "bpin": "2027-5200-10001",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("proposals-manage:review-queue", kwargs={"cycle_pk": cycle.pk})
    proposal.refresh_from_db()
    assert proposal.status == Status.VIABLE and proposal.adjusted_cost == 95_000_000
    assert proposal.reviews.get().bpin == "2027520010001"
    page = client.get(review_url(proposal)).content.decode()
    assert 'id="not-awaiting"' in page and "Cabe en el techo de la comuna." in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"verdict": "viable", "reasons": ""}, "This field is required."),
        ({"verdict": "perhaps", "reasons": "x"}, "Select a valid choice."),
        ({"verdict": "viable", "reasons": "x", "adjusted_cost": "-5.000"}, "An amount cannot be negative."),
        ({"verdict": "viable", "reasons": "x", "adjusted_cost": "9" * 20}, "check the number of zeros"),
        ({"verdict": "viable", "reasons": "x", "adjusted_cost": "12,5 millones"}, "Write a whole number of pesos"),
        ({"verdict": "viable", "reasons": "x", "bpin": "abc"}, "A BPIN code is a number of 8 to 20 digits"),
    ],
)
def test_bad_review_input_is_answered_on_the_form_and_nothing_is_saved(scene, data, message):
    proposal = proposal_in(review_cycle(scene.own_municipality), status=Status.IN_REVIEW)
    response = client_as("reviewer", scene).post(review_url(proposal), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == Status.IN_REVIEW and not proposal.reviews.exists()


def test_a_review_outside_the_review_phase_is_refused_with_a_message(scene):
    proposal = proposal_in(make_cycle(scene.own_municipality, published=True), status=Status.IN_REVIEW)
    client = client_as("reviewer", scene)
    assert 'id="review-closed"' in client.get(review_url(proposal)).content.decode()
    response = client.post(review_url(proposal), {"verdict": "viable", "reasons": "Sí."})
    assert response.status_code == 200
    assert "The feasibility review is not open in this territory now." in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == Status.IN_REVIEW and not proposal.reviews.exists()


def test_a_proposal_already_reviewed_shows_no_form_and_refuses_a_post(scene):
    proposal = proposal_in(review_cycle(scene.own_municipality), status=Status.NOT_VIABLE)
    client = client_as("reviewer", scene)
    page = client.get(review_url(proposal)).content.decode()
    assert 'id="not-awaiting"' in page and "Record the verdict" not in page
    response = client.post(review_url(proposal), {"verdict": "viable", "reasons": "Sí."})
    assert response.status_code == 200 and "This proposal is not waiting for review" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == Status.NOT_VIABLE


def test_user_text_is_escaped_on_the_review_pages(scene):
    cycle = review_cycle(scene.own_municipality)
    proposal = proposal_in(cycle, status=Status.IN_REVIEW, title="<script>alert(1)</script>", summary="<b>negrita</b>")
    client = client_as("reviewer", scene)
    for url in (
        review_url(proposal),
        reverse("proposals-manage:review-queue", kwargs={"cycle_pk": cycle.pk}),
        reverse("proposals-manage:merge", kwargs={"pk": proposal_in(cycle, status=Status.IN_REVIEW).pk}),
    ):
        page = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in page and "<b>negrita</b>" not in page


# --- Merging -----------------------------------------------------------------------


def merge_url(proposal: Proposal) -> str:
    return reverse("proposals-manage:merge", kwargs={"pk": proposal.pk})


def test_the_merge_page_offers_only_the_same_territorys_proposals_and_searches_them(scene):
    cycle = review_cycle(scene.own_municipality)
    target = proposal_in(cycle, unit_of(cycle, 0), status=Status.IN_REVIEW, title="Parque infantil")
    proposal_in(cycle, unit_of(cycle, 0), status=Status.SUBMITTED, title="Parque para niños en la comuna")
    proposal_in(cycle, unit_of(cycle, 0), status=Status.IN_REVIEW, title="Alumbrado público")
    proposal_in(cycle, unit_of(cycle, 0), status=Status.WITHDRAWN, title="Retirada")
    proposal_in(cycle, unit_of(cycle, 1), status=Status.IN_REVIEW, title="Parque de la otra comuna")
    client = client_as("reviewer", scene)
    page = client.get(merge_url(target)).content.decode()
    assert "Parque para niños en la comuna" in page and "Alumbrado público" in page
    assert "Parque de la otra comuna" not in page and "Retirada" not in page
    found = client.get(merge_url(target), {"q": "parque ninos"}).content.decode()
    assert "Parque para niños en la comuna" in found and "Alumbrado público" not in found


def test_a_reviewer_merges_duplicates_after_confirming(scene):
    cycle = review_cycle(scene.own_municipality)
    a, b, c = UserFactory(), UserFactory(), UserFactory()
    target = proposal_in(cycle, status=Status.IN_REVIEW, title="Parque infantil", support_count=2)
    duplicate = proposal_in(cycle, status=Status.IN_REVIEW, title="Parque para niños", support_count=2)
    now = timezone.now()
    Support.objects.bulk_create(
        [
            Support(proposal=target, user=a, created_at=now),
            Support(proposal=target, user=b, created_at=now),
            Support(proposal=duplicate, user=b, created_at=now),
            Support(proposal=duplicate, user=c, created_at=now),
        ]
    )
    client = client_as("reviewer", scene)
    data = {"duplicates": [str(duplicate.pk)], "reason": "Piden el mismo parque."}
    confirm = client.post(merge_url(target), data)
    assert confirm.status_code == 200 and "Yes, merge them" in confirm.content.decode()
    duplicate.refresh_from_db()
    assert duplicate.status == Status.IN_REVIEW  # nothing done before confirming
    back = client.post(merge_url(target), {**data, "confirm": "back"}).content.decode()
    assert f'value="{duplicate.pk}" id="duplicate-{duplicate.pk}" checked' in back
    response = client.post(merge_url(target), {**data, "confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == review_url(target)
    duplicate.refresh_from_db()
    target.refresh_from_db()
    assert duplicate.status == Status.MERGED and duplicate.merged_into == target
    assert target.support_count == 3


@pytest.mark.parametrize(
    ("duplicates", "message"),
    [
        ([], "Choose the proposals that repeat this one."),
        (["abc"], "is not a valid value"),
        (["999999"], "Select a valid choice"),
        ("self", "Select a valid choice"),
        ("withdrawn", "cannot be merged: it is withdrawn"),
        ("other_unit", "is of another cycle or territory"),
        ("other_cycle", "Select a valid choice"),
    ],
)
def test_bad_merge_choices_are_answered_on_the_form_and_nothing_is_merged(scene, duplicates, message):
    cycle = review_cycle(scene.own_municipality)
    target = proposal_in(cycle, unit_of(cycle, 0), status=Status.IN_REVIEW)
    choices = {
        "self": [str(target.pk)],
        "withdrawn": [str(proposal_in(cycle, unit_of(cycle, 0), status=Status.WITHDRAWN).pk)],
        "other_unit": [str(proposal_in(cycle, unit_of(cycle, 1), status=Status.IN_REVIEW).pk)],
        "other_cycle": [str(proposal_in(review_cycle(scene.own_municipality), status=Status.IN_REVIEW).pk)],
    }
    picked = choices[duplicates] if isinstance(duplicates, str) else duplicates
    response = client_as("reviewer", scene).post(
        merge_url(target), {"duplicates": picked, "reason": "Iguales.", "confirm": "yes"}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Proposal.objects.filter(status=Status.MERGED).exists()


def test_a_merge_needs_a_reason(scene):
    cycle = review_cycle(scene.own_municipality)
    target, duplicate = (proposal_in(cycle, status=Status.IN_REVIEW) for _ in range(2))
    response = client_as("reviewer", scene).post(merge_url(target), {"duplicates": [str(duplicate.pk)], "reason": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    duplicate.refresh_from_db()
    assert duplicate.status == Status.IN_REVIEW


# --- Paper proposals ---------------------------------------------------------------


def paper_url(cycle) -> str:
    return reverse("proposals-manage:paper-create", kwargs={"cycle_pk": cycle.pk})


def paper_data(cycle, **overrides) -> dict[str, str]:
    return {
        "on_behalf_of": "Rosa Elvira Cárdenas",
        "unit": str(unit_of(cycle, 1).pk),
        "title": "Placa huella para la vereda",
        "summary": "Un camino para sacar la cosecha.",
        "description": "",
        "estimated_cost": "45.000.000",
        "origin": "JAC vereda El Rosal",
        **overrides,
    }


def test_a_manager_keys_in_a_paper_proposal_for_someone_at_an_assembly(scene):
    cycle = proposing_cycle(scene.own_municipality)
    manager = make_actor("manager", scene)
    client = login(manager)
    page = client.get(paper_url(cycle)).content.decode()
    assert 'id="open-units"' in page
    response = client.post(paper_url(cycle), paper_data(cycle))
    assert response.status_code == 302 and response["Location"] == paper_url(cycle)
    proposal = Proposal.objects.get(cycle=cycle)
    assert proposal.on_paper and proposal.keyed_by == manager and proposal.author is None
    assert proposal.on_behalf_of == "Rosa Elvira Cárdenas" and proposal.unit == unit_of(cycle, 1)
    assert (proposal.estimated_cost, proposal.origin) == (45_000_000, "JAC vereda El Rosal")
    assert proposal.status in (Status.SUBMITTED, Status.IN_REVIEW) and proposal.submitted_at is not None
    assert AuditEntry.objects.filter(action="proposals.paper_proposal_keyed").count() == 1
    page = client.get(paper_url(cycle)).content.decode()
    assert "Placa huella para la vereda" in page and "Rosa Elvira Cárdenas" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"on_behalf_of": ""}, "This field is required."),
        ({"on_behalf_of": "   "}, "This field is required."),
        ({"title": ""}, "This field is required."),
        ({"estimated_cost": "-1"}, "An amount cannot be negative."),
        ({"estimated_cost": "9" * 20}, "check the number of zeros"),
        ({"estimated_cost": "mucho"}, "Write a whole number of pesos"),
        ({"unit": "999999"}, "Select a valid choice"),
        ({"unit": "abc"}, "Select a valid choice"),
    ],
)
def test_bad_paper_proposals_are_answered_on_the_form_and_nothing_is_saved(scene, overrides, message):
    cycle = proposing_cycle(scene.own_municipality)
    response = client_as("manager", scene).post(paper_url(cycle), paper_data(cycle, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Proposal.objects.exists()


def test_a_territory_of_another_cycle_is_refused(scene):
    cycle = proposing_cycle(scene.own_municipality)
    other = proposing_cycle(scene.own_municipality)
    response = client_as("manager", scene).post(paper_url(cycle), paper_data(cycle, unit=str(unit_of(other).pk)))
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Proposal.objects.exists()


def test_paper_proposals_are_refused_when_proposals_are_not_open(scene):
    cycle = review_cycle(scene.own_municipality)
    client = client_as("manager", scene)
    assert 'id="propose-closed"' in client.get(paper_url(cycle)).content.decode()
    response = client.post(paper_url(cycle), paper_data(cycle))
    assert response.status_code == 200
    assert "Proposals are not open in this territory now." in response.content.decode()
    assert not Proposal.objects.exists()


def test_the_review_page_links_files_through_the_checked_download(scene):
    """Not to /media/: stored files are not served directly outside development."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from proposals.models import ProposalAttachment
    from tests.nodes.test_activities import minimal_pdf

    cycle = review_cycle(scene.own_municipality)
    proposal = proposal_in(cycle, unit_of(cycle, 0), status=Status.IN_REVIEW)
    attachment = ProposalAttachment.objects.create(
        proposal=proposal,
        file=SimpleUploadedFile("acta.pdf", minimal_pdf()),
        original_name="acta.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        uploaded_at=timezone.now(),
    )
    text = client_as("reviewer", scene).get(reverse("proposals-manage:review", kwargs={"pk": proposal.pk})).content
    assert reverse("proposals:attachment", kwargs={"pk": attachment.pk}).encode() in text
    assert b"/media/" not in text
