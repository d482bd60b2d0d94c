"""The citizen pages of proposals: the list (filters, Spanish search, sort, a fixed
number of queries), the map as a list, a proposal's page (drafts for their author
only, user text escaped), files, proposing with every kind of bad input (nothing
half-saved), editing, submitting, withdrawing, and supporting with and without htmx."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from cycles.models import DevelopmentPlan, Phase, PlanLevel, PlanLine
from cycles.schedule import PhaseInput, phase_add
from cycles.services import cycle_publish
from proposals.models import (
    Participation,
    Proposal,
    ProposalAttachment,
    Review,
    Sector,
    StateChange,
    Status,
    Support,
)
from proposals.services import proposal_attach
from tests.cycles.factories import make_cycle, secretariat
from tests.factories import UserFactory
from tests.nodes.test_activities import minimal_pdf
from tests.proposals.factories import citizen, proposal_in, unit_of

pytestmark = pytest.mark.django_db

NOW = timezone.now()
TODAY = timezone.localdate(NOW)
XSS = '<script>alert("x")</script>'
XSS_NAME = "<img src=x onerror=alert(1)>.pdf"  # no slash: an upload's name loses everything before one


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def english():
    """Pages in English (/en/...), so that tests read the source strings."""
    translation.activate("en")
    yield
    translation.activate(settings.LANGUAGE_CODE)


def url(name: str, **kwargs) -> str:
    return reverse(f"proposals:{name}", kwargs=kwargs or None)


def signed_in(client, person):
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    return client


def open_cycle(**extra):
    """Bogotá's template starts with 30 days of proposals: open now (no supports)."""
    return make_cycle("52001", methodology="bogota", published=True, start=TODAY - timedelta(days=5), **extra)


def supports_cycle():
    """A cycle whose current phase opens proposals and supports, without a threshold."""
    actor = secretariat()
    draft = make_cycle("52001", methodology="blank", start=TODAY - timedelta(days=40), actor=actor)
    phase_add(
        actor=actor,
        cycle=draft,
        data=PhaseInput(
            kind="proposals_and_supports", starts_at=NOW - timedelta(days=2), ends_at=NOW + timedelta(days=20)
        ),
    )
    return cycle_publish(actor=actor, cycle=draft)


def pdf_upload(name="estudio.pdf"):
    return SimpleUploadedFile(name, minimal_pdf(), content_type="application/pdf")


def png_upload(name="foto.png"):
    output = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 120, 20)).save(output, format="PNG")
    return SimpleUploadedFile(name, output.getvalue(), content_type="image/png")


def text_of(response) -> str:
    return response.content.decode()


# --- The list ----------------------------------------------------------------------------


@pytest.fixture
def listed():
    """A cycle with a plan, and proposals that differ in every filter; a draft; another cycle's proposal."""
    cycle = open_cycle()
    plan = DevelopmentPlan.objects.create(
        municipality_id="52001", name="Pasto Somos Todos", start_year=2024, end_year=2027
    )
    line = PlanLine.objects.create(plan=plan, level=PlanLevel.LINE, code="1", name="Educación para todos")
    cycle.plan = plan
    cycle.save(update_fields=["plan"])
    education, health = Sector.objects.get(key="education"), Sector.objects.get(key="health")
    first, second = unit_of(cycle, 0), unit_of(cycle, 1)
    school = proposal_in(
        cycle,
        first,
        title="Dotación de la escuela",
        summary="Mejor educación para la comuna",
        sector=education,
        plan_line=line,
        estimated_cost=2_500_000,
        support_count=7,
        submitted_at=NOW - timedelta(days=3),
    )
    clinic = proposal_in(
        cycle,
        second,
        title="Puesto de salud",
        summary="Atención cercana",
        sector=health,
        status=Status.IN_REVIEW,
        estimated_cost=900_000_000,
        support_count=2,
        submitted_at=NOW - timedelta(days=1),
    )
    draft = proposal_in(cycle, first, title="Borrador secreto", status=Status.DRAFT)
    elsewhere = proposal_in(open_cycle(), title="De otro ciclo")
    return {"cycle": cycle, "school": school, "clinic": clinic, "draft": draft, "elsewhere": elsewhere, "line": line}


def titles(response) -> list[str]:
    return [proposal.title for proposal in response.context["page"]]


def test_list_shows_the_cycles_public_proposals_with_what_a_row_needs(client, listed):
    response = client.get(url("proposal-list", cycle_pk=listed["cycle"].pk))
    assert response.status_code == 200
    assert titles(response) == ["Dotación de la escuela", "Puesto de salud"]  # most supported first
    page = text_of(response)
    assert "Borrador secreto" not in page and "De otro ciclo" not in page
    assert "Comuna 1" in page and "Education" in page and "$ 2,500,000" in page and "7 supports" in page
    assert "In feasibility review" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"territorio": "second"}, ["Puesto de salud"]),
        ({"sector": "education"}, ["Dotación de la escuela"]),
        ({"estado": "in_review"}, ["Puesto de salud"]),
        ({"linea": "line"}, ["Dotación de la escuela"]),
        ({"q": "educacion"}, ["Dotación de la escuela"]),  # no accent typed, "educación" in the text
        ({"q": "SALUD"}, ["Puesto de salud"]),
        ({"orden": "newest"}, ["Puesto de salud", "Dotación de la escuela"]),
        ({"orden": "cost"}, ["Dotación de la escuela", "Puesto de salud"]),
        ({"orden": "cost_desc"}, ["Puesto de salud", "Dotación de la escuela"]),
        ({"estado": "draft"}, ["Dotación de la escuela", "Puesto de salud"]),  # not a public status: ignored
    ],
)
def test_list_filters_search_and_sorts(client, listed, query, expected):
    values = {
        "second": unit_of(listed["cycle"], 1).pk,
        "education": Sector.objects.get(key="education").pk,
        "line": listed["line"].pk,
    }
    params = {key: values.get(value, value) for key, value in query.items()}
    response = client.get(url("proposal-list", cycle_pk=listed["cycle"].pk), params)
    assert titles(response) == expected


def test_list_ignores_malformed_filters_instead_of_failing(client, listed):
    params = {"territorio": "x' or 1=1", "sector": "999999", "linea": "-1", "orden": "nonsense", "pagina": "abc"}
    response = client.get(url("proposal-list", cycle_pk=listed["cycle"].pk), params)
    assert response.status_code == 200
    assert titles(response) == ["Dotación de la escuela", "Puesto de salud"]


def test_list_of_a_draft_or_missing_cycle_is_not_found(client):
    draft = make_cycle("52001")
    assert client.get(url("proposal-list", cycle_pk=draft.pk)).status_code == 404
    assert client.get(url("proposal-list", cycle_pk=draft.pk + 1000)).status_code == 404


def test_list_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    cycle = open_cycle()
    sector = Sector.objects.get(key="culture")
    for number in range(40):
        proposal_in(cycle, unit_of(cycle, number % 3), sector=sector if number % 2 else None)
    with django_assert_max_num_queries(8):
        response = client.get(url("proposal-list", cycle_pk=cycle.pk), {"orden": "cost", "q": "propuesta"})
    assert len(response.context["page"]) == 20
    with django_assert_max_num_queries(8):
        client.get(url("proposal-list", cycle_pk=cycle.pk), {"pagina": "2", "sector": sector.pk})


# --- The map -----------------------------------------------------------------------------


def test_map_lists_the_located_proposals_with_their_coordinates_and_loads_nothing_from_elsewhere(client):
    cycle = open_cycle()
    proposal_in(cycle, title="Parque " + XSS, latitude=Decimal("1.213600"), longitude=Decimal("-77.281100"))
    proposal_in(cycle, title="Sin lugar")
    response = client.get(url("proposal-map", cycle_pk=cycle.pk))
    page = text_of(response)
    assert response.status_code == 200
    assert "1.213600, -77.281100" in page and "Sin lugar" not in page
    assert XSS not in page  # escaped in the list and in the JSON data block
    assert 'id="proposals-map-data" type="application/json"' in page
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "leaflet" not in page  # no tiles configured: no map script at all


def test_map_adds_leaflet_from_this_host_when_tiles_are_configured(client, settings):
    settings.MAP_TILES_URL = "https://tiles.example.gov.co/{z}/{x}/{y}.png"
    cycle = open_cycle()
    proposal_in(cycle, latitude=Decimal("1.2"), longitude=Decimal("-77.2"))
    page = text_of(client.get(url("proposal-map", cycle_pk=cycle.pk)))
    assert re.search(r'<script src="/static/vendor/leaflet/leaflet(\.[0-9a-f]+)?\.js"', page)
    assert re.search(r'<script src="/static/js/proposals-map(\.[0-9a-f]+)?\.js"', page)
    assert 'data-tiles-url="https://tiles.example.gov.co/{z}/{x}/{y}.png"' in page


# --- A proposal's page --------------------------------------------------------------------------


def test_detail_shows_everything_about_a_proposal_escaped(client):
    cycle = open_cycle()
    author = citizen()
    proposal = proposal_in(
        cycle,
        author=author,
        title="Título " + XSS,
        description="Primera línea\n" + XSS,
        origin="JAC " + XSS,
        estimated_cost=1_250_000,
        adjusted_cost=1_000_000,
        status=Status.IN_REVIEW,
    )
    StateChange.objects.create(proposal=proposal, to_status=Status.SUBMITTED, at=NOW - timedelta(days=1))
    StateChange.objects.create(proposal=proposal, from_status="submitted", to_status=Status.IN_REVIEW, at=NOW)
    Review.objects.create(
        proposal=proposal,
        verdict="needs_changes",
        reasons="Falta el lote " + XSS,
        responsible_office="Obras",
        created_at=NOW,
    )
    proposal_attach(actor=author, proposal=proposal, upload=pdf_upload(XSS_NAME), now=NOW)
    proposal_attach(actor=author, proposal=proposal, upload=png_upload(), now=NOW)
    response = client.get(proposal.get_absolute_url())
    page = text_of(response)
    assert response.status_code == 200
    assert XSS not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x onerror=alert(1)&gt;.pdf" in page
    assert "$ 1,250,000" in page and "$ 1,000,000" in page
    assert "Primera línea<br>" in page
    assert "Falta el lote" in page and "Obras" in page
    assert "In feasibility review" in page and "Submitted" in page  # the history
    attachments = list(proposal.attachments.all())
    assert f'<img src="{url("attachment", pk=attachments[1].pk)}"' in page
    assert f'href="{url("attachment", pk=attachments[0].pk)}" download' in page


def test_detail_says_a_paper_proposal_was_keyed_in_for_someone(client):
    proposal = proposal_in(open_cycle(), on_paper=True, on_behalf_of="Doña Rosa Pérez")
    page = text_of(client.get(proposal.get_absolute_url()))
    assert "Keyed in by the cycle's team for Doña Rosa Pérez" in page


def test_a_draft_is_seen_by_its_author_only(client):
    author = citizen()
    draft = proposal_in(open_cycle(), author=author, status=Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert signed_in(client, citizen()).get(draft.get_absolute_url()).status_code == 404
    response = signed_in(client, author).get(draft.get_absolute_url())
    assert response.status_code == 200 and "Draft, not public." in text_of(response)


def test_detail_says_why_the_viewer_cannot_support(client):
    proposal = proposal_in(open_cycle(), author=citizen())  # Bogotá: no support phase
    page = text_of(signed_in(client, citizen()).get(proposal.get_absolute_url()))
    assert "Supports are not open in this territory now." in page
    assert "Support this proposal" not in page


def test_attachment_is_a_checked_download_and_follows_the_proposals_visibility(client):
    author = citizen()
    public = proposal_in(open_cycle(), author=author)
    draft = proposal_in(public.cycle, author=author, status=Status.DRAFT)
    pdf = proposal_attach(actor=author, proposal=public, upload=pdf_upload("acta.pdf"), now=NOW)
    hidden = proposal_attach(actor=author, proposal=draft, upload=pdf_upload(), now=NOW)
    response = client.get(url("attachment", pk=pdf.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Content-Disposition"].startswith("attachment")
    assert client.get(url("attachment", pk=hidden.pk)).status_code == 404
    assert signed_in(client, author).get(url("attachment", pk=hidden.pk)).status_code == 200


# --- Proposing ------------------------------------------------------------------------------------


def form_data(cycle, **overrides):
    data = {
        "unit": unit_of(cycle, 0).pk,
        "title": "Parque infantil La Rosa",
        "summary": "Juegos para los niños del barrio.",
        "description": "",
        "estimated_cost": "1.250.000",
        "latitude": "",
        "longitude": "",
        "origin": "",
    }
    data.update(overrides)
    return data


def test_proposing_needs_a_signed_in_person(client):
    cycle = open_cycle()
    response = client.get(url("proposal-create", cycle_pk=cycle.pk))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_an_ineligible_person_is_told_why_and_gets_no_form(client):
    cycle = open_cycle()
    for person, reason in [
        (UserFactory(), "Complete your citizen profile"),
        (citizen(municipality_code="68081"), "This cycle is for people who live in"),
    ]:
        response = signed_in(client, person).get(url("proposal-create", cycle_pk=cycle.pk))
        assert response.status_code == 200
        assert reason in text_of(response) and "form" not in response.context


def test_before_proposals_open_the_page_says_when_they_open(client):
    cycle = make_cycle("52001", methodology="bogota", published=True, start=TODAY + timedelta(days=12))
    response = signed_in(client, citizen()).get(url("proposal-create", cycle_pk=cycle.pk))
    assert "Proposals are not open now. They open on" in text_of(response)
    assert "form" not in response.context
    response = signed_in(client, citizen()).post(url("proposal-create", cycle_pk=cycle.pk), form_data(cycle))
    assert not Proposal.objects.exists()


def test_a_citizen_saves_a_draft_declaring_their_territory_with_a_dotted_cost(client):
    cycle = open_cycle()
    person = citizen()
    response = signed_in(client, person).post(url("proposal-create", cycle_pk=cycle.pk), form_data(cycle))
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == proposal.get_absolute_url()
    assert proposal.status == Status.DRAFT and proposal.estimated_cost == 1_250_000 and proposal.author == person
    assert Participation.objects.get(user=person).unit == unit_of(cycle, 0)


def test_submitting_at_once_publishes_with_files(client):
    cycle = open_cycle()
    person = citizen()
    data = form_data(cycle, submit="1", latitude="1.2136", longitude="-77.2811", documents=[pdf_upload(), png_upload()])
    signed_in(client, person).post(url("proposal-create", cycle_pk=cycle.pk), data)
    proposal = Proposal.objects.get()
    assert proposal.status in (Status.SUBMITTED, Status.IN_REVIEW)  # no threshold: straight to review
    assert proposal.submitted_at is not None and proposal.latitude == Decimal("1.213600")
    assert sorted(a.content_type for a in proposal.attachments.all()) == ["application/pdf", "image/png"]


def test_once_declared_the_territory_is_shown_and_another_is_refused(client):
    cycle = open_cycle()
    person = citizen()
    Participation.objects.create(cycle=cycle, user=person, unit=unit_of(cycle, 1), declared_at=NOW)
    client = signed_in(client, person)
    response = client.get(url("proposal-create", cycle_pk=cycle.pk))
    assert "Your territory in this cycle: <strong>Comuna 2</strong>" in text_of(response)
    assert '<select name="unit"' not in text_of(response)
    response = client.post(url("proposal-create", cycle_pk=cycle.pk), form_data(cycle))  # unit: Comuna 1
    assert response.status_code == 200
    assert "You already take part from Comuna 2 in this cycle." in text_of(response)
    assert not Proposal.objects.exists()


def pdf_exe():
    return SimpleUploadedFile("programa.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64)


def svg_with_script():
    return SimpleUploadedFile("plano.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"estimated_cost": "-5.000"}, "An amount cannot be negative."),
        ({"estimated_cost": "99.999.999.999.999.999"}, "That amount is not plausible"),
        ({"estimated_cost": "mil pesos"}, "Write a whole number of pesos"),
        ({"latitude": "1.2"}, "Give both the latitude and the longitude, or neither."),
        ({"latitude": "123", "longitude": "4"}, "less than or equal to 90"),
        ({"title": ""}, "This field is required."),
        ({"files": "exe"}, "programa.pdf: Only PDF documents and JPEG, PNG or WebP images are accepted."),
        ({"files": "svg"}, "plano.svg: Only PDF documents and JPEG, PNG or WebP images are accepted."),
    ],
)
def test_bad_input_gets_a_message_and_nothing_is_saved(client, overrides, message, media):
    cycle = open_cycle()
    files = {"exe": [pdf_upload("bueno.pdf"), pdf_exe()], "svg": [svg_with_script()]}
    if "files" in overrides:
        overrides = {"documents": files[overrides["files"]]}
    response = signed_in(client, citizen()).post(
        url("proposal-create", cycle_pk=cycle.pk), form_data(cycle, submit="1", **overrides)
    )
    assert response.status_code == 200
    assert message in text_of(response)
    assert not Proposal.objects.exists() and not ProposalAttachment.objects.exists()
    assert not Participation.objects.exists()
    assert not [path for path in media.rglob("*") if path.is_file()]


def test_a_file_over_the_limit_is_refused_by_name(client, settings):
    settings.MAX_UPLOAD_SIZE = 1024 * 1024
    cycle = open_cycle()
    big = SimpleUploadedFile("grande.pdf", minimal_pdf() + b"0" * (1024 * 1024 + 1))
    response = signed_in(client, citizen()).post(
        url("proposal-create", cycle_pk=cycle.pk), form_data(cycle, documents=[big])
    )
    assert "grande.pdf: The file is larger than 1 MB." in text_of(response)
    assert not Proposal.objects.exists()


def test_a_file_name_with_html_is_escaped_in_the_error(client):
    cycle = open_cycle()
    upload = SimpleUploadedFile(XSS_NAME, b"not a pdf")
    response = signed_in(client, citizen()).post(
        url("proposal-create", cycle_pk=cycle.pk), form_data(cycle, documents=[upload])
    )
    assert "<img src=x" not in text_of(response)
    assert "&lt;img src=x onerror=alert(1)&gt;.pdf: Only PDF documents" in text_of(response)


# --- Editing, submitting, withdrawing ------------------------------------------------------------


def test_the_author_edits_their_proposal(client):
    author = citizen()
    proposal = proposal_in(open_cycle(), author=author, status=Status.DRAFT)
    client = signed_in(client, author)
    page = text_of(client.get(url("proposal-edit", pk=proposal.pk)))
    assert 'value="100.000.000"' in page  # the cost as people write it
    data = form_data(proposal.cycle, title="Nuevo título", estimated_cost="3.000.000")
    response = client.post(url("proposal-edit", pk=proposal.pk), data)
    proposal.refresh_from_db()
    assert response.status_code == 302
    assert (proposal.title, proposal.estimated_cost, proposal.status) == ("Nuevo título", 3_000_000, Status.DRAFT)


def test_editing_someone_elses_proposal_is_refused(client):
    cycle = open_cycle()
    public = proposal_in(cycle, author=citizen(), title="Original")
    draft = proposal_in(cycle, author=citizen(), status=Status.DRAFT)
    client = signed_in(client, citizen())
    assert client.get(url("proposal-edit", pk=public.pk)).status_code == 403
    assert client.post(url("proposal-edit", pk=public.pk), form_data(cycle, title="Robado")).status_code == 403
    assert client.get(url("proposal-edit", pk=draft.pk)).status_code == 404
    assert client.post(url("proposal-submit", pk=public.pk)).status_code == 403
    assert client.post(url("proposal-withdraw", pk=public.pk)).status_code == 403
    public.refresh_from_db()
    assert public.title == "Original" and public.status == Status.SUBMITTED


def test_the_author_submits_a_draft(client):
    author = citizen()
    draft = proposal_in(open_cycle(), author=author, status=Status.DRAFT)
    response = signed_in(client, author).post(url("proposal-submit", pk=draft.pk), follow=True)
    draft.refresh_from_db()
    assert draft.status != Status.DRAFT and draft.submitted_at is not None
    assert "Your proposal has been submitted." in text_of(response)


def test_the_author_withdraws_after_confirming(client):
    author = citizen()
    proposal = proposal_in(open_cycle(), author=author)
    client = signed_in(client, author)
    assert "Withdraw the proposal" in text_of(client.get(url("proposal-withdraw", pk=proposal.pk)))
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED  # a GET changes nothing
    client.post(url("proposal-withdraw", pk=proposal.pk))
    proposal.refresh_from_db()
    assert proposal.status == Status.WITHDRAWN


def test_my_proposals_lists_mine_across_cycles_drafts_included(client):
    author = citizen()
    proposal_in(open_cycle(), author=author, title="Mi borrador", status=Status.DRAFT)
    proposal_in(open_cycle(), author=author, title="Mi propuesta")
    proposal_in(open_cycle(), author=citizen(), title="Ajena")
    response = signed_in(client, author).get(url("my-proposals"))
    assert sorted(titles(response)) == ["Mi borrador", "Mi propuesta"]


# --- Supporting ---------------------------------------------------------------------------------


def test_support_without_javascript_redirects_back_with_a_message_and_counts_once(client):
    proposal = proposal_in(supports_cycle(), author=citizen())
    client = signed_in(client, citizen())
    response = client.post(url("proposal-support", pk=proposal.pk), follow=True)
    assert "Thank you: your support has been counted." in text_of(response)
    assert "You support this proposal." in text_of(response)
    response = client.post(url("proposal-support", pk=proposal.pk), follow=True)
    assert "You already support this proposal." in text_of(response)
    proposal.refresh_from_db()
    assert proposal.support_count == 1 and Support.objects.count() == 1


def test_support_with_htmx_swaps_the_count_fragment(client):
    proposal = proposal_in(supports_cycle(), author=citizen())
    response = signed_in(client, citizen()).post(url("proposal-support", pk=proposal.pk), HTTP_HX_REQUEST="true")
    page = text_of(response)
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="support-box"') and "<html" not in page
    assert "1 support" in page and "Thank you" in page


def test_detail_offers_the_support_button_with_htmx_and_a_plain_form(client):
    proposal = proposal_in(supports_cycle(), author=citizen())
    page = text_of(signed_in(client, citizen()).get(proposal.get_absolute_url()))
    action = url("proposal-support", pk=proposal.pk)
    assert f'<form method="post" action="{action}"' in page and f'hx-post="{action}"' in page


def test_support_is_refused_with_a_message_to_ineligible_people_and_elsewhere(client):
    cycle = supports_cycle()
    proposal = proposal_in(cycle, unit_of(cycle, 0))
    outsider = citizen(municipality_code="68081")
    response = signed_in(client, outsider).post(url("proposal-support", pk=proposal.pk), follow=True)
    assert "This cycle is for people who live in" in text_of(response)
    neighbour = citizen()
    Participation.objects.create(cycle=cycle, user=neighbour, unit=unit_of(cycle, 1), declared_at=NOW)
    response = signed_in(client, neighbour).post(url("proposal-support", pk=proposal.pk), follow=True)
    assert "You already take part from Comuna 2" in text_of(response)
    proposal.refresh_from_db()
    assert proposal.support_count == 0


def test_support_is_post_only_and_asks_anonymous_people_to_sign_in(client):
    proposal = proposal_in(supports_cycle())
    assert client.get(url("proposal-support", pk=proposal.pk)).status_code == 405
    response = client.post(url("proposal-support", pk=proposal.pk))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert "Sign in to support this proposal" in text_of(client.get(proposal.get_absolute_url()))


# --- Languages ------------------------------------------------------------------------------------


def test_pages_are_in_english_under_en_and_in_spanish_by_default(client):
    cycle = open_cycle()
    assert url("proposal-list", cycle_pk=cycle.pk).startswith("/en/propuestas/")
    english = client.get(url("proposal-list", cycle_pk=cycle.pk))
    assert '<html lang="en">' in text_of(english) and "Make a proposal" in text_of(english)
    with translation.override(settings.LANGUAGE_CODE):
        spanish = client.get(reverse("proposals:proposal-list", kwargs={"cycle_pk": cycle.pk}))
    assert spanish.status_code == 200 and '<html lang="es-co">' in text_of(spanish)


def test_once_proposals_close_the_author_is_told_instead_of_getting_the_edit_form(client):
    author = citizen()
    proposal = proposal_in(open_cycle(), author=author)
    Phase.objects.filter(cycle=proposal.cycle, kind="proposals").update(
        starts_at=NOW - timedelta(days=100), ends_at=NOW - timedelta(days=99)
    )
    response = signed_in(client, author).get(url("proposal-edit", pk=proposal.pk))
    assert "form" not in response.context
    assert "Proposals are closed in this cycle, and no new period to propose is planned." in text_of(response)


def test_the_proposal_page_reads_the_cycle_calendar_once(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cycle = make_cycle("52001", methodology="bogota", published=True)
    proposal = proposal_in(cycle, status=Status.SUBMITTED)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(proposal.get_absolute_url()).status_code == 200
    assert sum('FROM "cycles_phase"' in q["sql"] for q in queries.captured_queries) == 1
