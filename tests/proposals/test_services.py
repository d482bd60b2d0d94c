"""Proposal and support services: each rule, each refusal with its message,
nothing half-saved."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from accounts.models import AuditEntry
from cycles.schedule import PhaseInput, phase_add
from cycles.services import cycle_publish
from proposals.models import Participation, Proposal, ProposalAttachment, StateChange, Status, Support
from proposals.services import (
    SEARCH_CONFIG,
    ProposalInput,
    participation_declare,
    participation_of,
    proposal_attach,
    proposal_create,
    proposal_submit,
    proposal_submit_on_paper,
    proposal_update,
    proposal_withdraw,
    support_add,
)
from tests.cycles.factories import make_cycle, secretariat
from tests.nodes.factories import MembershipFactory, municipality
from tests.proposals.factories import citizen, proposal_in, unit_of

pytestmark = pytest.mark.django_db

NOW = timezone.now()
TODAY = timezone.localdate(NOW)


def years_ago(years: int) -> date:
    """The day someone born then turns ``years`` today (29 February: the 28th)."""
    try:
        return TODAY.replace(year=TODAY.year - years)
    except ValueError:
        return TODAY.replace(year=TODAY.year - years, day=28)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in their English source text."""
    with translation.override("en"):
        yield


def data(**overrides) -> ProposalInput:
    fields = {
        "title": "Parque infantil en el barrio La Rosa",
        "summary": "Juegos y zonas verdes para los niños del barrio.",
        "estimated_cost": 250_000_000,
    }
    return ProposalInput(**{**fields, **overrides})


@pytest.fixture
def cycle():
    """Bogotá's template starts with 30 days of proposals: open now, no support phase, no threshold."""
    return make_cycle("52001", methodology="bogota", published=True, start=TODAY - timedelta(days=5))


def supports_cycle(threshold: int | None = 3, kind: str = "proposals_and_supports"):
    """A Pasto cycle whose only current phase is ``kind`` (and an information phase long past)."""
    actor = secretariat()
    draft = make_cycle("52001", methodology="blank", start=TODAY - timedelta(days=40), actor=actor)
    phase_add(
        actor=actor,
        cycle=draft,
        data=PhaseInput(kind=kind, starts_at=NOW - timedelta(days=2), ends_at=NOW + timedelta(days=20)),
    )
    draft.support_threshold = threshold
    draft.save(update_fields=["support_threshold"])
    return cycle_publish(actor=actor, cycle=draft)


def found(words: str) -> SearchQuery:
    return SearchQuery(words, config=SEARCH_CONFIG)


def error_codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


# --- Creating -------------------------------------------------------------------------------


def test_citizen_keeps_a_draft_in_her_territory(cycle):
    person = citizen()
    unit = unit_of(cycle)
    proposal = proposal_create(actor=person, cycle=cycle, unit=unit, data=data(), submit=False, now=NOW)
    assert (proposal.status, proposal.submitted_at, proposal.author, proposal.unit) == (
        Status.DRAFT,
        None,
        person,
        unit,
    )
    assert participation_of(person, cycle).unit == unit
    assert list(proposal.history.values_list("from_status", "to_status")) == [("", Status.DRAFT)]
    assert Proposal.objects.filter(search=found("parque")).get() == proposal  # indexed


def test_submitting_without_a_threshold_sends_the_proposal_to_review_at_once(cycle):
    """No threshold means every submitted proposal is reviewed: it is in review from the
    start (whether submitted on creation or later), and its author may still correct it
    while proposals are open."""
    person = citizen()
    unit = unit_of(cycle)
    at_once = proposal_create(actor=person, cycle=cycle, unit=unit, data=data(), submit=True, now=NOW)
    draft = proposal_create(actor=person, cycle=cycle, unit=unit, data=data(), submit=False, now=NOW)
    later = proposal_submit(actor=person, proposal=draft, now=NOW)
    for proposal in (at_once, later):
        proposal.refresh_from_db()
        assert proposal.status == Status.IN_REVIEW and proposal.submitted_at == NOW
        assert list(proposal.history.values_list("to_status", flat=True))[-2:] == [Status.SUBMITTED, Status.IN_REVIEW]
    edited = proposal_update(actor=person, proposal=at_once, data=data(title="Parque y cancha"), now=NOW)
    assert edited.title == "Parque y cancha"


def test_with_a_threshold_a_submitted_proposal_waits_for_supports():
    cycle = supports_cycle(threshold=2)
    proposal = proposal_create(actor=citizen(), cycle=cycle, unit=unit_of(cycle), data=data(), submit=True, now=NOW)
    assert proposal.status == Status.SUBMITTED


def test_participation_is_declared_once_and_another_territory_is_refused(cycle):
    person = citizen()
    first, second = unit_of(cycle, 0), unit_of(cycle, 1)
    proposal_create(actor=person, cycle=cycle, unit=first, data=data(), submit=False, now=NOW)
    assert participation_declare(actor=person, cycle=cycle, unit=first, now=NOW).unit == first
    with pytest.raises(ValidationError) as caught:
        proposal_create(actor=person, cycle=cycle, unit=second, data=data(), submit=False, now=NOW)
    assert caught.value.code == "other_territory"
    assert "Comuna" in caught.value.messages[0]
    assert Proposal.objects.count() == 1
    assert Participation.objects.get(user=person).unit == first


def test_a_territory_of_another_cycle_or_the_citywide_envelope_is_refused(cycle):
    other = make_cycle("68081", methodology="bogota", published=True, start=TODAY - timedelta(days=5))
    with pytest.raises(ValidationError) as caught:
        proposal_create(actor=citizen(), cycle=cycle, unit=unit_of(other), data=data(), submit=True, now=NOW)
    assert error_codes(caught.value) == {"unit": ["unit"]}
    assert not Participation.objects.exists()


def test_proposing_outside_the_proposals_phase_is_refused_and_nothing_is_kept(cycle):
    later = NOW + timedelta(days=40)  # the feasibility phase
    with pytest.raises(ValidationError) as caught:
        proposal_create(actor=citizen(), cycle=cycle, unit=unit_of(cycle), data=data(), submit=True, now=later)
    assert caught.value.code == "propose_closed"
    assert not Proposal.objects.exists() and not Participation.objects.exists()


def test_a_draft_cycle_takes_no_proposals():
    cycle = make_cycle("52001", methodology="bogota", start=TODAY - timedelta(days=5))
    with pytest.raises(ValidationError) as caught:
        proposal_create(actor=citizen(), cycle=cycle, unit=unit_of(cycle), data=data(), submit=True, now=NOW)
    assert caught.value.code == "propose_closed"


def test_a_supports_only_phase_takes_no_proposals():
    cycle = supports_cycle(kind="supports")
    with pytest.raises(ValidationError) as caught:
        proposal_create(actor=citizen(), cycle=cycle, unit=unit_of(cycle), data=data(), submit=True, now=NOW)
    assert caught.value.code == "propose_closed"


@pytest.mark.parametrize(
    ("make_person", "reason"),
    [
        (lambda: citizen(verified=False), "Confirm your e-mail address"),
        (lambda: citizen(identity=False), "Complete your citizen profile"),
        (lambda: citizen(birth_date=years_ago(14) + timedelta(days=1)), "aged 14 or more"),
        (lambda: citizen(municipality_code="68081"), "live in Pasto"),
        (lambda: citizen(document_type="PA"), "does not accept your kind of document"),
    ],
    ids=["unverified-email", "no-identity", "too-young-on-the-day", "lives-elsewhere", "document-not-accepted"],
)
def test_ineligible_people_are_told_why(cycle, make_person, reason):
    with pytest.raises(PermissionDenied) as caught:
        proposal_create(actor=make_person(), cycle=cycle, unit=unit_of(cycle), data=data(), submit=True, now=NOW)
    assert reason in str(caught.value)
    assert not Proposal.objects.exists() and not Participation.objects.exists()


def test_fourteen_on_the_day_is_old_enough(cycle):
    teenager = citizen(birth_date=years_ago(14), document_type="TI")
    proposal = proposal_create(actor=teenager, cycle=cycle, unit=unit_of(cycle), data=data(), submit=True, now=NOW)
    assert proposal.pk


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"estimated_cost": -1}, {"estimated_cost": ["negative_cost"]}),
        ({"estimated_cost": 10**15 + 1}, {"estimated_cost": ["absurd_cost"]}),
        ({"latitude": Decimal("1.2")}, {"latitude": ["point"]}),
        ({"longitude": Decimal("-77.28")}, {"latitude": ["point"]}),
        ({"latitude": Decimal("91"), "longitude": Decimal("-77")}, {"latitude": ["point"]}),
        ({"latitude": Decimal("1.2"), "longitude": Decimal("-181")}, {"latitude": ["point"]}),
        ({"title": "   ", "summary": ""}, {"title": ["title"], "summary": ["summary"]}),
        ({"title": "x" * 201}, {"title": ["too_long"]}),
        ({"summary": "x" * 501, "origin": "y" * 201}, {"summary": ["too_long"], "origin": ["too_long"]}),
    ],
    ids=["negative", "absurd", "lat-only", "lon-only", "lat-off-map", "lon-off-map", "empty", "long-title", "long"],
)
def test_bad_figures_are_refused_field_by_field(cycle, overrides, expected):
    with pytest.raises(ValidationError) as caught:
        proposal_create(actor=citizen(), cycle=cycle, unit=unit_of(cycle), data=data(**overrides), submit=True, now=NOW)
    assert error_codes(caught.value) == expected
    assert not Proposal.objects.exists()


def test_a_point_on_the_map_and_the_largest_plausible_cost_are_kept(cycle):
    proposal = proposal_create(
        actor=citizen(),
        cycle=cycle,
        unit=unit_of(cycle),
        data=data(latitude=Decimal("1.213611"), longitude=Decimal("-77.281111"), estimated_cost=10**15),
        submit=True,
        now=NOW,
    )
    proposal.refresh_from_db()
    assert (proposal.latitude, proposal.longitude, proposal.estimated_cost) == (
        Decimal("1.213611"),
        Decimal("-77.281111"),
        10**15,
    )


# --- Editing, submitting, withdrawing ---------------------------------------------------------


def test_only_the_author_edits(cycle):
    author = citizen()
    proposal = proposal_create(actor=author, cycle=cycle, unit=unit_of(cycle), data=data(), submit=False, now=NOW)
    with pytest.raises(PermissionDenied):
        proposal_update(actor=citizen(), proposal=proposal, data=data(title="Robada"), now=NOW)
    with pytest.raises(PermissionDenied):
        proposal_submit(actor=citizen(), proposal=proposal, now=NOW)
    with pytest.raises(PermissionDenied):
        proposal_withdraw(actor=citizen(), proposal=proposal, now=NOW)
    proposal.refresh_from_db()
    assert (proposal.title, proposal.status) == ("Parque infantil en el barrio La Rosa", Status.DRAFT)


def test_the_author_edits_and_the_search_follows(cycle):
    author = citizen()
    proposal = proposal_create(actor=author, cycle=cycle, unit=unit_of(cycle), data=data(), submit=False, now=NOW)
    later = NOW + timedelta(hours=1)
    proposal_update(actor=author, proposal=proposal, data=data(title="Biblioteca comunitaria"), now=later)
    proposal.refresh_from_db()
    assert (proposal.title, proposal.updated_at) == ("Biblioteca comunitaria", later)
    assert Proposal.objects.filter(search=found("biblioteca")).exists()
    assert not Proposal.objects.filter(search=found("parque")).exists()


def test_editing_after_proposals_close_is_refused(cycle):
    author = citizen()
    proposal = proposal_create(actor=author, cycle=cycle, unit=unit_of(cycle), data=data(), submit=True, now=NOW)
    with pytest.raises(ValidationError) as caught:
        proposal_update(actor=author, proposal=proposal, data=data(title="Otra"), now=NOW + timedelta(days=40))
    assert caught.value.code == "propose_closed"


@pytest.mark.parametrize("status", [Status.VIABLE, Status.NOT_VIABLE, Status.WITHDRAWN, Status.SELECTED])
def test_decided_proposals_cannot_be_edited(cycle, status):
    author = citizen()
    proposal = proposal_in(cycle, author=author, status=status)
    with pytest.raises(ValidationError) as caught:
        proposal_update(actor=author, proposal=proposal, data=data(), now=NOW)
    assert caught.value.code == "not_editable"


def test_sent_back_for_changes_the_author_edits_after_the_phase_and_resubmits(cycle):
    author = citizen()
    proposal = proposal_in(cycle, author=author, status=Status.NEEDS_CHANGES)
    later = NOW + timedelta(days=40)  # feasibility: proposals closed
    proposal_update(actor=author, proposal=proposal, data=data(estimated_cost=90_000_000), now=later)
    resubmitted = proposal_submit(actor=author, proposal=proposal, now=later)
    assert resubmitted.status == Status.IN_REVIEW and resubmitted.estimated_cost == 90_000_000
    assert resubmitted.history.last().note == "Changed by the author"


def test_submitting_twice_is_refused(cycle):
    author = citizen()
    proposal = proposal_create(actor=author, cycle=cycle, unit=unit_of(cycle), data=data(), submit=True, now=NOW)
    with pytest.raises(ValidationError) as caught:
        proposal_submit(actor=author, proposal=proposal, now=NOW)
    assert caught.value.code == "already_submitted"


def test_a_draft_cannot_be_submitted_after_the_phase(cycle):
    author = citizen()
    proposal = proposal_create(actor=author, cycle=cycle, unit=unit_of(cycle), data=data(), submit=False, now=NOW)
    with pytest.raises(ValidationError) as caught:
        proposal_submit(actor=author, proposal=proposal, now=NOW + timedelta(days=40))
    assert caught.value.code == "propose_closed"
    proposal.refresh_from_db()
    assert proposal.status == Status.DRAFT


def test_the_author_withdraws_once(cycle):
    author = citizen()
    proposal = proposal_create(actor=author, cycle=cycle, unit=unit_of(cycle), data=data(), submit=True, now=NOW)
    withdrawn = proposal_withdraw(actor=author, proposal=proposal, now=NOW)
    assert withdrawn.status == Status.WITHDRAWN
    assert withdrawn.history.last().from_status == Status.IN_REVIEW
    with pytest.raises(ValidationError) as caught:
        proposal_withdraw(actor=author, proposal=proposal, now=NOW)
    assert caught.value.code == "not_withdrawable"


# --- Paper proposals ---------------------------------------------------------------------------


def test_a_manager_keys_in_a_paper_proposal_with_an_audit_entry(cycle):
    manager = MembershipFactory(role="manager", municipality=municipality("52001")).user
    proposal = proposal_submit_on_paper(
        actor=manager, cycle=cycle, unit=unit_of(cycle), data=data(), on_behalf_of="  Rosa Pérez ", now=NOW
    )
    assert (proposal.on_paper, proposal.on_behalf_of, proposal.keyed_by, proposal.author) == (
        True,
        "Rosa Pérez",
        manager,
        None,
    )
    assert proposal.history.first().note == "Came on paper at an assembly"
    entry = AuditEntry.objects.get(action="proposals.paper_proposal_keyed")
    assert (entry.actor_id, entry.data) == (manager.pk, {"unit": proposal.unit_id})
    # the manager who keyed it is not its author
    with pytest.raises(PermissionDenied):
        proposal_update(actor=manager, proposal=proposal, data=data(title="Otra"), now=NOW)


def test_only_managers_of_the_cycle_key_in_paper_proposals(cycle):
    elsewhere = MembershipFactory(role="manager", municipality=municipality("68081")).user
    for actor in (citizen(), elsewhere):
        with pytest.raises(PermissionDenied):
            proposal_submit_on_paper(
                actor=actor, cycle=cycle, unit=unit_of(cycle), data=data(), on_behalf_of="Rosa", now=NOW
            )
    assert not Proposal.objects.exists() and not AuditEntry.objects.filter(action__startswith="proposals.").exists()


def test_a_paper_proposal_needs_the_name_of_who_wrote_it(cycle):
    with pytest.raises(ValidationError) as caught:
        proposal_submit_on_paper(
            actor=secretariat(), cycle=cycle, unit=unit_of(cycle), data=data(), on_behalf_of="  ", now=NOW
        )
    assert error_codes(caught.value) == {"on_behalf_of": ["on_behalf_of"]}
    assert not Proposal.objects.exists()


def test_paper_proposals_also_need_the_phase_open(cycle):
    with pytest.raises(ValidationError) as caught:
        proposal_submit_on_paper(
            actor=secretariat(),
            cycle=cycle,
            unit=unit_of(cycle),
            data=data(),
            on_behalf_of="Rosa",
            now=NOW + timedelta(days=40),
        )
    assert caught.value.code == "propose_closed"


# --- Attachments -----------------------------------------------------------------------------


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (16, 16), (30, 200, 30))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x8825] = {1: "N", 2: (1.0, 12.0, 30.0)}
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif, comment=b"secret comment")
    return output.getvalue()


def minimal_pdf(extra: bytes = b"") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n" + extra + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def upload(name: str, content: bytes, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def own_draft(cycle):
    author = citizen()
    proposal = proposal_create(actor=author, cycle=cycle, unit=unit_of(cycle), data=data(), submit=False, now=NOW)
    return author, proposal


def test_an_image_is_reencoded_without_its_metadata(own_draft, media):
    author, proposal = own_draft
    attachment = proposal_attach(
        actor=author, proposal=proposal, upload=upload("foto.jpg", jpeg_with_exif(), "image/jpeg"), now=NOW
    )
    stored = (media / attachment.file.name).read_bytes()
    assert attachment.content_type == "image/jpeg" and attachment.is_image
    assert attachment.file.name.endswith(".jpg") and "foto" not in attachment.file.name
    assert b"Exif" not in stored and b"CameraMaker" not in stored and b"secret comment" not in stored


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("presupuesto.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00PE\x00\x00 program", "unsupported_type"),
        (
            "plano.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "unsupported_type",
        ),
        ("plano.pdf", b'<?xml version="1.0"?><svg><script>alert(1)</script></svg>', "unsupported_type"),
        ("acta.pdf", minimal_pdf(b"3 0 obj\n<< /S /JavaScript /JS (app.alert(1)) >>\nendobj\n"), "pdf_active_content"),
        ("vacio.pdf", b"", "empty"),
    ],
    ids=["exe-renamed-pdf", "svg-script", "svg-renamed-pdf", "pdf-javascript", "empty"],
)
def test_bad_files_are_refused_and_nothing_is_stored(own_draft, media, name, content, code):
    author, proposal = own_draft
    with pytest.raises(ValidationError) as caught:
        proposal_attach(actor=author, proposal=proposal, upload=upload(name, content), now=NOW)
    assert caught.value.code == code
    assert not ProposalAttachment.objects.exists()
    assert not any(path.is_file() for path in media.rglob("*"))


def test_a_file_over_the_limit_is_refused(own_draft, settings):
    settings.MAX_UPLOAD_SIZE = 1024
    author, proposal = own_draft
    with pytest.raises(ValidationError) as caught:
        proposal_attach(actor=author, proposal=proposal, upload=upload("big.pdf", minimal_pdf() + b"%" * 2000), now=NOW)
    assert caught.value.code == "too_large"
    assert "larger than" in caught.value.messages[0]


def test_at_most_five_files(own_draft):
    author, proposal = own_draft
    for number in range(5):
        proposal_attach(actor=author, proposal=proposal, upload=upload(f"a{number}.pdf", minimal_pdf()), now=NOW)
    with pytest.raises(ValidationError) as caught:
        proposal_attach(actor=author, proposal=proposal, upload=upload("a6.pdf", minimal_pdf()), now=NOW)
    assert caught.value.code == "too_many"
    assert proposal.attachments.count() == 5


def test_only_the_author_attaches_and_only_while_proposals_are_open(own_draft):
    author, proposal = own_draft
    with pytest.raises(PermissionDenied):
        proposal_attach(actor=citizen(), proposal=proposal, upload=upload("a.pdf", minimal_pdf()), now=NOW)
    with pytest.raises(ValidationError) as caught:
        proposal_attach(
            actor=author, proposal=proposal, upload=upload("a.pdf", minimal_pdf()), now=NOW + timedelta(days=40)
        )
    assert caught.value.code == "propose_closed"
    assert not ProposalAttachment.objects.exists()


def test_the_manager_who_keyed_a_paper_proposal_attaches_its_scan(cycle):
    manager = secretariat()
    proposal = proposal_submit_on_paper(
        actor=manager, cycle=cycle, unit=unit_of(cycle), data=data(), on_behalf_of="Rosa", now=NOW
    )
    attachment = proposal_attach(actor=manager, proposal=proposal, upload=upload("acta.pdf", minimal_pdf()), now=NOW)
    assert attachment.content_type == "application/pdf"


# --- Supports ----------------------------------------------------------------------------------


@pytest.fixture
def supportable():
    cycle = supports_cycle(threshold=3)
    return cycle, proposal_in(cycle, status=Status.SUBMITTED)


def test_a_citizen_supports_once_and_the_count_is_exact(supportable):
    cycle, proposal = supportable
    person = citizen()
    assert support_add(actor=person, proposal=proposal, now=NOW).support_count == 1
    with pytest.raises(ValidationError) as caught:
        support_add(actor=person, proposal=proposal, now=NOW)
    assert (caught.value.code, caught.value.messages) == ("already_supported", ["You already support this proposal."])
    proposal.refresh_from_db()
    assert proposal.support_count == 1 == Support.objects.filter(proposal=proposal).count()
    assert participation_of(person, cycle).unit == proposal.unit


def test_reaching_the_threshold_sends_the_proposal_to_review(supportable):
    _cycle, proposal = supportable
    for _ in range(2):
        assert support_add(actor=citizen(), proposal=proposal, now=NOW).status == Status.SUBMITTED
    reached = support_add(actor=citizen(), proposal=proposal, now=NOW)
    assert (reached.status, reached.support_count) == (Status.IN_REVIEW, 3)
    change = StateChange.objects.filter(proposal=proposal).last()
    assert (change.from_status, change.to_status, change.note, change.actor) == (
        Status.SUBMITTED,
        Status.IN_REVIEW,
        "Reached the supports needed",
        None,
    )
    # supports still count while in review, without a second state change
    assert support_add(actor=citizen(), proposal=proposal, now=NOW).support_count == 4
    assert StateChange.objects.filter(proposal=proposal, to_status=Status.IN_REVIEW).count() == 1


def test_supports_are_refused_when_the_phase_is_closed():
    cycle = make_cycle("52001", methodology="bogota", published=True, start=TODAY - timedelta(days=5))
    proposal = proposal_in(cycle)  # proposals open, supports never in Bogotá's template
    with pytest.raises(ValidationError) as caught:
        support_add(actor=citizen(), proposal=proposal, now=NOW)
    assert caught.value.code == "support_closed"
    assert not Support.objects.exists() and not Participation.objects.exists()


def test_supports_come_from_the_territory_declared(supportable):
    cycle, proposal = supportable
    person = citizen()
    participation_declare(actor=person, cycle=cycle, unit=unit_of(cycle, 1), now=NOW)
    with pytest.raises(ValidationError) as caught:
        support_add(actor=person, proposal=proposal, now=NOW)
    assert caught.value.code == "other_territory"
    proposal.refresh_from_db()
    assert proposal.support_count == 0 and not Support.objects.exists()


@pytest.mark.parametrize("make_person", [lambda: citizen(municipality_code="68081"), lambda: citizen(verified=False)])
def test_ineligible_people_do_not_support(supportable, make_person):
    _cycle, proposal = supportable
    with pytest.raises(PermissionDenied):
        support_add(actor=make_person(), proposal=proposal, now=NOW)
    assert not Support.objects.exists()


@pytest.mark.parametrize("status", [Status.DRAFT, Status.WITHDRAWN, Status.VIABLE, Status.MERGED])
def test_only_submitted_or_reviewed_proposals_take_supports(status):
    cycle = supports_cycle()
    target = proposal_in(cycle) if status == Status.MERGED else None
    proposal = proposal_in(cycle, status=status, merged_into=target)
    with pytest.raises(ValidationError) as caught:
        support_add(actor=citizen(), proposal=proposal, now=NOW)
    assert caught.value.code == "not_supportable"


def test_without_a_threshold_a_supported_proposal_is_already_in_review():
    cycle = supports_cycle(threshold=None)
    author = citizen()
    proposal = proposal_create(actor=author, cycle=cycle, unit=unit_of(cycle), data=data(), submit=True, now=NOW)
    assert proposal.status == Status.IN_REVIEW
    assert support_add(actor=citizen(), proposal=proposal, now=NOW).support_count == 1


def test_birthdays_are_judged_on_the_day_of_the_act(supportable):
    _cycle, proposal = supportable
    fifteen_tomorrow = citizen(birth_date=years_ago(14) + timedelta(days=1))
    with pytest.raises(PermissionDenied):
        support_add(actor=fifteen_tomorrow, proposal=proposal, now=NOW)
    assert support_add(actor=fifteen_tomorrow, proposal=proposal, now=NOW + timedelta(days=1)).support_count == 1
